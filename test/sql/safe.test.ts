import { describe, expect, it } from 'vitest';
import {
  allow,
  build,
  ident,
  integer,
  INT,
  ISO_DATE,
  keyword,
  literal,
  regex,
  TENANT_SLUG,
  UnsafeSQLError,
  UUID,
  type SqlFragment,
} from '../../scripts/safe_query.js';

const sql = (f: SqlFragment) => f.sql;
const refuses = (fn: () => unknown, message: string | RegExp) => {
  expect(fn).toThrow(UnsafeSQLError);
  expect(fn).toThrow(message);
};

describe('allow', () => {
  it('emits a quoted literal for an exact member of the set', () => {
    expect(sql(allow('archived', ['active', 'archived']))).toBe("'archived'");
    expect(sql(allow("it's", new Set(["it's"])))).toBe("'it''s'");
  });
  it('is exact-match: no case folding, no trimming', () => {
    refuses(() => allow('Active', ['active']), 'value is not an allowed value: "Active"');
    refuses(() => allow('active ', ['active'], { label: 'status' }), 'status is not an allowed value: "active "');
  });
  it('refuses non-strings, NUL and bad sets', () => {
    refuses(() => allow(1 as unknown as string, ['1']), 'value must be a string for allow(), got number');
    refuses(() => allow('a\0b', ['a\0b']), 'value contains a NUL character, which PostgreSQL text cannot hold');
    refuses(() => allow('a', 'abc' as unknown as string[]), 'allow() needs a set or array of allowed strings');
    refuses(() => allow('1', [1 as unknown as string]), 'allow(): allowed values must be strings, got number');
  });
});

describe('keyword', () => {
  it('emits the keyword unquoted', () => {
    expect(sql(keyword('DESC', ['ASC', 'DESC']))).toBe('DESC');
    expect(sql(keyword('NULLS LAST', ['NULLS FIRST', 'NULLS LAST']))).toBe('NULLS LAST');
  });
  it('is exact-match and only takes plain words', () => {
    refuses(() => keyword('desc', ['ASC', 'DESC'], { label: 'direction' }), 'direction is not an allowed keyword: "desc"');
    refuses(() => keyword('DESC; DROP TABLE t', ['DESC; DROP TABLE t']), 'keyword() emits unquoted SQL, so it only takes plain words');
  });
});

describe('regex', () => {
  it('emits a quoted literal for a full match', () => {
    expect(sql(regex('acme-corp', TENANT_SLUG))).toBe("'acme-corp'");
    expect(sql(regex('0F8fad5b-d9cb-469f-a165-70867728950e', UUID))).toBe("'0F8fad5b-d9cb-469f-a165-70867728950e'");
    expect(sql(regex('-42', INT))).toBe("'-42'");
  });
  it('needs the whole value to match, whatever the pattern flags', () => {
    refuses(() => regex("acme' OR 1=1 --", TENANT_SLUG, { label: 'req.tenant' }), `req.tenant does not match [a-z0-9-]{1,64}: "acme' OR 1=1 --"`);
    refuses(() => regex('abc\nDROP', /^[a-z]+$/m), 'value does not match');
    refuses(() => regex('ABC', TENANT_SLUG), 'does not match');
    refuses(() => regex('a'.repeat(65), TENANT_SLUG), 'does not match');
    refuses(() => regex('', TENANT_SLUG), 'does not match');
    const global = /[a-z]+/g;
    expect(sql(regex('abc', global))).toBe("'abc'");
    expect(sql(regex('abc', global))).toBe("'abc'"); // no lastIndex state between calls
  });
  it('refuses quotes, backslashes and NUL even when the pattern allows them', () => {
    refuses(() => regex("o'brien", /.+/), 'value contains a single quote; use literal() for free text');
    refuses(() => regex('a\\b', /.+/), 'value contains a backslash; use literal() for free text');
    refuses(() => regex('abc\0tail', /.+/s), 'value contains a NUL character');
  });
  it('refuses a pattern that is not a RegExp', () => {
    refuses(() => regex('a', '[a-z]' as unknown as RegExp), 'regex() needs a RegExp pattern, got string');
  });
});

