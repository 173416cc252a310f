// The pieces under psql-connect: TLS root resolution, psql version parsing, the psql
// invocation (arguments and environment), the token signer wrapper and its redaction.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDbToken, isAdminUser, TOKEN_EXPIRES } from '../../scripts/lib/aws/token.js';
import { oneLine, UserError } from '../../scripts/lib/cli/errors.js';
import { psqlInvocation, type ConnectionTarget } from '../../scripts/lib/psql/run.js';
import { applicationName, addressOverrides, checkHost } from '../../scripts/lib/psql/target.js';
import { resolveTls } from '../../scripts/lib/psql/tls.js';
import { parsePsqlVersion } from '../../scripts/lib/psql/version.js';
import { parseToken, signatureIsValid } from '../support/sigv4.js';

const dir = mkdtempSync(join(tmpdir(), 'dsql-parts-'));
const bundle = join(dir, 'bundle.pem');
const custom = join(dir, 'custom.pem');
writeFileSync(bundle, '-----BEGIN CERTIFICATE-----\n');
writeFileSync(custom, '-----BEGIN CERTIFICATE-----\n');
const missing = join(dir, 'missing.pem');

describe('resolveTls', () => {
  it('uses the first readable system bundle as a file, for psql 14/15 and 16+ alike', () => {
    for (const psqlMajor of [14, 15, 16, 17]) {
      expect(resolveTls({ env: {}, psqlMajor, bundles: [missing, bundle] })).toEqual({ sslmode: 'verify-full', sslrootcert: bundle, source: 'system bundle' });
    }
  });

  it('honours PGSSLROOTCERT, then SSL_CERT_FILE', () => {
    expect(resolveTls({ env: { PGSSLROOTCERT: custom, SSL_CERT_FILE: bundle }, psqlMajor: 15, bundles: [bundle] })).toMatchObject({ sslrootcert: custom, source: 'PGSSLROOTCERT' });
    expect(resolveTls({ env: { SSL_CERT_FILE: custom }, psqlMajor: 15, bundles: [bundle] })).toMatchObject({ sslrootcert: custom, source: 'SSL_CERT_FILE' });
    expect(resolveTls({ env: { SSL_CERT_FILE: missing }, psqlMajor: 15, bundles: [bundle] })).toMatchObject({ sslrootcert: bundle });
  });

  it('turns PGSSLROOTCERT=system into a file for psql < 16 and keeps it for 16+', () => {
    expect(resolveTls({ env: { PGSSLROOTCERT: 'system' }, psqlMajor: 15, bundles: [bundle] })).toMatchObject({ sslrootcert: bundle });
    expect(resolveTls({ env: { PGSSLROOTCERT: 'system' }, psqlMajor: 16, bundles: [bundle] })).toMatchObject({ sslrootcert: 'system', source: 'libpq system' });
  });

  it('falls back to sslrootcert=system only where libpq understands it; otherwise one clear error', () => {
    expect(resolveTls({ env: {}, psqlMajor: 16, bundles: [missing] })).toMatchObject({ sslrootcert: 'system' });
    expect(() => resolveTls({ env: {}, psqlMajor: 15, bundles: [missing] })).toThrow(/no system CA bundle found .*psql 15 cannot use sslrootcert=system/);
    expect(() => resolveTls({ env: { PGSSLROOTCERT: missing }, psqlMajor: 15 })).toThrow(UserError);
    expect(() => resolveTls({ env: { PGSSLROOTCERT: dir }, psqlMajor: 15 })).toThrow(/not a readable file/);
  });

  it('--skip-cert-verify means sslmode=require with no root certificate, whatever the environment says', () => {
    expect(resolveTls({ skipVerify: true, env: { PGSSLROOTCERT: missing }, psqlMajor: 15 })).toEqual({ sslmode: 'require', source: 'none' });
  });
});

describe('parsePsqlVersion', () => {
  it.each([
    ['psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', 15, 18],
    ['psql (PostgreSQL) 14.0', 14, 0],
    ['psql (PostgreSQL) 17beta1', 17, 0],
    ['psql (PostgreSQL) 9.6.24', 9, 6],
  ])('%s', (text, major, minor) => {
    expect(parsePsqlVersion(text)).toMatchObject({ major, minor });
  });
  it('gives undefined for something else', () => expect(parsePsqlVersion('mysql  Ver 8.0')).toBeUndefined());
});

