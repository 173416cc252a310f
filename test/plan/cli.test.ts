// explain-plan as a user runs it: from another directory, against a real PostgreSQL 15 with TLS
// verify-full (the test CA, a DSQL-shaped host name reached through PGHOSTADDR), an IAM token
// signed from fake credentials, and the report checked against its contract.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAwsUser } from '../support/aws-env.js';
import { runScript, type RunResult } from '../support/run.js';
import { startPg15, TEST_CLUSTER_ID, type Pg15 } from '../support/pg15.js';
import { contractProblems, REASSESS } from './support.js';

const SECRET = 'PLANTEDsecret/DSQL+explain0123456789abcdef';
const scratch = mkdtempSync(join(tmpdir(), 'dsql-explain-plan-'));
const user = fakeAwsUser('dsql-explain-plan-user-', { accessKeyId: 'AKIAPLANTEDEXPLAIN01', secretAccessKey: SECRET });
const home = user.home;
const userEnv = user.env;

const explain = (args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> => runScript('explain-plan.ts', args, { env, input, timeoutMs: 120_000 });

describe('explain-plan without a server', () => {
  it('--help lists the flags and the exit codes', async () => {
    const r = await explain(['--help'], userEnv());
    expect(r.code).toBe(0);
    for (const flag of ['--cluster', '--sql', '--file', '--reassess', '--output', '--json', '--count-limit']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/3 +the statement failed on the server/);
  });

  it.each([
    [['--cluster', TEST_CLUSTER_ID], /^explain-plan\.ts: give exactly one of --sql, -f and --reassess\n$/],
    [['--cluster', TEST_CLUSTER_ID, '--sql', 'INSERT INTO t VALUES (1)'], /^explain-plan\.ts: INSERT is refused: /],
    [['--cluster', TEST_CLUSTER_ID, '--sql', 'CALL p()'], /^explain-plan\.ts: CALL is refused: /],
    [['--cluster', TEST_CLUSTER_ID, '--sql', 'SELECT 1; DELETE FROM t'], /^explain-plan\.ts: give exactly one statement; found 2/],
    [['--cluster', TEST_CLUSTER_ID, '--sql', 'SELECT 1', '--reassess', 'x.md'], /^explain-plan\.ts: give exactly one of/],
    [['--cluster', TEST_CLUSTER_ID, '--sql', 'SELECT 1', '--count-limit', '-1'], /^explain-plan\.ts: --count-limit must be at least 0/],
  ])('refuses %j with exit 2 before connecting', async (args, message) => {
    // No server listens on this port: reaching the network would fail differently (exit 1).
    const r = await explain(args, userEnv({ PGHOSTADDR: '127.0.0.1', PGPORT: '9' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('says so in one line when the server cannot be reached', async () => {
    const r = await explain(['--cluster', TEST_CLUSTER_ID, '--region', 'us-east-1', '--sql', 'SELECT 1'], userEnv({ PGHOSTADDR: '127.0.0.1', PGPORT: '9' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^explain-plan\.ts: cannot connect to abcdefghijklmnopqrstuvwxyz\.dsql\.us-east-1\.on\.aws via 127\.0\.0\.1:9 as admin: ECONNREFUSED\n$/);
  });
});

describe('explain-plan against PostgreSQL 15 with TLS', () => {
  let pg: Pg15;
  let env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  const query = "SELECT o.id, l.sku FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.tenant_id = 't3' AND o.id >= 900";
  beforeAll(async () => {
    pg = await startPg15({ roles: ['reader'], conf: ['log_connections = on'] });
    pg.sql(`
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id text NOT NULL, total int);
      CREATE TABLE order_lines (id int PRIMARY KEY, order_id int NOT NULL, sku text);
      INSERT INTO orders SELECT g, 't' || g % 5, g FROM generate_series(1, 1000) g;
      INSERT INTO order_lines SELECT g, 1 + g % 1000, 's' || g FROM generate_series(1, 3000) g;
      ANALYZE orders; ANALYZE order_lines;
      GRANT SELECT ON orders, order_lines TO reader;`);
    env = (extra = {}) => userEnv({ PGHOSTADDR: '127.0.0.1', PGPORT: String(pg.port), PGSSLROOTCERT: pg.ca.caFile, ...extra });
  }, 120_000);
  afterAll(() => pg?.stop());

  it('prints a report that fills the contract, from a directory outside the skill', async () => {
    const r = await explain([TEST_CLUSTER_ID, '--region', 'us-east-1', '--sql', query], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(contractProblems(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/^# Query plan report: orders, order_lines\n_Captured \d{4}-\d{2}-\d{2} on cluster abcdefghijklmnopqrstuvwxyz with EXPLAIN ANALYZE VERBOSE_\n/);
    expect(r.stdout).toContain(['```sql', query, '```'].join('\n'));
    expect(r.stdout).toContain('| Rows returned | 60 |'); // t3 has 20 orders with id >= 900, 3 lines each
    expect(r.stdout).toContain('## Experiments');
    expect(r.stdout).toContain('| orders | 1,000 | 1,000 | 0% |'.replace('orders', 'public.orders'));
    expect(r.stdout.trimEnd().endsWith(REASSESS)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('connects as the chosen role with TLS, tagged with the model, and leaves nothing behind', async () => {
    const before = pg.sql("SELECT count(*)::text || ':' || sum(total)::text FROM orders");
    const r = await explain(['--cluster', TEST_CLUSTER_ID, '--user', 'reader', '--ai-model', 'claude-test', '--json', '--sql', "UPDATE orders SET total = 0 WHERE tenant_id = 't1'"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("explain-plan.ts: rewritten from UPDATE: rewritten to the SELECT that reads the rows the UPDATE would change, with the new values it would compute; RETURNING is dropped\n");
    const doc = JSON.parse(r.stdout);
    expect(doc.statement).toMatchObject({ sql: "SELECT *, 0 AS total FROM orders WHERE tenant_id = 't1'", rewrittenFrom: 'UPDATE', originalKind: 'UpdateStmt' });
    expect(doc.capture.script).toEqual(['BEGIN READ ONLY', `EXPLAIN ANALYZE VERBOSE ${doc.statement.sql}`, 'ROLLBACK']);
    expect(doc.report).toContain('Rewritten from: UPDATE');
    expect(doc.evidence.tables[0]).toMatchObject({ name: 'orders', count: 1000, reltuples: 1000 });
    expect(pg.sql("SELECT count(*)::text || ':' || sum(total)::text FROM orders")).toBe(before);
    const log = pg.log();
    expect(log).toMatch(/connection authorized: user=reader database=postgres application_name=dsql-skill\/claude-test SSL enabled/);
    expect(log).not.toContain(SECRET);
  });

  it('reports a server error verbatim with exit 3 and no report', async () => {
    const r = await explain(['--cluster', TEST_CLUSTER_ID, '--sql', 'SELECT * FROM missing_table'], env());
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('explain-plan.ts: the statement failed on the server; no report was made:\nERROR:  relation "missing_table" does not exist (SQLSTATE 42P01)\n');
    const asJson = await explain(['--cluster', TEST_CLUSTER_ID, '--sql', 'SELECT 1/0', '--json'], env());
    expect(asJson.code).toBe(3);
    expect(JSON.parse(asJson.stdout).error).toMatchObject({ sqlstate: '22012', message: 'division by zero' });
  });

  it('writes -o once, refuses to overwrite without --force, and --reassess appends an addendum', async () => {
    const dir = mkdtempSync(join(scratch, 'report-'));
    const path = join(dir, 'plan.md');
    const first = await explain(['--cluster', TEST_CLUSTER_ID, '-o', path, '--sql', query], env());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    const original = readFileSync(path, 'utf8');
    expect(contractProblems(original)).toEqual([]);
    const again = await explain(['--cluster', TEST_CLUSTER_ID, '-o', path, '--sql', query], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/plan\.md already exists; choose another name, or pass --force/);

    pg.sql('CREATE INDEX order_lines_order_idx ON order_lines (order_id); ANALYZE order_lines;');
    // The cluster comes from the report's provenance line.
    const r = await explain(['--reassess', path], env());
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith(original)).toBe(true);
    const addendum = after.slice(original.length);
    expect(addendum).toMatch(/^\n## Addendum: after change \(\d{4}-\d{2}-\d{2}\)\n/);
    expect(addendum).toMatch(/^\| Rows returned \| 60 \| 60 \| unchanged \|$/m);
    expect(r.stdout.trim()).toBe(addendum.trim());
    expect(contractProblems(after)).toEqual([]);
  });

  it('reads the statement from a file or stdin', async () => {
    const file = join(scratch, 'q.sql');
    writeFileSync(file, `${query};\n`);
    const fromFile = await explain(['--cluster', TEST_CLUSTER_ID, '-f', file, '--json'], env());
    const fromStdin = await explain(['--cluster', TEST_CLUSTER_ID, '-f', '-', '--json'], env(), query);
    for (const r of [fromFile, fromStdin]) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).statement.sql).toBe(query);
    }
    expect(existsSync(join(scratch, 'nope.sql'))).toBe(false);
    const missing = await explain(['--cluster', TEST_CLUSTER_ID, '-f', join(scratch, 'nope.sql')], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.sql: ENOENT/);
  });

  it('fails TLS verification against the wrong CA (exit 1, one line)', async () => {
    const r = await explain(['--cluster', TEST_CLUSTER_ID, '--sql', 'SELECT 1'], env({ PGSSLROOTCERT: '/etc/ssl/certs/ca-certificates.crt' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^explain-plan\.ts: cannot connect to .* as admin: .+\n$/);
  });
});
