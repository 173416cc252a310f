// Wall time of `psql-connect -c "SELECT 1"` next to a bare `psql -c "SELECT 1"`, both against
// a local PostgreSQL 15 with TLS verify-full (the test harness), with fake AWS credentials.
//   npm run bench:psql [-- RUNS]
// Builds dist/ first, as `npm ci` does. Prints medians, the overhead, and where it goes
// (node start-up, the command's --help path, the guard, the token).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPg15, TEST_CLUSTER_ID } from '../test/support/pg15.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
execFileSync(process.execPath, [join(root, 'tools', 'build.mjs')]);
const script = join(root, 'scripts', 'psql-connect.ts');

const pg = await startPg15();
try {
  const home = mkdtempSync(join(tmpdir(), 'dsql-bench-home-'));
  const userEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKIABENCHEXAMPLE0001',
    AWS_SECRET_ACCESS_KEY: 'bench/secret+key0123456789abcdefghijklmn',
    AWS_EC2_METADATA_DISABLED: 'true',
    PGHOSTADDR: '127.0.0.1',
    PGPORT: String(pg.port),
    PGSSLROOTCERT: pg.ca.caFile,
  };

  const cases: [string, string, string[], NodeJS.ProcessEnv][] = [
    ['node -e 0', process.execPath, ['-e', '0'], userEnv],
    ['psql-connect --help', script, ['--help'], userEnv],
    ['bare psql -c (verify-full)', 'psql', ['-X', '-c', 'SELECT 1'], pg.psqlEnv()],
    ['psql-connect -c', script, [TEST_CLUSTER_ID, '-c', 'SELECT 1'], userEnv],
    ['psql-connect -c, refused (2 stmts)', script, [TEST_CLUSTER_ID, '-c', 'SELECT 1; SELECT 2'], userEnv],
  ];
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  // Interleaved rounds, so a busy moment on the machine hits every case alike; two warm-ups.
  for (let round = 0; round < runs + 2; round++) {
    for (const [name, cmd, args, env] of cases) {
      const t = performance.now();
      const r = spawnSync(cmd, args, { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      const ms = performance.now() - t;
      const refused = name.includes('refused');
      if ((r.status !== 0) !== refused) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
      if (round >= 2) samples.get(name)!.push(ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const m = new Map([...samples].map(([k, v]) => [k, median(v)]));
  console.log(`median wall time of ${runs} runs (PostgreSQL 15, TLS verify-full on 127.0.0.1)`);
  for (const [name] of cases) console.log(`  ${name.padEnd(36)} ${m.get(name)!.toFixed(1).padStart(7)} ms`);
  const bare = m.get('bare psql -c (verify-full)')!;
  const ours = m.get('psql-connect -c')!;
  console.log(`overhead of psql-connect over bare psql: ${(ours - bare).toFixed(1)} ms (${(ours / bare).toFixed(2)}x)`);
  console.log(`  of which node start-up + launcher (--help): ${m.get('psql-connect --help')!.toFixed(1)} ms; guard-only path: ${m.get('psql-connect -c, refused (2 stmts)')!.toFixed(1)} ms`);
} finally {
  await pg.stop();
}
