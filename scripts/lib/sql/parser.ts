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
  /**
   * DSQL's `AWS IAM GRANT role TO 'arn'` / `AWS IAM REVOKE role FROM 'arn'`. Its parse tree is
   * the GrantRoleStmt of the same text without `AWS IAM`, with the ARN as the grantee's name.
   */
  iam?: 'grant' | 'revoke';
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

/** 1-based line and column (in characters) of character offsets in `text`; the lines are found once. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** Maps between UTF-8 byte offsets (what libpg-query reports) and string indices. */
class OffsetMap {
  private readonly charAtByte?: Int32Array;
  private readonly byteAtChar?: Int32Array;
  /** 1-based line and column of a character offset. */
  readonly position: (char: number) => { line: number; column: number };
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    this.position = lineIndex(text);
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
function blank(text: string, tokens: Rewrite[]): string {
  const parts: string[] = [];
  let pos = 0;
  for (const t of [...tokens].sort((a, b) => a.start - b.start)) {
    parts.push(text.slice(pos, t.start), t.replacement ?? ' '.repeat(t.end - t.start));
    pos = t.end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/** Tokens of sql[start, end), offsets in the whole input (a slice scans much faster than the input). */
function scanSlice(sql: string, start: number, end: number): SqlToken[] {
  const slice = sql.slice(start, end);
  return scanWith(slice, new OffsetMap(slice)).map((t) => ({ ...t, start: t.start + start, end: t.end + start }));
}

/** Skips whitespace and comments from `i` (a token boundary, such as a statement's start or end) up to `end`. */
export function skipSpaceAndComments(sql: string, i: number, end = sql.length): number {
  for (;;) {
    while (i < end && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 || nl > end ? end : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) (depth++, (i += 2));
        else if (sql.startsWith('*/', i)) (depth--, (i += 2));
        else i++;
      } while (depth > 0 && i < end);
    } else return i;
  }
}

/**
 * The exact span of a statement inside the parser's range for it: from its first token to its
 * last, without whitespace, comments or the `;`. A trailing comment must either end with `*\/`
 * or be a `--` comment on the last line; only then is the tail scanned to be sure.
 */
function tightSpan(sql: string, from: number, to: number): { start: number; end: number } | undefined {
  const start = skipSpaceAndComments(sql, from, to);
  let end = to;
  while (end > start && /\s/.test(sql[end - 1]!)) end--;
  if (end <= start) return undefined;
  const lastLine = sql.slice(sql.lastIndexOf('\n', end - 1) + 1, end);
  if (lastLine.includes('--') || sql.startsWith('*/', end - 2)) {
    const code = scanSlice(sql, start, end).filter((t) => !t.comment && t.type !== 'ASCII_59');
    if (code.length === 0) return undefined;
    end = code[code.length - 1]!.end;
  }
  return { start, end };
}

/** Where ASYNC keywords are; a token-shaped { start, end } for each. */
type Span = Pick<SqlToken, 'start' | 'end'>;
/** A same-length replacement made before parsing (spaces unless `replacement` is given). */
type Rewrite = Span & { replacement?: string };

interface DsqlSyntax {
  asyncAt: Span[];
  /** From AWS to IAM, with where GRANT/REVOKE starts (the parser's view of the statement start). */
  iamAt: (Span & { verb: number; action: 'grant' | 'revoke' })[];
  rewrites: Rewrite[];
}

/**
 * `AWS IAM GRANT r TO 'arn'` becomes `        GRANT r TO "arn"` for the parser: same length,
 * the ARN (which holds no quotes) as a quoted role name. Any other shape is left to fail.
 */
function findIam(tokens: SqlToken[]): Pick<DsqlSyntax, 'iamAt' | 'rewrites'> {
  const sig = tokens.filter((t) => !t.comment);
  const iamAt: DsqlSyntax['iamAt'] = [];
  const rewrites: Rewrite[] = [];
  const word = (t: SqlToken | undefined, w: string) => t !== undefined && t.text.toLowerCase() === w && !t.text.startsWith('"');
  for (let i = 0; i + 2 < sig.length; i++) {
    const verb = sig[i + 2]!.keyword;
    if (!word(sig[i], 'aws') || !word(sig[i + 1], 'iam') || (verb !== 'GRANT' && verb !== 'REVOKE')) continue;
    let j = i + 3;
    while (j < sig.length && sig[j]!.type !== 'ASCII_59' && sig[j]!.keyword !== (verb === 'GRANT' ? 'TO' : 'FROM')) j++;
    const arn = sig[j + 1];
    if (!arn || arn.type !== 'SCONST' || !/^'[^'"]*'$/.test(arn.text)) continue;
    iamAt.push({ start: sig[i]!.start, end: sig[i + 1]!.end, verb: sig[i + 2]!.start, action: verb === 'GRANT' ? 'grant' : 'revoke' });
    rewrites.push({ start: sig[i]!.start, end: sig[i]!.end }, { start: sig[i + 1]!.start, end: sig[i + 1]!.end }, { start: arn.start, end: arn.end, replacement: `"${arn.text.slice(1, -1)}"` });
  }
  return { iamAt, rewrites };
}

/** DSQL's own syntax (ASYNC, AWS IAM), found exactly from the token stream of the whole input. */
function exactDsqlSyntax(sql: string, map: OffsetMap): DsqlSyntax {
  const tokens = scanWith(sql, map);
  const { sure, candidates } = findAsync(tokens);
  const asyncAt = [...sure, ...candidates.filter((c) => isAsyncKeyword(sql, c)).map((c) => c.token)]
    .map(({ start, end }) => ({ start, end }))
    .sort((a, b) => a.start - b.start);
  const { iamAt, rewrites } = /\baws\b/i.test(sql) ? findIam(tokens) : { iamAt: [], rewrites: [] };
  return { asyncAt, iamAt, rewrites: [...asyncAt, ...rewrites] };
}

const ASYNC_WORD = /\basync\b/gi;
const ASYNC_KEYWORD = [
  /\bcreate\s+(?:unique\s+)?index\s+(async)\b/dgi,
  // DSQL's ALTER TABLE ASYNC only validates a constraint; a table name sits between.
  /\balter\s+table\s+(async)\s+(?:only\s+)?[\w."]+\s+validate\s+constraint\b/dgi,
];

/**
 * A guess at the ASYNC keywords without scanning the whole input (the scan costs more than the
 * parse): every word "async" must be the ASYNC of a plain `CREATE [UNIQUE] INDEX ASYNC` or
 * `ALTER TABLE ASYNC t VALIDATE CONSTRAINT`, else undefined (use the exact way). Each guess is
 * confirmed on its statement's tokens afterwards.
 */
function guessAsync(sql: string): Span[] | undefined {
  if (/\baws\s+iam\b/i.test(sql)) return undefined; // DSQL's AWS IAM statements: the exact way
  const words = sql.match(ASYNC_WORD)?.length ?? 0;
  const hits = ASYNC_KEYWORD.flatMap((re) => [...sql.matchAll(re)].map((m) => ({ start: m.indices![1]![0], end: m.indices![1]![1] })));
  return hits.length === words ? hits.sort((a, b) => a.start - b.start) : undefined;
}

/** The guessed ASYNC is code (not text in a string or comment) right after CREATE [UNIQUE] INDEX or ALTER TABLE. */
function confirmAsync(statements: Statement[], hit: Span): boolean {
  // Statements are in input order: the last one starting at or before the hit.
  let lo = 0;
  let hi = statements.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (statements[mid]!.start <= hit.start) lo = mid;
    else hi = mid - 1;
  }
  const stmt = statements[lo];
  if (!stmt || stmt.start > hit.start || hit.end > stmt.end) return false;
  const code = stmt.tokens.filter((t) => !t.comment);
  const i = code.findIndex((t) => t.start === hit.start && t.end === hit.end);
  const before = code.slice(0, Math.max(i, 0)).map((t) => t.keyword);
  const [a, b, c] = [before.at(-1), before.at(-2), before.at(-3)];
  const afterCreateIndex = a === 'INDEX' && (b === 'CREATE' || (b === 'UNIQUE' && c === 'CREATE'));
  return i > 0 && isAsyncWord(code[i]) && (afterCreateIndex || (a === 'TABLE' && b === 'ALTER'));
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

  const guess = guessAsync(sql);
  if (guess) {
    try {
      const statements = statementsOf(sql, map, parser().parseSync(blank(sql, guess)), { asyncAt: guess, iamAt: [], rewrites: guess });
      if (guess.every((hit) => confirmAsync(statements, hit))) return statements;
    } catch {
      // A syntax error, or a guess that was wrong: the exact way below decides and reports.
    }
  }
  const exact = exactDsqlSyntax(sql, map);
  let result: ParseResult;
  try {
    result = parser().parseSync(blank(sql, exact.rewrites));
  } catch (error) {
    throw syntaxError(map, error);
  }
  return statementsOf(sql, map, result, exact);
}

function statementsOf(sql: string, map: OffsetMap, result: ParseResult, { asyncAt, iamAt }: DsqlSyntax): Statement[] {
  const statements: Statement[] = [];
  let nextAsync = 0;
  const hasAsync = (start: number, end: number): boolean => {
    while (nextAsync < asyncAt.length && asyncAt[nextAsync]!.start < start) nextAsync++;
    return nextAsync < asyncAt.length && asyncAt[nextAsync]!.end <= end;
  };
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const byteFrom = raw.stmt_location ?? 0;
    const from = map.toChar(byteFrom);
    const to = raw.stmt_len ? map.toChar(byteFrom + raw.stmt_len) : sql.length;
    const span = tightSpan(sql, from, to);
    if (!span) continue;
    const marker = iamAt.find((m) => m.verb === span.start);
    const start = marker ? marker.start : span.start; // the parser saw AWS IAM as spaces
    const { end } = span;
    const iam = marker?.action;
    const kind = Object.keys(raw.stmt)[0]!;
    let tokens: SqlToken[] | undefined;
    statements.push({
      ...(iam ? { iam } : {}),
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
      // Scanned on first use: few checks need tokens.
      get tokens() {
        return (tokens ??= scanSlice(sql, start, end));
      },
    });
  }
  return statements;
}

/** Load the parser if needed, then parse. */
export async function parse(sql: string): Promise<Statement[]> {
  await loadParser();
  return parseSql(sql);
}

/**
 * Whether `name` can stand unquoted where SQL expects a table, column or index name: plain
 * lower case, and not a keyword PostgreSQL reserves there (reserved and type/function-name
 * keywords such as user, order, left). Needs the parser loaded.
 */
export function isBareIdentifier(name: string): boolean {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) return false;
  const kind = parser().scanSync(name).tokens[0]?.keywordName;
  return kind !== 'RESERVED_KEYWORD' && kind !== 'TYPE_FUNC_NAME_KEYWORD';
}

/** 1-based line and column of a character offset in `text` (for many offsets, use lineIndex). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  return lineIndex(text)(offset);
}
