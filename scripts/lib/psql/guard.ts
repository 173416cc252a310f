// The input guard for psql-connect. `-c` must be exactly one SQL statement as PostgreSQL's
// own parser sees it (libpg-query, via the SQL core), so quoting tricks cannot hide a second
// statement and dollar-quoted text (what literal() emits) is fine. psql meta-commands run on
// the client machine, so they are refused in -c always and in -f files unless allowed.
// Under --read-only, statements that could end or loosen the read-only transaction are refused.
import { UsageError } from '../cli/errors.js';
import { parseSql, SqlSyntaxError, type Statement } from '../sql/parser.js';
import { scanMetaCommands, type MetaCommand } from './meta.js';

export type GuardCode = 'empty' | 'meta' | 'invalid' | 'multiple' | 'read-only';

/** A refused input: exit code 2, with a machine-readable reason for tests and callers. */
export class GuardError extends UsageError {
  readonly code: GuardCode;
  constructor(code: GuardCode, message: string) {
    super(message);
    this.name = 'GuardError';
    this.code = code;
  }
}

export interface GuardOptions {
  /** The statement will run inside BEGIN READ ONLY ... COMMIT. */
  readOnly?: boolean;
}

const clip = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 50 ? `${flat.slice(0, 47)}...` : flat);
};

function metaError(where: string, meta: MetaCommand, leading: boolean): GuardError {
  const what = `the psql meta-command ${meta.name}`;
  if (leading) {
    return new GuardError('meta', `${where} starts with ${what}, which psql would run on this machine, not on the server; -c takes one SQL statement`);
  }
  return new GuardError('meta', `${where} has a backslash outside quotes at line ${meta.line}, column ${meta.column} (${meta.name}): not SQL, and psql meta-commands are not allowed`);
}

function parseOrRefuse(sql: string, where: string): Statement[] {
  try {
    return parseSql(sql);
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new GuardError('invalid', `${where} is not valid SQL: ${error.message}`);
    throw error;
  }
}

/**
 * Check a -c string: one SQL statement (an optional trailing `;` is fine), no meta-command,
 * not empty. Returns the statement. Needs the SQL parser loaded (`loadParser`).
 */
export function checkCommand(sql: string, options: GuardOptions = {}): Statement {
  const where = '-c';
  if (!/\S/.test(sql)) throw new GuardError('empty', `${where} needs one SQL statement; got ${sql === '' ? 'an empty string' : 'only whitespace'}`);
  // psql itself runs a -c string that starts with a backslash as a meta-command.
  const meta = scanMetaCommands(sql);
  const first = sql.startsWith('\\') ? meta.commands[0] : undefined;
  if (first) throw metaError(where, first, true);
  // Elsewhere the server would reject the backslash; say what it is rather than a syntax error.
  const stray = [...meta.commands, ...meta.escapes].sort((a, b) => a.offset - b.offset)[0];
  if (stray) throw metaError(where, stray, false);
  const statements = parseOrRefuse(sql, where);
  if (statements.length === 0) throw new GuardError('empty', `${where} needs one SQL statement; got only comments`);
  if (statements.length > 1) {
    const second = statements[1]!;
    throw new GuardError(
      'multiple',
      `${where} runs exactly one SQL statement; found ${statements.length} (the second starts at line ${second.line}, column ${second.column}: ${clip(second.text)}); ` +
        'put several statements in a file and run it with -f FILE',
    );
  }
  if (options.readOnly) checkReadOnly(statements, where);
  return statements[0]!;
}

export interface ScriptOptions extends GuardOptions {
  /** Let meta-commands through (psql runs them on this machine). */
  allowMeta?: boolean;
  /** How to name the input in messages, e.g. the file path. */
  name?: string;
}

/**
 * Check the text of a -f script: no meta-commands unless allowed; under --read-only it must
 * also parse, with no statement that could end or loosen the read-only transaction.
 * Needs the SQL parser loaded when `readOnly` is set.
 */
export function checkScript(text: string, options: ScriptOptions = {}): void {
  const where = options.name ?? 'the script';
  const meta = scanMetaCommands(text);
  if (!options.allowMeta && meta.commands.length > 0) {
    const m = meta.commands[0]!;
    const more = meta.commands.length > 1 ? ` (and ${meta.commands.length - 1} more)` : '';
    throw new GuardError(
      'meta',
      `${where} line ${m.line}: the psql meta-command ${m.name} runs on this machine, not on the server${more}; remove it, or pass --allow-meta if you mean it`,
    );
  }
  if (!options.readOnly) return;
  if (meta.commands.length > 0) throw new GuardError('meta', `--read-only cannot be combined with psql meta-commands (${where} line ${meta.commands[0]!.line})`);
  // psql sends `\;` as a plain `;`; give the parser the same text, offsets unchanged.
  let sql = text;
  for (const { offset } of meta.escapes) sql = `${sql.slice(0, offset)} ${sql.slice(offset + 1)}`;
  checkReadOnly(parseOrRefuse(sql, where), where);
}

// SET names that can switch the transaction (or later ones) back to read-write.
const READ_WRITE_SETTINGS = new Set(['transaction_read_only', 'default_transaction_read_only', 'transaction', 'session characteristics']);

/** Refuse statements that would end the read-only transaction or make it read-write. */
export function checkReadOnly(statements: readonly Statement[], where: string): void {
  for (const s of statements) {
    const name = typeof s.node.name === 'string' ? s.node.name.toLowerCase() : '';
    const loosens = s.kind === 'TransactionStmt' || (s.kind === 'VariableSetStmt' && READ_WRITE_SETTINGS.has(name));
    if (loosens) {
      throw new GuardError(
        'read-only',
        `--read-only runs ${where} inside one BEGIN READ ONLY transaction; ${clip(s.text)} at line ${s.line}, column ${s.column} would end it or make it read-write`,
      );
    }
  }
}
