// The "drunken bishop" random art of OpenSSH (sshkey.c fingerprint_randomart, after Dirk Loss,
// Tobias Limmer and Alexander von Gernler, "The drunken bishop: An analysis of the OpenSSH
// fingerprint visualization algorithm"). A bishop starts in the middle of a 17x9 board and makes
// four moves per digest byte, two bits per move, least significant bits first.

const FLDBASE = 8;
const FLDSIZE_Y = FLDBASE + 1; // 9 rows
const FLDSIZE_X = FLDBASE * 2 + 1; // 17 columns
/** Characters for 0,1,2… visits; 'S' marks the start, 'E' the end. */
const AUGMENTATION = ' .o+=*BOX@%&#/^SE';

export interface RandomartLabels {
  /** Top border title without brackets, e.g. "ED25519 256". */
  keyType: string;
  /** Bottom border title without brackets, e.g. "SHA256". */
  hashLabel: string;
  /** Fallback title when "[keyType]" is too wide (OpenSSH uses "[type]" alone), e.g. "ED25519". */
  typeOnly?: string;
}

/** snprintf(buf, FLDSIZE_X, …) truncates to FLDSIZE_X - 1 characters. */
function clip(s: string): string {
  return s.slice(0, FLDSIZE_X - 1);
}

function border(title: string): string {
  const pad = Math.floor((FLDSIZE_X - title.length) / 2);
  return '+' + '-'.repeat(pad) + title + '-'.repeat(Math.max(0, FLDSIZE_X - pad - title.length)) + '+';
}

export interface BishopWalk {
  /** Visit counts per cell, field[x][y], capped like OpenSSH (before start/end marks). */
  field: number[][];
  /** Every position the bishop stood on, starting with the centre. */
  path: { x: number; y: number }[];
}

/** The walk itself, for the UI to animate. */
export function bishopWalk(digest: Uint8Array): BishopWalk {
  const len = AUGMENTATION.length - 1; // 16
  const field: number[][] = Array.from({ length: FLDSIZE_X }, () => new Array<number>(FLDSIZE_Y).fill(0));
  let x = Math.floor(FLDSIZE_X / 2);
  let y = Math.floor(FLDSIZE_Y / 2);
  const path = [{ x, y }];
  for (let i = 0; i < digest.length; i++) {
    let input = digest[i]!;
    for (let b = 0; b < 4; b++) {
      x += input & 0x1 ? 1 : -1;
      y += input & 0x2 ? 1 : -1;
      x = Math.min(Math.max(x, 0), FLDSIZE_X - 1);
      y = Math.min(Math.max(y, 0), FLDSIZE_Y - 1);
      if (field[x]![y]! < len - 2) field[x]![y]!++;
      input >>= 2;
      path.push({ x, y });
    }
  }
  return { field, path };
}

/** The exact 11-line picture `ssh-keygen -l -v` prints (no trailing newline). */
export function randomart(digest: Uint8Array, labels: RandomartLabels): string {
  const len = AUGMENTATION.length - 1;
  const { field, path } = bishopWalk(digest);
  const end = path[path.length - 1]!;
  field[Math.floor(FLDSIZE_X / 2)]![Math.floor(FLDSIZE_Y / 2)] = len - 1;
  field[end.x]![end.y] = len;

  let title = `[${labels.keyType}]`;
  // If "[type size]" won't fit, OpenSSH tries "[type]".
  if (title.length > FLDSIZE_X && labels.typeOnly !== undefined) title = `[${labels.typeOnly}]`;
  title = clip(title);
  const hash = clip(`[${labels.hashLabel}]`);

  const lines = [border(title)];
  for (let yy = 0; yy < FLDSIZE_Y; yy++) {
    let row = '|';
    for (let xx = 0; xx < FLDSIZE_X; xx++) row += AUGMENTATION[Math.min(field[xx]![yy]!, len)];
    lines.push(row + '|');
  }
  lines.push(border(hash));
  return lines.join('\n');
}
