// `cluster-info ID --json` against the control-plane stand-in, next to `node -e 0`
// (target: within 3x). One run = a whole process: launcher, SDK load, credentials, one
// GetCluster over HTTP, JSON out.
//   npm run bench:cluster [-- RUNS]
// Uses the prebuilt dist/ (rebuilt here). Runs alternate between the two commands so that
// load from elsewhere on the machine hits both alike. Prints medians and the ratio.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
// The Region comes from AWS_REGION, or (second measurement) from the profile's config file,
// as on most machines.
writeFileSync(join(home, 'config'), '[default]\nregion = us-east-1\n');
const env: NodeJS.ProcessEnv = {
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
function timed(cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, args, { cwd: tmpdir(), env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${cmd} exited ${code}: ${stderr}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const info: number[] = [];
const infoProfile: number[] = [];
const script = join(root, 'scripts', 'cluster-info.ts');
for (let i = 0; i < runs + 2; i++) {
  const b = await timed(process.execPath, ['-e', '0']);
  const c = await timed(script, [identifier, '--json']);
  const p = await timed(script, [identifier, '--json'], { AWS_REGION: '' });
  if (i >= 2) {
    // two warm-up rounds (the first run also writes the SDK's code cache)
    base.push(b);
    info.push(c);
    infoProfile.push(p);
  }
}
await cp.close();

const mb = median(base);
const line = (label: string, ms: number, ratio = true) =>
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms${ratio ? `  ratio ${(ms / mb).toFixed(2)}x` : ''}`);
console.log(`medians of ${runs} runs, alternating`);
line('node -e 0', mb, false);
line('cluster-info ID --json (AWS_REGION)', median(info));
line('cluster-info ID --json (Region from profile)', median(infoProfile));
console.log('target: within 3x');
