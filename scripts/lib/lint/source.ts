// Reading a SQL file the way psql would run it: psql meta-commands (\connect, \restrict)
// and the data lines after COPY ... FROM stdin are not SQL, so they are blanked out
// (offsets and line numbers stay exact) before parsing. A statement the parser refuses
// is blanked too and reported, so one typo does not hide every other finding.
import { parseSql, SqlSyntaxError, tokenize, type Statement } from '../sql/parser.js';

export interface ParseProblem {
  /** Character span of the unparseable statement in the input. */
  start: number;
  end: number;
  /** Where the parser stopped. */
  offset: number;
  message: string;
}

export interface CopyData {
  /** Offset of the COPY statement's first character. */
  statementStart: number;
  rows: number;
}

export interface ParsedSource {
  statements: Statement[];
  problems: ParseProblem[];
  copies: CopyData[];
}

/** Replace a range with spaces, keeping line breaks, so offsets and lines do not move. */
function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\n\r]/g, ' ') + text.slice(to);
}

const COPY_FROM_STDIN = /^\s*COPY\b[\s\S]*\bFROM\s+STDIN\b[^;]*;\s*$/i;
/** psql's \copy reads its data from the script too when it copies FROM stdin (not pstdin). */
const META_COPY_FROM_STDIN = /^\s*\\copy\b.*\bfrom\s+stdin\b/i;

/**
 * Blank psql meta-command lines and COPY FROM stdin data. A line counts as psql's when it
 * starts where a new statement could start (after a line ending with ';', a comment, a
 * blank line or another meta line), as in pg_dump output.
 */
export function blankPsql(sql: string): { text: string; copies: CopyData[] } {
  const copies: CopyData[] = [];
  if (!/(^|\n)\s*\\|from\s+stdin/i.test(sql)) return { text: sql, copies };
  let text = sql;
  let boundary = true;
  let pos = 0;
  while (pos < sql.length) {
    const nl = sql.indexOf('\n', pos);
    const end = nl === -1 ? sql.length : nl;
    const line = sql.slice(pos, end);
    const trimmed = line.trim();
    const meta = boundary && trimmed.startsWith('\\');
    if (meta) text = blank(text, pos, end);
    if ((meta && META_COPY_FROM_STDIN.test(line)) || (!meta && boundary && COPY_FROM_STDIN.test(line))) {
      // Data runs to a line holding only \. (or to the end of the input).
      const dataStart = Math.min(end + 1, sql.length);
      const m = /^\\\.\r?$/m.exec(sql.slice(dataStart));
      const dataEnd = m ? dataStart + m.index + m[0].length : sql.length;
      const rows = sql.slice(dataStart, m ? dataStart + m.index : sql.length).split('\n').filter((l) => l.length > 0).length;
      // A \copy is no statement of the input: its rows are not counted against one.
      if (!meta) copies.push({ statementStart: pos + line.search(/\S/), rows });
      text = blank(text, dataStart, dataEnd);
      pos = dataEnd + 1;
      boundary = true;
      continue;
    }
    if (trimmed !== '' && !trimmed.startsWith('--')) boundary = trimmed.endsWith(';') || trimmed.startsWith('\\');
    pos = end + 1;
  }
  return { text, copies };
}

/** The span of the statement around `offset`: from after the previous `;` to the next `;` (inclusive). */
function statementAround(text: string, offset: number): [number, number] {
  let tokens;
  try {
    tokens = tokenize(text);
  } catch {
    // Unterminated quote or comment: the rest of the input is one broken statement.
    return [text.lastIndexOf(';', Math.max(offset - 1, 0)) + 1, text.length];
  }
  let from = 0;
  let to = text.length;
  for (const t of tokens) {
    if (t.type !== 'ASCII_59') continue;
    if (t.end <= offset) from = t.end;
    else {
      to = t.end;
      break;
    }
  }
  return [from, to];
}

/** At most this many refused statements are reported one by one; the rest is one problem. */
const MAX_PROBLEMS = 200;

export function parseSource(sql: string): ParsedSource {
  const prepared = blankPsql(sql);
  let text = prepared.text;
  const problems: ParseProblem[] = [];
  for (;;) {
    try {
      return { statements: parseSql(text), problems, copies: prepared.copies };
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      let [from, to] = statementAround(text, error.offset);
      if (problems.length >= MAX_PROBLEMS) to = text.length;
      const lead = text.slice(from, to).search(/\S/);
      problems.push({
        start: from + Math.max(lead, 0),
        end: to,
        offset: error.offset,
        message: error.message.replace(/ at line \d+, column \d+$/, ''),
      });
      const next = blank(text, from, to);
      // Nothing left to blank: give up on statements rather than loop.
      if (next === text) return { statements: [], problems, copies: prepared.copies };
      text = next;
    }
  }
}
