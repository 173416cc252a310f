// The -c and -f guards, checked against their table and against the real psql 15 and
// PostgreSQL 15: every refused -c string is one psql would have run as a meta-command or
// the server would have run as several statements (or refused outright), and every
// accepted one runs as exactly one statement.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand, checkScript, GuardError } from '../../scripts/lib/psql/guard.js';
import { scanMetaCommands } from '../../scripts/lib/psql/meta.js';
import { build, literal } from '../../scripts/lib/sql/safe.js';
import { loadParser } from '../../scripts/lib/sql/parser.js';
import { startPg15, type Pg15 } from '../support/pg15.js';
import { GUARD_CASES, SETUP_SQL, type Verdict } from './guard-cases.js';

beforeAll(loadParser);

function verdictOf(sql: string, readOnly = false): Verdict | 'read-only' {
  try {
    checkCommand(sql, { readOnly });
    return 'one';
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    return error.code === 'empty' || error.code === 'meta' || error.code === 'invalid' || error.code === 'read-only' ? error.code : 'multiple';
  }
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GuardError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('checkCommand: the guard table', () => {
  it('has at least 60 cases of every kind', () => {
    expect(GUARD_CASES.length).toBeGreaterThanOrEqual(60);
    for (const v of ['one', 'multiple', 'meta', 'empty', 'invalid'] as const) expect(GUARD_CASES.some((k) => k.verdict === v)).toBe(true);
  });

  it.each(GUARD_CASES.map((k) => [k.note, k.sql, k.verdict] as const))('%s: %j -> %s', (_note, sql, verdict) => {
    expect(verdictOf(sql)).toBe(verdict);
  });

  it('accepts any literal() output, whatever the text', () => {
    const hostile = ["'; DROP TABLE t; --", '$$ ; $$', 'E\'\\\'\' ; SELECT 2', '\\! rm -rf ~', '/* ; */ -- ;', '$dq_x$;', 'ü;é\n\t'];
    for (const text of hostile) expect(verdictOf(build('SELECT {v}', { v: literal(text) }))).toBe('one');
  });

  it('says where the second statement starts and points to -f', () => {
    const message = messageOf(() => checkCommand("SELECT E'x\\'' ;\n  DROP TABLE t"));
    expect(message).toContain('found 2');
    expect(message).toContain('line 2, column 3');
    expect(message).toContain('"DROP TABLE t"');
    expect(message).toContain('-f FILE');
  });

  it('names the meta-command and its position', () => {
    expect(messageOf(() => checkCommand('\\copy t TO /tmp/x'))).toMatch(/starts with the psql meta-command \\copy/);
    expect(messageOf(() => checkCommand('SELECT 1\n  \\gset'))).toMatch(/line 2, column 3 \(\\gset\)/);
  });

  it('refuses transaction control and read-write switches under --read-only', () => {
    for (const sql of ['COMMIT', 'ROLLBACK', 'END', 'ABORT', 'BEGIN', 'START TRANSACTION READ WRITE', 'SAVEPOINT s', 'PREPARE TRANSACTION \'x\'',
      'SET transaction_read_only = off', 'SET LOCAL transaction_read_only TO off', 'RESET transaction_read_only', 'SET TRANSACTION READ WRITE',
      'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', 'SET default_transaction_read_only = off']) {
      expect(verdictOf(sql, true), sql).toBe('read-only');
      expect(verdictOf(sql, false), sql).toBe('one');
    }
    expect(verdictOf("SELECT 'COMMIT'", true)).toBe('one');
    expect(verdictOf('SET search_path = public', true)).toBe('one');
  });
});

describe('scanMetaCommands and checkScript (-f files)', () => {
  it('finds backslashes only outside quotes and comments', () => {
    const text = [
      "SELECT E'\\\\', 'a\\', $$ \\x $$, \"b\\c\" /* \\d */ ; -- \\e",
      "SELECT U&'\\0041', $t$\\$t$, a$b$\\copy",
      '\\echo one',
      "  SELECT 1 \\g",
      'SELECT 1 \\; SELECT 2;',
    ].join('\n');
    const scan = scanMetaCommands(text);
    expect(scan.commands.map((m) => [m.name, m.line, m.column])).toEqual([
      ['\\copy', 2, 32],
      ['\\echo', 3, 1],
      ['\\g', 4, 12],
    ]);
    expect(scan.escapes.map((m) => [m.name, m.line])).toEqual([['\\;', 5]]);
  });

  it('flags a backslash that either psql 14 or psql 15+ would read as a command', () => {
    // psql 14: 1, then e'\\' ...' (an E-string); psql 15+: the junk token 1e, then '\\' and a bare \echo.
    const text = "SELECT 1e'\\' \\echo hidden '";
    expect(scanMetaCommands(text).commands.map((m) => m.name)).toEqual(['\\echo']);
    expect(scanMetaCommands("SELECT 1e'\\'' \\echo x'").commands).toHaveLength(1);
    expect(scanMetaCommands("SELECT 1 AS e, e'\\' \\echo quoted'").commands).toEqual([]);
  });

  it('refuses meta-commands unless allowed, naming file and line', () => {
    expect(() => checkScript('SELECT 1;\n\\! id\n', { name: 'm.sql' })).toThrow(/m\.sql line 2: the psql meta-command \\! runs on this machine.*--allow-meta/);
    expect(() => checkScript('SELECT 1;\n\\! id\n', { allowMeta: true })).not.toThrow();
    expect(() => checkScript("SELECT '\\! id';\n")).not.toThrow();
  });

  it('under --read-only, parses the script and refuses transaction control; \\; counts as a separator', () => {
    expect(() => checkScript('SELECT 1;\nSELECT 2;\n', { readOnly: true })).not.toThrow();
    expect(() => checkScript('SELECT 1;\nCOMMIT;\nINSERT INTO t VALUES (1);', { readOnly: true, name: 'x.sql' })).toThrow(/"COMMIT" at line 2, column 1/);
    expect(() => checkScript('SELECT 1 \\; COMMIT', { readOnly: true })).toThrow(/"COMMIT"/);
    expect(() => checkScript('SELECT 1;\nSELEC 2;', { readOnly: true })).toThrow(/not valid SQL/);
  });
});

describe('the guard against the real psql 15 and PostgreSQL 15', () => {
  let pg: Pg15;
  let cwd: string;
  beforeAll(async () => {
    // pg_stat_statements (track = top) counts each top-level statement the server ran,
    // not the statements inside a DO block or a function body.
    pg = await startPg15({ conf: ["shared_preload_libraries = 'pg_stat_statements'", 'pg_stat_statements.track = top'] });
    pg.sql(`CREATE EXTENSION pg_stat_statements; ${SETUP_SQL}`);
    cwd = mkdtempSync(join(tmpdir(), 'dsql-guard-'));
  });
  afterAll(() => pg?.stop());

  /** Run `psql -c sql`; count the top-level statements the server completed; tell whether it received the text itself. */
  function psqlC(sql: string) {
    pg.sql('SELECT pg_stat_statements_reset()');
    // log_statement reports each query string the server receives back to psql's stderr.
    const env = { ...pg.psqlEnv(), PGOPTIONS: '-c log_statement=all -c client_min_messages=log' };
    const r = spawnSync('psql', ['-X', '-c', sql], { env, cwd, encoding: 'utf8', timeout: 20_000 });
    const ran = Number(pg.sql(`SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'`));
    return { code: r.status, stderr: r.stderr, ran, received: r.stderr.includes(`LOG:  statement: ${sql}`) };
  }

  const serverCases = GUARD_CASES.filter((k) => !k.dsqlOnly);
  it.each(serverCases.map((k) => [k.note, k.sql, k.verdict] as const))('%s: %j', (_note, sql, verdict) => {
    const r = psqlC(sql);
    const context = `${JSON.stringify(sql)} ran ${r.ran}\n${r.stderr.slice(0, 400)}`;
    if (sql.startsWith('\\')) {
      // psql ran it as a meta-command: the server never saw this text.
      expect(verdict, context).toBe('meta');
      expect(r.received, context).toBe(false);
      return;
    }
    if (verdict === 'one') {
      expect(r.code, context).toBe(0);
      expect(r.ran, context).toBe(1);
    } else if (verdict === 'multiple') {
      expect(r.ran, context).toBeGreaterThanOrEqual(2);
    } else if (verdict === 'empty') {
      expect(r.code, context).toBe(0);
      expect(r.ran, context).toBe(0);
    } else {
      // Not SQL (a stray backslash, or a syntax error): the server refused the whole string.
      expect(r.code, context).not.toBe(0);
      expect(r.ran, context).toBe(0);
      expect(r.stderr, context).toMatch(/ERROR: {2}(syntax error|unterminated)/);
    }
  });

  it('psql -f runs a meta-command exactly where scanMetaCommands finds one', () => {
    const scripts = [
      "SELECT E'\\\\'; \\echo META_SEEN\n",
      "SELECT 'a\\'; \\echo META_SEEN\n",
      "SELECT $$ \\echo NOT_META $$;\n",
      "SELECT $t$ $$ \\echo NOT_META $t$;\n",
      'SELECT 1 AS "\\echo NOT_META";\n',
      "SELECT U&'\\0041' AS \"x\\echo NOT_META\";\n",
      '/* \\echo NOT_META /* nested */ \\echo NOT_META */ SELECT 1;\n',
      '-- \\echo NOT_META\nSELECT 1;\n',
      'SELECT 1 AS a$b$\\echo META_SEEN\n',
      "SELECT E'\\'' AS x; \\echo META_SEEN\n",
      "SELECT 'x'\n'y' AS z; \\echo META_SEEN\n",
      "SELECT B'1' \\echo META_SEEN\n",
      'SELECT 1 \\; SELECT 2;\n',
      "SELECT 1e'\\' \\echo META_SEEN '\n;\n",
      "SELECT E'x\\'; \\echo NOT_META';\n",
    ];
    for (const script of scripts) {
      const r = spawnSync('psql', ['-X', '-f', '-'], { env: pg.psqlEnv(), cwd, input: script, encoding: 'utf8', timeout: 20_000 });
      // \echo prints its word alone on a line; a selected value never is (aligned output pads it).
      const ranMeta = /^META_SEEN$/m.test(r.stdout);
      expect(r.stdout, script).not.toMatch(/^NOT_META$/m);
      expect(scanMetaCommands(script).commands.length > 0, script).toBe(ranMeta);
      expect(ranMeta, script).toBe(script.includes('META_SEEN'));
    }
  });
});
