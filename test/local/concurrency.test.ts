// Several clients on one local DSQL: a transaction holds the engine and the others wait;
// a waiter that gives up gets DSQL's retryable 40001; a client that dies mid-transaction is
// rolled back and does not block anyone.
import { spawn } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSACTION_RULES } from '../../scripts/lib/rules/index.js';
import { SYNC, writeQuery } from '../../scripts/lib/local/wire.js';
import { attempt, connect, extendedStatement, freshName, rawConnect, startTestServer, type TestServer } from './support.js';

let server: TestServer;
let a: pg.Client;
let b: pg.Client;

// Short, so the waiting tests are quick; long enough for the busy tests not to trip it.
const LOCK_WAIT_MS = 1500;

beforeAll(async () => {
  server = await startTestServer({ lockWaitMs: LOCK_WAIT_MS });
  a = await connect(server);
  b = await connect(server);
});

afterAll(async () => {
  await a?.end();
  await b?.end();
  await server?.stop();
});

async function table(): Promise<string> {
  const name = freshName();
  await a.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, who text)`);
  return name;
}

const count = async (c: pg.Client, t: string, where = 'true') => ((await c.query(`SELECT count(*)::int AS n FROM ${t} WHERE ${where}`)).rows[0] as { n: number }).n;

describe('two clients', () => {
  it('run transactions side by side without losing or mixing rows', async () => {
    const t = await table();
    const work = async (c: pg.Client, who: string, base: number) => {
      for (let i = 0; i < 60; i++) {
        await c.query('BEGIN');
        await c.query(`INSERT INTO ${t} VALUES ($1, $2)`, [base + 2 * i, who]);
        await c.query(`SELECT count(*) FROM ${t} WHERE who = $1`, [who]);
        await c.query(`INSERT INTO ${t} VALUES ($1, $2)`, [base + 2 * i + 1, who]);
        await c.query(i % 5 === 4 ? 'ROLLBACK' : 'COMMIT');
      }
    };
    await Promise.all([work(a, 'a', 0), work(b, 'b', 10_000)]);
    expect(await count(a, t, "who = 'a'")).toBe(96);
    expect(await count(b, t, "who = 'b'")).toBe(96);
  });

  it('never show one client another client\'s uncommitted rows: the second waits for the first', async () => {
    const t = await table();
    await a.query('BEGIN');
    await a.query(`INSERT INTO ${t} VALUES (1, 'a')`);
    let seen: number | undefined;
    const reading = count(b, t).then((n) => (seen = n));
    // b is queued behind a's open transaction (its query has not been answered).
    await a.query(`INSERT INTO ${t} VALUES (2, 'a')`);
    expect(seen).toBeUndefined();
    await a.query('COMMIT');
    await reading;
    expect(seen).toBe(2);
  });

  it('keeps a rollback to its own client', async () => {
    const t = await table();
    await a.query('BEGIN');
    await a.query(`INSERT INTO ${t} VALUES (1, 'a')`);
    const other = b.query(`INSERT INTO ${t} VALUES (2, 'b')`);
    await a.query('ROLLBACK');
    await other;
    expect((await a.query(`SELECT who FROM ${t} ORDER BY id`)).rows).toEqual([{ who: 'b' }]);
  });

  it('answers a client that waits too long with DSQL\'s 40001, and its retry succeeds', async () => {
    const t = await table();
    const conflict = TRANSACTION_RULES.dataConflict;
    // One thread interleaving two transactions: b cannot start until a finishes.
    await a.query('BEGIN');
    await a.query(`INSERT INTO ${t} VALUES (1, 'a')`);
    expect(await attempt(b, 'BEGIN')).toMatchObject({ ok: false, code: conflict.sqlstate, message: conflict.message });
    expect(await attempt(b, { text: `INSERT INTO ${t} VALUES ($1, $2)`, values: [2, 'b'] })).toMatchObject({ code: conflict.sqlstate });
    await a.query('COMMIT');
    // b was never in a transaction; its retry runs normally.
    expect((await attempt(b, 'BEGIN')).ok).toBe(true);
    expect((await attempt(b, `INSERT INTO ${t} VALUES (2, 'b')`)).ok).toBe(true);
    expect((await attempt(b, 'COMMIT')).command).toBe('COMMIT');
    expect(await count(a, t)).toBe(2);
  });

  it('forgets a pipeline that waited too long: the client is idle after the 40001, as the protocol told it', async () => {
    const raw = await rawConnect(server);
    try {
      const conflict = TRANSACTION_RULES.dataConflict;
      await a.query('BEGIN');
      raw.send(...extendedStatement('BEGIN'), ...extendedStatement(`CREATE TABLE ${freshName()} (x int)`), SYNC);
      const answer = await raw.untilReady();
      expect(answer.map((m) => m.fields?.get('C') ?? m.type)).toEqual([conflict.sqlstate, 'Z']);
      await a.query('COMMIT');
      // Neither the BEGIN nor the DDL ran: a DDL in autocommit is the first of its transaction.
      raw.send(writeQuery(`CREATE TABLE ${freshName()} (x int)`));
      expect((await raw.untilReady()).map((m) => m.fields?.get('M') ?? m.type)).toEqual(['C', 'Z']);
    } finally {
      raw.end();
    }
  });
});

describe('a client that goes away', () => {
  it('is rolled back when it drops mid-transaction, and the others carry on', async () => {
    const t = await table();
    const doomed = await connect(server);
    doomed.on('error', () => {});
    await doomed.query('BEGIN');
    await doomed.query(`INSERT INTO ${t} VALUES (1, 'doomed')`);
    const waiting = count(a, t);
    (doomed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect(await waiting).toBe(0);
    expect((await attempt(b, `INSERT INTO ${t} VALUES (1, 'b')`)).ok).toBe(true); // the key is free
  });

  it('is cleaned up when it drops in the middle of an extended-protocol pipeline', async () => {
    const t = await table();
    const doomed = await connect(server);
    doomed.on('error', () => {});
    await doomed.query({ name: 'kept', text: 'SELECT 1' });
    await doomed.query('BEGIN');
    await doomed.query(`INSERT INTO ${t} VALUES (1, 'doomed')`);
    // Parse/Bind/Execute/Flush with no Sync, then the connection dies.
    const conn = (doomed as unknown as { connection: { parse(q: object): void; bind(q: object): void; execute(q: object): void; flush(): void; stream: { destroy(): void } } }).connection;
    conn.parse({ text: `INSERT INTO ${t} VALUES (2, 'doomed')` });
    conn.bind({});
    conn.execute({});
    conn.flush();
    await new Promise((r) => setTimeout(r, 50));
    conn.stream.destroy();
    expect(await count(a, t)).toBe(0);
    // Its prepared statement was closed too (PGlite keeps them for the whole engine).
    const left = await a.query("SELECT name FROM pg_prepared_statements WHERE name LIKE '%kept'");
    expect(left.rows).toEqual([]);
  });

  it('is rolled back when psql is killed (SIGKILL) inside a transaction', async () => {
    const t = await table();
    const child = spawn('psql', ['-X', '-d', server.connectionString], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(`BEGIN;\nINSERT INTO ${t} VALUES (1, 'psql');\n`);
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('INSERT 0 1')) resolve();
      });
    });
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGKILL');
    await closed;
    expect(await count(a, t)).toBe(0);
    expect((await attempt(a, `INSERT INTO ${t} VALUES (1, 'a')`)).ok).toBe(true);
  });
});

describe('session settings', () => {
  it('stay with the connection that SET them', async () => {
    await a.query('CREATE SCHEMA IF NOT EXISTS app');
    await a.query('SET search_path = app, public');
    await a.query("SET TIME ZONE 'Europe/Paris'");
    expect((await b.query('SHOW search_path')).rows).toEqual([{ search_path: 'public' }]);
    expect((await b.query('SHOW TimeZone')).rows).toEqual([{ TimeZone: 'UTC' }]);
    expect((await a.query('SHOW search_path')).rows).toEqual([{ search_path: 'app, public' }]);
    expect((await a.query('SHOW TimeZone')).rows).toEqual([{ TimeZone: 'Europe/Paris' }]);
    await a.query('RESET ALL');
    expect((await a.query('SHOW search_path')).rows).toEqual([{ search_path: 'public' }]);
  });

  it('keep a role to its connection, and a SET that was rolled back is gone', async () => {
    await a.query('CREATE ROLE reader_role');
    await a.query('SET ROLE reader_role');
    expect((await b.query('SELECT current_user AS who')).rows).toEqual([{ who: 'admin' }]);
    expect((await a.query('SELECT current_user AS who')).rows).toEqual([{ who: 'reader_role' }]);
    await a.query('RESET ROLE');
    await a.query('BEGIN');
    await a.query("SET application_name = 'rolled-back'");
    await a.query('ROLLBACK');
    await b.query('SELECT 1');
    expect((await a.query('SHOW application_name')).rows).not.toEqual([{ application_name: 'rolled-back' }]);
  });

  it('start from what the client asked for at connection start', async () => {
    const c = await connect(server, { application_name: 'starter', options: '-c search_path=app,public -c statement_timeout=5' });
    try {
      await b.query('SELECT 1'); // another connection in between
      expect((await c.query('SHOW application_name')).rows).toEqual([{ application_name: 'starter' }]);
      expect((await c.query('SHOW search_path')).rows).toEqual([{ search_path: 'app,public' }]); // as given, as PostgreSQL keeps it
      // statement_timeout is not a parameter DSQL lets a client set.
      expect((await c.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '0' }]);
    } finally {
      await c.end();
    }
  });
});
