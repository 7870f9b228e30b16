// Polynomial arithmetic of sntrup761 ("NTRU Prime: round 3", Bernstein et al., 2020, §3.1 and §3.3):
// the rings R/3 = (Z/3)[x]/(x^p - x - 1) and R/q = (Z/q)[x]/(x^p - x - 1) with p = 761, q = 4591.
//
// Representation: a polynomial is an array of p coefficients, index i holding the coefficient of
// x^i. Elements of Z/3 are kept as -1, 0, 1 (Int8Array, "small"); elements of Z/q as
// -(q-1)/2 … (q-1)/2 (Int16Array). Sums are accumulated in Int32Array and reduced once: the bound
// p * (q-1)/2 ≈ 1.75e6 stays far from 2^31, and the result equals reducing after every step.

export const P = 761;
export const Q = 4591;
export const W = 286;
const Q12 = (Q - 1) / 2;

/** Centered representative of x mod q in [-(q-1)/2, (q-1)/2] (the spec's Fq_freeze). */
export function freezeQ(x: number): number {
  let r = x % Q;
  if (r > Q12) r -= Q;
  else if (r < -Q12) r += Q;
  return r;
}

/** Centered representative of x mod 3 in {-1, 0, 1} (the spec's F3_freeze). */
export function freeze3(x: number): number {
  let r = x % 3;
  if (r > 1) r -= 3;
  else if (r < -1) r += 3;
  return r;
}

/** a^-1 mod q by Fermat (q is prime): a^(q-2). */
export function recipQ(a: number): number {
  let result = 1;
  let base = freezeQ(a);
  let e = Q - 2;
  while (e > 0) {
    if (e & 1) result = freezeQ(result * base);
    base = freezeQ(base * base);
    e >>>= 1;
  }
  return result;
}

/** Full product of f and g reduced by x^p = x + 1, coefficients left unreduced. */
function productModXp(f: ArrayLike<number>, g: Int8Array): Int32Array {
  const fg = new Int32Array(2 * P - 1);
  for (let j = 0; j < P; j++) {
    const gj = g[j]!;
    if (gj === 0) continue;
    // g is small: each coefficient is -1, 0 or 1.
    if (gj === 1) for (let i = 0; i < P; i++) fg[i + j] += f[i]!;
    else for (let i = 0; i < P; i++) fg[i + j] -= f[i]!;
  }
  // x^(p+k) = x^(k+1) + x^k: fold the top down, highest degree first.
  for (let i = 2 * P - 2; i >= P; i--) {
    fg[i - P] += fg[i]!;
    fg[i - P + 1] += fg[i]!;
  }
  return fg;
}

/** h = f * g in R/q, g small. */
export function rqMultSmall(f: Int16Array, g: Int8Array): Int16Array {
  const fg = productModXp(f, g);
  const h = new Int16Array(P);
  for (let i = 0; i < P; i++) h[i] = freezeQ(fg[i]!);
  return h;
}

/** h = f * g in R/3. */
export function r3Mult(f: Int8Array, g: Int8Array): Int8Array {
  const fg = productModXp(f, g);
  const h = new Int8Array(P);
  for (let i = 0; i < P; i++) h[i] = freeze3(fg[i]!);
  return h;
}

/** Each coefficient of an R/q element reduced mod 3 (R3_fromRq in the reference). */
export function r3FromRq(a: Int16Array): Int8Array {
  const out = new Int8Array(P);
  for (let i = 0; i < P; i++) out[i] = freeze3(a[i]!);
  return out;
}

/** 3 * a in R/q. */
export function rqMult3(a: Int16Array): Int16Array {
  const out = new Int16Array(P);
  for (let i = 0; i < P; i++) out[i] = freezeQ(3 * a[i]!);
  return out;
}

/** Round: each coefficient to the nearest multiple of 3 (spec §3.3 "Round"). */
export function round3(a: Int16Array): Int16Array {
  const out = new Int16Array(P);
  for (let i = 0; i < P; i++) out[i] = a[i]! - freeze3(a[i]!);
  return out;
}

/** Number of nonzero coefficients. */
export function weight(a: Int8Array): number {
  let n = 0;
  for (let i = 0; i < P; i++) if (a[i] !== 0) n++;
  return n;
}

