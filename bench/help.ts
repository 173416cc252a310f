// `--help` start-up cost of every command next to `node -e 0` (the contract's target: within 2x).
//   npm run bench:help [-- RUNS]
// Builds dist/ first (as `npm ci` does), then prints medians and ratios.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $, cd } from 'zx';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
$.verbose = false;
await $`node ${join(root, 'tools', 'build.mjs')}`;
cd('/tmp'); // any directory but the skill's: the commands must not depend on it

async function median(command: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    await $`${command}`; // zx quotes each element; a non-zero exit throws
    if (i >= 2) times.push(performance.now() - started); // two warm-up runs
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const base = await median([process.execPath, '-e', '0']);
console.log(`node -e 0: ${base.toFixed(1)} ms (median of ${runs})`);
for (const script of readdirSync(join(root, 'scripts')).filter((f) => f.endsWith('.ts')).sort()) {
  const ms = await median([join(root, 'scripts', script), '--help']);
  console.log(`${script.padEnd(22)} --help ${ms.toFixed(1).padStart(7)} ms  ratio ${(ms / base).toFixed(2)}x`);
}
