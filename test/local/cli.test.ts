// scripts/local-dsql.ts as a user runs it: the ready line, clean stops on SIGINT/SIGTERM,
// data that survives kill -9, one server per data directory, bad input.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DsqlSigner } from '@aws-sdk/dsql-signer';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ruleById, TRANSACTION_RULES } from '../../scripts/lib/rules/index.js';
import { outsideDir, runProcess, runScript, scriptPath } from '../support/run.js';

interface Ready {
  host: string;
  port: number;
  identifier: string;
  endpoint: string;
  dataDir: string | null;
  tls: { ca: string } | null;
  connectionString: string;
  user: string;
  database: string;
  pid: number;
  engine: { created: boolean; startMs: number };
}

interface Running {
  child: ChildProcess;
  ready: Ready;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

const home = mkdtempSync(join(tmpdir(), 'dsql-local-home-'));
const env = { ...process.env, DSQL_LOCAL_HOME: home };
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function serve(args: string[]): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(scriptPath('local-dsql.ts'), ['serve', '--json', ...args], { cwd: outsideDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => (children.delete(child), r(code ?? signal ?? -1))));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!stdout.includes('\n')) return;
      try {
        resolve({ child, ready: JSON.parse(stdout.split('\n')[0]!) as Ready, stderr: () => stderr, exited });
      } catch (error) {
        reject(new Error(`ready line is not JSON: ${stdout}`, { cause: error }));
      }
    });
    void exited.then((code) => reject(new Error(`local-dsql exited ${code} before its ready line: ${stderr}`)));
  });
}

