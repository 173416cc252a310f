// A real PostgreSQL 15 server for tests: initdb in a fresh temp directory (as the `postgres`
// user when we are root, since initdb refuses root), listening on 127.0.0.1 at a random
// port, TLS only over TCP, with a server certificate from a test CA naming a DSQL-shaped
// host. Clients reach it as that host through PGHOSTADDR=127.0.0.1, so verify-full checks
// the DSQL name with no DNS change. Superuser `admin` (DSQL's admin role); the socket
// directory is open to the superuser for setup.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa, TEST_HOST, type TestCa } from './test-ca.js';

export { TEST_CLUSTER_ID, TEST_HOST, TEST_REGION } from './test-ca.js';

export interface Pg15Options {
  /** pg_hba.conf lines placed before the defaults (default: TLS connections from 127.0.0.1 trusted). */
  hba?: string[];
  /** Extra postgresql.conf lines. */
  conf?: string[];
  /** Login roles to create besides the superuser `admin`. */
  roles?: string[];
}

export interface Pg15 {
  /** The DSQL-shaped host name the certificate names. */
  host: string;
  hostaddr: '127.0.0.1';
  port: number;
  superuser: 'admin';
  ca: TestCa;
  dir: string;
  bindir: string;
  /** Environment for a bare psql: verify-full against the test CA through PGHOSTADDR. */
  psqlEnv(user?: string): NodeJS.ProcessEnv;
  /** Run SQL as the superuser over the Unix socket; returns unaligned, tuples-only output. */
  sql(query: string): string;
  /** The server log so far. */
  log(): string;
  stop(): Promise<void>;
}

/** The PostgreSQL 15 binaries (Debian layout), or $PG_BINDIR. */
export function pgBindir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))) : [];
  const pick = versions.includes('15') ? '15' : versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!pick) throw new Error('PostgreSQL server binaries not found (install the Debian package postgresql-15, or set PG_BINDIR)');
  return join(base, pick, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** uid/gid to run the server as: `postgres` when we are root, else ourselves. */
function serverIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { recursive: true })) chownSync(join(path, String(entry)), uid, gid);
}

export async function startPg15(options: Pg15Options = {}): Promise<Pg15> {
  const bindir = pgBindir();
  const dir = mkdtempSync(join(tmpdir(), 'dsql-pg15-'));
  const ca = makeTestCa(dir);
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  const who = serverIdentity();
  execFileSync('mkdir', ['-p', sock]);
  if (who.uid !== undefined) chownTree(dir, who.uid, who.gid!);
  const asServer = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bindir, cmd), args, { ...who, cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}\n${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`);
    return r.stdout;
  };

  asServer('initdb', ['-D', data, '-U', 'admin', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const hba = [
    ...(options.hba ?? []),
    'local all all trust',
    'hostssl all all 127.0.0.1/32 trust',
    'host all all 0.0.0.0/0 reject',
  ];
  writeFileSync(join(data, 'pg_hba.conf'), hba.join('\n') + '\n');
  if (who.uid !== undefined) chownSync(join(data, 'pg_hba.conf'), who.uid, who.gid!);

  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${port}`,
        `unix_socket_directories = '${sock}'`,
        `ssl = on`,
        `ssl_cert_file = '${ca.certFile}'`,
        `ssl_key_file = '${ca.keyFile}'`,
        `fsync = off`,
        `synchronous_commit = off`,
        `full_page_writes = off`,
        `shared_buffers = 16MB`,
        `max_connections = 40`,
        ...(options.conf ?? []),
        '',
      ].join('\n'),
    );
    try {
      asServer('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '30', 'start']);
      break;
    } catch (error) {
      // Another process may have taken the port between probe and start; later settings win.
      if (attempt >= 2) throw error;
    }
  }

  const sql = (query: string): string => {
    const r = spawnSync(join(bindir, 'psql'), ['-X', '-v', 'ON_ERROR_STOP=1', '-h', sock, '-p', String(port), '-U', 'admin', '-d', 'postgres', '-Atq', '-c', query], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`);
    return r.stdout.trimEnd();
  };
  for (const role of options.roles ?? []) sql(`CREATE ROLE "${role.replaceAll('"', '""')}" LOGIN`);

  let stopped = false;
  return {
    host: TEST_HOST,
    hostaddr: '127.0.0.1',
    port,
    superuser: 'admin',
    ca,
    dir,
    bindir,
    psqlEnv: (user = 'admin') => ({
      PATH: process.env.PATH,
      PGHOST: TEST_HOST,
      PGHOSTADDR: '127.0.0.1',
      PGPORT: String(port),
      PGUSER: user,
      PGDATABASE: 'postgres',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: ca.caFile,
    }),
    sql,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        asServer('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
