// --tls: TLS required, a certificate for the cluster's DSQL host name signed by a CA the
// server writes out, and an IAM authentication token as the password. The real DSQL
// node-postgres connector (which signs its token with the AWS SDK) and psql with
// sslmode=verify-full connect as they would to DSQL.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuroraDSQLClient } from '@aws/aurora-dsql-node-postgres-connector';
import { DsqlSigner } from '@aws-sdk/dsql-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSACTION_RULES } from '../../scripts/lib/rules/index.js';
import { ensureTlsFiles } from '../../scripts/lib/local/tls.js';
import { checkToken } from '../../scripts/lib/local/token.js';
import { psql, startTestServer, type TestServer } from './support.js';

let server: TestServer;
// Offline credentials: signing needs no network, and the server cannot check signatures.
const credentials = { accessKeyId: 'AKIDLOCALEXAMPLE', secretAccessKey: 'local-secret' };

beforeAll(async () => {
  server = await startTestServer({ tls: true, region: 'eu-west-1' });
});

afterAll(async () => {
  await server?.stop();
});

/** A socket that connects to 127.0.0.1 whatever host it is asked for (no DNS for the DSQL name). */
function loopback(): Socket {
  const socket = new Socket();
  const connect = socket.connect.bind(socket) as (...args: unknown[]) => Socket;
  (socket as unknown as { connect: (...args: unknown[]) => Socket }).connect = (port: unknown, _host: unknown, ...rest: unknown[]) => connect(port, '127.0.0.1', ...rest);
  return socket;
}

const token = (user = 'admin', hostname = server.endpoint, expiresIn?: number) => {
  const signer = new DsqlSigner({ hostname, region: server.region, credentials, expiresIn });
  return user === 'admin' ? signer.getDbConnectAdminAuthToken() : signer.getDbConnectAuthToken();
};

describe('the DSQL node-postgres connector', () => {
  it('connects with its own IAM token over verify-full TLS and sees DSQL behaviour', async () => {
    const client = new AuroraDSQLClient({
      host: server.endpoint,
      port: server.port,
      user: 'admin',
      customCredentialsProvider: credentials,
      ssl: { ca: readFileSync(server.tls!.ca), rejectUnauthorized: true },
      stream: loopback,
    });
    await client.connect();
    try {
      const r = await client.query('SELECT current_user AS who, $1::text AS echo', ['hi']);
      expect(r.rows).toEqual([{ who: 'admin', echo: 'hi' }]);
      const ssl = await client.query("SELECT current_setting('server_version') IS NOT NULL AS up");
      expect(ssl.rows).toEqual([{ up: true }]);
      await expect(client.query('BEGIN ISOLATION LEVEL SERIALIZABLE')).rejects.toMatchObject({ code: TRANSACTION_RULES.isolation.sqlstate });
    } finally {
      await client.end();
    }
  });
});

describe('psql with sslmode=verify-full', () => {
  it('connects to the DSQL host name with the CA and a token', async () => {
    const r = await psql(server, ['-Atc', 'SELECT 1'], '', { PGPASSWORD: await token() });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
    expect(server.connectionString).toContain(`host=${server.endpoint} hostaddr=127.0.0.1`);
    expect(server.connectionString).toContain('sslmode=verify-full');
  });

  it('is refused without TLS, with a password that is not a token, and with a token for another host', async () => {
    const plain = await psql({ ...server, connectionString: `host=127.0.0.1 port=${server.port} user=admin dbname=postgres sslmode=disable` }, ['-c', 'SELECT 1'], '', { PGPASSWORD: await token() });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('SSL connection is required');
    const notToken = await psql(server, ['-c', 'SELECT 1'], '', { PGPASSWORD: 'hunter2' });
    expect(notToken.stderr).toContain('password authentication failed for user "admin"');
    const elsewhere = await psql(server, ['-c', 'SELECT 1'], '', { PGPASSWORD: await token('admin', 'zzzzzzzzzzzzzzzzzzzzzzzzzz.dsql.eu-west-1.on.aws') });
    expect(elsewhere.stderr).toContain('password authentication failed');
  });

  it('checks the certificate against the host name', async () => {
    const wrong = await psql({ ...server, connectionString: server.connectionString.replace(`host=${server.endpoint}`, 'host=other.example.com') }, ['-c', 'SELECT 1'], '', {
      PGPASSWORD: await token(),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/does not match host name "other.example.com"/);
  });
});

describe('token checks', () => {
  it('accepts a fresh token for the host and user, refuses expired, mismatched and malformed ones', async () => {
    const admin = await token();
    expect(checkToken(admin, { user: 'admin', host: server.endpoint })).toBeUndefined();
    expect(checkToken(admin, { user: 'app', host: server.endpoint })).toBe('a DbConnectAdmin token cannot be used by user app');
    expect(checkToken(await token('app'), { user: 'app', host: server.endpoint })).toBeUndefined();
    expect(checkToken(admin, { user: 'admin', host: server.endpoint, now: Date.now() + 16 * 60_000 })).toBe('token has expired');
    expect(checkToken(admin, { user: 'admin', host: 'other.dsql.eu-west-1.on.aws' })).toBe('token was made for another host');
    expect(checkToken('not a token', { user: 'admin', host: server.endpoint })).toBe('not an IAM authentication token');
    expect(checkToken(admin.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=zz'), { user: 'admin', host: server.endpoint })).toBe('token is not signed');
  });
});

describe('TLS files', () => {
  it('keep the server certificate only while the CA in the directory signed it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsql-local-tls-test-'));
    try {
      const host = 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws';
      const signedByCa = () => {
        const files = ensureTlsFiles(dir, [host]);
        const ca = new X509Certificate(readFileSync(files.ca));
        const cert = new X509Certificate(readFileSync(files.cert));
        return cert.checkIssued(ca) && cert.verify(ca.publicKey);
      };
      expect(signedByCa()).toBe(true);
      const first = readFileSync(join(dir, 'server.crt'), 'utf8');
      expect(signedByCa()).toBe(true);
      expect(readFileSync(join(dir, 'server.crt'), 'utf8')).toBe(first); // kept
      // The CA's key is lost: a new CA is made, and the old server certificate must go with the old CA.
      rmSync(join(dir, 'ca.key'));
      expect(signedByCa()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
