// `--help` start-up cost of every command next to `node -e 0` (the contract's target: within 2x).
//   npm run bench:help [-- RUNS]
// Uses the prebuilt dist/ (run `npm run build` first, as `npm ci` does). Prints medians and ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
execFileSync(process.execPath, [join(root, 'tools', 'build.mjs')]);

function median(cmd: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { cwd: '/tmp', stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    if (i >= 2) times.push(performance.now() - t); // two warm-up runs
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const base = median(process.execPath, ['-e', '0']);
console.log(`node -e 0: ${base.toFixed(1)} ms (median of ${runs})`);
const scripts = readdirSync(join(root, 'scripts')).filter((f) => f.endsWith('.ts')).sort();
for (const s of scripts) {
  const ms = median(join(root, 'scripts', s), ['--help']);
  console.log(`${s.padEnd(22)} --help ${ms.toFixed(1).padStart(7)} ms  ratio ${(ms / base).toFixed(2)}x`);
}
