// What explain-plan may execute: SELECT as is, UPDATE/DELETE rewritten to the SELECT that reads
// the same rows (checked by running both on a real PostgreSQL), everything else refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli/errors.js';
import { captureExplain, countResult } from '../../scripts/lib/plan/capture.js';
import { run, StatementError, type SqlSession } from '../../scripts/lib/plan/session.js';
import { prepareStatement } from '../../scripts/lib/plan/statement.js';
import { pglite } from './support.js';

describe('prepareStatement', () => {
  it('keeps a SELECT exactly as written (no trailing semicolon)', async () => {
    const sql = "SELECT o.id FROM orders o WHERE o.tenant_id = 'acme' -- tenant\nORDER BY 1";
    const p = await prepareStatement(`  ${sql};  `);
    expect(p).toMatchObject({ sql, original: sql, originalKind: 'SelectStmt', rewrittenFrom: undefined });
  });

  it('rewrites UPDATE to a SELECT of the target rows and the new values, FROM and WITH kept', async () => {
    const p = await prepareStatement(
      "WITH t AS (SELECT id FROM tenants WHERE active) UPDATE orders o SET status = 'x', total = o.total * 2 FROM t WHERE t.id = o.tenant_id AND o.created_at >= date '2026-01-01' RETURNING o.id",
    );
    expect(p.rewrittenFrom).toBe('UPDATE');
    expect(p.sql).toBe(
      "WITH t AS (SELECT id FROM tenants WHERE active) SELECT o.*, 'x' AS status, o.total * 2 AS total FROM orders AS o, t WHERE t.id = o.tenant_id AND o.created_at >= '2026-01-01'::date",
    );
    expect(p.notes.join(' ')).toMatch(/RETURNING is dropped/);
  });

  it('rewrites DELETE ... USING, keeps ONLY, and multi-column SET becomes one row value', async () => {
    expect((await prepareStatement('DELETE FROM ONLY public.orders AS o USING lines l WHERE l.order_id = o.id')).sql).toBe(
      'SELECT o.* FROM ONLY public.orders AS o, lines AS l WHERE l.order_id = o.id',
    );
    expect((await prepareStatement('DELETE FROM orders WHERE id = 1')).sql).toBe('SELECT * FROM orders WHERE id = 1');
    expect((await prepareStatement('UPDATE t SET (a, b) = (SELECT x, y FROM s WHERE s.id = t.id), c = DEFAULT WHERE id = 1')).sql).toBe(
      'SELECT *, (SELECT ROW(x, y) FROM s WHERE s.id = t.id) AS a FROM t WHERE id = 1',
    );
  });

  it('drops a row-locking clause (a read-only transaction cannot lock) and says so', async () => {
    const p = await prepareStatement('SELECT * FROM orders WHERE id = 1 FOR UPDATE SKIP LOCKED');
    expect(p.sql).toBe('SELECT * FROM orders WHERE id = 1');
    expect(p.rewrittenFrom).toMatch(/FOR UPDATE/);
  });

  it('unwraps a pasted EXPLAIN', async () => {
    const p = await prepareStatement('EXPLAIN (FORMAT JSON) SELECT 1');
    expect(p.sql).toBe('SELECT 1');
    expect(p.notes[0]).toMatch(/EXPLAIN options given were replaced/);
  });

  it.each([
    ['INSERT INTO t VALUES (1)', /^INSERT is refused: /],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', /^MERGE is refused: /],
    ["DO $$ BEGIN PERFORM 1; END $$", /^DO blocks are refused: /],
    ['CALL p(1)', /^CALL is refused: /],
    ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', /^function and procedure definitions are refused: /],
    ['CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$', /^function and procedure definitions are refused: /],
    ['EXPLAIN ANALYZE DELETE FROM t; ', null],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', /^a WITH clause that runs DELETE is refused/],
    ['SELECT * INTO copy FROM t', /^SELECT INTO is refused/],
    ['UPDATE t SET a = 1 WHERE CURRENT OF c', /^WHERE CURRENT OF is refused/],
    ['CREATE TABLE x (id int)', /^Create is not a query/],
    ['SELECT * FROM t WHERE id = $1', /^the statement has a parameter placeholder \(\$1\); put the value/],
    ['SELECT 1; SELECT 2', /^give exactly one statement; found 2/],
    ['  -- nothing\n', /^no SQL statement given$/],
    ['SELEC 1', /^syntax error in the statement: syntax error at or near "SELEC" at line 1, column 1$/],
  ])('%s', async (sql, message) => {
    if (message === null) {
      // EXPLAIN ANALYZE DELETE: the DELETE inside is rewritten like any other.
      expect((await prepareStatement(sql)).sql).toBe('SELECT * FROM t');
      return;
    }
    const error = await prepareStatement(sql).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('rewrites read exactly the rows the statement would change (PostgreSQL 18)', () => {
  let session: SqlSession;
  beforeAll(async () => {
    ({ session } = await pglite(`
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id text NOT NULL, status text, total int);
      CREATE TABLE lines (id int PRIMARY KEY, order_id int NOT NULL);
      INSERT INTO orders SELECT g, 't' || (g % 5), 'new', g FROM generate_series(1, 500) g;
      INSERT INTO lines SELECT g, 1 + g % 300 FROM generate_series(1, 900) g;`));
  });
  afterAll(() => session?.close());

  const affected = async (sql: string): Promise<number> => {
    // The real statement, in a transaction that is rolled back: how many rows it touches.
    await run(session, 'BEGIN');
    try {
      const rows = await run(session, `${sql} RETURNING 1`);
      return rows.length;
    } finally {
      await run(session, 'ROLLBACK');
    }
  };

  it.each([
    "UPDATE orders SET status = 'paid' WHERE tenant_id = 't1' AND total > 100",
    'DELETE FROM orders o USING lines l WHERE l.order_id = o.id AND o.tenant_id = $$t2$$',
    "UPDATE orders o SET total = o.total + 1 FROM (SELECT DISTINCT order_id FROM lines) l WHERE l.order_id = o.id",
  ])('%s', async (sql) => {
    const p = await prepareStatement(sql);
    // With FROM/USING the SELECT is the join the statement runs: a target row appears once per
    // match, so the rows it changes are the distinct target rows.
    const distinct = await run(session, `SELECT count(DISTINCT q.id)::int AS n FROM (${p.sql}) AS q`);
    expect(distinct[0]!.n).toBe(await affected(sql));
    if (!/USING|FROM \(/.test(sql)) expect(await countResult(session, p.sql)).toBe(await affected(sql));
  });

  it('never changes data: the EXPLAIN ANALYZE runs read-only and the table is unchanged after', async () => {
    const before = await run(session, 'SELECT count(*)::int AS n, sum(total)::int AS s FROM orders');
    const p = await prepareStatement("UPDATE orders SET total = 0 WHERE tenant_id = 't3'");
    const { script } = await captureExplain(session, p.sql);
    expect(script[0]).toBe('BEGIN READ ONLY');
    expect(script.at(-1)).toBe('ROLLBACK');
    expect(await run(session, 'SELECT count(*)::int AS n, sum(total)::int AS s FROM orders')).toEqual(before);
    // And the server itself refuses a write inside the same kind of transaction.
    const error = await captureExplain(session, "SELECT * FROM orders WHERE id = nextval('nope')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatementError);
  });
});
