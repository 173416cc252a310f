// `cluster-info ID --json` against the control-plane stand-in, next to `node -e 0`
// (target: within 3x). One run = a whole process: launcher, SDK load, credentials, one
// GetCluster over HTTP, JSON out.
//   npm run bench:cluster [-- RUNS]
// Uses the prebuilt dist/ (rebuilt here). Runs alternate between the two commands so that
// load from elsewhere on the machine hits both alike. Prints medians and the ratio.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../scripts/lib/aws/control-plane-standin.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
execFileSync(process.execPath, [join(root, 'tools', 'build.mjs')]);

const cp = await startControlPlane();
const { identifier } = cp.seed('us-east-1', { tags: { created_by: 'bench' } });
const home = mkdtempSync(join(tmpdir(), 'dsql-bench-home-'));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  AWS_CONFIG_FILE: join(home, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  DSQL_ENDPOINT_URL: cp.url,
};

// Asynchronous spawn: the stand-in lives in this process and must keep answering.
function timed(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, args, { cwd: tmpdir(), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${cmd} exited ${code}: ${stderr}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const info: number[] = [];
const script = join(root, 'scripts', 'cluster-info.ts');
for (let i = 0; i < runs + 2; i++) {
  const b = await timed(process.execPath, ['-e', '0']);
  const c = await timed(script, [identifier, '--json']);
  if (i >= 2) {
    // two warm-up rounds
    base.push(b);
    info.push(c);
  }
}
await cp.close();

const mb = median(base);
const mc = median(info);
console.log(`node -e 0:                    ${mb.toFixed(1).padStart(7)} ms (median of ${runs})`);
console.log(`cluster-info ID --json:       ${mc.toFixed(1).padStart(7)} ms (median of ${runs})`);
console.log(`ratio ${(mc / mb).toFixed(2)}x (target: within 3x)`);
