// The SQL core: the real PostgreSQL parser (libpg-query, WASM) plus DSQL's own syntax.
//
// DSQL adds `CREATE [UNIQUE] INDEX ASYNC ...` and `ALTER TABLE ASYNC ... VALIDATE CONSTRAINT`,
// which stock PostgreSQL rejects, or worse, misreads: `CREATE INDEX ASYNC ON t (c)` parses
// as an index *named* "async". So ASYNC is found in the token stream first, replaced by
// spaces (every offset stays exact), and recorded on the statement; then the text is parsed.
import type { Node, ParseResult } from '@pgsql/types';

type LibPgQuery = typeof import('libpg-query');
let lib: LibPgQuery | undefined;

/** Load the parser's WASM module once. Every other function here needs it loaded. */
export async function loadParser(): Promise<void> {
  if (lib) return;
  const mod = (await import('libpg-query')) as LibPgQuery;
  await mod.loadModule();
  lib = mod;
}

function parser(): LibPgQuery {
  if (!lib) throw new Error('SQL parser not loaded: await loadParser() first');
  return lib;
}

export interface SqlToken {
  text: string;
  /** libpg-query's token name: IDENT, SCONST, ICONST, SQL_COMMENT, C_COMMENT, ASCII_59 (;), ... */
  type: string;
  /** Upper-case keyword when the token is a keyword, else undefined. */
  keyword?: string;
  /** Character offsets (JavaScript string indices) into the input. */
  start: number;
  end: number;
  comment: boolean;
}

export interface Statement {
  index: number;
  /** The statement's exact source text, first token to last token, without the `;`. */
  text: string;
  /** Character offsets of `text` in the input. */
  start: number;
  end: number;
  /** UTF-8 byte offsets of `text` in the input. */
  byteStart: number;
  byteEnd: number;
  /** 1-based line and column (in characters) of the first token. */
  line: number;
  column: number;
  /** Parse-tree node type, e.g. 'SelectStmt', 'IndexStmt'. */
  kind: string;
  /** The node itself, e.g. the IndexStmt object. */
  node: Record<string, unknown>;
  /** `{ [kind]: node }`, as libpg-query returns it. */
  ast: Node;
  /** DSQL's ASYNC keyword was present (CREATE INDEX ASYNC, ALTER TABLE ASYNC). */
  async: boolean;
  /** Tokens of the statement, comments included, `;` excluded. */
  tokens: SqlToken[];
}

export class SqlSyntaxError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  constructor(message: string, offset: number, line: number, column: number) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'SqlSyntaxError';
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

/** Maps between UTF-8 byte offsets (what libpg-query reports) and string indices. */
class OffsetMap {
  private readonly charAtByte?: Int32Array;
  private readonly byteAtChar?: Int32Array;
  private readonly lineStarts: number[] = [0];
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes === text.length) return; // ASCII: offsets coincide
    this.charAtByte = new Int32Array(bytes + 1);
    this.byteAtChar = new Int32Array(text.length + 1);
    let b = 0;
    for (let c = 0; c < text.length; c++) {
      this.byteAtChar[c] = b;
      const code = text.codePointAt(c)!;
      const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      for (let k = 0; k < width; k++) this.charAtByte[b + k] = c;
      b += width;
      if (code >= 0x10000) this.byteAtChar[++c] = b; // low surrogate of a pair
    }
    this.charAtByte[bytes] = text.length;
    this.byteAtChar[text.length] = bytes;
  }

  toChar(byte: number): number {
    return this.charAtByte ? this.charAtByte[byte]! : byte;
  }

  toByte(char: number): number {
    return this.byteAtChar ? this.byteAtChar[char]! : char;
  }

  /** 1-based line and column of a character offset. */
  position(char: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= char) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: char - this.lineStarts[lo]! + 1 };
  }
}

interface RawError {
  message: string;
  sqlDetails?: { message: string; cursorPosition: number };
}

function syntaxError(map: OffsetMap, error: unknown): SqlSyntaxError {
  const e = error as RawError;
  const message = e.sqlDetails?.message ?? e.message ?? String(error);
  // cursorPosition is a 0-based character offset.
  const offset = Math.min(Math.max(e.sqlDetails?.cursorPosition ?? 0, 0), map.text.length);
  const { line, column } = map.position(offset);
  return new SqlSyntaxError(message, offset, line, column);
}

/** Tokenise the whole input (comments included), with character offsets. */
export function tokenize(sql: string): SqlToken[] {
  return scanWith(sql, new OffsetMap(sql));
}

function scanWith(sql: string, map: OffsetMap): SqlToken[] {
  let tokens;
  try {
    // libpg-query's scanner returns broken JSON for control characters (U+0001-U+001F other
    // than tab, newline and CR). Scan a copy with them turned into spaces: every offset stays
    // the same, token boundaries do not change, and the parse of the real text still judges them.
    tokens = parser().scanSync(sql.replace(/[\x01-\x08\x0b\x0c\x0e-\x1f]/g, ' ')).tokens;
  } catch {
    // The scanner's own errors are not informative; the parser reports the same input well.
    try {
      parser().parseSync(sql);
    } catch (error) {
      throw syntaxError(map, error);
    }
    throw new SqlSyntaxError('cannot tokenise input', 0, 1, 1);
  }
  return tokens.map((t) => {
    const start = map.toChar(t.start);
    const end = map.toChar(t.end);
    return {
      text: sql.slice(start, end),
      type: t.tokenName,
      keyword: t.keywordName !== 'NO_KEYWORD' ? sql.slice(start, end).toUpperCase() : undefined,
      start,
      end,
      comment: t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT',
    };
  });
}

