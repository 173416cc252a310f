import { beforeAll, describe, expect, it } from 'vitest';
import { lineColumn, loadParser, parseSql, SqlSyntaxError, tokenize } from '../../scripts/lib/sql/parser.js';

beforeAll(loadParser);

const one = (sql: string) => {
  const stmts = parseSql(sql);
  expect(stmts).toHaveLength(1);
  return stmts[0]!;
};

function syntaxErrorOf(sql: string): SqlSyntaxError {
  try {
    parseSql(sql);
  } catch (error) {
    expect(error).toBeInstanceOf(SqlSyntaxError);
    return error as SqlSyntaxError;
  }
  throw new Error(`expected a syntax error for ${sql}`);
}

describe('parseSql: statements and spans', () => {
  it('gives nothing for empty, blank and comment-only input', () => {
    expect(parseSql('')).toEqual([]);
    expect(parseSql('  \n\t ')).toEqual([]);
    expect(parseSql('-- just a note\n/* and /* nested */ block */')).toEqual([]);
    expect(parseSql(';;')).toEqual([]);
  });

  it('keeps exact text, offsets, line and column of each statement', () => {
    const sql = "SELECT 1;\n  -- lead\n  INSERT INTO t VALUES ('a;b') ; /* x */ SELECT 'é', 2";
    const [a, b, c] = parseSql(sql);
    expect(a).toMatchObject({ index: 0, kind: 'SelectStmt', text: 'SELECT 1', start: 0, end: 8, line: 1, column: 1 });
    expect(b).toMatchObject({ kind: 'InsertStmt', text: "INSERT INTO t VALUES ('a;b')", line: 3, column: 3 });
    expect(sql.slice(b!.start, b!.end)).toBe(b!.text);
    expect(c).toMatchObject({ kind: 'SelectStmt', text: "SELECT 'é', 2", line: 3, column: 42 });
    expect(sql.slice(c!.start, c!.end)).toBe("SELECT 'é', 2");
    // 'é' is two bytes in UTF-8: byte offsets run one ahead of character offsets after it.
    expect(c!.byteStart).toBe(Buffer.byteLength(sql.slice(0, c!.start)));
    expect(c!.byteEnd - c!.byteStart).toBe(Buffer.byteLength(c!.text));
  });

  it('does not split inside dollar quotes, E-strings, quoted identifiers or comments', () => {
    const sql = [
      'SELECT $$a;b$$, $tag$ $$ ; $tag$',
      "SELECT E'it\\'s; still one'",
      'SELECT 1 AS "semi;colon"',
      "SELECT 'x' /* ; */ -- ;\n  , U&'d\\0061t;a'",
      'DO $body$ BEGIN PERFORM 1; PERFORM 2; END $body$',
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
    ].join(';\n');
    const stmts = parseSql(sql);
    expect(stmts.map((s) => s.kind)).toEqual(['SelectStmt', 'SelectStmt', 'SelectStmt', 'SelectStmt', 'DoStmt', 'CreateFunctionStmt']);
    expect(stmts[1]!.text).toBe("SELECT E'it\\'s; still one'");
    expect(stmts[3]!.tokens.filter((t) => t.comment).map((t) => t.text)).toEqual(['/* ; */', '-- ;']);
  });

  it('trims comments around statements exactly, wherever they are', () => {
    const cases: [string, string[]][] = [
      ['/* a /* nested */ lead */ -- line\n  SELECT 1 /* before ; */ ; SELECT 2 -- tail', ['SELECT 1', 'SELECT 2']],
      ["SELECT '--not a comment'", ["SELECT '--not a comment'"]],
      ["SELECT '--', 1 -- but this is\n", ["SELECT '--', 1"]],
      ['SELECT $$ */ $$', ['SELECT $$ */ $$']],
      ['SELECT 1 /* c1 */ /* c2 */', ['SELECT 1']],
      ['SELECT 1\n-- only a comment on the last line', ['SELECT 1']],
      ['SELECT 2 - -1', ['SELECT 2 - -1']],
      ['SELECT 1 -- a\n; SELECT 3 /* b */;', ['SELECT 1', 'SELECT 3']],
    ];
    for (const [sql, texts] of cases) {
      const stmts = parseSql(sql);
      expect(stmts.map((s) => s.text), sql).toEqual(texts);
      for (const s of stmts) {
        expect(sql.slice(s.start, s.end)).toBe(s.text);
        // Tokens (scanned on demand) start and end where the text does.
        const code = s.tokens.filter((t) => !t.comment);
        expect([code[0]!.start, code[code.length - 1]!.end]).toEqual([s.start, s.end]);
      }
    }
  });

  it('handles a 1,000-statement input', () => {
    const sql = Array.from({ length: 1000 }, (_, i) => `INSERT INTO t (id, note) VALUES (${i}, 'row; ${i}')`).join(';\n') + ';';
    const stmts = parseSql(sql);
    expect(stmts).toHaveLength(1000);
    expect(stmts[999]).toMatchObject({ line: 1000, column: 1, text: "INSERT INTO t (id, note) VALUES (999, 'row; 999')" });
  });

  it('reports syntax errors with line and column', () => {
    const e = syntaxErrorOf("SELECT 1;\nSELECT 'ééé' FROM WHERE");
    expect(e.message).toBe('syntax error at or near "WHERE" at line 2, column 19');
    expect(e.offset).toBe("SELECT 1;\nSELECT 'ééé' FROM ".length);
  });

  it('reports unterminated quotes and comments', () => {
    expect(syntaxErrorOf("SELECT 'abc").message).toMatch(/^unterminated quoted string .* line 1, column 8$/);
    expect(syntaxErrorOf('SELECT $q$abc').message).toMatch(/^unterminated dollar-quoted string/);
    expect(syntaxErrorOf('SELECT "abc').message).toMatch(/^unterminated quoted identifier/);
    expect(syntaxErrorOf('SELECT 1 /* open').message).toMatch(/^unterminated \/\* comment/);
  });

  it('refuses NUL characters (the C parser would stop reading at one)', () => {
    expect(syntaxErrorOf('SELECT 1;\0DROP TABLE t').message).toBe('input contains a NUL character at line 1, column 10');
  });
});

