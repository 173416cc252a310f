// The -c guard table: inputs and the verdict the guard must give. guard.test.ts checks each
// verdict against checkCommand and, where a real server can tell, against what psql 15 and
// PostgreSQL 15 actually do with the same -c string.
import { build, ident, literal } from '../../scripts/lib/sql/safe.js';

export type Verdict = 'one' | 'multiple' | 'meta' | 'empty' | 'invalid';

export interface GuardCase {
  sql: string;
  verdict: Verdict;
  note: string;
  /** Syntax stock PostgreSQL 15 rejects (DSQL's own): not run against the real server. */
  dsqlOnly?: boolean;
}

const c = (verdict: Verdict, sql: string, note: string, extra: Partial<GuardCase> = {}): GuardCase => ({ sql, verdict, note, ...extra });

// Objects the real-server check creates first, so single statements can run: table t(a, "semi;colon").
export const SETUP_SQL = `CREATE TABLE t (a int, "semi;colon" text); CREATE TABLE notes (body text)`;

export const GUARD_CASES: GuardCase[] = [
  // One statement: semicolons and quotes inside literals, identifiers and comments.
  c('one', 'SELECT 1', 'plain'),
  c('one', 'SELECT 1;', 'one trailing semicolon'),
  c('one', 'SELECT 1 ;   ', 'trailing semicolon and spaces'),
  c('one', '  \n SELECT 1;\n', 'leading and trailing whitespace'),
  c('one', 'SELECT 1;;', 'an empty statement after the real one runs nothing'),
  c('one', "SELECT ';'", 'semicolon in a string'),
  c('one', "SELECT 'a'';b'", 'doubled quote in a string'),
  c('one', "SELECT 'it''s; fine' AS x", 'doubled quote and semicolon'),
  c('one', "SELECT E'x\\';y'", 'E-string: escaped quote, then a semicolon still inside'),
  c('one', "SELECT E'\\\\'' ; SELECT 2'", "E-string: escaped backslash then '' keeps the string open"),
  c('one', "SELECT E'\\x3B'", 'E-string hex escape for ;'),
  c('one', "SELECT e'a\\nb;c'", 'lower-case e prefix'),
  c('one', 'SELECT $$a;b$$', 'dollar quote with semicolon'),
  c('one', 'SELECT $tag$ $$ ; $tag$', 'tagged dollar quote holding $$'),
  c('one', 'SELECT $a$ $b$ ; $b$ $a$', 'nested tags'),
  c('one', 'SELECT $_$;$_$', 'underscore tag'),
  c('one', 'SELECT $dq_5f3a9c0e12ab$it\'s; DROP TABLE t; --$dq_5f3a9c0e12ab$', "safe_query literal() shape"),
  c('one', build('INSERT INTO {t} (body) VALUES ({b})', { t: ident('notes'), b: literal("x'; DROP TABLE t; -- $$ \\ E'") }), 'real literal() output with hostile text'),
  c('one', build('SELECT {v} AS v', { v: literal('line one;\nline two $x$ ; \\copy') }), 'real literal() output with a newline and a backslash command'),
  c('one', "SELECT '$$' || ';'", 'dollars inside a plain string'),
  c('one', 'SELECT "semi;colon" FROM t', 'quoted identifier with a semicolon'),
  c('one', 'SELECT 1 AS "a""; b"', 'doubled quote in a quoted identifier'),
  c('one', 'SELECT 1 AS "$$"', 'dollars in a quoted identifier'),
  c('one', 'SELECT 1 AS "--", \'/*\' AS x', 'comment markers in quotes'),
  c('one', "SELECT U&'d\\0061t;a'", "U&'' string with a Unicode escape and a semicolon"),
  c('one', "SELECT U&'\\0041;' AS x", "U&'' escape then semicolon"),
  c('one', 'SELECT U&"a;b" FROM (SELECT 1 AS "a;b") s', 'U&"" identifier with a semicolon'),
  c('one', "SELECT B'1010', X'1F'", 'bit strings'),
  c('one', "SELECT N'nat;ional'", 'national string'),
  c('one', 'SELECT 1 -- trailing; comment', 'line comment hides a semicolon'),
  c('one', 'SELECT 1 -- ; SELECT 2', 'line comment hides a second statement'),
  c('one', 'SELECT 1 /* ; */', 'block comment with semicolon'),
  c('one', 'SELECT /* nested /* ; */ still comment ; */ 1', 'nested block comments'),
  c('one', '/* ; SELECT 2; */ SELECT 1', 'comment before the statement hides another'),
  c('one', '-- leading comment\nSELECT 1', 'leading line comment'),
  c('one', 'SELECT 1;\n-- trailing comment; after', 'comment after the trailing semicolon'),
  c('one', 'SELECT 1; /* after */', 'block comment after the trailing semicolon'),
  c('one', "SELECT 'a'\n'b'", 'string continued on the next line'),
  c('one', "SELECT 'é;ü' AS \"ünï;\"", 'non-ASCII text'),
  c('one', 'SELECT 1 AS a$b$', 'identifier containing dollars (not a dollar quote)'),
  c('one', "EXPLAIN ANALYZE VERBOSE SELECT 'x;y'", 'EXPLAIN with a literal semicolon'),
  c('one', "WITH x AS (SELECT ';' AS s) SELECT * FROM x", 'CTE'),
  c('one', 'INSERT INTO t (a) VALUES (1) RETURNING a', 'write statement'),
  c('one', 'CREATE TEMP TABLE tt (a int);', 'DDL'),
  c('one', 'DO $$ BEGIN PERFORM 1; PERFORM 2; END $$', 'DO block: semicolons inside the body'),
  c('one', 'CREATE OR REPLACE FUNCTION f_atomic() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END', 'SQL-standard body with inner statements'),
  c('one', "SELECT 'don''t' || $$;$$ || E'\\';'", 'three quoting styles in a row'),
  c('one', 'CREATE INDEX ASYNC t_a ON t (a)', "DSQL's ASYNC index", { dsqlOnly: true }),
  c('one', "AWS IAM GRANT app_reader TO 'arn:aws:iam::123456789012:role/reader'", "DSQL's IAM role mapping", { dsqlOnly: true }),
  c('multiple', "AWS IAM REVOKE app_reader FROM 'arn:aws:iam::123456789012:role/reader'; DROP TABLE t", "DSQL's IAM statement then a second one", { dsqlOnly: true }),

  // Several statements: every one of these would run more than one statement.
  c('multiple', 'SELECT 1; SELECT 2', 'two statements'),
  c('multiple', 'SELECT 1;SELECT 2;', 'two, no spaces'),
  c('multiple', "SELECT E'x\\'' ; DROP TABLE IF EXISTS nothing_here ; SELECT 'y'", "the seed guard's bypass: an E-string escaped quote"),
  c('multiple', "SELECT '' ; DROP TABLE IF EXISTS nothing_here", 'empty string then a second statement'),
  c('multiple', "SELECT 'a\\'; SELECT 2 --'", 'standard string: backslash does not escape the quote'),
  c('multiple', "SELECT E'\\\\'; SELECT 2", 'E-string ending in an escaped backslash'),
  c('multiple', 'SELECT 1 /* ; */ ; SELECT 2', 'comment, then a real semicolon'),
  c('multiple', 'SELECT 1 -- comment\n; SELECT 2', 'line comment ends at the newline'),
  c('multiple', "SELECT 'a'/*;*/; SELECT 2", 'comment glued to a string'),
  c('multiple', '/* lead */ SELECT 1; /* mid */ SELECT 2 /* end */', 'comments around two statements'),
  c('multiple', 'SELECT 1; -- note\nSELECT 2', 'comment between statements'),
  c('multiple', 'SELECT $$a$$; SELECT $b$;$b$', 'dollar quotes in both'),
  c('multiple', 'SELECT $a$ $b$ $a$; SELECT 2', 'inner tag does not close the outer'),
  c('multiple', 'SELECT $tag$;$tag$; SELECT $tag$;$tag$', 'same tag twice'),
  c('multiple', 'SELECT 1 AS "a;b"; SELECT 2', 'quoted identifier then a second statement'),
  c('multiple', 'SELECT \'x\' AS "y"";"; SELECT 2', 'doubled quote in an identifier then a second statement'),
  c('multiple', "SELECT U&'\\0041'; SELECT 2", "U&'' string then a second statement"),
  c('multiple', "SELECT n'a'; SELECT 2", 'national string then a second statement'),
  c('multiple', "SELECT x'0F'; SELECT 2", 'hex bit string then a second statement'),
  c('multiple', 'SELECT 1 AS a$b; SELECT 2', 'dollar inside an identifier does not open a quote'),
  c('multiple', 'SELECT 1;\nSELECT 2;\n', 'one per line'),
  c('multiple', 'SELECT 1\n;\nSELECT 2', 'semicolon on its own line'),
  c('multiple', 'SELECT 1 ; ; SELECT 2', 'empty statement between two'),
  c('multiple', 'BEGIN; SELECT 1; COMMIT', 'transaction in one string'),
  c('multiple', 'CREATE TEMP TABLE m (a int); INSERT INTO m VALUES (1)', 'DDL then DML'),
  c('multiple', 'SELECT 1; DO $$ BEGIN PERFORM 1; END $$', 'statement then a DO block'),
  c('multiple', 'VALUES (1); VALUES (2)', 'two VALUES'),

  // psql meta-commands: a leading backslash is run by psql itself, on this machine.
  c('meta', '\\! echo planted-shell', 'shell escape'),
  c('meta', "\\copy (SELECT 1) TO '/dev/null'", 'client-side file write'),
  c('meta', '\\i /nonexistent/dsql-skill-test.sql', 'include a local file'),
  c('meta', '\\ir nowhere.sql', 'include relative'),
  c('meta', '\\o /dev/null', 'redirect output to a file'),
  c('meta', '\\w /dev/null', 'write the query buffer to a file'),
  c('meta', '\\conninfo', 'connection info'),
  c('meta', '\\c postgres', 'reconnect'),
  c('meta', '\\set x 1', 'set a psql variable'),
  c('meta', '\\setenv DSQL_SKILL_TEST 1', 'set an environment variable'),
  c('meta', '\\echo SELECT 1; SELECT 2', 'echo'),
  c('meta', '\\', 'a lone backslash'),
  // A backslash elsewhere reaches the server, which refuses it; the guard names it instead.
  c('meta', 'SELECT 1 \\gset', 'trailing meta-command'),
  c('meta', ' \\conninfo', 'leading space: psql sends it to the server'),
  c('meta', 'SELECT 1; \\! echo x', 'meta-command after a statement'),
  c('meta', 'SELECT 1 \\; SELECT 2', 'escaped semicolon'),
  c('meta', 'SELECT 1\n\\! echo hi', 'meta-command on the second line'),

  // Nothing to run.
  c('empty', '', 'empty string'),
  c('empty', '   ', 'spaces'),
  c('empty', '\n\t\n', 'newlines and a tab'),
  c('empty', '-- only a comment', 'line comment only'),
  c('empty', '/* only */', 'block comment only'),
  c('empty', ';', 'a lone semicolon'),
  c('empty', ' ; ; ', 'empty statements only'),

  // Not SQL: the server would refuse the whole string, so nothing would run.
  c('invalid', "SELECT 'unterminated", 'unterminated string'),
  c('invalid', 'SELECT $$unterminated', 'unterminated dollar quote'),
  c('invalid', 'SELECT $a$ x $b$', 'dollar quote closed with another tag'),
  c('invalid', 'SELEC 1', 'misspelt keyword'),
  c('invalid', 'SELECT 1 /* unterminated ; SELECT 2', 'unterminated comment hides a statement'),
  c('invalid', "SELECT E'unterminated\\'", 'E-string whose last quote is escaped'),
  c('invalid', 'SELECT "unterminated', 'unterminated identifier'),
  c('invalid', "SELECT 1; SELECT 'unterminated", 'second statement broken: nothing runs'),
];