/**
 * Reciprocals by the extended gcd on reversed polynomials ("divsteps", Bernstein–Yang; the
 * algorithm of the round-3 reference, §3.1): f starts as the reversal of x^p - x - 1, g as the
 * reversal of the input; each of the 2p-1 steps may swap (f, v) with (g, r), then cancels g's
 * constant term against f's and divides g by x. After the last step `delta` is 0 exactly when the
 * input is invertible, and v (reversed, divided by f[0]) is the inverse.
 * The ring only enters through `step`, which updates g and r in place given f[0] and g[0].
 */
function divsteps(input: Int8Array, r0: number, step: Step) {
  let f = new Int32Array(P + 1);
  let g = new Int32Array(P + 1);
  let v = new Int32Array(P + 1);
  let r = new Int32Array(P + 1);
  r[0] = r0;
  f[0] = 1;
  f[P - 1] = -1;
  f[P] = -1;
  for (let i = 0; i < P; i++) g[P - 1 - i] = input[i]!;
  // Upper bounds on how many leading entries of each array can be nonzero: the work per step
  // shrinks as g loses its top coefficient and v fills up, and entries past a bound stay zero.
  let nF = P + 1;
  let nG = P;
  let nV = 0;
  let nR = 1;
  let delta = 1;
  for (let loop = 0; loop < 2 * P - 1; loop++) {
    v.copyWithin(1, 0, P);
    v[0] = 0;
    nV = Math.min(nV + 1, P + 1);
    if (delta > 0 && g[0] !== 0) {
      delta = -delta;
      const t = f;
      f = g;
      g = t;
      const u = v;
      v = r;
      r = u;
      const nt = nF;
      nF = nG;
      nG = nt;
      const nu = nV;
      nV = nR;
      nR = nu;
    }
    delta += 1;
    const nFG = Math.max(nF, nG);
    nR = Math.max(nR, nV);
    step(f, g, v, r, nFG, nR);
    g.copyWithin(0, 1, nFG);
    g[nFG - 1] = 0;
    nG = nFG - 1;
  }
  return { v, f0: f[0]!, invertible: delta === 0 };
}

/** Updates g (first `nFG` entries) and r (first `nVR`) so that g[0] becomes 0. */
type Step = (f: Int32Array, g: Int32Array, v: Int32Array, r: Int32Array, nFG: number, nVR: number) => void;

/** R/3 step: f[0] is ±1, so g - f0*g0*f (and r - f0*g0*v) cancels g[0]. */
const stepR3: Step = (f, g, v, r, nFG, nVR) => {
  const s = -f[0]! * g[0]! | 0;
  if (s === 0) return;
  for (let i = 0; i < nFG; i++) {
    const x = (g[i]! + s * f[i]!) | 0;
    g[i] = x > 1 ? x - 3 : x < -1 ? x + 3 : x;
  }
  for (let i = 0; i < nVR; i++) {
    const y = (r[i]! + s * v[i]!) | 0;
    r[i] = y > 1 ? y - 3 : y < -1 ? y + 3 : y;
  }
};

/** R/q step: g <- f0*g - g0*f and r <- f0*r - g0*v, reduced mod q. */
const stepRq: Step = (f, g, v, r, nFG, nVR) => {
  // x - q*round(x/q) is the centered residue: |x| < 2^24, and x/q is never within 1/(2q) of a
  // half-integer (q is odd), far beyond the rounding error of the double division.
  const f0 = f[0]!;
  const g0 = g[0]!;
  for (let i = 0; i < nFG; i++) {
    const x = f0 * g[i]! - g0 * f[i]!;
    g[i] = x - Q * Math.round(x / Q);
  }
  for (let i = 0; i < nVR; i++) {
    const x = f0 * r[i]! - g0 * v[i]!;
    r[i] = x - Q * Math.round(x / Q);
  }
};

/** 1/a in R/3, or null when a is not invertible there. */
export function r3Recip(a: Int8Array): Int8Array | null {
  const { v, f0, invertible } = divsteps(a, 1, stepR3);
  if (!invertible) return null;
  const out = new Int8Array(P);
  for (let i = 0; i < P; i++) out[i] = freeze3(f0 * v[P - 1 - i]!);
  return out;
}

/** 1/(3a) in R/q; every nonzero small a is invertible since x^p - x - 1 is irreducible mod q. */
export function rqRecip3(a: Int8Array): Int16Array {
  const { v, f0 } = divsteps(a, recipQ(3), stepRq);
  const scale = recipQ(f0);
  const out = new Int16Array(P);
  for (let i = 0; i < P; i++) out[i] = freezeQ(scale * v[P - 1 - i]!);
  return out;
}
