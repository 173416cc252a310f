// Properties of the safe builder, checked against the real PostgreSQL parser: for any input,
// a validator either throws UnsafeSQLError or returns a fragment that, placed in a statement,
// parses as exactly one statement whose single constant (or name) equals the input exactly.
// Used by the vitest suite (10,000 runs each) and by tools/fuzz-safe-query.ts (longer runs).
import fc from 'fast-check';
import { parseSql } from '../../scripts/lib/sql/parser.js';
import { allow, build, ident, integer, keyword, literal, regex, TENANT_SLUG, UnsafeSQLError, UUID, ISO_DATE, INT, type SqlFragment } from '../../scripts/lib/sql/safe.js';

/** Strings rich in characters that matter to SQL lexing, plus arbitrary UTF-16 (lone surrogates too). */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom("'", '"', '$', '\\', ';', '-', '*', '/', '\n', ' ', 'a', 'E', 'e', 'U', '&', '\0', 'd', 'q', '_', '{', '}', '0', '9', 'é', '\uD800', '€', 'ſ', '\u212A'),
    maxLength: 40,
  }),
  fc.constantFrom('$dq_', '$$', "E'", "' OR 1=1 --", '"; DROP TABLE t; --', '*/', '/*', 'ASC', 'DESC', 'NULLS LAST', 'select'),
);

type Node = Record<string, unknown>;

/** Every object in the parse tree that has the given key. */
function collect(tree: unknown, key: string, out: Node[] = []): Node[] {
  if (Array.isArray(tree)) tree.forEach((t) => collect(t, key, out));
  else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) {
      if (k === key) out.push(v as Node);
      collect(v, key, out);
    }
  }
  return out;
}

/** Parse `sql` and require exactly one statement; return its tree. */
function single(sql: string): unknown {
  const stmts = parseSql(sql);
  if (stmts.length !== 1) throw new Error(`expected one statement, got ${stmts.length}: ${sql}`);
  return stmts[0]!.ast;
}

function constantString(tree: unknown): string {
  const consts = collect(tree, 'A_Const');
  if (consts.length !== 1) throw new Error(`expected one constant, got ${consts.length}`);
  const sval = consts[0]!.sval as { sval?: string } | undefined;
  if (!sval) throw new Error('constant is not a string');
  return sval.sval ?? ''; // the parse tree omits empty strings
}

function constantInteger(tree: unknown): bigint {
  const consts = collect(tree, 'A_Const');
  if (consts.length !== 1) throw new Error(`expected one constant, got ${consts.length}`);
  const c = consts[0]!;
  if (c.ival) return BigInt((c.ival as { ival?: number }).ival ?? 0);
  if (c.fval) return BigInt((c.fval as { fval: string }).fval);
  throw new Error('constant is not a number');
}

/** How often each validator accepted or refused, so a run can show it was not vacuous. */
export type Tally = Record<string, { accepted: number; refused: number }>;

// Templates put the fragment where it could fuse with its neighbours if build() did not space it.
const VALUE_TEMPLATES = ['SELECT {v}', 'SELECT x FROM t WHERE y = {v}', 'SELECT x||{v}', 'SELECT x={v}', 'SELECT ({v})'];
const NAME_TEMPLATES = ['SELECT * FROM {v}', 'SELECT 1 FROM s.{v}', 'SELECT x FROM t AS{v}'];
const INTEGER_TEMPLATES = ['SELECT {v}', 'SELECT x -{v}', 'SELECT x*{v}', 'SELECT x/{v}', 'SELECT x+{v}', 'SELECT x<{v}'];

function checkValue(fragment: SqlFragment, template: string, expected: string): void {
  const got = constantString(single(build(template, { v: fragment })));
  if (got !== expected) throw new Error(`constant ${JSON.stringify(got)} differs from input ${JSON.stringify(expected)}`);
}

export function makeProperties(tally: Tally) {
  /** Runs `make`; an UnsafeSQLError counts as a refusal, any other error is a failure. */
  const attempt = (name: string, make: () => SqlFragment): SqlFragment | undefined => {
    const t = (tally[name] ??= { accepted: 0, refused: 0 });
    try {
      const f = make();
      t.accepted++;
      return f;
    } catch (error) {
      if (!(error instanceof UnsafeSQLError)) throw error;
      t.refused++;
      return undefined;
    }
  };
  return {
  literal: fc.property(hostileString, fc.constantFrom(...VALUE_TEMPLATES), (s, template) => {
    const f = attempt('literal', () => literal(s));
    if (f) checkValue(f, template, s);
  }),
  allow: fc.property(hostileString, fc.constantFrom(...VALUE_TEMPLATES), (s, template) => {
    const f = attempt('allow', () => allow(s, [s, 'other']));
    if (f) checkValue(f, template, s);
  }),
  regex: fc.property(hostileString, fc.constantFrom(/[\s\S]*/, /.+/s, TENANT_SLUG, UUID, INT, ISO_DATE), fc.constantFrom(...VALUE_TEMPLATES), (s, pattern, template) => {
    const f = attempt('regex', () => regex(s, pattern));
    if (f) checkValue(f, template, s);
  }),
  ident: fc.property(fc.oneof(hostileString, fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,70}$/)), fc.constantFrom(...NAME_TEMPLATES), (s, template) => {
    const f = attempt('ident', () => ident(s));
    if (!f) return;
    const tree = single(build(template, { v: f }));
    const names = [...collect(tree, 'RangeVar').map((r) => r.relname), ...collect(tree, 'aliasname')];
    if (!names.includes(s)) throw new Error(`name ${JSON.stringify(s)} not found as written: ${JSON.stringify(names)}`);
  }),
  integer: fc.property(
    fc.oneof(
      hostileString,
      fc.bigInt().map(String),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
      fc.integer().map(String),
    ),
    fc.constantFrom(...INTEGER_TEMPLATES),
    (s, template) => {
      const f = attempt('integer', () => integer(s));
      if (!f) return;
      const got = constantInteger(single(build(template, { v: f })));
      if (got !== BigInt(s)) throw new Error(`constant ${got} differs from input ${s}`);
    },
  ),
  keyword: fc.property(hostileString, (s) => {
    const f = attempt('keyword', () => keyword(s, [s]));
    if (!f) return;
    // Unquoted output can only be plain words, emitted exactly as given: never new syntax.
    if (f.sql !== s || !/^[A-Za-z]+(?: [A-Za-z]+)*$/.test(f.sql)) throw new Error(`keyword emitted ${JSON.stringify(f.sql)}`);
  }),
  };
}

/** The valid sort keywords must parse to the sort option they name (the keyword property's positive half). */
export function keywordRoundTrip(word: 'ASC' | 'DESC'): string {
  const tree = single(build('SELECT x FROM t ORDER BY x {d}', { d: keyword(word, ['ASC', 'DESC']) }));
  return String(collect(tree, 'SortBy')[0]!.sortby_dir);
}
