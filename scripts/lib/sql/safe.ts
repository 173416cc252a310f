// The safe SQL builder: every dynamic value reaches SQL through a validator that either
// refuses it (UnsafeSQLError) or returns a fragment that is exactly one SQL token standing
// for exactly that value. build() only accepts fragments minted here, so raw text cannot be
// smuggled in, and it spaces fragments so they never fuse with the template around them.
import { randomBytes } from 'node:crypto';

export class UnsafeSQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeSQLError';
  }
}

/** A validated piece of SQL. Only the validators in this module can make one. */
export interface SqlFragment {
  readonly sql: string;
  toString(): string;
}

// Membership here, not the object's shape, is what makes a fragment genuine.
const minted = new WeakSet<object>();

function mint(sql: string): SqlFragment {
  const fragment = Object.freeze({ sql, toString: () => sql });
  minted.add(fragment);
  return fragment;
}

/** Lower-case slug: letters, digits and '-', 1 to 64 characters. */
export const TENANT_SLUG = /[a-z0-9-]{1,64}/;
/** UUID in 8-4-4-4-12 hex form, either case. */
export const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
/** Optional minus and 1 to 19 ASCII digits (as a quoted string; use integer() for numbers). */
export const INT = /-?[0-9]{1,19}/;
/**
 * A real calendar date YYYY-MM-DD in years 0001-9999, ASCII digits only:
 * 2024-02-29 matches, 2023-02-29 and 2024-04-31 do not.
 */
export const ISO_DATE = new RegExp(
  '(?:' +
    // Feb 29 in leap years: divisible by 4 but not 100, or divisible by 400.
    '(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29' +
    '|' +
    '(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))' +
    ')',
);

const preview = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Checks every string that may reach SQL: PostgreSQL text cannot hold NUL or broken UTF-16. */
function checkText(value: unknown, label: string, what: string): asserts value is string {
  if (typeof value !== 'string') throw new UnsafeSQLError(`${label} must be a string for ${what}, got ${typeName(value)}`);
  if (value.includes('\0')) throw new UnsafeSQLError(`${label} contains a NUL character, which PostgreSQL text cannot hold`);
  if (!value.isWellFormed()) throw new UnsafeSQLError(`${label} contains an unpaired UTF-16 surrogate (not valid Unicode)`);
}

const quoteString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

function setOf(allowed: Iterable<string>, what: string): ReadonlySet<string> {
  if (allowed === null || typeof allowed !== 'object' || !(Symbol.iterator in allowed)) {
    throw new UnsafeSQLError(`${what} needs a set or array of allowed strings`);
  }
  const set = new Set<string>();
  for (const item of allowed) {
    if (typeof item !== 'string') throw new UnsafeSQLError(`${what}: allowed values must be strings, got ${typeName(item)}`);
    set.add(item);
  }
  return set;
}

interface Label {
  label?: string;
}

/** A value from a known set, as a quoted string literal: allow(status, ['active', 'archived']) -> 'active'. Exact match. */
export function allow(value: string, allowed: Iterable<string>, { label = 'value' }: Label = {}): SqlFragment {
  checkText(value, label, 'allow()');
  if (!setOf(allowed, 'allow()').has(value)) throw new UnsafeSQLError(`${label} is not an allowed value: ${preview(value)}`);
  return mint(quoteString(value));
}

const KEYWORD = /^[A-Za-z]+(?: [A-Za-z]+)*$/;

/** A keyword from a known set, emitted unquoted: keyword(dir, ['ASC', 'DESC']) -> DESC. Exact match. */
export function keyword(value: string, allowed: Iterable<string>, { label = 'keyword' }: Label = {}): SqlFragment {
  checkText(value, label, 'keyword()');
  if (!setOf(allowed, 'keyword()').has(value)) throw new UnsafeSQLError(`${label} is not an allowed keyword: ${preview(value)}`);
  if (!KEYWORD.test(value)) {
    throw new UnsafeSQLError(`${label}: keyword() emits unquoted SQL, so it only takes plain words like ASC or NULLS LAST; got ${preview(value)}`);
  }
  return mint(value);
}

/** A value in a strict format, as a quoted string literal: regex(id, UUID). The whole value must match. */
export function regex(value: string, pattern: RegExp, { label = 'value' }: Label = {}): SqlFragment {
  if (!(pattern instanceof RegExp)) throw new UnsafeSQLError(`regex() needs a RegExp pattern, got ${typeName(pattern)}`);
  checkText(value, label, 'regex()');
  // Anchor the whole value; drop flags that would let ^/$ match inside it or make test() stateful.
  const whole = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gmy]/g, ''));
  if (!whole.test(value)) throw new UnsafeSQLError(`${label} does not match ${pattern.source}: ${preview(value)}`);
  if (value.includes("'")) throw new UnsafeSQLError(`${label} contains a single quote; use literal() for free text`);
  if (value.includes('\\')) throw new UnsafeSQLError(`${label} contains a backslash; use literal() for free text`);
  return mint(quoteString(value));
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A table, column or schema name, double-quoted: ident('orders') -> "orders";
 * ident('sales', 'orders') -> "sales"."orders" (up to three parts).
 * ASCII letters, digits and '_' only, not starting with a digit, at most 63 bytes per part.
 * Quoted names are case-sensitive and used exactly as stored in the catalog: a table
 * created without quotes is stored in lower case, so pass 'orders', not 'Orders'.
 */