describe('psqlInvocation', () => {
  const target: ConnectionTarget = {
    host: 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws',
    user: 'reader',
    password: 'TOKEN-abcdefghijklmnop',
    sslmode: 'verify-full',
    sslrootcert: '/etc/ssl/certs/ca-certificates.crt',
    applicationName: 'dsql-skill',
  };
  const stray = { PGHOSTADDR: '10.0.0.9', PGSERVICE: 'prod', PGSSLMODE: 'disable', PGPASSWORD: 'other', PGUSER: 'x', PGOPTIONS: '-c statement_timeout=5s', KEEP: '1' };

  it('puts the connection, password included, in the environment only, and drops stray libpq settings', () => {
    const { args, env } = psqlInvocation(target, { kind: 'command', sql: 'SELECT 1' }, { baseEnv: stray });
    expect(args.join(' ')).not.toContain(target.password);
    expect(env).toMatchObject({
      PGHOST: target.host,
      PGPORT: '5432',
      PGUSER: 'reader',
      PGDATABASE: 'postgres',
      PGPASSWORD: target.password,
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: target.sslrootcert,
      PGAPPNAME: 'dsql-skill',
      PGCONNECT_TIMEOUT: '10',
      PGOPTIONS: stray.PGOPTIONS,
      KEEP: '1',
    });
    expect(env.PGHOSTADDR).toBeUndefined();
    expect(env.PGSERVICE).toBeUndefined();
    expect(psqlInvocation({ ...target, hostaddr: '127.0.0.1', port: 6543 }, { kind: 'interactive' }, { baseEnv: { PGCONNECT_TIMEOUT: '3' } }).env).toMatchObject({ PGHOSTADDR: '127.0.0.1', PGPORT: '6543', PGCONNECT_TIMEOUT: '3' });
  });

  it('scripted runs skip psqlrc, stop on error and never page; interactive runs are plain psql', () => {
    expect(psqlInvocation(target, { kind: 'command', sql: 'SELECT 1' }).args).toEqual(['-X', '-v', 'ON_ERROR_STOP=1', '-P', 'pager=off', '-c', 'SELECT 1']);
    expect(psqlInvocation(target, { kind: 'file', path: 'a.sql' }).args.slice(-2)).toEqual(['-f', 'a.sql']);
    expect(psqlInvocation(target, { kind: 'script', text: 'SELECT 1;' })).toMatchObject({ input: 'SELECT 1;', args: expect.arrayContaining(['-f', '-']) });
    expect(psqlInvocation(target, { kind: 'interactive' }).args).toEqual([]);
  });

  it('--read-only wraps the action in BEGIN READ ONLY ... COMMIT, quietly', () => {
    const { args } = psqlInvocation(target, { kind: 'file', path: 'a.sql' }, { readOnly: true });
    const at = (s: string) => args.indexOf(s);
    expect(at('BEGIN READ ONLY')).toBeGreaterThan(-1);
    expect(at('BEGIN READ ONLY')).toBeLessThan(at('a.sql'));
    expect(at('COMMIT')).toBeGreaterThan(at('a.sql'));
    expect(() => psqlInvocation(target, { kind: 'interactive' }, { readOnly: true })).toThrow(/--read-only needs -c or -f/);
  });
});

describe('target checks', () => {
  it('application_name and --ai-model', () => {
    expect(applicationName()).toBe('dsql-skill');
    expect(applicationName('us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe('dsql-skill/us.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(Buffer.byteLength(applicationName('m'.repeat(52)))).toBe(63);
    for (const bad of ['', 'a b', 'x'.repeat(53), 'é', 'a/b', 'a;b']) expect(() => applicationName(bad), bad).toThrow(/--ai-model/);
  });

  it('one host name only, and numeric PGHOSTADDR / PGPORT', () => {
    expect(checkHost('abc.dsql.us-east-1.on.aws')).toBe('abc.dsql.us-east-1.on.aws');
    for (const bad of ['a,b', '/tmp', 'host name', '', '-x', 'a.b.']) expect(() => checkHost(bad), bad).toThrow(/--host/);
    expect(addressOverrides({ PGHOSTADDR: '127.0.0.1', PGPORT: '5433' })).toEqual({ hostaddr: '127.0.0.1', port: 5433 });
    expect(() => addressOverrides({ PGHOSTADDR: 'localhost' })).toThrow(/PGHOSTADDR/);
    expect(() => addressOverrides({ PGPORT: '70000' })).toThrow(/PGPORT/);
  });
});

describe('generateDbToken', () => {
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIAUNITTESTEXAMPLE1', AWS_SECRET_ACCESS_KEY: 'unit/test+SECRET0123456789abcdefghijkl' };
  const withEnv = async <T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> => {
    const saved = { ...process.env };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
      delete process.env[k];
    }
    Object.assign(process.env, env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: missing, AWS_SHARED_CREDENTIALS_FILE: missing });
    try {
      return await fn();
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };

  it('signs an admin token for admin only, with the requested lifetime, and registers it as a secret', async () => {
    const host = 'abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws';
    const admin = await withEnv(credentials, () => generateDbToken({ hostname: host, region: 'eu-west-1', user: 'admin' }));
    const other = await withEnv(credentials, () => generateDbToken({ hostname: host, region: 'eu-west-1', user: 'app', expiresIn: 60 }));
    expect(admin.action).toBe('DbConnectAdmin');
    expect(parseToken(admin.token)).toMatchObject({ host, action: 'DbConnectAdmin', region: 'eu-west-1', expires: TOKEN_EXPIRES.default });
    expect(parseToken(other.token)).toMatchObject({ action: 'DbConnect', expires: 60 });
    expect(signatureIsValid(other.token, credentials.AWS_SECRET_ACCESS_KEY)).toBe(true);
    // Any message that echoes the token is redacted by the command runner.
    expect(oneLine(`failed with ${admin.token}`)).toBe('failed with [redacted]');
    expect(isAdminUser('admin')).toBe(true);
    expect(isAdminUser('ADMIN')).toBe(false);
  });

  it('refuses a lifetime outside what SigV4 presigning allows', async () => {
    for (const expiresIn of [0, TOKEN_EXPIRES.max + 1, 1.5]) {
      await expect(withEnv(credentials, () => generateDbToken({ hostname: 'h', region: 'us-east-1', user: 'admin', expiresIn }))).rejects.toThrow(/token expiry/);
    }
  });

  it('names the fix when credentials are missing or the profile does not exist', async () => {
    await expect(withEnv({}, () => generateDbToken({ hostname: 'h', region: 'us-east-1', user: 'admin' }))).rejects.toMatchObject({
      message: 'no AWS credentials found',
      hint: expect.stringMatching(/aws configure.*AWS_PROFILE.*AWS_ACCESS_KEY_ID/),
    });
    await expect(withEnv({}, () => generateDbToken({ hostname: 'h', region: 'us-east-1', user: 'admin', profile: 'nosuch' }))).rejects.toThrow('no AWS credentials found for profile nosuch');
  });
});
