// The CLI as one prebuilt bundle, so that `sshscope` starts in ~0.2 s instead of the ~0.8 s tsx
// takes to load and compile every TypeScript file of cli/ and engine/ on each start.
//
// The bundle is one CommonJS file (subcommands' modules are evaluated only when their command
// runs, as esbuild wraps lazily imported modules), compiled with node:vm so that V8's code cache
// can be used: after the first run of a command its compiled functions are saved beside the
// bundle (NAME.cjs.COMMAND.cache) and later starts of that command skip parsing and compiling
// them (Node 20 has no module.enableCompileCache(); ~40-90 ms less per start of `inspect`).
//
// The bundle lives in .sshscope-cli/ (one level below the repository root, like cli/, so that
// `import.meta.url`-relative paths such as ../package.json still resolve; git ignores it). It is
// never stale: freshBundle() stats every file the bundle was built from (recorded by the build,
// each one stat-ed BEFORE esbuild read it) and rebuilds when any of them changed, so a source
// edited after the build is what runs. Every written file is content-addressed (main-HASH.cjs) and
// written by rename, and manifest.json (which names the entry) is replaced last, so concurrent
// starts never see a half-written bundle. Plain JavaScript with Node builtins only: it runs before
// any TypeScript can be loaded.

import { readdirSync, readFileSync, renameSync, rmSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, '.sshscope-cli');
const MANIFEST = join(OUT, 'manifest.json');
/** Files that change what the bundle would be without being one of its modules. */
const RECIPE_FILES = ['bin/cli-bundle.mjs', 'tsconfig.json', 'package.json', 'node_modules/.package-lock.json'];
/** Bundled packages (pure ESM); every other package stays an import resolved at run time. */
const BUNDLED_PACKAGES = /^@noble\//;
/** Unreferenced outputs older than this are removed (a running process may still import one). */
const KEEP_OLD_MS = 60 * 60 * 1000;
const RACY_MS = 2000;

/** What identifies one version of a file: any write changes ctime, which no tool can set back. */
function stamp(path) {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * stamp() for the manifest. A file changed less than RACY_MS ago could change again within the
 * same timestamp tick (file times are coarse) without its stamp changing: it is recorded as
 * 'racy', which matches nothing, so the next start builds again (as git does with racy entries).
 */
function recordedStamp(path) {
  try {
    const s = statSync(path);
    if (Math.abs(Date.now() - s.ctimeMs) < RACY_MS || Math.abs(Date.now() - s.mtimeMs) < RACY_MS) return 'racy';
  } catch {
    // stamp() says 'missing'
  }
  return stamp(path);
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return null;
  }
}

function isFresh(m) {
  if (!m || typeof m.entry !== 'string' || typeof m.inputs !== 'object') return false;
  for (const [path, want] of Object.entries(m.inputs)) if (stamp(join(ROOT, path)) !== want) return false;
  return true;
}

function writeAtomically(path, data) {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function removeOldOutputs(keep) {
  const now = Date.now();
  for (const name of readdirSync(OUT)) {
    if (name === 'manifest.json' || keep.has(name)) continue;
    const p = join(OUT, name);
    try {
      if (now - statSync(p).mtimeMs > KEEP_OLD_MS) rmSync(p, { force: true });
    } catch {
      // another process removed it first
    }
  }
}

async function build() {
  const esbuild = await import('esbuild');
  const inputs = {};
  for (const f of RECIPE_FILES) inputs[f] = recordedStamp(join(ROOT, f));
  const record = {
    name: 'sshscope-record-inputs',
    setup(b) {
      // every package except the bundled ones is loaded by Node at run time, as with tsx
      b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('node:') || !BUNDLED_PACKAGES.test(a.path) ? { path: a.path, external: true } : undefined));
      // stat before esbuild reads the file: an edit after this point changes the stamp
      b.onLoad({ filter: /.*/ }, (a) => {
        inputs[relative(ROOT, a.path).split(sep).join('/')] = recordedStamp(a.path);
        return undefined;
      });
    },
  };
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'cli/main.ts' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outdir: OUT,
    entryNames: '[name]-[hash]',
    outExtension: { '.js': '.cjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
    // import.meta.url (../package.json and the like, resolved from .sshscope-cli/) in CommonJS
    define: { 'import.meta.url': '__sshscope_import_meta_url' },
    // import() of a package left outside the bundle (vite, for `start`) becomes require(), which
    // loads ES modules too on Node ≥ 20.19: code compiled by node:vm with a code cache has no
    // working import() on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING)
    supported: { 'dynamic-import': false },
    // strict like the ES modules it was built from (esbuild's own "use strict" comes after the banner)
    banner: { js: '"use strict";\nconst __sshscope_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [record],
  });
  mkdirSync(OUT, { recursive: true });
  const keep = new Set();
  let entry = null;
  for (const f of result.outputFiles) {
    const name = relative(OUT, f.path);
    keep.add(name);
    if (name.startsWith('main-')) entry = name;
    try {
      if (statSync(f.path).size === f.contents.length) continue; // content-addressed: already there
    } catch {
      // not written yet
    }
    writeAtomically(f.path, f.contents);
  }
  if (!entry) throw new Error('esbuild wrote no entry');
  const manifest = { entry, inputs };
  writeAtomically(MANIFEST, `${JSON.stringify(manifest)}\n`);
  removeOldOutputs(keep);
  return manifest;
}

/**
 * The path of the bundle (which exports `main(argv)`), built first when it is missing or any of
 * its sources changed since it was built. Throws when it cannot be built (no esbuild, a read-only
 * checkout, a syntax error): the caller then loads the sources with tsx.
 */
export async function freshBundle() {
  let m = readManifest();
  if (!isFresh(m)) m = await build();
  return join(OUT, m.entry);
}

/**
 * Runs the bundle at `file` (from freshBundle) as CommonJS and returns its exports, with
 * `saveCache()` to call once the command is done. The compiled code comes from the code cache of
 * the command in `argv` (one per subcommand, and one for its --help: each compiles different
 * functions) when there is one; V8 checks that it was made by the same V8 with the same flags for
 * a source of the same length (it rejects it otherwise), and the bundle's name carries a hash of
 * its content. saveCache() writes the cache, with every function compiled so far, when there was
 * none or V8 rejected it and the command succeeded.
 */
export function loadBundle(file, argv) {
  const require = createRequire(file);
  const command = /^[a-z][a-z-]{0,19}$/.test(argv[0] ?? '') ? argv[0] : 'main';
  const name = argv.includes('--help') || argv.includes('-h') ? `${command}-help` : command;
  const cacheFile = `${file}.${name}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first run of this command with this bundle
  }
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  return {
    ...module.exports,
    saveCache() {
      if (cachedData && !script.cachedDataRejected) return;
      if (process.exitCode !== 0 && process.exitCode !== undefined) return; // a usage error compiled little
      try {
        writeAtomically(cacheFile, script.createCachedData());
      } catch {
        // a read-only checkout: the next start compiles again
      }
    },
  };
}