export function ident(...parts: string[]): SqlFragment {
  if (parts.length < 1 || parts.length > 3) throw new UnsafeSQLError(`ident() takes 1 to 3 name parts, got ${parts.length}`);
  for (const part of parts) {
    checkText(part, 'identifier', 'ident()');
    if (!IDENT.test(part) || part.length > 63) {
      throw new UnsafeSQLError(
        `invalid identifier ${preview(part)}: use ASCII letters, digits and _ (not first), at most 63 characters; pass schema and table as separate arguments`,
      );
    }
  }
  return mint(parts.map((p) => `"${p}"`).join('.'));
}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

/** A whole number within BIGINT range: a safe-integer number, a bigint, or a decimal string such as "-42". */
export function integer(value: number | bigint | string, { label = 'integer' }: Label = {}): SqlFragment {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new UnsafeSQLError(`${label} must be a whole number within ±(2^53-1) when given as a number (use a bigint or string for more): ${preview(value)}`);
    }
    n = BigInt(value);
  } else if (typeof value === 'bigint') {
    n = value;
  } else if (typeof value === 'string') {
    if (!/^-?[0-9]+$/.test(value)) throw new UnsafeSQLError(`${label} is not a decimal integer: ${preview(value)}`);
    n = BigInt(value);
  } else {
    throw new UnsafeSQLError(`${label} must be a number, bigint or decimal string, got ${typeName(value)}`);
  }
  if (n < BIGINT_MIN || n > BIGINT_MAX) throw new UnsafeSQLError(`${label} is outside the BIGINT range: ${preview(value)}`);
  return mint(n.toString());
}

/**
 * Free text as a dollar-quoted literal with a random tag that cannot occur in the value:
 * literal("it's") -> $dq_5f3a9c0e12ab$it's$dq_5f3a9c0e12ab$. Content is taken verbatim.
 */
