// CI's proof that every grader can pass and can fail: each hand-written transcript is graded
// and must pass or fail exactly the expectations it declares.
import { beforeAll, describe, expect, it } from 'vitest';
import { functionalCases, loadSuites, triggerSuites, type Suite } from '../../evals/lib/cases.js';
import { gradeFixtures, type FixtureOutcome } from '../../evals/lib/fixtures.js';

const suites: Suite[] = loadSuites();
let outcomes: FixtureOutcome[];
beforeAll(async () => {
  outcomes = await gradeFixtures(suites);
}, 120_000);

describe.each(functionalCases(suites).map((c) => [c.id, c] as const))('%s', (id, c) => {
  it.each(c.fixtures.map((f) => [f.transcript, f] as const))('%s grades as declared', (transcript) => {
    const o = outcomes.find((x) => x.caseId === id && x.fixture === transcript)!;
    expect(o, 'graded').toBeDefined();
    const report = o.mismatches.map((m) => `${m.id} should ${m.expected}: ${m.result.evidence}`);
    expect(report).toEqual([]);
    // Evidence is never empty: a verdict must say why.
    for (const r of o.results) expect(r.evidence.trim(), r.id).not.toBe('');
  });

  it('every expectation both passed and failed on some fixture', () => {
    for (const e of c.expectations) {
      const results = outcomes.filter((o) => o.caseId === id).map((o) => o.results.find((r) => r.id === e.id)!);
      expect(results.some((r) => r.passed), `${e.id} passes somewhere`).toBe(true);
      expect(results.some((r) => !r.passed), `${e.id} fails somewhere`).toBe(true);
    }
  });
});

describe('trigger cases', () => {
  const cases = triggerSuites(suites).flatMap((s) => s.cases);
  it.each(cases.map((c) => [c.id] as const))('%s passes on the right fixtures and fails on the others', (id) => {
    const mine = outcomes.filter((o) => o.caseId === id);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.filter((o) => !o.ok).map((o) => o.fixture)).toEqual([]);
    expect(mine.some((o) => o.results[0]!.passed)).toBe(true);
    expect(mine.some((o) => !o.results[0]!.passed)).toBe(true);
  });
});
