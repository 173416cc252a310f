// `cluster-info ID --json` against the control-plane stand-in, next to `node -e 0`
// (target: within 3x). One run = a whole process: launcher, SDK load, credentials, one
// GetCluster over HTTP, JSON out.
//   npm run bench:cluster [-- RUNS]
// Uses the prebuilt dist/ (rebuilt here). Runs alternate between the two commands so that
// load from elsewhere on the machine hits both alike. Prints medians and the ratio.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

// CPU time of finished children (Linux: cutime + cstime in /proc/self/stat, in clock ticks of
// 10 ms). Wall time is the target; CPU time is printed beside it because it hardly moves when
// other work loads the machine, which wall time does.
const TICK_MS = 10;
function childCpuMs(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS; // fields 16 and 17 of stat(5)
}

interface Sample {
  wall: number;
  cpu?: number;
}

// Asynchronous spawn: the stand-in lives in this process and must keep answering.
function timed(cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const cpu = childCpuMs();
    const t = performance.now();
    const child = spawn(cmd, args, { cwd: tmpdir(), env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = performance.now() - t;
      const after = childCpuMs();
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${stderr}`));
      resolve({ wall, cpu: cpu === undefined || after === undefined ? undefined : after - cpu });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: (number | undefined)[]) => (xs.every((x) => x !== undefined) ? (xs as number[]).reduce((a, b) => a + b, 0) / xs.length : undefined);
const base: Sample[] = [];
const info: Sample[] = [];
const infoProfile: Sample[] = [];
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

const baseWall = median(base.map((s) => s.wall));
const baseCpu = mean(base.map((s) => s.cpu));
function line(label: string, samples: Sample[]): void {
  const wall = median(samples.map((s) => s.wall));
  const cpu = mean(samples.map((s) => s.cpu));
  const ratio = samples === base ? '' : `  ratio ${(wall / baseWall).toFixed(2)}x`;
  const cpuText = cpu === undefined || baseCpu === undefined ? '' : `   cpu ${cpu.toFixed(0).padStart(4)} ms${samples === base ? '' : `  ratio ${(cpu / baseCpu).toFixed(2)}x`}`;
  console.log(`${label.padEnd(44)} wall ${wall.toFixed(1).padStart(6)} ms${ratio}${cpuText}`);
}
console.log(`wall: median of ${runs} alternating runs; cpu: mean user+system time of the process tree`);
line('node -e 0', base);
line('cluster-info ID --json (AWS_REGION)', info);
line('cluster-info ID --json (Region from profile)', infoProfile);
console.log('target: wall within 3x of node -e 0');
