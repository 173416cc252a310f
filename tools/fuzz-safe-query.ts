// Long fuzz run of the safe builder's properties (test/support/safe-properties.ts):
//   npm run fuzz               100,000 runs per validator
//   npm run fuzz -- 1000000    a different count
// Prints runs, accepted/refused counts and time per validator; exits 1 on a counterexample.
import fc from 'fast-check';
import { loadParser } from '../scripts/lib/sql/parser.js';
import { makeProperties, type Tally } from '../test/support/safe-properties.js';

const runs = Number(process.argv[2] ?? 100_000);
await loadParser();
const tally: Tally = {};
let failed = false;
console.log(`validator  runs      accepted  refused   seconds`);
for (const [name, property] of Object.entries(makeProperties(tally)) as [string, fc.IRawProperty<unknown[]>][]) {
  const started = performance.now();
  const result = await fc.check(property, { numRuns: runs });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const t = tally[name]!;
  console.log(`${name.padEnd(10)} ${String(result.numRuns).padEnd(9)} ${String(t.accepted).padEnd(9)} ${String(t.refused).padEnd(9)} ${seconds}`);
  if (result.failed) {
    failed = true;
    console.log(`  counterexample: ${JSON.stringify(result.counterexample)}\n  ${String(result.errorInstance)}`);
  }
}
process.exitCode = failed ? 1 : 0;
