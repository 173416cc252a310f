// Compiles scripts/**/*.ts to dist/ (one JavaScript file per source, no bundling) so that
// commands start on plain Node without compiling TypeScript on every run.
// Runs on `npm ci` / `npm install` (the "prepare" script) and in the test setup.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'scripts');
const out = join(root, 'dist', 'scripts');

const files = readdirSync(src, { recursive: true }).map(String).filter((f) => statSync(join(src, f)).isFile());
const sources = files.filter((f) => f.endsWith('.ts'));
// Take the newest source time before compiling, so an edit during the build makes dist stale.
const sourceMtimeMs = Math.max(0, ...sources.map((f) => statSync(join(src, f)).mtimeMs));

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: sources.map((f) => join(src, f)),
  outdir: out,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  bundle: false,
  logLevel: 'warning',
});
// A source named *.bundle.ts is also bundled with its dependencies into one minified CommonJS
// file beside its output (*.bundle.cjs): one file loads much faster than a package tree (the
// AWS SDK is ~30 modules), and scripts/lib/aws/code-cache.ts can keep V8's code cache for it.
// import() of a Node built-in becomes require() inside the bundle: code loaded from V8's code
// cache in a later process loses its import() callback (Node 20), while require() always works.
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
    entryPoints: bundles.map((f) => join(src, f)),
    outdir: out,
    outbase: src,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    bundle: true,
    minify: true,
    plugins: [builtinImportAsRequire],
    logLevel: 'warning',
  });
}
for (const f of files.filter((f) => !f.endsWith('.ts'))) {
  mkdirSync(dirname(join(out, f)), { recursive: true });
  copyFileSync(join(src, f), join(out, f));
}
writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ sourceMtimeMs, files: sources.length }) + '\n');
