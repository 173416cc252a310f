// The local DSQL through node-postgres (simple and extended protocol) and the real psql:
// refusals as real errors with DSQL's SQLSTATE and text from the rules table, PostgreSQL's
// aborted-transaction semantics, the transaction rules, the row limit, ASYNC jobs, COPY.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleById, TRANSACTION_ROW_LIMIT, TRANSACTION_RULES } from '../../scripts/lib/rules/index.js';
import { SYNC, writeQuery } from '../../scripts/lib/local/wire.js';
import { attempt, connect, extendedStatement, freshName, psql, psqlErrors, rawConnect, startTestServer, type TestServer } from './support.js';

let server: TestServer;
let client: pg.Client;

beforeAll(async () => {
  server = await startTestServer();
  client = await connect(server);
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

const truncate = ruleById('truncate');
const multipleDdl = TRANSACTION_RULES.multipleDdl;
const mixed = TRANSACTION_RULES.ddlDmlMixed;
const rowLimit = TRANSACTION_RULES.rowLimit;

async function table(columns = 'id bigint PRIMARY KEY, v text'): Promise<string> {
  const name = freshName();
  expect((await attempt(client, `CREATE TABLE ${name} (${columns})`)).ok).toBe(true);
  return name;
}

describe('connection start', () => {
  it('sends the parameters drivers rely on, as DSQL does', async () => {
    const c = await connect(server);
    expect((c as unknown as { processID: number }).processID).toBeGreaterThan(0); // BackendKeyData arrived
    const status = await attempt(c, "SELECT current_setting('TimeZone') AS tz, current_setting('transaction_isolation') AS iso, current_user AS who, current_database() AS db");
    expect(status.rows).toEqual([{ tz: 'UTC', iso: 'repeatable read', who: 'admin', db: 'postgres' }]);
    await c.end();
  });

  it('reports server_version, client_encoding and friends to psql', async () => {
    const r = await psql(server, ['-c', 'SHOW client_encoding'], '', {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('UTF8');
    // psql prints the server version it was told when it differs from its own major version.
    const banner = await psql(server, [], '\\echo :SERVER_VERSION_NAME :ENCODING\n');
    expect(banner.stdout.trim()).toBe('16.15 UTF8');
  });

  it('refuses databases other than postgres', async () => {
    const r = await psql({ ...server, connectionString: server.connectionString.replace('dbname=postgres', 'dbname=app') }, ['-c', 'SELECT 1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('database "app" does not exist');
  });
});

describe('statement refusals', () => {
  it('answers DSQL\'s error through the simple protocol and keeps the session usable', async () => {
    const t = await table();
    const r = await attempt(client, `TRUNCATE ${t}`);
    expect(r).toMatchObject({ ok: false, code: truncate.sqlstate, message: truncate.message });
    expect((await attempt(client, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('answers it through the extended protocol, named and unnamed', async () => {
    const t = await table();
    expect(await attempt(client, { text: `TRUNCATE ${t}`, name: 'tr' })).toMatchObject({ code: truncate.sqlstate, message: truncate.message });
    expect(await attempt(client, { text: `TRUNCATE ${t}`, values: [], queryMode: 'extended' } as pg.QueryConfig)).toMatchObject({ code: truncate.sqlstate });
    expect((await attempt(client, 'SELECT $1::int AS v', [42])).rows).toEqual([{ v: 42 }]);
  });

  it('refuses inside a transaction and leaves it aborted: 25P02 after, COMMIT answers ROLLBACK', async () => {
    const t = await table();
    expect((await attempt(client, 'BEGIN')).ok).toBe(true);
    expect((await attempt(client, `INSERT INTO ${t} VALUES (1, 'a')`)).ok).toBe(true);
    expect(await attempt(client, `TRUNCATE ${t}`)).toMatchObject({ code: truncate.sqlstate });
    expect(await attempt(client, 'SELECT 1')).toMatchObject({ code: '25P02' });
    expect(await attempt(client, `TRUNCATE ${t}`)).toMatchObject({ code: '25P02' }); // DSQL too answers 25P02 first
    expect(await attempt(client, 'COMMIT')).toMatchObject({ ok: true, command: 'ROLLBACK' });
    expect((await attempt(client, `SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: 0 }]);
  });

  it('refuses in psql with VERBOSITY verbose showing the SQLSTATE, and psql carries on', async () => {
    const r = await psql(server, ['-c', 'TRUNCATE nowhere', '-c', 'SELECT 7 AS seven']);
    expect(psqlErrors(r.stderr)).toEqual([[truncate.sqlstate, truncate.message]]);
    expect(r.stdout).toContain('seven');
  });

  it('refuses COPY to or from server files', async () => {
    const rule = ruleById('unsupported_copy_file');
    const t = await table();
    expect(await attempt(client, `COPY ${t} FROM '/etc/passwd'`)).toMatchObject({ code: rule.sqlstate, message: rule.message });
    expect(await attempt(client, `COPY ${t} TO PROGRAM 'cat'`)).toMatchObject({ code: rule.sqlstate });
  });

  it('allows only REPEATABLE READ and the SET allowlist', async () => {
    expect(await attempt(client, 'BEGIN ISOLATION LEVEL SERIALIZABLE')).toMatchObject({ code: TRANSACTION_RULES.isolation.sqlstate, message: 'Unsupported isolation level: SERIALIZABLE' });
    expect((await attempt(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ')).ok).toBe(true);
    expect((await attempt(client, 'ROLLBACK')).ok).toBe(true);
    expect(await attempt(client, 'SET statement_timeout = 1000')).toMatchObject({ code: TRANSACTION_RULES.setParameter.sqlstate, message: 'setting configuration parameter "statement_timeout" not supported' });
    expect((await attempt(client, "SET application_name = 'app'")).ok).toBe(true);
  });
});

describe('transaction rules', () => {
  it('allows one DDL per transaction (explicit block)', async () => {
    const [a, b] = [freshName(), freshName()];
    const r = await psql(server, [], `BEGIN;\nCREATE TABLE ${a} (x int);\nCREATE TABLE ${b} (x int);\nSELECT 1;\nCOMMIT;\n`);
    expect(psqlErrors(r.stderr)).toEqual([
      [multipleDdl.sqlstate, multipleDdl.message],
      ['25P02', 'current transaction is aborted, commands ignored until end of transaction block'],
    ]);
    expect(r.stdout).toMatch(/ROLLBACK\s*$/); // COMMIT of the aborted block
    expect((await attempt(client, `SELECT to_regclass('${a}') AS r`)).rows).toEqual([{ r: null }]);
  });

  it('treats several statements in one query as one transaction', async () => {
    const [a, b] = [freshName(), freshName()];
    expect(await attempt(client, `CREATE TABLE ${a} (x int); CREATE TABLE ${b} (x int)`)).toMatchObject({ code: multipleDdl.sqlstate, message: multipleDdl.message });
    expect((await attempt(client, `SELECT to_regclass('${a}') AS r`)).rows).toEqual([{ r: null }]); // rolled back
    const t = await table();
    expect(await attempt(client, `CREATE TABLE ${a} (x int); INSERT INTO ${t} VALUES (1, 'x')`)).toMatchObject({ message: mixed.message });
    // BEGIN in the same query leaves the block open and aborted, as PostgreSQL does.
    expect(await attempt(client, `BEGIN; CREATE TABLE ${a} (x int); CREATE TABLE ${b} (x int)`)).toMatchObject({ message: multipleDdl.message });
    expect(await attempt(client, 'SELECT 1')).toMatchObject({ code: '25P02' });
    expect(await attempt(client, 'ROLLBACK')).toMatchObject({ ok: true });
  });

  it('refuses DDL after DML and DML after DDL, through the extended protocol too', async () => {
    const t = await table();
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${t} VALUES ($1, $2)`, [1, 'a']);
    expect(await attempt(client, { text: `CREATE TABLE ${freshName()} (x int)`, values: [] })).toMatchObject({ code: mixed.sqlstate, message: mixed.message });
    expect(await attempt(client, 'ROLLBACK')).toMatchObject({ command: 'ROLLBACK' });
    await client.query('BEGIN');
    await client.query(`CREATE TABLE ${freshName()} (x int)`);
    expect(await attempt(client, `INSERT INTO ${t} VALUES ($1, $2)`, [2, 'b'])).toMatchObject({ message: mixed.message });
    await client.query('ROLLBACK');
  });

  it('checks what follows the end of an aborted transaction in the same query', async () => {
    const t = await table();
    await client.query(`INSERT INTO ${t} VALUES (1, 'kept')`);
    await client.query('BEGIN');
    expect(await attempt(client, 'SELECT 1/0')).toMatchObject({ code: '22012' });
    expect(await attempt(client, `ROLLBACK; TRUNCATE ${t}`)).toMatchObject({ code: truncate.sqlstate, message: truncate.message });
    expect((await attempt(client, `SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: 1 }]);
    const [a, b] = [freshName(), freshName()];
    await client.query('BEGIN');
    expect(await attempt(client, 'SELECT 1/0')).toMatchObject({ code: '22012' });
    expect(await attempt(client, `COMMIT; CREATE TABLE ${a} (x int); CREATE TABLE ${b} (x int)`)).toMatchObject({ message: multipleDdl.message });
    expect((await attempt(client, `SELECT to_regclass('${a}') AS r`)).rows).toEqual([{ r: null }]);
  });

  it('checks what follows the end of an aborted transaction in one extended-protocol pipeline', async () => {
    const raw = await rawConnect(server);
    try {
      raw.send(writeQuery('BEGIN'), writeQuery('SELECT 1/0'));
      await raw.untilReady();
      expect((await raw.untilReady()).at(-1)).toEqual({ type: 'Z' });
      const [a, b] = [freshName(), freshName()];
      raw.send(...extendedStatement('ROLLBACK'), ...extendedStatement(`CREATE TABLE ${a} (x int)`), ...extendedStatement(`CREATE TABLE ${b} (x int)`), SYNC);
      const errors = (await raw.untilReady()).filter((m) => m.type === 'E').map((m) => m.fields!.get('M'));
      expect(errors).toEqual([multipleDdl.message]);
      expect((await attempt(client, `SELECT to_regclass('${a}') AS r`)).rows).toEqual([{ r: null }]);
    } finally {
      raw.end();
    }
  });

  it('accepts a transaction of DML, then one DDL on its own', async () => {
    const t = await table();
    const r = await attempt(client, `BEGIN; INSERT INTO ${t} VALUES (1, 'a'); UPDATE ${t} SET v = 'b'; COMMIT`);
    expect(r.ok).toBe(true);
    expect((await attempt(client, `BEGIN; ALTER TABLE ${t} ADD COLUMN w text; COMMIT`)).ok).toBe(true);
  });
});

describe('row limit', () => {
  it(`accepts ${TRANSACTION_ROW_LIMIT} modified rows and refuses one more, in autocommit too`, async () => {
    const t = await table();
    expect(await attempt(client, `INSERT INTO ${t} SELECT g, 'x' FROM generate_series(1, ${TRANSACTION_ROW_LIMIT}) g`)).toMatchObject({ ok: true, command: 'INSERT' });
    expect(await attempt(client, `UPDATE ${t} SET v = 'y'`)).toMatchObject({ ok: true });
    expect(await attempt(client, `INSERT INTO ${t} SELECT g, 'x' FROM generate_series(100001, ${100001 + TRANSACTION_ROW_LIMIT}) g`)).toMatchObject({
      code: rowLimit.sqlstate,
      message: rowLimit.message,
    });
    expect((await attempt(client, `SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: TRANSACTION_ROW_LIMIT }]);
  });

  it('counts every statement of a transaction and aborts it at the crossing one', async () => {
    const t = await table();
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${t} SELECT g, 'x' FROM generate_series(1, 2000) g`);
    expect(await attempt(client, `UPDATE ${t} SET v = 'z' WHERE id <= 1001`)).toMatchObject({ code: rowLimit.sqlstate });
    expect(await attempt(client, 'SELECT 1')).toMatchObject({ code: '25P02' });
    expect(await attempt(client, 'COMMIT')).toMatchObject({ command: 'ROLLBACK' });
    expect((await attempt(client, `SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: 0 }]);
  });

  it('applies to COPY FROM STDIN (psql \\copy)', async () => {
    const t = await table();
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${from + i},v${i}`).join('\n') + '\n';
    const ok = await psql(server, ['-c', `\\copy ${t} FROM STDIN WITH (FORMAT csv)`], rows(1, TRANSACTION_ROW_LIMIT));
    expect(ok.stdout.trim()).toBe(`COPY ${TRANSACTION_ROW_LIMIT}`);
    const over = await psql(server, ['-c', `\\copy ${t} FROM STDIN WITH (FORMAT csv)`], rows(10_000, TRANSACTION_ROW_LIMIT + 1));
    expect(psqlErrors(over.stderr)).toEqual([[rowLimit.sqlstate, rowLimit.message]]);
    expect((await attempt(client, `SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: TRANSACTION_ROW_LIMIT }]);
  });
});

describe('COPY', () => {
  it('copies in and out through psql, and reports errors at the right place', async () => {
    const t = await table('id bigint PRIMARY KEY, v text');
    const input = 'id,v\n1,one\n2,"two, too"\n';
    const r = await psql(server, ['-c', `\\copy ${t} FROM STDIN WITH (FORMAT csv, HEADER true)`, '-c', `\\copy ${t} TO STDOUT WITH (FORMAT csv)`], input);
    expect(r.stdout).toBe('COPY 2\n1,one\n2,"two, too"\n');
    const missing = await psql(server, ['-c', `\\copy ${freshName('nosuch')} FROM STDIN`], '1\n');
    expect(psqlErrors(missing.stderr)[0]?.[0]).toBe('42P01');
    // A bad row inside a block aborts the block.
    const bad = await psql(server, [], `BEGIN;\n\\copy ${t} FROM STDIN WITH (FORMAT csv)\n3,three\nnot-a-number,x\n\\.\nSELECT 1;\nROLLBACK;\n`);
    expect(psqlErrors(bad.stderr).map((e) => e[0])).toEqual(['22P02', '25P02']);
  });

  it('refuses COPY data far over DSQL\'s 10 MiB transaction size with its error, and the session carries on', async () => {
    const t = await table();
    const size = TRANSACTION_RULES.sizeLimit;
    // 40 rows of 1 MiB: under the row limit, four times the size limit.
    const row = 'x'.repeat(1 << 20);
    const input = Array.from({ length: 40 }, (_, i) => `${i}\t${row}\n`).join('');
    const r = await psql(server, ['-c', `\\copy ${t} FROM STDIN`, '-c', `SELECT count(*) AS n FROM ${t}`], input);
    expect(psqlErrors(r.stderr)).toEqual([[size.sqlstate, size.message]]);
    expect((await attempt(client, `SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: 0 }]);
  });
});

describe('DSQL objects', () => {
  it('CREATE INDEX ASYNC returns a 26-character job_id, builds the index and records the job', async () => {
    const t = await table();
    const r = await attempt(client, `CREATE INDEX ASYNC ${t}_v ON ${t} (v)`);
    expect(r.ok).toBe(true);
    expect(r.command).toBe('CREATE');
    const jobId = (r.rows![0] as { job_id: string }).job_id;
    expect(jobId).toMatch(/^[a-z2-7]{26}$/);
    const index = await attempt(client, `SELECT indisvalid FROM pg_index WHERE indexrelid = '${t}_v'::regclass`);
    expect(index.rows).toEqual([{ indisvalid: true }]);
    const job = await attempt(client, 'SELECT status, job_type, object_id::regclass::text AS obj FROM sys.jobs WHERE job_id = $1', [jobId]);
    expect(job.rows).toEqual([{ status: 'completed', job_type: 'INDEX_BUILD', obj: `${t}_v` }]);
    expect((await attempt(client, 'CALL sys.wait_for_job($1)', [jobId])).rows).toEqual([{ succeeded: true }]);
  });

  it('CREATE UNIQUE INDEX ASYNC over duplicates gives a failed job, not an error', async () => {
    const t = await table('id bigint PRIMARY KEY, v text');
    await client.query(`INSERT INTO ${t} VALUES (1, 'same'), (2, 'same')`);
    const r = await psql(server, ['-At', '-c', `CREATE UNIQUE INDEX ASYNC ON ${t} (v)`]);
    const jobId = r.stdout.trim();
    expect(jobId).toMatch(/^[a-z2-7]{26}$/);
    const job = await attempt(client, 'SELECT status, details FROM sys.jobs WHERE job_id = $1', [jobId]);
    expect(job.rows?.[0]).toMatchObject({ status: 'failed' });
    expect((await attempt(client, `CALL sys.wait_for_job('${jobId}')`)).rows).toEqual([{ succeeded: false }]);
  });

  it('ALTER TABLE ASYNC ... VALIDATE CONSTRAINT returns a job and validates', async () => {
    const t = await table('id bigint PRIMARY KEY, n int');
    await client.query(`ALTER TABLE ${t} ADD CONSTRAINT ${t}_pos CHECK (n > 0) NOT VALID`);
    const r = await attempt(client, `ALTER TABLE ASYNC ${t} VALIDATE CONSTRAINT ${t}_pos`);
    expect(r.ok).toBe(true);
    const jobId = (r.rows![0] as { job_id: string }).job_id;
    const job = await attempt(client, "SELECT status, job_type, class_id::regclass::text AS cls FROM sys.jobs WHERE job_id = $1", [jobId]);
    expect(job.rows).toEqual([{ status: 'completed', job_type: 'VALIDATE_CONSTRAINT', cls: 'pg_constraint' }]);
    expect((await attempt(client, `SELECT convalidated FROM pg_constraint WHERE conname = '${t}_pos'`)).rows).toEqual([{ convalidated: true }]);
  });

  it('CALL sys.wait_for_job: refused inside a block, DSQL\'s error for a malformed id, a procedure', async () => {
    const t = await table();
    const jobId = ((await client.query(`CREATE INDEX ASYNC ON ${t} (v)`)).rows[0] as { job_id: string }).job_id;
    await client.query('BEGIN');
    expect(await attempt(client, `CALL sys.wait_for_job('${jobId}')`)).toMatchObject({
      code: TRANSACTION_RULES.waitForJobInTransaction.sqlstate,
      message: TRANSACTION_RULES.waitForJobInTransaction.message,
    });
    await client.query('ROLLBACK');
    expect(await attempt(client, "CALL sys.wait_for_job('no-such-job')")).toMatchObject({ code: '22P02', message: 'Unable to convert text to UUID' });
    expect(await attempt(client, `SELECT sys.wait_for_job('${jobId}')`)).toMatchObject({ code: '42809' });
    // The procedure's CONTEXT line (an implementation detail) is not shown.
    const r = await psql(server, ['-c', "CALL sys.wait_for_job('bad')"]);
    expect(r.stderr).not.toMatch(/CONTEXT|PL\/pgSQL/);
  });

  it('lists jobs in sys.jobs with the columns DSQL has', async () => {
    const cols = await attempt(client, 'SELECT * FROM sys.jobs LIMIT 0');
    expect(cols.ok).toBe(true);
    const names = (await client.query('SELECT * FROM sys.jobs LIMIT 0')).fields.map((f) => f.name);
    expect(names).toEqual(['job_id', 'status', 'details', 'job_type', 'class_id', 'object_id', 'object_name', 'start_time', 'update_time']);
  });

  it('keeps its row-counting triggers out of sight', async () => {
    const t = await table();
    const r = await psql(server, ['-c', `\\d ${t}`]);
    expect(r.stdout).not.toMatch(/Triggers/i);
    expect((await attempt(client, `SELECT count(*)::int AS n FROM information_schema.triggers WHERE event_object_table = '${t}'`)).rows).toEqual([{ n: 0 }]);
  });
});

describe('prepared statements', () => {
  it('keeps names per connection and DEALLOCATE ALL only drops this connection\'s', async () => {
    const other = await connect(server);
    try {
      expect((await attempt(client, { name: 'same', text: 'SELECT $1::text AS who', values: ['first'] })).rows).toEqual([{ who: 'first' }]);
      expect((await attempt(other, { name: 'same', text: 'SELECT $1::int * 2 AS who', values: [21] })).rows).toEqual([{ who: 42 }]);
      expect((await attempt(client, { name: 'same', text: 'SELECT $1::text AS who', values: ['again'] })).rows).toEqual([{ who: 'again' }]);
      expect(await attempt(other, 'DEALLOCATE ALL')).toMatchObject({ ok: true, command: 'DEALLOCATE' });
      // This connection's statement survived the other connection's DEALLOCATE ALL.
      expect((await attempt(client, { name: 'same', text: 'SELECT $1::text AS who', values: ['still'] })).rows).toEqual([{ who: 'still' }]);
      // The other's is gone; the error names it as the client did.
      expect(await attempt(other, { name: 'same', text: 'SELECT $1::int * 2 AS who', values: [1] })).toMatchObject({
        code: '26000',
        message: 'prepared statement "same" does not exist',
      });
    } finally {
      await other.end();
    }
  });
});

describe('protocol edges', () => {
  it('ends a connection that sends an unknown message with FATAL 08P01, and serves the others', async () => {
    const rogue = await connect(server);
    // The FATAL error first, then the end of the connection: only the first one is of interest.
    const failed = new Promise<{ code?: string; message: string }>((resolve) => rogue.on('error', resolve));
    (rogue as unknown as { connection: { stream: { write(b: Buffer): void } } }).connection.stream.write(Buffer.from([0x7a, 0, 0, 0, 4]));
    expect(await failed).toMatchObject({ code: '08P01', message: 'invalid frontend message type 122' });
    expect((await attempt(client, 'SELECT 1 AS still')).rows).toEqual([{ still: 1 }]);
  });

  it('ends a connection that sends a malformed message with FATAL 08P01, not an internal error', async () => {
    for (const [type, body] of [['Q', 'SELECT 1'], ['P', '\0SELECT 1'], ['B', ''], ['D', 'S']] as const) {
      const raw = await rawConnect(server);
      const unterminated = Buffer.concat([Buffer.from([type.charCodeAt(0), 0, 0, 0, 4 + body.length]), Buffer.from(body)]);
      raw.send(unterminated, SYNC);
      const answer = await raw.untilReady();
      expect(answer.map((m) => [m.type, m.fields?.get('V'), m.fields?.get('C'), m.fields?.get('M')])).toEqual([['E', 'FATAL', '08P01', 'invalid string in message']]);
    }
    expect((await attempt(client, 'SELECT 1 AS still')).rows).toEqual([{ still: 1 }]);
  });
});
