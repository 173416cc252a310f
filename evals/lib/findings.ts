// What the language analyses report, in one shape for every language.

export type Construction = 'builder' | 'bound' | 'static' | 'unsafe';

/** One place where SQL text is made. */
export interface SqlConstruction {
  kind: Construction;
  /** How, in a few words: "build() call", "query(text, values)", "template literal interpolating tenant". */
  how: string;
  origin: string;
  line: number;
  snippet: string;
  step: number;
}

/** safe_query's validators, plus `member`: a membership test in plain code (`ALLOWED.has(x)`, `[...].includes(x)`). */
export type ValidatorName = 'allow' | 'keyword' | 'regex' | 'ident' | 'integer' | 'literal' | 'member';
export const VALIDATORS: readonly ValidatorName[] = ['allow', 'keyword', 'regex', 'ident', 'integer', 'literal'];

/** A safe_query validator applied to a value (TypeScript call or command-line flag). */
export interface ValidatorUse {
  fn: ValidatorName;
  /** Source text of the value argument, e.g. `req.query.tenant` or `"$TENANT"`. */
  value: string;
  /** Source text of the second argument (pattern or allowed set), when there is one. */
  arg?: string;
  /** The placeholder name it fills, when known. */
  placeholder?: string;
  origin: string;
  line: number;
  step: number;
}

/** A value passed as a bound driver parameter. */
export interface BoundValue {
  value: string;
  origin: string;
  line: number;
  step: number;
}

/** SQL text found in the transcript, ready for the SQL parser. */
export interface SqlText {
  sql: string;
  origin: string;
  step: number;
  /** Where it went: run against a database, given to explain-plan, or only shown/written. */
  sink: 'executed' | 'explain' | 'shown';
  /** A Bash command the agent ran sent it (as opposed to a command only shown in an answer). */
  ran: boolean;
  /** A SQL code block or .sql file ('block'), SQL inside program code ('code'), or a command's SQL ('command'). */
  from: 'block' | 'code' | 'command';
}

/** A call to one of our scripts, or to another program, from a shell command. */
export interface Invocation {
  /** Script name without directory and extension (`psql-connect`), or the program name (`psql`, `aws`). */
  program: string;
  isScript: boolean;
  args: string[];
  /** Flags as given: `--cluster` -> value, boolean flags -> true. Repeated flags keep every value. */
  flags: Map<string, (string | true)[]>;
  /** Environment assignments before the command (`PGPASSWORD=... psql`). */
  env: Record<string, string>;
  text: string;
  step: number;
  /** The command was run (a Bash tool call), not only shown in an answer. */
  executed: boolean;
  origin: string;
}

/** A file the agent looked at (Read tool, or cat/sed/head/less in a command). */
export interface FileRead {
  path: string;
  step: number;
  how: string;
}

export interface Analysis {
  constructions: SqlConstruction[];
  validators: ValidatorUse[];
  bound: BoundValue[];
  sql: SqlText[];
  invocations: Invocation[];
  reads: FileRead[];
  /** Modules imported by TypeScript/JavaScript code, with the names imported. */
  imports: { module: string; names: string[]; origin: string; step: number }[];
  /** Numeric constants that set a batch or chunk size. */
  batchSizes: { name: string; value: number; origin: string; step: number }[];
  /** TypeScript facts for retry checks. */
  retry: {
    sqlstates: { code: string; origin: string; step: number }[];
    boundedLoops: { origin: string; line: number; step: number }[];
    delays: { how: string; origin: string; line: number; step: number }[];
    jitter: { origin: string; line: number; step: number }[];
    /** A retry the driver runs for us: the DSQL connector's pool.transaction(fn, { maxRetries }). */
    managed: { how: string; origin: string; line: number; step: number }[];
  };
  /** Units whose parser gave up (reported, never silently skipped). */
  parseErrors: { origin: string; message: string }[];
}

export function emptyAnalysis(): Analysis {
  return {
    constructions: [],
    validators: [],
    bound: [],
    sql: [],
    invocations: [],
    reads: [],
    imports: [],
    batchSizes: [],
    retry: { sqlstates: [], boundedLoops: [], delays: [], jitter: [], managed: [] },
    parseErrors: [],
  };
}

/** Does this text look like SQL? A statement keyword first, or a clause pair inside. */
export function looksLikeSql(text: string): boolean {
  if (/^\s*(select|insert\s+into|update|delete\s+from|with|create|alter|drop|merge|explain|grant|revoke|truncate|upsert)\b/i.test(text)) return true;
  return /\b(select\b[\s\S]*\bfrom\b|insert\s+into\b|update\s+[\w."]+\s+set\b|delete\s+from\b)/i.test(text);
}

export const snippet = (text: string, max = 100): string => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 3) + '...' : one;
};

/** Parses a unit, or records why its parser gave up (never a silent skip). */
export function parseOrRecord<T>(unit: { text: string; origin: string }, out: Analysis, parse: (text: string) => T): T | undefined {
  try {
    return parse(unit.text);
  } catch (error) {
    out.parseErrors.push({ origin: unit.origin, message: (error as Error).message });
    return undefined;
  }
}
