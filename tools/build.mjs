// Builds dist/bin/ so that commands start on plain Node, fast:
// - one ES module per command (scripts/<name>.ts -> dist/bin/<name>.js) exporting `command` and
//   `runCommand`, with the library bundled in and npm packages left external; code shared by
//   several commands goes into chunks beside them, so each module still loads once per process;
// - *.bundle.ts sources (the AWS SDK subset) as one minified CommonJS file each, which
//   scripts/lib/aws/code-cache.ts loads through V8's code cache;
// - the control-plane stand-in as a runnable module (for trying commands without AWS).
// Runs on `npm ci` / `npm install` (the "prepare" script) and in the test setup.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'scripts');
const out = join(root, 'dist', 'bin');

const sources = readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
// Take the newest source time before compiling, so an edit during the build makes dist stale.
const sourceMtimeMs = Math.max(0, ...sources.map((f) => statSync(join(src, f)).mtimeMs));
const commands = sources.filter((f) => !f.includes('/'));

// Each command's entry is a two-line module: the command and the runner from the same build,
// so the error classes the runner tests with `instanceof` are the ones the command throws.
const commandEntries = {
  name: 'command-entries',
  setup(b) {
    b.onResolve({ filter: /^command:/ }, (args) => ({ path: args.path.slice('command:'.length), namespace: 'command' }));
    b.onLoad({ filter: /.*/, namespace: 'command' }, (args) => ({
      contents: `export { command } from ${JSON.stringify(join(src, args.path))};\nexport { runCommand } from ${JSON.stringify(join(src, 'lib', 'cli', 'run.ts'))};\n`,
      resolveDir: src,
      loader: 'ts',
    }));
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: {
    ...Object.fromEntries(commands.map((f) => [basename(f, '.ts'), `command:${f}`])),
    'control-plane-standin': join(src, 'lib', 'aws', 'control-plane-standin.ts'),
  },
  outdir: out,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  bundle: true,
  splitting: true,
  packages: 'external',
  plugins: [commandEntries],
  logLevel: 'warning',
});

// import() of a Node built-in becomes require() inside a CommonJS bundle: code loaded from V8's
// code cache in a later process loses its import() callback (Node 20), while require() works.
const builtinImportAsRequire = {
  name: 'builtin-import-as-require',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' && isBuiltin(args.path) ? { path: args.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};
const bundles = sources.filter((f) => f.endsWith('.bundle.ts'));
if (bundles.length) {
  await build({
    entryPoints: Object.fromEntries(bundles.map((f) => [basename(f, '.ts'), join(src, f)])),
    outdir: out,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    bundle: true,
    minify: true,
    // The packages' ES module builds let esbuild drop what the skill never calls (a third smaller).
    mainFields: ['module', 'main'],
    plugins: [builtinImportAsRequire],
    logLevel: 'warning',
  });
}
writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ sourceMtimeMs, files: sources.length }) + '\n');