const isAsyncWord = (t: SqlToken | undefined): boolean => t !== undefined && t.type === 'IDENT' && t.text.toLowerCase() === 'async';
const isWord = (t: SqlToken | undefined, word: string): boolean => t !== undefined && t.text.toUpperCase() === word && t.keyword !== undefined;

/**
 * ASYNC keywords in the token stream. In `CREATE [UNIQUE] INDEX async ...` an unquoted
 * `async` right after INDEX is always DSQL's keyword (an index named async must be quoted,
 * or follow ASYNC or IF NOT EXISTS). After `ALTER TABLE` it is only a candidate: a table
 * may be called async, so it counts as the keyword only when the parser needs it to.
 */
function findAsync(tokens: SqlToken[]): { sure: SqlToken[]; candidates: AsyncCandidate[] } {
  const sig = tokens.filter((t) => !t.comment);
  const sure: SqlToken[] = [];
  const candidates: AsyncCandidate[] = [];
  for (let i = 0; i < sig.length; i++) {
    if (isWord(sig[i], 'CREATE')) {
      let j = i + 1;
      if (isWord(sig[j], 'UNIQUE')) j++;
      if (isWord(sig[j], 'INDEX') && isAsyncWord(sig[j + 1])) sure.push(sig[j + 1]!);
    } else if (isWord(sig[i], 'ALTER') && isWord(sig[i + 1], 'TABLE') && isAsyncWord(sig[i + 2])) {
      let end = i + 3;
      while (end < sig.length && sig[end]!.type !== 'ASCII_59') end++;
      candidates.push({ token: sig[i + 2]!, next: sig[i + 3], from: sig[i]!.start, to: end < sig.length ? sig[end]!.start : undefined });
    }
  }
  return { sure, candidates };
}

interface AsyncCandidate {
  token: SqlToken;
  next?: SqlToken;
  /** The statement's span (ALTER to its `;`, or the end of the input). */
  from: number;
  to?: number;
}

/**
 * `ALTER TABLE ASYNC t VALIDATE ...` fails to parse exactly at the token after ASYNC: then,
 * and only then, ASYNC is the keyword. Each candidate is tried on its own statement, so a
 * file with many of them is still parsed once.
 */
function isAsyncKeyword(sql: string, c: AsyncCandidate): boolean {
  if (!c.next) return false;
  try {
    parser().parseSync(sql.slice(c.from, c.to));
    return false;
  } catch (error) {
    return (error as RawError).sqlDetails?.cursorPosition === c.next.start - c.from;
  }
}

/** The text with the given tokens replaced by spaces (offsets unchanged). */
function blank(text: string, tokens: SqlToken[]): string {
  const parts: string[] = [];
  let pos = 0;
  for (const t of [...tokens].sort((a, b) => a.start - b.start)) {
    parts.push(text.slice(pos, t.start), ' '.repeat(t.end - t.start));
    pos = t.end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/** Parse SQL text into statements. Empty input or comments only give []. Throws SqlSyntaxError. */
export function parseSql(sql: string): Statement[] {
  const map = new OffsetMap(sql);
  const nul = sql.indexOf('\0');
  if (nul !== -1) {
    const { line, column } = map.position(nul);
    throw new SqlSyntaxError('input contains a NUL character', nul, line, column);
  }
  if (!/\S/.test(sql)) return [];
  const tokens = scanWith(sql, map);
  if (tokens.every((t) => t.comment)) return [];

  const { sure, candidates } = findAsync(tokens);
  const blanked = [...sure, ...candidates.filter((c) => isAsyncKeyword(sql, c)).map((c) => c.token)].sort((a, b) => a.start - b.start);
  let result: ParseResult;
  try {
    result = parser().parseSync(blank(sql, blanked));
  } catch (error) {
    throw syntaxError(map, error);
  }

  const statements: Statement[] = [];
  // Statements and tokens are both in input order: walk the tokens once, not once per
  // statement (a 10,000-statement file would otherwise take seconds).
  let next = 0;
  let nextAsync = 0;
  const hasAsync = (start: number, end: number): boolean => {
    while (nextAsync < blanked.length && blanked[nextAsync]!.start < start) nextAsync++;
    return nextAsync < blanked.length && blanked[nextAsync]!.end <= end;
  };
  for (const raw of result.stmts ?? []) {
    const byteFrom = raw.stmt_location ?? 0;
    const from = map.toChar(byteFrom);
    const to = raw.stmt_len ? map.toChar(byteFrom + raw.stmt_len) : sql.length;
    while (next < tokens.length && tokens[next]!.start < from) next++;
    const own: SqlToken[] = [];
    for (let k = next; k < tokens.length && tokens[k]!.start < to; k++) {
      const t = tokens[k]!;
      if (t.end <= to && t.type !== 'ASCII_59') own.push(t);
    }
    const sig = own.filter((t) => !t.comment);
    if (sig.length === 0 || !raw.stmt) continue;
    const start = sig[0]!.start;
    const end = sig[sig.length - 1]!.end;
    const kind = Object.keys(raw.stmt)[0]!;
    statements.push({
      index: statements.length,
      text: sql.slice(start, end),
      start,
      end,
      byteStart: map.toByte(start),
      byteEnd: map.toByte(end),
      ...map.position(start),
      kind,
      node: (raw.stmt as unknown as Record<string, Record<string, unknown>>)[kind]!,
      ast: raw.stmt,
      async: hasAsync(start, end),
      tokens: own.filter((t) => t.start >= start && t.end <= end),
    });
  }
  return statements;
}

/** Load the parser if needed, then parse. */
export async function parse(sql: string): Promise<Statement[]> {
  await loadParser();
  return parseSql(sql);
}

/** 1-based line and column of a character offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  return new OffsetMap(text).position(offset);
}
