// psql-connect end to end, as a user runs it: the real psql 15 against a real PostgreSQL 15
// with TLS (the test CA, a DSQL-shaped host name reached through PGHOSTADDR=127.0.0.1), a
// wire-protocol stand-in that records the password psql sends, fake AWS credentials in the
// environment and an empty HOME.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAwsUser } from '../support/aws-env.js';
import { runScript, scriptPath, type RunResult } from '../support/run.js';
import { startPasswordStandin, type PasswordStandin } from '../support/pg-password-standin.js';
import { startPg15, TEST_CLUSTER_ID, TEST_HOST, type Pg15 } from '../support/pg15.js';
import { parseToken, signatureIsValid } from '../support/sigv4.js';

// Recognisable fake credentials: none of these, nor the token made from them, may be printed.
const PLANTED = {
  accessKeyId: 'AKIAPLANTEDDSQLTEST7',
  secretAccessKey: 'PLANTEDsecret/DSQL+test0123456789abcdefXYZ',
  sessionToken: 'PLANTEDsessionTOKEN/dsql+test/0123456789==',
};

const scratch = mkdtempSync(join(tmpdir(), 'dsql-psql-connect-'));
const user = fakeAwsUser('dsql-psql-connect-user-', PLANTED);
const home = user.home;
const userEnv = user.env;

