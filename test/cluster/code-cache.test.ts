// The SDK bundle and its V8 code cache: the build makes one bundle, the first run keeps a cache
// beside it, and a missing, corrupt or unwritable cache never changes what the code does.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/run.js';

const built = join(ROOT, 'dist', 'bin');
// The loader's source, run through tsx: the build bundles it into the commands' chunks.
const loader = pathToFileURL(join(ROOT, 'scripts', 'lib', 'aws', 'code-cache.ts')).href;

/** Loads the bundle at `path` in a fresh Node process and reports what it exports. */
function load(path: string) {
  const program = `
    import { requireWithCodeCache } from ${JSON.stringify(loader)};
    const sdk = requireWithCodeCache(${JSON.stringify(path)});
    const client = new sdk.DSQLClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), region: await client.config.region() }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { exports: string[]; region: string };
}

function copyOfBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dsql-bundle-'));
  const path = join(dir, 'client-dsql.bundle.cjs');
  copyFileSync(join(built, 'client-dsql.bundle.cjs'), path);
  return path;
}

const EXPORTS = [
  'CreateClusterCommand',
  'DSQLClient',
  'DeleteClusterCommand',
  'DsqlSigner',
  'GetClusterCommand',
  'NODE_REGION_CONFIG_FILE_OPTIONS',
  'UpdateClusterCommand',
  'defaultProvider',
  'loadConfig',
  'paginateListClusters',
  'waitUntilClusterActive',
  'waitUntilClusterNotExists',
];

describe('SDK bundle with code cache', () => {
  it('is one file built from scripts/lib/aws/client-dsql.bundle.ts', () => {
    const bundle = readFileSync(join(built, 'client-dsql.bundle.cjs'), 'utf8');
    // Everything is inlined but Node's built-ins and the SDK's optional native signer (a try/catch).
    const packages = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!).filter((name) => !name.startsWith('node:')));
    expect([...packages]).toEqual(['@aws-sdk/signature-v4-crt']);
  });

  it('writes the cache on first use and loads the same exports with it', () => {
    const path = copyOfBundle();
    const first = load(path);
    expect(first.exports).toEqual(EXPORTS);
    expect(first.region).toBe('us-east-1');
    const cache = `${path}.v8cache`;
    expect(statSync(cache).size).toBeGreaterThan(10_000);
    const written = statSync(cache).mtimeMs;
    expect(load(path)).toEqual(first);
    expect(statSync(cache).mtimeMs).toBe(written); // accepted, so not rewritten
  });

  it('falls back to compiling when the cache is corrupt, and replaces it', () => {
    const path = copyOfBundle();
    writeFileSync(`${path}.v8cache`, Buffer.alloc(4096, 7));
    expect(load(path).exports).toEqual(EXPORTS);
    expect(readFileSync(`${path}.v8cache`).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('runs without a cache where it cannot keep one, leaving no temporary file', () => {
    const path = copyOfBundle();
    // A directory where the cache file would go: unreadable as a cache, impossible to replace.
    mkdirSync(`${path}.v8cache`);
    expect(load(path).exports).toEqual(EXPORTS);
    expect(readdirSync(dirname(path)).sort()).toEqual(['client-dsql.bundle.cjs', 'client-dsql.bundle.cjs.v8cache']);
    expect(statSync(`${path}.v8cache`).isDirectory()).toBe(true);
  });
});
