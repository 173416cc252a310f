// Grades the hand-written fixture transcripts and compares each result with what the fixture
// declares: an expectation listed in `fails` must fail, every other one must pass. This is how
// every grader is shown able to pass and to fail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, functionalCases, triggerSuites, type Suite } from './cases.js';
import { gradeCase, recordedJudge, triggered, type ExpectationResult } from './grade.js';
import { parseTranscript, type Transcript } from './transcript.js';

export interface FixtureOutcome {
  caseId: string;
  fixture: string;
  ok: boolean;
  /** Expectations whose result differs from the fixture's declaration. */
  mismatches: { id: string; expected: 'pass' | 'fail'; result: ExpectationResult }[];
  results: ExpectationResult[];
}

const cache = new Map<string, Transcript>();
export function loadFixture(rel: string, dir = FIXTURES_DIR): Transcript {
  const path = join(dir, rel);
  let t = cache.get(path);
  if (!t) {
    t = parseTranscript(readFileSync(path, 'utf8'));
    cache.set(path, t);
  }
  return t;
}

export async function gradeFixtures(suites: Suite[], only?: (caseId: string) => boolean): Promise<FixtureOutcome[]> {
  const outcomes: FixtureOutcome[] = [];
  for (const c of functionalCases(suites)) {
    if (only && !only(c.id)) continue;
    for (const fx of c.fixtures) {
      const grading = await gradeCase(c, loadFixture(fx.transcript), { judgeFor: recordedJudge(fx.judge) });
      const fails = new Set(fx.fails ?? []);
      const mismatches = grading.expectations
        .filter((r) => r.passed === fails.has(r.id))
        .map((r) => ({ id: r.id, expected: fails.has(r.id) ? ('fail' as const) : ('pass' as const), result: r }));
      outcomes.push({ caseId: c.id, fixture: fx.transcript, ok: mismatches.length === 0, mismatches, results: grading.expectations });
    }
  }
  for (const suite of triggerSuites(suites)) {
    const detected = new Map<string, { triggered: boolean; evidence: string }>();
    for (const f of [...suite.fixtures.triggered, ...suite.fixtures.not_triggered]) detected.set(f, await triggered(loadFixture(f)));
    for (const c of suite.cases) {
      if (only && !only(c.id)) continue;
      for (const [list, loads] of [[suite.fixtures.triggered, true], [suite.fixtures.not_triggered, false]] as const) {
        for (const f of list) {
          const d = detected.get(f)!;
          // The case passes on a fixture when the skill loaded exactly as the case wants.
          const passed = d.triggered === c.should_trigger;
          const expectedPass = loads === c.should_trigger;
          const result: ExpectationResult = {
            id: 'trigger',
            text: c.should_trigger ? 'The skill is loaded for this request' : 'The skill is not loaded for this request',
            grader: 'tool',
            passed,
            evidence: d.evidence,
          };
          outcomes.push({
            caseId: c.id,
            fixture: f,
            ok: passed === expectedPass,
            mismatches: passed === expectedPass ? [] : [{ id: 'trigger', expected: expectedPass ? 'pass' : 'fail', result }],
            results: [result],
          });
        }
      }
    }
  }
  return outcomes;
}