const connect = (args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> => runScript('psql-connect.ts', args, { env, input });

function expectNoSecrets(texts: string[], tokens: string[] = []): void {
  const needles = [PLANTED.secretAccessKey, PLANTED.sessionToken, encodeURIComponent(PLANTED.sessionToken), ...tokens, ...tokens.map((t) => parseToken(t).signature)];
  for (const text of texts) for (const needle of needles) expect(text.includes(needle), `secret found in: ${text.slice(0, 200)}`).toBe(false);
}

describe('psql-connect against PostgreSQL 15 with TLS', () => {
  let pg: Pg15;
  let env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  beforeAll(async () => {
    pg = await startPg15({ roles: ['reader'] });
    pg.sql('CREATE TABLE items (id int PRIMARY KEY, note text); GRANT SELECT, INSERT ON items TO reader');
    env = (extra = {}) => userEnv({ PGHOSTADDR: '127.0.0.1', PGPORT: String(pg.port), PGSSLROOTCERT: pg.ca.caFile, ...extra });
  });
  afterAll(() => pg?.stop());

  const WHO = "SELECT current_user || '|' || application_name || '|' || ssl FROM pg_stat_activity JOIN pg_stat_ssl USING (pid) WHERE pid = pg_backend_pid()";

  it('connects with verify-full as admin by default, over TLS, tagged dsql-skill', async () => {
    const r = await connect([TEST_CLUSTER_ID, '--region', 'us-east-1', '-c', WHO], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('admin|dsql-skill|t');
  });

  it('takes the role from --user, then $DB_USER; --admin wins over $DB_USER; --ai-model tags the session', async () => {
    const asReader = await connect(['--cluster', TEST_CLUSTER_ID, '--user', 'reader', '--ai-model', 'claude-sonnet-4.5', '-c', WHO], env());
    expect(asReader.stdout).toContain('reader|dsql-skill/claude-sonnet-4.5|t');
    const fromEnv = await connect(['-c', WHO], env({ CLUSTER: TEST_CLUSTER_ID, DB_USER: 'reader', REGION: 'us-east-1' }));
    expect(fromEnv.stdout).toContain('reader|dsql-skill|t');
    const admin = await connect(['-c', WHO, '--admin'], env({ CLUSTER: TEST_CLUSTER_ID, DB_USER: 'reader' }));
    expect(admin.stdout).toContain('admin|dsql-skill|t');
  });

  it('fails clearly with a wrong CA, a wrong host name, or the system bundle (which does not hold the test CA)', async () => {
    const wrongCa = await connect([TEST_CLUSTER_ID, '-c', 'SELECT 1'], env({ PGSSLROOTCERT: pg.ca.otherCaFile }));
    expect(wrongCa.code).toBe(2);
    expect(wrongCa.stderr).toContain('certificate verify failed');
    const wrongHost = await connect(['zzzzzzzzzzzzzzzzzzzzzzzzzz', '-c', 'SELECT 1'], env());
    expect(wrongHost.code).toBe(2);
    expect(wrongHost.stderr).toContain(`does not match host name "zzzzzzzzzzzzzzzzzzzzzzzzzz.dsql.us-east-1.on.aws"`);
    const systemBundle = await connect([TEST_CLUSTER_ID, '-c', 'SELECT 1'], env({ PGSSLROOTCERT: undefined }));
    expect(systemBundle.code).toBe(2);
    expect(systemBundle.stderr).toContain('certificate verify failed');
  });

  it('--skip-cert-verify connects without verification and warns', async () => {
    const r = await connect([TEST_CLUSTER_ID, '--skip-cert-verify', '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], env({ PGSSLROOTCERT: pg.ca.otherCaFile }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\bt\b/);
    expect(r.stderr).toMatch(/^warning: --skip-cert-verify: .*Not for production\.\n$/);
  });

  it('--read-only: the server refuses an INSERT, and a read prints only its result', async () => {
    const write = await connect([TEST_CLUSTER_ID, '--read-only', '-c', "INSERT INTO items VALUES (1, 'x')"], env());
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('cannot execute INSERT in a read-only transaction');
    expect(pg.sql('SELECT count(*) FROM items')).toBe('0');
    const read = await connect([TEST_CLUSTER_ID, '--read-only', '-c', 'SELECT 40 + 2 AS answer'], env());
    expect(read.code).toBe(0);
    expect(read.stdout).not.toMatch(/BEGIN|COMMIT/);
    expect(read.stdout).toContain('42');
  });

  it('--read-only -f: the server refuses a write even after set_config tries to lift it', async () => {
    const file = join(scratch, 'sneaky.sql');
    writeFileSync(file, "SELECT set_config('transaction_read_only', 'off', true);\nINSERT INTO items VALUES (2, 'y');\n");
    const r = await connect([TEST_CLUSTER_ID, '--read-only', '-f', file], env());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/transaction read-write mode must be set before any query|read-only transaction/);
    expect(pg.sql('SELECT count(*) FROM items')).toBe('0');
  });

  it('-f stops at the first error (exit 3) and names the file and line', async () => {
    const file = join(scratch, 'migrate.sql');
    writeFileSync(file, "INSERT INTO items VALUES (10, 'first');\nINSERT INTO items VALUES (10, 'duplicate');\nINSERT INTO items VALUES (11, 'never');\n");
    const r = await connect([TEST_CLUSTER_ID, '-f', file], env());
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`psql:${file}:2: ERROR:  duplicate key value`);
    expect(pg.sql('SELECT string_agg(id::text, \',\' ORDER BY id) FROM items')).toBe('10');
  });

  it('refuses meta-commands in -f unless --allow-meta, and nothing runs', async () => {
    const file = join(scratch, 'meta.sql');
    writeFileSync(file, "INSERT INTO items VALUES (20, 'meta');\n\\echo meta-ran\n");
    const refused = await connect([TEST_CLUSTER_ID, '-f', file], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/meta\.sql line 2: the psql meta-command \\echo runs on this machine/);
    expect(pg.sql('SELECT count(*) FROM items WHERE id = 20')).toBe('0');
    const allowed = await connect([TEST_CLUSTER_ID, '-f', file, '--allow-meta'], env());
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('meta-ran');
    expect(pg.sql('SELECT count(*) FROM items WHERE id = 20')).toBe('1');
  });

  it('reads a script from piped stdin when neither -c nor -f is given', async () => {
    const r = await connect([TEST_CLUSTER_ID], env(), "SELECT 'from ' || 'stdin' AS src;\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('from stdin');
  });

  it('gives an interactive psql on a terminal, with the same connection', async () => {
    // util-linux `script` runs the command on a pseudo-terminal; psql reads our typing from it.
    const r = await new Promise<RunResult>((resolve) => {
      const child = spawn('script', ['-qfec', `${scriptPath('psql-connect.ts')} ${TEST_CLUSTER_ID}`, '/dev/null'], { env: env({ TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('=#') && !stdout.includes('interactive-ok')) child.stdin.write("SELECT 'interactive' || '-ok';\n");
        if (/interactive-ok\s*\r?\n\(1 row\)/.test(stdout)) child.stdin.write('\\q\n');
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr: '' });
      });
    });
    expect(r.stdout).toContain(`connecting to ${TEST_HOST} via 127.0.0.1 as admin (DbConnectAdmin token, verify-full`);
    expect(r.stdout).toContain('interactive-ok');
    expect(r.code).toBe(0);
  });
});

describe('psql-connect: the token, as the server receives it', () => {
  let standin: PasswordStandin;
  let caFile: string;
  let env: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
  beforeAll(async () => {
    const { makeTestCa } = await import('../support/test-ca.js');
    const ca = makeTestCa(mkdtempSync(join(tmpdir(), 'dsql-standin-ca-')));
    caFile = ca.caFile;
    standin = await startPasswordStandin(ca);
    env = (extra = {}) => userEnv({ PGHOSTADDR: '127.0.0.1', PGPORT: String(standin.port), PGSSLROOTCERT: caFile, ...extra });
  });
  afterAll(() => standin?.close());

  async function loginFor(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const before = standin.logins.length;
    const r = await connect([...args, '-c', 'SELECT 1'], env(extra));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stand-in');
    expect(standin.logins.length).toBe(before + 1);
    return { login: standin.logins.at(-1)!, result: r };
  }

  it('sends the IAM token as the password: an admin token for admin, signed with the planted keys, default 900 s', async () => {
    const { login, result } = await loginFor([TEST_CLUSTER_ID]);
    expect(login.params).toMatchObject({ user: 'admin', database: 'postgres', application_name: 'dsql-skill' });
    expect(login.servername).toBe(TEST_HOST);
    const token = parseToken(login.password);
    expect(token).toMatchObject({ host: TEST_HOST, action: 'DbConnectAdmin', accessKeyId: PLANTED.accessKeyId, region: 'us-east-1', service: 'dsql', expires: 900, securityToken: PLANTED.sessionToken });
    expect(signatureIsValid(login.password, PLANTED.secretAccessKey)).toBe(true);
    expectNoSecrets([result.stdout, result.stderr], [login.password]);
  });

  it('gives the admin token exactly when the role is admin', async () => {
    const cases: [string[], NodeJS.ProcessEnv, string, string][] = [
      [['--admin'], {}, 'admin', 'DbConnectAdmin'],
      [['--user', 'admin'], {}, 'admin', 'DbConnectAdmin'],
      [['--user', 'reader'], {}, 'reader', 'DbConnect'],
      [['--user', 'Admin'], {}, 'Admin', 'DbConnect'],
      [['-U', 'admin_helper'], {}, 'admin_helper', 'DbConnect'],
      [[], { DB_USER: 'reader' }, 'reader', 'DbConnect'],
      [['--admin'], { DB_USER: 'reader' }, 'admin', 'DbConnectAdmin'],
    ];
    for (const [flags, extra, user, action] of cases) {
      const { login } = await loginFor([TEST_CLUSTER_ID, ...flags], extra);
      expect(login.params.user, flags.join(' ')).toBe(user);
      expect(parseToken(login.password).action, flags.join(' ')).toBe(action);
      expect(signatureIsValid(login.password, PLANTED.secretAccessKey)).toBe(true);
    }
  });

  it('signs for the Region of a --host endpoint and honours --token-expires', async () => {
    const host = `${TEST_CLUSTER_ID}.dsql.us-east-1.on.aws`;
    const { login } = await loginFor(['--host', host, '--token-expires', '3600'], { AWS_REGION: 'eu-west-1' });
    expect(parseToken(login.password)).toMatchObject({ host, region: 'us-east-1', expires: 3600 });
    for (const bad of ['0', '604801', 'soon']) {
      const r = await connect([TEST_CLUSTER_ID, '--token-expires', bad, '-c', 'SELECT 1'], env());
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/^psql-connect\.ts: --token-expires /);
    }
  });

  it('--profile picks credentials and Region from the shared config files', async () => {
    const aws = join(scratch, 'profile-home', '.aws');
    mkdirSync(aws, { recursive: true });
    writeFileSync(join(aws, 'credentials'), '[analyst]\naws_access_key_id = AKIAPROFILEDSQLTEST9\naws_secret_access_key = profile/secret+KEY0123456789abcdefghijklm\n');
    writeFileSync(join(aws, 'config'), '[profile analyst]\nregion = eu-west-2\n');
    const files = { HOME: join(scratch, 'profile-home'), AWS_CONFIG_FILE: join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials') };
    const noKeys = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined };
    // The endpoint is in eu-west-2, which the test certificate does not name: skip verification here.
    const before = standin.logins.length;
    const r = await connect([TEST_CLUSTER_ID, '--profile', 'analyst', '--skip-cert-verify', '-c', 'SELECT 1'], env({ ...files, ...noKeys }));
    expect(r.code).toBe(0);
    expect(standin.logins.length).toBe(before + 1);
    const token = standin.logins.at(-1)!.password;
    expect(parseToken(token)).toMatchObject({ host: `${TEST_CLUSTER_ID}.dsql.eu-west-2.on.aws`, region: 'eu-west-2', accessKeyId: 'AKIAPROFILEDSQLTEST9' });
    expect(signatureIsValid(token, 'profile/secret+KEY0123456789abcdefghijklm')).toBe(true);
  });

  it('keeps the token out of argv (psql and node), stdout and stderr; it travels only in PGPASSWORD', async () => {
    const gate = standin.hold();
    const child = spawn(scriptPath('psql-connect.ts'), [TEST_CLUSTER_ID, '--user', 'reader', '-c', 'SELECT 1'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const login = await gate.arrived;
      const psqlPid = childrenOf(child.pid!).find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'psql');
      expect(psqlPid).toBeDefined();
      const argv = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      expect(argv(psqlPid!)).toContain('SELECT 1');
      expectNoSecrets([argv(psqlPid!), argv(child.pid!)], [login.password]);
      const environ = readFileSync(`/proc/${psqlPid}/environ`, 'utf8').split('\0');
      expect(environ).toContain(`PGPASSWORD=${login.password}`);
      expect(environ).toContain(`PGHOST=${TEST_HOST}`);
      gate.release();
      expect(await closed).toBe(0);
      expect(stdout).toContain('stand-in');
      expectNoSecrets([stdout, stderr], [login.password]);
    } finally {
      gate.release();
      child.kill();
    }
  });

  it('refuses a second statement before signing or connecting', async () => {
    const before = standin.logins.length;
    const r = await connect([TEST_CLUSTER_ID, '-c', "SELECT E'x\\'' ; DROP TABLE t ; SELECT 'y'"], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^psql-connect\.ts: -c runs exactly one SQL statement; found 3 .*-f FILE\n$/);
    expect(standin.logins.length).toBe(before);
  });
});

describe('psql-connect: failures before psql runs', () => {
  const env = (extra: NodeJS.ProcessEnv = {}) => userEnv({ PGSSLROOTCERT: undefined, ...extra });
  const oneLine = (r: RunResult) => {
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('names the fix when there are no AWS credentials', async () => {
    const r = await connect([TEST_CLUSTER_ID, '-c', 'SELECT 1'], env({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined }));
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toMatch(/^psql-connect\.ts: no AWS credentials found; .*aws configure.*AWS_PROFILE.*AWS_ACCESS_KEY_ID/);
  });

  it('refuses psql older than 14 and a missing psql', async () => {
    const bin = join(scratch, 'old-psql-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'psql'), '#!/bin/sh\necho "psql (PostgreSQL) 13.14"\n');
    chmodSync(join(bin, 'psql'), 0o755);
    const nodeDir = dirname(process.execPath);
    const old = await connect([TEST_CLUSTER_ID, '-c', 'SELECT 1'], env({ PATH: `${bin}:${nodeDir}:/bin:/usr/bin` }));
    expect(old.code).toBe(1);
    oneLine(old);
    expect(old.stderr).toMatch(/psql 13\.14 is too old: DSQL needs psql 14 or newer/);
    // A PATH with only what the launcher needs (node, dirname): no psql.
    const bare = join(scratch, 'no-psql-bin');
    mkdirSync(bare, { recursive: true });
    for (const [name, target] of [['node', process.execPath], ['dirname', '/usr/bin/dirname']] as const) {
      if (!existsSync(join(bare, name))) symlinkSync(existsSync(target) ? target : `/bin/${name}`, join(bare, name));
    }
    const missing = await connect([TEST_CLUSTER_ID, '-c', 'SELECT 1'], env({ PATH: bare }));
    expect(missing.code).toBe(1);
    oneLine(missing);
    expect(missing.stderr).toMatch(/psql not found on PATH; install the PostgreSQL client 14 or newer/);
  });

  it.each([
    [['--admin', '--user', 'reader', '-c', 'SELECT 1'], /--admin means --user admin/],
    [['-c', 'SELECT 1', '-f', '/dev/null'], /give -c or -f, not both/],
    [['-c', 'SELECT 1', '--allow-meta'], /--allow-meta applies to -f/],
    [['-f', '/dev/null', '--allow-meta', '--read-only'], /--read-only cannot be combined with --allow-meta/],
    [['-c', '   '], /-c needs one SQL statement; got only whitespace/],
    [['-c', '\\! id'], /starts with the psql meta-command \\!/],
    [['--read-only', '-c', 'COMMIT'], /--read-only runs -c inside one BEGIN READ ONLY transaction; "COMMIT"/],
    [['--ai-model', 'model with spaces', '-c', 'SELECT 1'], /--ai-model must be/],
  ])('usage error for %j', async (args, message) => {
    const r = await connect([TEST_CLUSTER_ID, ...args], env());
    expect(r.code).toBe(2);
    oneLine(r);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [['NOT-AN-ID', '-c', 'SELECT 1'], /is not a DSQL cluster identifier/],
    [['--host', 'a.example,b.example', '-c', 'SELECT 1'], /--host must be one host name/],
    [['--host', `${TEST_CLUSTER_ID}.dsql.us-east-1.on.aws`, '--region', 'eu-west-1', '-c', 'SELECT 1'], /does not match the endpoint's Region us-east-1/],
    [['--cluster', 'abc', 'def', '-c', 'SELECT 1'], /cluster given twice and they differ/],
    [['--host', TEST_HOST, TEST_CLUSTER_ID, '-c', 'SELECT 1'], /give a cluster id or --host, not both/],
    [['-c', 'SELECT 1'], /missing cluster/],
    [['--region', 'moon', TEST_CLUSTER_ID, '-c', 'SELECT 1'], /--region is not an AWS Region name/],
  ])('usage error for the target %j', async (args, message) => {
    const r = await connect(args, env());
    expect(r.code).toBe(2);
    oneLine(r);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a missing file, a directory, and a bad PGSSLROOTCERT with exit 1', async () => {
    const missing = await connect([TEST_CLUSTER_ID, '-f', join(scratch, 'nope.sql')], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.sql: ENOENT/);
    const dir = await connect([TEST_CLUSTER_ID, '-f', scratch], env());
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/is not a regular file/);
    const cert = await connect([TEST_CLUSTER_ID, '-c', 'SELECT 1'], env({ PGSSLROOTCERT: join(scratch, 'no-ca.pem') }));
    expect(cert.code).toBe(1);
    oneLine(cert);
    expect(cert.stderr).toMatch(/PGSSLROOTCERT=.*no-ca\.pem is not a readable file/);
  });
});

/** Direct children of a process, from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
