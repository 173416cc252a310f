// Loads a CommonJS bundle through V8's code cache. Compiling the AWS SDK is most of a cluster
// command's start-up (Node 20 has no module compile cache); with the cache kept beside the
// bundle, V8 skips parsing and compiling on every run after the first.
//
// The cache is an optimisation only: a missing, stale (other Node version, other V8 flags) or
// unwritable cache falls back to a normal compile, and V8 checks the cache against the source.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

type Wrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

export function requireWithCodeCache(path: string): unknown {
  const source = readFileSync(path, 'utf8');
  const cachePath = `${path}.v8cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  // The bundle must not use import(): code from a cache written by another process loses its
  // import() callback (Node 20), so the build turns import() of built-ins into require().
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as Wrapper).call(module.exports, module.exports, createRequire(path), module, path, dirname(path));

  if (!cachedData || script.cachedDataRejected) {
    // Written at exit, so the cache also holds the functions this run compiled lazily (the
    // request path). Write-then-rename: a concurrent run never reads half a file.
    process.once('exit', () => {
      const temporary = `${cachePath}.${process.pid}`;
      try {
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cachePath);
      } catch {
        // A read-only install just runs without the cache.
        rmSync(temporary, { force: true });
      }
    });
  }
  return module.exports;
}