export function literal(value: string, { label = 'text' }: Label = {}): SqlFragment {
  checkText(value, label, 'literal()');
  for (let attempt = 0; attempt < 16; attempt++) {
    const delimiter = `$dq_${randomBytes(6).toString('hex')}$`;
    // The closing delimiter must first occur where we put it, not inside (or overlapping) the value.
    if ((value + delimiter).indexOf(delimiter) === value.length) return mint(delimiter + value + delimiter);
  }
  throw new UnsafeSQLError(`${label}: could not choose a dollar-quote tag absent from the value`);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A fragment is separated by a space from neighbours it could fuse with (E'..', --, "a""b", 12).
const SAFE_NEIGHBOUR = /[\s(),;]/;

type Piece = { text: string } | { name: string };

/**
 * Splits a template into text and {placeholders}. `{{` and `}}` are literal braces.
 * A placeholder inside a string, quoted name or comment, or right next to a string
 * literal (which PostgreSQL would join with it), is an error.
 */
function scanTemplate(template: string): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  let lastToken: 'string' | 'placeholder' | 'other' = 'other';
  const n = template.length;
  const isIdentChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
  let i = 0;
  const fail = (message: string): never => {
    throw new UnsafeSQLError(`template: ${message}`);
  };
  const closeQuoted = (from: number, quote: string, backslashes: boolean, what: string): number => {
    for (let j = from; j < n; j++) {
      const c = template[j];
      if (backslashes && c === '\\') j++;
      else if (c === '{' || c === '}') {
        if (template[j + 1] === c) j++;
        else fail(`a brace inside a ${what} must be doubled ({{ or }}); placeholders stand for whole values, not parts of a ${what}`);
      } else if (c === quote) {
        if (template[j + 1] === quote) j++;
        else return j + 1;
      }
    }
    return fail(`unterminated ${what}`);
  };
  const unbrace = (s: string) => s.replaceAll('{{', '{').replaceAll('}}', '}');

  while (i < n) {
    const c = template[i]!;
    const next = template[i + 1];
    if (c === "'") {
      if (lastToken === 'placeholder') fail('a string literal right after a placeholder would be joined with it; add an operator');
      const prefixE = /[eE]/.test(template[i - 1] ?? '') && !isIdentChar(template[i - 2]);
      const end = closeQuoted(i + 1, "'", prefixE, 'string literal');
      text += unbrace(template.slice(i, end));
      i = end;
      lastToken = 'string';
    } else if (c === '"') {
      const end = closeQuoted(i + 1, '"', false, 'quoted identifier');
      text += unbrace(template.slice(i, end));
      i = end;
      lastToken = 'other';
    } else if (c === '-' && next === '-') {
      const nl = template.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      if (/[{}]/.test(template.slice(i, end).replaceAll('{{', '').replaceAll('}}', ''))) fail('a placeholder or single brace inside a -- comment');
      text += unbrace(template.slice(i, end));
      i = end;
    } else if (c === '/' && next === '*') {
      let depth = 0;
      let j = i;
      for (; j < n; j++) {
        if (template[j] === '/' && template[j + 1] === '*') (depth++, j++);
        else if (template[j] === '*' && template[j + 1] === '/') {
          depth--;
          j++;
          if (depth === 0) break;
        }
      }
      if (depth !== 0) fail('unterminated /* comment');
      const body = template.slice(i, j + 1);
      if (/[{}]/.test(body.replaceAll('{{', '').replaceAll('}}', ''))) fail('a placeholder or single brace inside a /* comment */');
      text += unbrace(body);
      i = j + 1;
    } else if (c === '$' && !isIdentChar(template[i - 1])) {
      // Tag characters as PostgreSQL's lexer has them: any non-ASCII character is a letter.
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(template.slice(i));
      if (!tag) {
        text += c;
        i++;
        continue;
      }
      const close = template.indexOf(tag[0], i + tag[0].length);
      if (close === -1) fail('unterminated dollar-quoted string');
      const body = template.slice(i, close + tag[0].length);
      if (/[{}]/.test(body.replaceAll('{{', '').replaceAll('}}', ''))) fail('a placeholder or single brace inside a dollar-quoted string');
      text += unbrace(body);
      i = close + tag[0].length;
      lastToken = 'string';
    } else if (c === '{' && next === '{') {
      text += '{';
      i += 2;
      lastToken = 'other';
    } else if (c === '}' && next === '}') {
      text += '}';
      i += 2;
      lastToken = 'other';
    } else if (c === '{') {
      const close = template.indexOf('}', i);
      if (close === -1) fail('unclosed { (write {{ for a literal brace)');
      const name = template.slice(i + 1, close);
      if (name === '' || /^[0-9]+$/.test(name)) fail(`positional placeholder {${name}}; use named placeholders like {tenant}`);
      if (!NAME.test(name)) fail(`placeholder {${name}} is not a plain name (no conversions, format specs, attributes or indexes)`);
      if (lastToken === 'string') fail(`placeholder {${name}} right after a string literal would be joined with it; add an operator`);
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ name });
      i = close + 1;
      lastToken = 'placeholder';
    } else if (c === '}') {
      fail('single } (write }} for a literal brace)');
    } else {
      text += c;
      i++;
      if (!/\s/.test(c)) lastToken = 'other';
    }
  }
  if (text) pieces.push({ text });
  return pieces;
}

/**
 * Fill a template's {placeholders} with fragments from the validators:
 * build('SELECT * FROM {t} WHERE tenant_id = {tid}', { t: ident('orders'), tid: regex(tenant, TENANT_SLUG) }).
 * The placeholders and the parts must match exactly; a name may be used more than once.
 */
export function build(template: string, parts: Record<string, SqlFragment> = {}): string {
  checkText(template, 'template', 'build()');
  if (parts === null || typeof parts !== 'object' || Array.isArray(parts)) {
    throw new UnsafeSQLError(`build() parts must be an object of named fragments, got ${typeName(parts)}`);
  }
  const pieces = scanTemplate(template);
  const wanted = new Set(pieces.flatMap((p) => ('name' in p ? [p.name] : [])));
  const given = new Set(Object.keys(parts));
  const missing = [...wanted].filter((k) => !given.has(k)).sort();
  const extra = [...given].filter((k) => !wanted.has(k)).sort();
  if (missing.length || extra.length) {
    const say = (label: string, list: string[]) => (list.length ? `${label} ${list.join(', ')}` : '');
    throw new UnsafeSQLError(`template and parts differ: ${[say('missing', missing), say('unused', extra)].filter(Boolean).join('; ')}`);
  }
  for (const [name, part] of Object.entries(parts)) {
    if (part === null || typeof part !== 'object' || !minted.has(part)) {
      throw new UnsafeSQLError(`part ${name} must come from allow, keyword, regex, ident, integer or literal; got ${typeName(part)}`);
    }
  }

  let out = '';
  pieces.forEach((piece, k) => {
    if ('text' in piece) {
      // Text after a fragment: keep them apart unless the text starts with a harmless character.
      if (k > 0 && !SAFE_NEIGHBOUR.test(piece.text[0]!)) out += ' ';
      out += piece.text;
      return;
    }
    if (out && !SAFE_NEIGHBOUR.test(out[out.length - 1]!)) out += ' ';
    out += parts[piece.name]!.sql;
  });
  return out;
}
