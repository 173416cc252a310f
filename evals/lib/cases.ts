// Loads the suite files under evals/cases/, validates them against
// schemas/eval-cases.schema.json (ajv, draft 2020-12), and checks what a schema cannot:
// unique ids, fixture files that exist, `fails` lists that name real expectations.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Check, Grader } from './checks.js';

export const EVALS_DIR = fileURLToPath(new URL('../', import.meta.url));
export const ROOT_DIR = join(EVALS_DIR, '..');
export const CASES_DIR = join(EVALS_DIR, 'cases');
export const FIXTURES_DIR = join(EVALS_DIR, 'fixtures');
export const FILES_DIR = join(EVALS_DIR, 'files');
export const SCHEMA_PATH = join(ROOT_DIR, 'schemas', 'eval-cases.schema.json');

export interface Expectation {
  id: string;
  text: string;
  grader: Grader;
  check: Check;
}

export interface Fixture {
  transcript: string;
  fails?: string[];
  judge?: Record<string, string>;
  note?: string;
}

export interface FunctionalCase {
  id: string;
  prompt: string;
  expected_output: string;
  files?: string[];
  expectations: Expectation[];
  fixtures: Fixture[];
}

export interface FunctionalSuite {
  schema_version: 1;
  skill_name: 'aurora-dsql';
  suite: string;
  kind: 'functional';
  description: string;
  evals: FunctionalCase[];
}

export interface TriggerCase {
  id: string;
  query: string;
  should_trigger: boolean;
  note?: string;
}

export interface TriggerSuite {
  schema_version: 1;
  skill_name: 'aurora-dsql';
  suite: string;
  kind: 'trigger';
  description: string;
  fixtures: { triggered: string[]; not_triggered: string[] };
  cases: TriggerCase[];
}

export type Suite = FunctionalSuite | TriggerSuite;

export class CaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseError';
  }
}

let validator: ReturnType<Ajv2020['compile']> | undefined;

export function validateSuite(data: unknown, file = 'suite'): Suite {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  if (!validator(data)) {
    const errors = (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    throw new CaseError(`${file}: does not match eval-cases.schema.json: ${errors.join('; ')}`);
  }
  return data as Suite;
}

/** Checks that need more than the schema. Returns one message per problem. */
export function crossCheck(suites: Suite[], fixturesDir = FIXTURES_DIR, filesDir = FILES_DIR): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const seeId = (id: string, where: string) => {
    if (ids.has(id)) problems.push(`${where}: duplicate case id ${id}`);
    ids.add(id);
  };
  for (const suite of suites) {
    if (suite.kind === 'trigger') {
      for (const c of suite.cases) seeId(c.id, suite.suite);
      for (const f of [...suite.fixtures.triggered, ...suite.fixtures.not_triggered]) {
        if (!existsSync(join(fixturesDir, f))) problems.push(`${suite.suite}: fixture ${f} does not exist`);
      }
      continue;
    }
    for (const c of suite.evals) {
      seeId(c.id, suite.suite);
      const expIds = c.expectations.map((e) => e.id);
      if (new Set(expIds).size !== expIds.length) problems.push(`${c.id}: duplicate expectation id`);
      for (const file of c.files ?? []) if (!existsSync(join(filesDir, file))) problems.push(`${c.id}: file ${file} does not exist`);
      for (const fx of c.fixtures) {
        if (!existsSync(join(fixturesDir, fx.transcript))) problems.push(`${c.id}: fixture ${fx.transcript} does not exist`);
        for (const id of fx.fails ?? []) if (!expIds.includes(id)) problems.push(`${c.id}: fixture ${fx.transcript} fails unknown expectation ${id}`);
        for (const id of Object.keys(fx.judge ?? {})) {
          const e = c.expectations.find((x) => x.id === id);
          if (!e || e.grader !== 'llm_judge') problems.push(`${c.id}: fixture ${fx.transcript} has a judge answer for ${id}, which is not an llm_judge expectation`);
        }
      }
      // Every grader must be shown able to pass and to fail on this case's fixtures.
      if (!c.fixtures.some((fx) => (fx.fails ?? []).length === 0)) problems.push(`${c.id}: no fixture that passes every expectation`);
      for (const id of expIds) {
        if (!c.fixtures.some((fx) => fx.fails?.includes(id))) problems.push(`${c.id}: no fixture that fails expectation ${id}`);
      }
    }
  }
  return problems;
}

export function loadSuites(dir = CASES_DIR): Suite[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const suites = files.map((f) => {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch (error) {
      throw new CaseError(`${f}: not valid JSON: ${(error as Error).message}`);
    }
    return validateSuite(data, f);
  });
  return suites;
}

export function functionalCases(suites: Suite[]): (FunctionalCase & { suite: string })[] {
  return suites.flatMap((s) => (s.kind === 'functional' ? s.evals.map((c) => ({ ...c, suite: s.suite })) : []));
}

export function triggerSuites(suites: Suite[]): TriggerSuite[] {
  return suites.filter((s): s is TriggerSuite => s.kind === 'trigger');
}

export function findCase(suites: Suite[], id: string): FunctionalCase | undefined {
  return functionalCases(suites).find((c) => c.id === id);
}

/** Scripts and references the cases name that this checkout does not have (yet). */
export function missingNames(suites: Suite[], root = ROOT_DIR): string[] {
  const names = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
    else if (typeof value === 'string' && key === 'script') names.add(`scripts/${value}.ts`);
    else if (typeof value === 'string' && key === 'refs') names.add(value);
  };
  for (const c of functionalCases(suites)) visit(c.expectations.map((e) => e.check));
  return [...names].filter((n) => !existsSync(join(root, n))).sort();
}
