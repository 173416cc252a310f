// psql-connect --local: the real psql and psql-connect's guard against a local cluster,
// with a server started for the session, or the cluster's running local-dsql server (TLS).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ruleById } from '../../scripts/lib/rules/index.js';
import { createLocalCluster, findLocalCluster } from '../../scripts/lib/local/registry.js';
import { outsideDir, runScript, scriptPath } from '../support/run.js';

const home = mkdtempSync(join(tmpdir(), 'dsql-local-pc-'));
const env = { ...process.env, DSQL_LOCAL_HOME: home };
const run = (args: string[], input?: string) => runScript('psql-connect.ts', ['--local', ...args], { env, input, timeoutMs: 120_000 });
let server: ChildProcess | undefined;

afterAll(() => {
  server?.kill('SIGKILL');
});

describe('psql-connect --local', () => {
  it('runs -c on the default local cluster (made on first use) with a server for the session', async () => {
    const r = await run(['-c', 'CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY, body text)']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('CREATE TABLE');
    const again = await run(['-c', "INSERT INTO notes VALUES (1, 'kept')"]);
    expect(again.code).toBe(0);
    const read = await run(['-c', 'SELECT body FROM notes']);
    expect(read.stdout).toContain('kept');
  });

  it('shows DSQL\'s refusal and psql\'s exit code; -f stops at the first error (exit 3)', async () => {
    const refused = await run(['-c', 'TRUNCATE notes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`ERROR:  ${ruleById('truncate').message}`);
    const file = join(mkdtempSync(join(tmpdir(), 'pc-sql-')), 'change.sql');
    writeFileSync(file, "INSERT INTO notes VALUES (2, 'two');\nCREATE INDEX notes_body ON notes (body);\nINSERT INTO notes VALUES (3, 'never');\n");
    const script = await run(['-f', file]);
    expect(script.code).toBe(3);
    expect(script.stderr).toContain(ruleById('index_async').message);
    expect((await run(['-c', 'SELECT count(*) FROM notes'])).stdout).toMatch(/\b2\b/);
  });

  it('keeps the guard: several statements in -c are refused before anything starts', async () => {
    const r = await run(['-c', 'SELECT 1; SELECT 2']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('names a missing local cluster, and refuses AWS-only flags', async () => {
    const missing = await run(['zzzzzzzzzzzzzzzzzzzzzzzzzz', '-c', 'SELECT 1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no local cluster zzzzzzzzzzzzzzzzzzzzzzzzzz');
    const flag = await run(['--skip-cert-verify', '-c', 'SELECT 1']);
    expect(flag.code).toBe(2);
  });

  it('connects to the cluster\'s running local-dsql server over TLS with a locally signed token', async () => {
    const cluster = createLocalCluster({ region: 'us-west-2' }, env);
    server = spawn(scriptPath('local-dsql.ts'), ['serve', '--cluster', cluster.view.identifier, '--tls', '--json'], { cwd: outsideDir(), env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => server!.stdout!.once('data', () => resolve()));
    expect(findLocalCluster(cluster.view.identifier, env)?.view.status).toBe('ACTIVE');
    // A second server on the same data directory would be refused, so success means psql
    // reached the running one (through TLS: the server requires it).
    const r = await run([cluster.view.identifier, '-c', "SELECT current_setting('server_version') IS NOT NULL AS up"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(' t');
    server.kill('SIGTERM');
    await new Promise((resolve) => server!.once('exit', resolve));
    expect(findLocalCluster(cluster.view.identifier, env)?.view.status).toBe('IDLE');
  });
});

describe('explain-plan --local', () => {
  it('captures a plan report on the default local cluster, and reassesses it there only', async () => {
    await run(['-c', 'CREATE TABLE IF NOT EXISTS plan_orders (id bigint PRIMARY KEY, tenant_id text)']);
    await run(['-c', "INSERT INTO plan_orders SELECT g, 't' || (g % 5) FROM generate_series(1, 200) g ON CONFLICT DO NOTHING"]);
    const report = join(mkdtempSync(join(tmpdir(), 'plan-local-')), 'plan.md');
    const explain = (args: string[]) => runScript('explain-plan.ts', args, { env, timeoutMs: 120_000 });
    const r = await explain(['--local', '--sql', "SELECT * FROM plan_orders WHERE tenant_id = 't1'", '-o', report]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(report, 'utf8');
    expect(text).toMatch(/^_Captured \d{4}-\d\d-\d\d on local [a-z2-7]{26} with EXPLAIN ANALYZE VERBOSE_$/m);
    expect(text).toContain('plan_orders');
    expect((await explain(['--local', '--reassess', report])).code).toBe(0);
    const elsewhere = await explain(['--reassess', report]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('add --local');
    const failed = await explain(['--local', '--sql', 'SELECT * FROM no_such_table']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain('42P01');
  });
});