describe('parseSql: DSQL ASYNC syntax', () => {
  it('reads CREATE INDEX ASYNC, named and unnamed, with UNIQUE and IF NOT EXISTS', () => {
    const unnamed = one('CREATE INDEX ASYNC ON t (c)');
    expect(unnamed).toMatchObject({ kind: 'IndexStmt', async: true, text: 'CREATE INDEX ASYNC ON t (c)' });
    expect(unnamed.node.idxname).toBeUndefined();

    const [a, b] = parseSql('CREATE UNIQUE INDEX ASYNC IF NOT EXISTS idx ON t (a); create index async i2 on s.t (b)');
    expect(a).toMatchObject({ async: true, node: { idxname: 'idx', unique: true, if_not_exists: true } });
    expect(b).toMatchObject({ async: true, node: { idxname: 'i2', relation: { schemaname: 's', relname: 't' } } });
    expect(b!.text).toBe('create index async i2 on s.t (b)');
  });

  it('tells an index named async apart from the ASYNC keyword', () => {
    expect(one('CREATE INDEX "async" ON t (c)')).toMatchObject({ async: false, node: { idxname: 'async' } });
    expect(one('CREATE INDEX ASYNC async ON t (c)')).toMatchObject({ async: true, node: { idxname: 'async' } });
    expect(one('CREATE INDEX IF NOT EXISTS async ON t (c)')).toMatchObject({ async: false, node: { idxname: 'async' } });
    expect(one('CREATE INDEX async_idx ON t (c)')).toMatchObject({ async: false, node: { idxname: 'async_idx' } });
    expect(one('DROP INDEX async')).toMatchObject({ kind: 'DropStmt', async: false });
  });

  it('reads ALTER TABLE ASYNC ... VALIDATE CONSTRAINT, and a table named async', () => {
    const v = one('ALTER TABLE ASYNC orders VALIDATE CONSTRAINT fk_customer');
    expect(v).toMatchObject({ kind: 'AlterTableStmt', async: true, node: { relation: { relname: 'orders' } } });
    expect(one('ALTER TABLE ASYNC async VALIDATE CONSTRAINT c')).toMatchObject({ async: true, node: { relation: { relname: 'async' } } });
    expect(one('ALTER TABLE async ADD COLUMN x int')).toMatchObject({ async: false, node: { relation: { relname: 'async' } } });
    expect(one('ALTER TABLE async VALIDATE CONSTRAINT c')).toMatchObject({ async: false, node: { relation: { relname: 'async' } } });
  });

  it('keeps offsets exact and marks only the statement that had ASYNC', () => {
    const sql = 'SELECT 1; CREATE INDEX ASYNC ix ON t (a); SELECT 2';
    const stmts = parseSql(sql);
    expect(stmts.map((s) => s.async)).toEqual([false, true, false]);
    expect(stmts[1]!.text).toBe('CREATE INDEX ASYNC ix ON t (a)');
    expect(stmts[1]!.start).toBe(10);
  });

  it('finds ASYNC exactly however it is written or hidden', () => {
    const str = one("SELECT 'create index async on t (c)'");
    expect(str.async).toBe(false);
    expect(JSON.stringify(str.ast)).toContain('create index async on t (c)'); // the string is untouched
    expect(parseSql('-- CREATE INDEX ASYNC x ON t (c)\nSELECT 1').map((s) => [s.kind, s.async])).toEqual([['SelectStmt', false]]);
    expect(one('CREATE /* note */ INDEX ASYNC ON t (c)')).toMatchObject({ async: true, node: { relation: { relname: 't' } } });
    expect(one('CREATE /* note */ INDEX ASYNC ON t (c)').node.idxname).toBeUndefined();
    expect(parseSql("CREATE INDEX ASYNC ON t (c); SELECT 'async'").map((s) => s.async)).toEqual([true, false]);
    expect(parseSql("CREATE INDEX\n  ASYNC i ON t (c); CREATE UNIQUE INDEX ASYNC ON t (d); SELECT '--'").map((s) => s.async)).toEqual([true, true, false]);
    expect(parseSql('SELECT "create index async" FROM t').map((s) => s.async)).toEqual([false]);
  });

  it("reads DSQL's AWS IAM GRANT and REVOKE as one statement each", () => {
    const [grant, revoke, select] = parseSql(
      "AWS IAM GRANT app_reader TO 'arn:aws:iam::123456789012:role/reader'; aws iam revoke app_reader from 'arn:aws:iam::123456789012:role/reader'; SELECT 'aws iam grant'",
    );
    expect(grant).toMatchObject({ kind: 'GrantRoleStmt', iam: 'grant', text: "AWS IAM GRANT app_reader TO 'arn:aws:iam::123456789012:role/reader'", start: 0 });
    expect(JSON.stringify(grant!.node)).toContain('"rolename":"arn:aws:iam::123456789012:role/reader"');
    expect(revoke).toMatchObject({ kind: 'GrantRoleStmt', iam: 'revoke' });
    expect(revoke!.text.startsWith('aws iam revoke')).toBe(true);
    expect(select).toMatchObject({ kind: 'SelectStmt' });
    expect(select!.iam).toBeUndefined();
    expect(syntaxErrorOf('AWS IAM GRANT r TO bare_name').message).toMatch(/^syntax error at or near "AWS"/);
  });

  it('still reports real syntax errors near ASYNC', () => {
    expect(syntaxErrorOf('CREATE INDEX ASYNC ON').message).toMatch(/^syntax error at end of input/);
    expect(syntaxErrorOf('ALTER TABLE ASYNC t FROBNICATE').message).toBe('syntax error at or near "FROBNICATE" at line 1, column 21');
  });
});

describe('tokenize and lineColumn', () => {
  it('gives tokens with character offsets and keywords', () => {
    const tokens = tokenize("select 'é' -- hi\n");
    expect(tokens.map((t) => [t.text, t.keyword, t.comment])).toEqual([
      ['select', 'SELECT', false],
      ["'é'", undefined, false],
      ['-- hi', undefined, true],
    ]);
    expect(tokens[2]!.start).toBe(11);
  });

  it('computes 1-based positions', () => {
    expect(lineColumn('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});