async function sql(ready: Ready, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: ready.host, port: ready.port, user: ready.user, database: ready.database });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('serve --data DIR', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'dsql-local-data-')), 'data');

  it('prints one JSON ready line, accepts connections on 127.0.0.1, stops cleanly on SIGTERM', async () => {
    const s = await serve(['--data', dir, '--port', '0']);
    expect(s.ready).toMatchObject({ host: '127.0.0.1', dataDir: dir, user: 'admin', database: 'postgres', pid: s.child.pid });
    expect(s.ready.identifier).toMatch(/^[a-z2-7]{26}$/);
    expect(s.ready.endpoint).toBe(`${s.ready.identifier}.dsql.us-east-1.on.aws`);
    expect(s.ready.connectionString).toBe(`host=127.0.0.1 port=${s.ready.port} user=admin dbname=postgres sslmode=disable`);
    expect(s.ready.engine.created).toBe(true);
    await sql(s.ready, 'CREATE TABLE kept (id bigint PRIMARY KEY, v text)');
    await sql(s.ready, "INSERT INTO kept SELECT g, 'first' FROM generate_series(1, 1000) g");
    expect(JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8'))).toMatchObject({ pid: s.child.pid, port: s.ready.port });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toContain('local DSQL stopped (SIGTERM)');
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
  });

  it('keeps committed data across a restart and across kill -9; refuses a second server on the directory', async () => {
    const s = await serve(['--data', dir]);
    expect(s.ready.engine.created).toBe(false);
    expect((await sql(s.ready, 'SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 1000 }]);
    await sql(s.ready, "INSERT INTO kept SELECT g, 'second' FROM generate_series(1001, 1500) g");

    const second = spawn(scriptPath('local-dsql.ts'), ['serve', '--data', dir], { cwd: outsideDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    second.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise((r) => second.on('exit', r));
    expect(code).toBe(1);
    expect(err.trim()).toBe(
      `local-dsql.ts: data directory ${dir} is in use by another local DSQL server (pid ${s.child.pid} on 127.0.0.1:${s.ready.port}); stop it first or use another directory (if no such server runs, delete ${join(dir, 'server.json')})`,
    );

    s.child.kill('SIGKILL');
    expect(await s.exited).toBe('SIGKILL');
    expect(existsSync(join(dir, 'server.json'))).toBe(true); // left behind by the killed process

    const again = await serve(['--data', dir]);
    expect((await sql(again.ready, "SELECT count(*)::int AS n, count(*) FILTER (WHERE v = 'second')::int AS second FROM kept")).rows).toEqual([{ n: 1500, second: 500 }]);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(again.stderr()).toContain('local DSQL stopped (SIGINT)');
  });
});

describe('serve --tls', () => {
  it('carries on after clients whose TLS handshake fails: a CA it does not trust, bytes that are not TLS', async () => {
    const s = await serve(['--memory', '--tls']);
    const psqlTo = async (sslrootcert: string, password: string) =>
      runProcess('psql', ['-X', '-At', '-c', 'SELECT 1 AS ok'], {
        env: {
          ...process.env,
          PGHOST: s.ready.endpoint,
          PGHOSTADDR: '127.0.0.1',
          PGPORT: String(s.ready.port),
          PGUSER: 'admin',
          PGDATABASE: 'postgres',
          PGSSLMODE: 'verify-full',
          PGSSLROOTCERT: sslrootcert,
          PGPASSWORD: password,
          PGCONNECT_TIMEOUT: '10',
        },
      });
    const untrusted = await psqlTo('/etc/ssl/certs/ca-certificates.crt', 'unused');
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/certificate verify failed/);
    // SSLRequest, then something else than a TLS handshake.
    await new Promise<void>((resolve) => {
      const raw = connect(s.ready.port, '127.0.0.1');
      raw.on('error', () => {});
      raw.on('close', () => resolve());
      raw.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
      raw.once('data', () => raw.write('GET / HTTP/1.1\r\n\r\n'));
    });
    const signer = new DsqlSigner({ hostname: s.ready.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCALEXAMPLE', secretAccessKey: 'local-secret' } });
    const trusted = await psqlTo(s.ready.tls!.ca, await signer.getDbConnectAdminAuthToken());
    expect([trusted.code, trusted.stdout.trim()]).toEqual([0, '1']);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toBe('local DSQL stopped (SIGTERM)\n');
  });
});

describe('bad input', () => {
  it('refuses a directory that is not a data directory', async () => {
    const foreign = mkdtempSync(join(tmpdir(), 'not-data-'));
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const r = await runScript('local-dsql.ts', ['serve', '--data', foreign], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`local-dsql.ts: ${foreign} is not a local DSQL data directory (it is not empty and has no cluster.json); give a new or empty directory\n`);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a file, and a database it cannot open, with one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'not-dir-')), 'file');
    writeFileSync(file, 'x');
    const notDir = await runScript('local-dsql.ts', ['serve', '--data', file], { env });
    expect([notDir.code, notDir.stderr]).toEqual([1, `local-dsql.ts: ${file} is not a directory\n`]);
    const broken = join(mkdtempSync(join(tmpdir(), 'broken-')), 'data');
    mkdirSync(join(broken, 'pgdata'), { recursive: true });
    writeFileSync(join(broken, 'cluster.json'), JSON.stringify({ identifier: 'abcdefghijklmnopqrstuvwxyz', region: 'us-east-1', creationTime: new Date().toISOString() }));
    writeFileSync(join(broken, 'pgdata', 'PG_VERSION'), '99\n');
    const r = await runScript('local-dsql.ts', ['serve', '--data', broken], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^local-dsql.ts: cannot open the database in ${join(broken, 'pgdata')}: .+\n$`));
    expect(existsSync(join(broken, 'server.json'))).toBe(false); // the lock is given back
  });

  it('refuses a data directory or local home it cannot create with one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'not-dir-')), 'file');
    writeFileSync(file, 'x');
    const data = await runScript('local-dsql.ts', ['serve', '--data', join(file, 'data')], { env });
    expect([data.code, data.stderr]).toEqual([1, `local-dsql.ts: cannot create the data directory ${join(file, 'data')}: ${file} is a file\n`]);
    const home = await runScript('local-dsql.ts', ['serve'], { env: { ...env, DSQL_LOCAL_HOME: file } });
    expect([home.code, home.stderr]).toEqual([1, `local-dsql.ts: cannot create the local clusters folder ${join(file, 'clusters')}: ${file} is a file\n`]);
  });

  it('refuses a port that is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runScript('local-dsql.ts', ['serve', '--memory', '--port', String(port)], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`local-dsql.ts: port ${port} on 127.0.0.1 is in use; pick another with --port, or --port 0 for any free port\n`);
    } finally {
      blocker.close();
    }
  });

  /** local-dsql as a user without privileges (as root: the user the PostgreSQL tests use); its exit code and stderr. */
  async function unprivileged(args: string[]): Promise<[unknown, string]> {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    const as = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : {};
    const child = spawn(scriptPath('local-dsql.ts'), args, { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'], ...as });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return [await new Promise((r) => child.on('exit', r)), stderr];
  }

  it('refuses a port it may not use with one line', async () => {
    expect(await unprivileged(['serve', '--memory', '--port', '80'])).toEqual([
      1,
      'local-dsql.ts: port 80 on 127.0.0.1 needs privileges this user does not have; pick one above 1023 with --port, or --port 0 for any free port\n',
    ]);
  });

  it('refuses a data directory it may not write to with one line', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'read-only-'));
    const empty = join(parent, 'empty');
    const existing = join(parent, 'existing');
    mkdirSync(empty);
    mkdirSync(existing);
    writeFileSync(join(existing, 'cluster.json'), JSON.stringify({ identifier: 'abcdefghijklmnopqrstuvwxyz', region: 'us-east-1', creationTime: new Date().toISOString() }));
    for (const dir of [parent, empty, existing]) chmodSync(dir, 0o555);
    expect(await unprivileged(['serve', '--data', empty])).toEqual([1, `local-dsql.ts: cannot write to the data directory ${empty}: permission denied\n`]);
    expect(await unprivileged(['serve', '--data', existing])).toEqual([1, `local-dsql.ts: cannot write to the data directory ${existing}: permission denied\n`]);
  });

  it.each([
    [['serve', '--memory', '--data', 'x'], 'local-dsql.ts: give at most one of --cluster, --data and --memory'],
    [['serve', '--port', '70000'], 'local-dsql.ts: --port must be at most 65535, got 70000'],
    [['start'], 'local-dsql.ts: unknown command "start"; the commands are serve and demo'],
    [[], 'local-dsql.ts: missing COMMAND (see --help)'],
    [['serve', '--region', 'mars'], 'local-dsql.ts: --region is not an AWS Region name: "mars" (e.g. us-east-1)'],
  ])('exits 2 with one line for %j', async (args, line) => {
    const r = await runScript('local-dsql.ts', args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(line + '\n');
    expect(r.stdout).toBe('');
  });

  it('documents what is not emulated in --help', async () => {
    const r = await runScript('local-dsql.ts', ['--help'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Not emulated: optimistic-concurrency conflicts/);
    expect(r.stdout).toMatch(/10 MiB/);
    expect(r.stdout).toMatch(/connection limits/);
  });
});

describe('serve (default local cluster)', () => {
  it('creates the default cluster on first use and serves it again next time', async () => {
    const first = await serve([]);
    expect(first.ready.dataDir).toBe(join(home, 'clusters', first.ready.identifier));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = await serve([]);
    expect(second.ready.identifier).toBe(first.ready.identifier);
    expect(second.ready.engine.created).toBe(false);
    second.child.kill('SIGTERM');
    const code = await second.exited;
    expect(code, second.stderr()).toBe(0);
  });
});

describe('demo (npm start)', () => {
  it('shows the DSQL way on the default local cluster, and runs again on it', async () => {
    const demoHome = mkdtempSync(join(tmpdir(), 'dsql-demo-home-'));
    const first = await runScript('local-dsql.ts', ['demo'], { env: { ...process.env, DSQL_LOCAL_HOME: demoHome }, timeoutMs: 120_000 });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const id = /Local DSQL cluster ([a-z2-7]{26}) \(created just now\)/.exec(first.stdout)?.[1];
    expect(id).toBeDefined();
    expect(first.stdout).toMatch(/-> job_id [a-z2-7]{26}\n/);
    expect(first.stdout).toContain('-> succeeded: true');
    expect(first.stdout).toContain(`-> ERROR ${ruleById('truncate').sqlstate}: ${ruleById('truncate').message}`);
    expect(first.stdout).toContain(`-> ERROR ${TRANSACTION_RULES.ddlDmlMixed.sqlstate}: ${TRANSACTION_RULES.ddlDmlMixed.message}`);
    expect(first.stdout).toContain(`FROM "demo_orders" WHERE tenant_id = 'acme'`);
    expect(first.stdout).toContain('"tenant_id":"acme","orders":"2"');
    const again = await runScript('local-dsql.ts', ['demo'], { env: { ...process.env, DSQL_LOCAL_HOME: demoHome }, timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Local DSQL cluster ${id} (existing)`);
    expect(again.stdout).toContain('"tenant_id":"acme","orders":"4"');
  });
});
