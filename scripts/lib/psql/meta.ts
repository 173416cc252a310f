// Finds psql meta-commands (backslash commands) in SQL text the way psql's own lexer does:
// a backslash counts only outside string literals, quoted identifiers, dollar quotes and
// comments. Meta-commands run on the client machine (\! runs a shell command; \copy, \i,
// \o and \w read or write local files; \c opens another connection), so the guard must
// see them. `\;` and `\:` are not commands: psql turns them into a plain `;` or `:`.
//
// Assumes standard_conforming_strings = on (PostgreSQL's and DSQL's default): in '...'
// a backslash is an ordinary character; only E'...' strings have backslash escapes.
import { lineColumn } from '../sql/parser.js';

export interface MetaCommand {
  /** The command word, e.g. '\copy' or '\!'. */
  name: string;
  /** The rest of its line, trimmed (the command's arguments). */
  text: string;
  /** Character offset of the backslash. */
  offset: number;
  /** 1-based line and column. */
  line: number;
  column: number;
}

export interface MetaScan {
  commands: MetaCommand[];
  /** `\;` and `\:`: escaped characters psql passes on without the backslash. */
  escapes: MetaCommand[];
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/**
 * psql versions lex one thing differently: a number followed by letters. psql 14 reads
 * `1e'x'` as 1 then the E-string e'x'; psql 15+ reads `1e` as one (junk) token, then a plain
 * string 'x'. A backslash can be quoted under one reading and bare under the other, so the
 * text is scanned both ways and every command either reading finds is reported.
 */
export function scanMetaCommands(text: string): MetaScan {
  const a = scan(text, false);
  const b = scan(text, true);
  const merge = (x: MetaCommand[], y: MetaCommand[]) => {
    const seen = new Set(x.map((m) => m.offset));
    return [...x, ...y.filter((m) => !seen.has(m.offset))].sort((p, q) => p.offset - q.offset);
  };
  return { commands: merge(a.commands, b.commands), escapes: merge(a.escapes, b.escapes) };
}

function scan(text: string, numberJunk: boolean): MetaScan {
  const commands: MetaCommand[] = [];
  const escapes: MetaCommand[] = [];
  const n = text.length;
  let i = 0;

  // End of a quoted run opened just before `from`: `quote` closes it, a doubled quote is
  // a literal quote, and with `backslashes` a backslash escapes the next character.
  const skipQuoted = (from: number, quote: string, backslashes: boolean): number => {
    for (let j = from; j < n; j++) {
      const c = text[j];
      if (backslashes && c === '\\') j++;
      else if (c === quote) {
        if (text[j + 1] === quote) j++;
        else return j + 1;
      }
    }
    return n; // unterminated: psql keeps reading; nothing after it is a command
  };

  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') (depth++, (j += 2));
        else if (text[j] === '*' && text[j + 1] === '/') (depth--, (j += 2));
        else j++;
      }
      i = j;
    } else if (c === "'") {
      i = skipQuoted(i + 1, "'", false);
    } else if (c === '"') {
      i = skipQuoted(i + 1, '"', false);
    } else if ((c === 'e' || c === 'E') && next === "'") {
      i = skipQuoted(i + 2, "'", true);
    } else if ((c === 'u' || c === 'U') && next === '&' && (text[i + 2] === "'" || text[i + 2] === '"')) {
      i = skipQuoted(i + 3, text[i + 2]!, false);
    } else if (/[bBxXnN]/.test(c) && next === "'") {
      i = skipQuoted(i + 2, "'", false);
    } else if (IDENT_START.test(c)) {
      // A whole identifier, so that `a$b$` or `abcE'x'` are not misread as quotes.
      let j = i + 1;
      while (j < n && IDENT_CONT.test(text[j]!)) j++;
      i = j;
    } else if (numberJunk && /[0-9]/.test(c)) {
      // psql 15+: digits (and a fraction or exponent) with identifier characters glued on are one token.
      let j = i + 1;
      while (j < n && /[0-9.]/.test(text[j]!)) j++;
      while (j < n && IDENT_CONT.test(text[j]!)) j++;
      i = j;
    } else if (c === '$') {
      const tag = DOLLAR_TAG.exec(text.slice(i, i + 200));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
      } else {
        i++; // $1 parameter or a stray $
      }
    } else if (c === '\\') {
      if (next === ';' || next === ':') {
        escapes.push({ name: `\\${next}`, text: '', offset: i, ...lineColumn(text, i) });
        i += 2;
        continue;
      }
      const { line, column } = lineColumn(text, i);
      const word = /^\\(?:[A-Za-z]+[+!]?|[^\sA-Za-z])/.exec(text.slice(i))?.[0] ?? '\\';
      const eol = text.indexOf('\n', i);
      const end = eol === -1 ? n : eol;
      commands.push({ name: word, text: text.slice(i + word.length, end).trim(), offset: i, line, column });
      // The command takes the rest of its line as arguments (or up to a `\\` separator).
      i = end;
    } else {
      i++;
    }
  }
  return { commands, escapes };
}