describe('ISO_DATE', () => {
  const ok = (d: string) => expect(regex(d, ISO_DATE).sql).toBe(`'${d}'`);
  const bad = (d: string) => refuses(() => regex(d, ISO_DATE), 'does not match');
  it('accepts real calendar dates', () => {
    ['2024-02-29', '2000-02-29', '2023-02-28', '2024-12-31', '0001-01-01', '9999-12-31', '2024-04-30'].forEach(ok);
  });
  it('refuses impossible dates, other shapes and non-ASCII digits', () => {
    ['2023-02-29', '1900-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '0000-01-01', '2024-1-05', '2024-01-05T00:00:00', '٢٠٢٤-01-05', '２０２４-01-05'].forEach(bad);
  });
});

describe('ident', () => {
  it('double-quotes ASCII names, keeping their case', () => {
    expect(sql(ident('entities'))).toBe('"entities"');
    expect(sql(ident('Entities'))).toBe('"Entities"');
    expect(sql(ident('select'))).toBe('"select"');
    expect(sql(ident('_x1'))).toBe('"_x1"');
    expect(sql(ident('a'.repeat(63)))).toBe(`"${'a'.repeat(63)}"`);
  });
  it('takes schema-qualified names as separate parts', () => {
    expect(sql(ident('sales', 'orders'))).toBe('"sales"."orders"');
    expect(sql(ident('s', 't', 'c'))).toBe('"s"."t"."c"');
    refuses(() => ident('sales.orders'), 'invalid identifier "sales.orders"');
    refuses(() => ident(), 'ident() takes 1 to 3 name parts, got 0');
    refuses(() => ident('a', 'b', 'c', 'd'), 'ident() takes 1 to 3 name parts, got 4');
  });
  it('refuses anything else, including look-alike letters', () => {
    for (const bad of ['entities" OR 1=1 --', 'entities; DROP TABLE', '1entities', 'entities-table', '', 'a'.repeat(64), 'é', 'abc\n', 'ſelect', '\u212Aelvin', 'ａbc']) {
      refuses(() => ident(bad), 'invalid identifier');
    }
    refuses(() => ident(5 as unknown as string), 'identifier must be a string for ident(), got number');
  });
});

describe('integer', () => {
  it('accepts safe integers, bigints and decimal strings in BIGINT range', () => {
    expect(sql(integer(42))).toBe('42');
    expect(sql(integer(-7))).toBe('-7');
    expect(sql(integer(-0))).toBe('0');
    expect(sql(integer(9007199254740991))).toBe('9007199254740991');
    expect(sql(integer(9223372036854775807n))).toBe('9223372036854775807');
    expect(sql(integer('-9223372036854775808'))).toBe('-9223372036854775808');
    expect(sql(integer('007'))).toBe('7');
  });
  it('refuses floats, signs, spaces, Unicode digits and out-of-range values', () => {
    refuses(() => integer(1.5), 'integer must be a whole number within ±(2^53-1) when given as a number');
    refuses(() => integer(2 ** 53), 'when given as a number');
    refuses(() => integer(Number.NaN), 'when given as a number');
    refuses(() => integer('+5'), 'integer is not a decimal integer: "+5"');
    for (const s of [' 5', '5 ', '1.0', '1e3', '', '٣', '1; DROP', '0x10']) refuses(() => integer(s), 'is not a decimal integer');
    refuses(() => integer('9223372036854775808', { label: 'limit' }), 'limit is outside the BIGINT range: "9223372036854775808"');
    refuses(() => integer(-(2n ** 63n) - 1n), 'outside the BIGINT range');
    refuses(() => integer(true as unknown as number), 'integer must be a number, bigint or decimal string, got boolean');
    refuses(() => integer(null as unknown as number), 'got null');
  });
});

describe('literal', () => {
  it('dollar-quotes the value verbatim with a random tag', () => {
    const f = literal("it's; DROP TABLE t; -- $$ \\");
    expect(f.sql).toMatch(/^\$dq_[0-9a-f]{12}\$it's; DROP TABLE t; -- \$\$ \\\$dq_[0-9a-f]{12}\$$/);
    const tag = f.sql.slice(0, f.sql.indexOf('$', 1) + 1);
    expect(f.sql.endsWith(tag)).toBe(true);
    expect(literal('').sql).toMatch(/^(\$dq_[0-9a-f]{12}\$)\1$/);
  });
  it('refuses NUL, broken UTF-16 and non-strings', () => {
    refuses(() => literal('a\0b', { label: 'note' }), 'note contains a NUL character');
    refuses(() => literal('\uD800x'), 'text contains an unpaired UTF-16 surrogate');
    refuses(() => literal(undefined as unknown as string), 'text must be a string for literal(), got undefined');
  });
});

describe('build', () => {
  it('fills named placeholders, allowing a name more than once', () => {
    expect(build('SELECT {c} FROM {t} WHERE {c} = 1', { c: ident('col'), t: ident('tbl') })).toBe('SELECT "col" FROM "tbl" WHERE "col" = 1');
    expect(build('SELECT 1')).toBe('SELECT 1');
    expect(build("SELECT '{{}}'::jsonb, {x}", { x: integer(2) })).toBe("SELECT '{}'::jsonb, 2");
  });
  it('requires exactly the placeholders given', () => {
    refuses(() => build('SELECT {a}, {b}', { a: integer(1), c: integer(2) }), 'template and parts differ: missing b; unused c');
    refuses(() => build('SELECT 1', { a: integer(1) }), 'template and parts differ: unused a');
  });
  it('refuses positional, formatted and malformed placeholders', () => {
    refuses(() => build('SELECT {}'), 'positional placeholder {}');
    refuses(() => build('SELECT {0}'), 'positional placeholder {0}');
    for (const t of ['SELECT {x!r}', 'SELECT {x:>30}', 'SELECT {x.y}', 'SELECT {x[0]}']) refuses(() => build(t, {}), 'is not a plain name');
    refuses(() => build('SELECT {x'), 'unclosed {');
    refuses(() => build('SELECT x}'), 'single }');
  });
  it('only takes fragments minted by the validators', () => {
    refuses(() => build('SELECT {x}', { x: '1; DROP TABLE t' as unknown as SqlFragment }), 'part x must come from allow, keyword, regex, ident, integer or literal; got string');
    const forged = { sql: '1; DROP TABLE t', toString: () => '1; DROP TABLE t' };
    refuses(() => build('SELECT {x}', { x: forged }), 'part x must come from');
    refuses(() => build('SELECT {x}', { x: Object.assign(Object.create(Object.getPrototypeOf(integer(1))), integer(1)) }), 'part x must come from');
  });
  it('refuses a template that is not a string, or holds NUL', () => {
    refuses(() => build(null as unknown as string), 'template must be a string for build(), got null');
    refuses(() => build(['SELECT 1'] as unknown as string), 'got array');
    refuses(() => build('SELECT 1\0'), 'template contains a NUL character');
  });
  it('refuses placeholders inside strings, quoted names, comments and dollar quotes', () => {
    refuses(() => build("SELECT '{x}'", { x: integer(1) }), 'inside a string literal');
    refuses(() => build('SELECT "{x}"', { x: integer(1) }), 'inside a quoted identifier');
    refuses(() => build('SELECT 1 -- {x}', { x: integer(1) }), 'inside a -- comment');
    refuses(() => build('SELECT 1 /* {x} */', { x: integer(1) }), 'inside a /* comment */');
    refuses(() => build('SELECT $$ {x} $$', { x: integer(1) }), 'inside a dollar-quoted string');
    refuses(() => build("SELECT E'\\' {x}'", { x: integer(1) }), 'inside a string literal');
    refuses(() => build("SELECT 'abc", {}), 'unterminated string literal');
  });
  it('knows dollar-quote tags with non-ASCII letters, as PostgreSQL does', () => {
    // $ä$ opens a dollar quote: a value holding $ä$ would otherwise close it early.
    refuses(() => build('SELECT $ä$ {x} $ä$', { x: literal('$ä$; DROP TABLE t; --') }), 'inside a dollar-quoted string');
    refuses(() => build('SELECT $_ä1$ {x} $_ä1$', { x: integer(1) }), 'inside a dollar-quoted string');
    refuses(() => build('SELECT $😀$ {x} $😀$', { x: integer(1) }), 'inside a dollar-quoted string');
    expect(build('SELECT $ä$ {{x}} $ä$, {x}', { x: integer(1) })).toBe('SELECT $ä$ {x} $ä$, 1');
  });
  it('refuses a placeholder that PostgreSQL would join with an adjacent string literal', () => {
    refuses(() => build("SELECT 'a'\n{x}", { x: literal('b') }), 'right after a string literal');
    refuses(() => build("SELECT {x}\n'b'", { x: literal('a') }), 'a string literal right after a placeholder');
  });
  it('keeps fragments from fusing with the template into other tokens', () => {
    expect(build('SELECT x -{n}', { n: integer(-5) })).toBe('SELECT x - -5');
    expect(build('SELECT {a}{b}', { a: integer(1), b: integer(2) })).toBe('SELECT 1 2');
    expect(build('SELECT {a}{b} FROM t', { a: ident('x'), b: ident('y') })).toBe('SELECT "x" "y" FROM t');
    expect(build('SELECT E{v}', { v: allow('a', ['a']) })).toBe("SELECT E 'a'");
    expect(build('SELECT {n}e5, {n}.5', { n: integer(1) })).toBe('SELECT 1 e5, 1 .5');
    expect(build('SELECT f({a},{b})', { a: integer(1), b: integer(2) })).toBe('SELECT f(1,2)');
  });
});
