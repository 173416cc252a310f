// The transaction age limit, with a server whose limit is two seconds (DSQL's is 300 s,
// from the rules table; the message is DSQL's either way).
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TRANSACTION_AGE_LIMIT_SECONDS, TRANSACTION_RULES } from '../../scripts/lib/rules/index.js';
import { attempt, connect, startTestServer, type TestServer } from './support.js';

let server: TestServer;
let client: pg.Client;

beforeAll(async () => {
  server = await startTestServer({ ageLimitSeconds: 2 });
  client = await connect(server);
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

const age = TRANSACTION_RULES.ageLimit;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('uses the rules table\'s limit by default', () => {
  expect(TRANSACTION_AGE_LIMIT_SECONDS).toBe(300);
  expect(age.message).toContain('300s');
});

it('refuses the next statement of a transaction past its age, and the transaction is aborted', async () => {
  await client.query('CREATE TABLE aged (id bigint PRIMARY KEY)');
  await client.query('BEGIN');
  await client.query('INSERT INTO aged VALUES (1)');
  await pause(2300);
  expect(await attempt(client, 'INSERT INTO aged VALUES (2)')).toMatchObject({ code: age.sqlstate, message: age.message });
  expect(await attempt(client, 'SELECT 1')).toMatchObject({ code: '25P02' });
  expect(await attempt(client, 'COMMIT')).toMatchObject({ ok: true, command: 'ROLLBACK' });
  expect((await client.query('SELECT count(*)::int AS n FROM aged')).rows).toEqual([{ n: 0 }]);
});

it('refuses COMMIT itself past the age (nothing is committed), through the extended protocol too', async () => {
  await client.query('BEGIN');
  await client.query({ text: 'INSERT INTO aged VALUES ($1)', values: [3] });
  await pause(2300);
  expect(await attempt(client, { text: 'COMMIT', values: [] } as pg.QueryConfig)).toMatchObject({ code: age.sqlstate });
  expect(await attempt(client, 'ROLLBACK')).toMatchObject({ ok: true });
  expect((await client.query('SELECT count(*)::int AS n FROM aged')).rows).toEqual([{ n: 0 }]);
});

it('lets a transaction within its age commit, and ROLLBACK always ends one', async () => {
  await client.query('BEGIN');
  await client.query('INSERT INTO aged VALUES (4)');
  expect((await attempt(client, 'COMMIT')).command).toBe('COMMIT');
  await client.query('BEGIN');
  await pause(2300);
  expect(await attempt(client, 'ROLLBACK')).toMatchObject({ ok: true, command: 'ROLLBACK' });
  expect((await client.query('SELECT count(*)::int AS n FROM aged')).rows).toEqual([{ n: 1 }]);
});
