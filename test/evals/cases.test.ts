// The eval cases themselves: schema-valid (ajv, draft 2020-12), consistent with the graders,
// and covering what issue 9 asks for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES_DIR, crossCheck, functionalCases, loadSuites, missingNames, SCHEMA_PATH, triggerSuites, validateSuite, type FunctionalSuite, type Suite } from '../../evals/lib/cases.js';
import { GRADER_OF } from '../../evals/lib/checks.js';
import { PREDICATES } from '../../evals/lib/sql-facts.js';

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);

let suites: Suite[];
beforeAll(() => {
  suites = loadSuites();
});

const minimalCase = () => ({
  id: 'x-case',
  prompt: 'a prompt long enough',
  expected_output: 'something',
  expectations: [{ id: 'e1', text: 'runs psql-connect', grader: 'tool', check: { kind: 'script_ran', script: 'psql-connect' } }],
  fixtures: [{ transcript: 'a/pass.jsonl' }, { transcript: 'a/fail.jsonl', fails: ['e1'] }],
});
const suiteWith = (c: unknown) => ({ schema_version: 1, skill_name: 'aurora-dsql', suite: 'x', kind: 'functional', description: 'd', evals: [c] });

describe('suite files', () => {
  it('every file under evals/cases validates against schemas/eval-cases.schema.json', () => {
    for (const name of ['safe-sql', 'cluster', 'ddl', 'migrations', 'query-plan', 'handoff', 'connectors', 'triggers']) {
      const data = JSON.parse(readFileSync(join(CASES_DIR, `${name}.json`), 'utf8'));
      expect(validate(data), `${name}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    }
  });

  it('passes the cross-checks: unique ids, existing fixtures and files, a passing and a failing fixture per expectation', () => {
    expect(crossCheck(suites)).toEqual([]);
  });

  it('has at least 30 functional cases and 20 + 15 trigger cases', () => {
    expect(functionalCases(suites).length).toBeGreaterThanOrEqual(30);
    const triggers = triggerSuites(suites).flatMap((s) => s.cases);
    expect(triggers.filter((t) => t.should_trigger).length).toBeGreaterThanOrEqual(20);
    expect(triggers.filter((t) => !t.should_trigger).length).toBeGreaterThanOrEqual(15);
  });

  it('covers the scenarios the issue names', () => {
    const ids = new Set(functionalCases(suites).map((c) => c.id));
    for (const id of [
      'tenant-from-request', 'batch-insert-free-text', 'quick-script-pressure', 'dynamic-order-by', 'refuse-template-string',
      'adhoc-count-query', 'create-cluster', 'multi-tenant-schema', 'lint-foreign-sql', 'index-async-existing', 'column-type-recreation',
      'backfill-10k', 'occ-retry', 'mysql-schema', 'slow-select-explain', 'slow-update-never-run', 'handoff-in-scope',
    ]) expect(ids, id).toContain(id);
    const triggers = triggerSuites(suites).flatMap((s) => s.cases).filter((t) => !t.should_trigger).map((t) => t.query).join('\n');
    for (const service of ['Aurora PostgreSQL', 'RDS', 'Redshift', 'DynamoDB']) expect(triggers).toContain(service);
  });

  it('uses every grader kind, and each case has a deterministic expectation', () => {
    const graders = new Set(functionalCases(suites).flatMap((c) => c.expectations.map((e) => e.grader)));
    expect([...graders].sort()).toEqual(['ast', 'llm_judge', 'regex', 'tool']);
    for (const c of functionalCases(suites)) expect(c.expectations.some((e) => e.grader !== 'llm_judge'), c.id).toBe(true);
  });
});

describe('names the cases use', () => {
  it('lists scripts and references missing from a checkout', () => {
    const missing = missingNames(suites, '/nonexistent-root');
    expect(missing).toContain('scripts/psql-connect.ts');
    expect(missing).toContain('references/query-plan/report-format.md');
    // Against this checkout, only names still being written may be missing; every one is well formed.
    for (const name of missingNames(suites)) expect(name).toMatch(/^(scripts\/[a-z_-]+\.ts|references\/[a-z0-9/_-]+\.md)$/);
  });
});

describe('the schema', () => {
  it('accepts a minimal case and the grader/check pairing of every check kind', () => {
    expect(validate(suiteWith(minimalCase())), JSON.stringify(validate.errors)).toBe(true);
    // GRADER_OF and the schema agree: a kind under another grader is rejected.
    for (const [kind, grader] of Object.entries(GRADER_OF)) {
      const wrong = grader === 'tool' ? 'ast' : 'tool';
      const c = minimalCase();
      (c.expectations[0] as { grader: string }).grader = wrong;
      (c.expectations[0] as { check: unknown }).check = { kind };
      expect(validate(suiteWith(c)), `${kind} under ${wrong}`).toBe(false);
    }
  });

  it('rejects unknown check kinds, unknown SQL predicates, unknown scripts and extra fields', () => {
    const bad = (mutate: (c: ReturnType<typeof minimalCase>) => void) => {
      const c = minimalCase();
      mutate(c);
      return validate(suiteWith(c));
    };
    expect(bad((c) => ((c.expectations[0] as { check: unknown }).check = { kind: 'grep_for_word', word: 'build' }))).toBe(false);
    expect(bad((c) => ((c.expectations[0] as { check: unknown }).check = { kind: 'script_ran', script: 'psql' }))).toBe(false);
    expect(bad((c) => Object.assign(c.expectations[0]!, { grader: 'ast', check: { kind: 'sql', none: ['no_such_predicate'] } }))).toBe(false);
    expect(bad((c) => Object.assign(c.expectations[0]!, { extra: 1 }))).toBe(false);
    expect(bad((c) => (c.fixtures = [c.fixtures[0]!]))).toBe(false);
    expect(bad((c) => (c.fixtures[0]!.transcript = '../outside.jsonl'))).toBe(false);
    expect(bad((c) => Object.assign(c.expectations[0]!, { grader: 'llm_judge', check: { kind: 'judge', rubric: 'short' } }))).toBe(false);
  });

  it('accepts every SQL predicate the graders know, with an argument where one is needed', () => {
    const withArg: Record<string, string> = { column_type: 'jsonb', where_has: 'tenant_id', without_where_on: 'tenant_id', table_without_column: 'tenant_id' };
    for (const name of Object.keys(PREDICATES)) {
      const spec = withArg[name] ? `${name}:${withArg[name]}` : name;
      const c = minimalCase();
      Object.assign(c.expectations[0]!, { grader: 'ast', check: { kind: 'sql', none: [spec] } });
      expect(validate(suiteWith(c)), spec).toBe(true);
    }
  });

  it('validateSuite reports the JSON pointer of a problem in one line', () => {
    const c = minimalCase();
    (c as { prompt: string }).prompt = 'short';
    expect(() => validateSuite(suiteWith(c), 'x.json')).toThrow(/x\.json: .*\/evals\/0\/prompt/);
  });
});

describe('cross-checks catch what the schema cannot', () => {
  it('flags duplicate ids, missing fixtures, unknown ids in fails, and an expectation no fixture fails', () => {
    const base = structuredClone(suites.find((s) => s.kind === 'functional')) as FunctionalSuite;
    const c = base.evals[0]!;
    base.evals.push(structuredClone(c));
    c.fixtures.push({ transcript: 'nope/missing.jsonl', fails: ['not-an-expectation'] });
    for (const fx of c.fixtures) fx.fails = (fx.fails ?? []).filter((id) => id !== c.expectations[0]!.id);
    const problems = crossCheck([base]).join('\n');
    expect(problems).toMatch(/duplicate case id/);
    expect(problems).toMatch(/nope\/missing\.jsonl does not exist/);
    expect(problems).toMatch(/fails unknown expectation not-an-expectation/);
    expect(problems).toMatch(new RegExp(`no fixture that fails expectation ${c.expectations[0]!.id}`));
  });
});
