// doctor.ts as a user runs it, on isolated machines: a chosen PATH, a fresh HOME, no AWS settings.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { platformFamily, psqlInstallFix } from '../../scripts/lib/doctor/platform.js';
import { ROOT, runScript, type RunResult } from '../support/run.js';
import { binDir, machine, ssoCachePath, systemPath } from './support.js';

interface CheckJson {
  id: string;
  status: string;
  required: boolean;
  summary: string;
  details: string[];
  fix?: string;
  data: Record<string, unknown>;
}
interface ReportJson {
  mode: string;
  ok: boolean;
  failed: string[];
  checks: CheckJson[];
}

async function doctor(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ r: RunResult; report: ReportJson; byId: Record<string, CheckJson> }> {
  const r = await runScript('doctor.ts', ['--json', ...args], { env });
  const report = JSON.parse(r.stdout) as ReportJson;
  return { r, report, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

const OLD_PSQL = `case "$1" in
  --version) echo "psql (PostgreSQL) 12.17 (Ubuntu 12.17-0ubuntu0.20.04.1)";;
  *) echo 'psql: error: invalid connection option "load_balance_hosts"' >&2; exit 1;;
esac`;

describe('doctor.ts', () => {
  it('PATH without psql: fails in both modes with the install command for this system', async () => {
    const m = machine(binDir(), { AWS_REGION: 'us-east-1' });
    for (const mode of [[], ['--local']]) {
      const { r, report, byId } = await doctor(m.env, mode);
      expect(r.code).toBe(1);
      expect(report.failed).toContain('psql');
      expect(byId.psql).toMatchObject({ status: 'fail', required: true, summary: 'psql is not on PATH', fix: psqlInstallFix(platformFamily()) });
    }
  });

  it('no credentials: cluster mode fails, --local passes', async () => {
    const m = machine(systemPath());
    const cluster = await doctor(m.env);
    expect(cluster.r.code).toBe(1);
    expect(cluster.report).toMatchObject({ mode: 'cluster', ok: false, failed: ['credentials'] });
    expect(cluster.byId.credentials!.details).toContain('EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED)');
    expect(cluster.byId.region).toMatchObject({ status: 'warn', data: { region: 'us-east-1', source: 'default' } });

    const local = await doctor(m.env, ['--local']);
    expect(local.r.code).toBe(0);
    expect(local.report).toMatchObject({ mode: 'local', ok: true, failed: [] });
    expect(local.byId.credentials).toMatchObject({ status: 'fail', required: false });
  });

  it('the text report: one line per check, the fix under each problem, the verdict last', async () => {
    const m = machine(systemPath());
    const r = await runScript('doctor.ts', [], { env: m.env });
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    for (const id of ['node', 'dependencies', 'build', 'psql', 'tls', 'credentials', 'region']) {
      expect(lines.some((l) => new RegExp(`^(ok  |warn|FAIL|skip)  ${id} `).test(l)), id).toBe(true);
    }
    const credentials = lines.findIndex((l) => l.startsWith('FAIL  credentials'));
    expect(lines.slice(credentials + 1).find((l) => l.trim().startsWith('fix: '))).toMatch(/aws configure sso/);
    expect(lines.at(-1)).toBe('Not ready: credentials failed (see the fix lines above).');
    const local = await runScript('doctor.ts', ['--local'], { env: m.env });
    expect(local.stdout).toMatch(/^skip  credentials .*\(not needed for --local\)$/m);
    expect(local.stdout.trimEnd().split('\n').at(-1)).toBe('Ready: everything --local needs is present.');
  });

  it('an old psql (stub): fails for clusters, warns for --local', async () => {
    const bin = binDir({ psql: OLD_PSQL });
    const m = machine(bin, { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_REGION: 'eu-west-1' });
    const cluster = await doctor(m.env);
    expect(cluster.r.code).toBe(1);
    expect(cluster.report.failed).toEqual(['psql']);
    expect(cluster.byId.psql!.summary).toBe(`psql 12.17 at ${join(bin, 'psql')} is older than 14 (no TLS SNI, which Aurora DSQL endpoints need)`);
    expect(cluster.byId.tls!.data.sslrootcert_system).toBe(false);
    const local = await doctor(m.env, ['--local']);
    expect(local.r.code).toBe(0);
    expect(local.byId.psql!.status).toBe('warn');
  });

  it('a psql whose libpq knows load_balance_hosts (stub of libpq 16): sslrootcert=system works', async () => {
    const stub = `case "$1" in
  --version) echo "psql (PostgreSQL) 16.4";;
  *) echo 'psql: error: connection to server on socket "/tmp/x/.s.PGSQL.1" failed: No such file or directory' >&2; exit 2;;
esac`;
    const { byId } = await doctor(machine(binDir({ psql: stub })).env, ['--local']);
    expect(byId.tls).toMatchObject({ status: 'ok', summary: 'libpq 16 or newer: sslrootcert=system works for verify-full', data: { sslrootcert_system: true } });
  });

  it("the real psql: the doctor's libpq verdict matches what psql does with sslrootcert=system", async () => {
    const { byId } = await doctor(machine(systemPath()).env, ['--local']);
    expect(byId.psql!.status).toBe('ok');
    // A loopback listener that accepts the SSL request, so libpq gets as far as loading its roots.
    const server = createServer((socket) => {
      socket.once('data', () => socket.write('S'));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const stderr = await new Promise<string>((resolve) => {
      const conninfo = `host=127.0.0.1 port=${port} user=x dbname=x sslmode=verify-full sslrootcert=system connect_timeout=10`;
      execFile(String(byId.psql!.data.path), ['-X', '-w', '-d', conninfo, '-c', 'SELECT 1'], { env: { PATH: systemPath(), LC_ALL: 'C' } }, (_e, _out, err) => resolve(err));
    });
    server.close();
    const systemWorks = !/root certificate file "system" does not exist/.test(stderr);
    expect(byId.tls!.data.sslrootcert_system).toBe(systemWorks);
  });

  it('credentials from the environment: the source is named, the secret never printed', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const m = machine(systemPath(), { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: secret, AWS_REGION: 'eu-west-1' });
    const { r, report, byId } = await doctor(m.env);
    expect(r.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(byId.credentials).toMatchObject({ status: 'ok', data: { source: 'environment', access_key_id: 'AKIA…MPLE' } });
    expect(byId.region).toMatchObject({ status: 'ok', summary: 'eu-west-1 (from AWS_REGION)' });
    const text = await runScript('doctor.ts', [], { env: m.env });
    for (const out of [r.stdout, r.stderr, text.stdout, text.stderr]) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE');
    }
  });

  it('the Region: --region, the profile config, a bad value', async () => {
    const m = machine(systemPath(), { AWS_PROFILE: 'dev' });
    m.write('.aws/config', '[profile dev]\nregion = ap-southeast-2\n');
    expect((await doctor(m.env)).byId.region).toMatchObject({ status: 'ok', data: { region: 'ap-southeast-2', source: 'profile' } });
    expect((await doctor(m.env, ['--region', 'eu-north-1'])).byId.region).toMatchObject({ status: 'ok', summary: 'eu-north-1 (from --region)' });
    const bad = await doctor({ ...m.env, AWS_REGION: 'Europe' });
    expect(bad.byId.region).toMatchObject({ status: 'fail', required: true });
    expect(bad.report.failed).toContain('region');
  });

  it('makes no network connection, even where the SDK would (SSO refresh, container, instance metadata)', async () => {
    const m = machine(systemPath(), { AWS_PROFILE: 'sso', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9/creds' });
    delete m.env.AWS_EC2_METADATA_DISABLED;
    m.write('.aws/config', '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n');
    // Expired but refreshable: the SDK would call the SSO OIDC endpoint to refresh it.
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    m.write(relative(m.home, ssoCachePath(m.home, 'corp')), JSON.stringify({ accessToken: 'a', expiresAt: '2026-01-01T00:00:00Z', refreshToken: 'r', clientId: 'c', clientSecret: 's', registrationExpiresAt: later }));
    const log = join(m.home, 'network.log');
    writeFileSync(log, '');
    const guard = fileURLToPath(new URL('./no-network.mjs', import.meta.url));
    const { r, byId } = await doctor({ ...m.env, NO_NETWORK_LOG: log, NODE_OPTIONS: `--import=${pathToFileURL(guard).href}` });
    expect(r.code).toBe(0);
    expect(byId.credentials).toMatchObject({ status: 'warn', data: { source: 'profile-sso' } });
    expect(byId.credentials!.summary).toMatch(/the SDK will try to refresh it \(a network call the doctor does not make\)/);
    expect(readFileSync(log, 'utf8')).toBe('');
    // The guard does see a connection when one is made (it is not silently inert).
    const probe = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['--import', pathToFileURL(guard).href, '-e', "require('node:net').connect(9, '127.0.0.1').on('error', () => {})"], { env: { ...m.env, NO_NETWORK_LOG: log } }, () => resolve(readFileSync(log, 'utf8')));
    });
    expect(probe).toMatch(/"connect"/);
  });

  it('usage errors exit 2', async () => {
    const r = await runScript('doctor.ts', ['--region', 'nowhere'], { env: machine(systemPath()).env });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('doctor.ts: --region is not an AWS Region name: "nowhere" (e.g. us-east-1)\n');
    expect((await runScript('doctor.ts', ['--fix'])).code).toBe(2);
  });

  it('a skill folder without node_modules: dependencies fail with the install command', async () => {
    // A copy of the skill with its built dist/ but no node_modules (nothing above it has one).
    const copy = join(mkdtempSync(join(tmpdir(), 'dsql-doctor-copy-')), 'aurora-dsql');
    for (const part of ['scripts', 'dist', 'package.json', 'package-lock.json']) {
      cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    }
    // Copying rewrites file times; record the copy's own sources so its dist/ counts as current.
    const newest = Math.max(...readdirSync(join(copy, 'scripts'), { recursive: true }).map((f) => statSync(join(copy, 'scripts', String(f))).mtimeMs));
    writeFileSync(join(copy, 'dist', 'build-info.json'), JSON.stringify({ sourceMtimeMs: newest }));
    const r = await new Promise<RunResult>((resolve) => {
      execFile(join(copy, 'scripts', 'doctor.ts'), ['--json', '--local'], { env: machine(systemPath()).env, encoding: 'utf8' }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
      );
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ReportJson;
    const deps = report.checks.find((c) => c.id === 'dependencies')!;
    expect(deps).toMatchObject({ status: 'fail', fix: `cd ${copy} && npm ci` });
    expect((deps.data.missing as string[]).length).toBeGreaterThan(0);
    expect(report.checks.find((c) => c.id === 'credentials')!.summary).toMatch(/AWS SDK is not installed/);
  });
});
