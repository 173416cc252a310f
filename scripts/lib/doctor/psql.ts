// psql: on PATH, version 14 or newer (older clients send no SNI, which DSQL endpoints need),
// and whether its libpq is 16 or newer (the first to understand sslrootcert=system).
// Nothing here opens a network connection: the libpq probe points at a Unix socket in an empty
// temporary directory, so the connection attempt fails locally.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { MIN_PSQL_MAJOR, parsePsqlVersion as parseVersionLine } from '../psql/version.js';
import { SYSTEM_CA_BUNDLES } from '../psql/tls.js';
import type { Finding, Mode } from './check.js';
import { caBundleFix, psqlInstallFix, type Family } from './platform.js';

const run = promisify(execFile);
const PROBE_TIMEOUT_MS = 10_000;

export const MIN_PSQL = MIN_PSQL_MAJOR;
export const SSLROOTCERT_SYSTEM_SINCE = 16;

/** The first executable called `name` on the PATH of `env`. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here; keep looking.
      }
    }
  }
  return undefined;
}

/** A minimal environment: no PG* variables can redirect the probe, and messages are in English. */
function probeEnv(env: NodeJS.ProcessEnv, home: string): NodeJS.ProcessEnv {
  const keep = ['PATH', 'SYSTEMROOT', 'SystemRoot', 'PATHEXT'];
  return { ...Object.fromEntries(keep.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])), HOME: home, LC_ALL: 'C', LANG: 'C' };
}

/** `psql --version` as "15.18" and 15 (the parser is psql-connect's, so both agree). */
export function parsePsqlVersion(text: string): { version: string; major: number } | undefined {
  const v = parseVersionLine(text);
  if (!v) return undefined;
  const m = /\(PostgreSQL\)\s+[0-9]+\.[0-9]+/.test(text);
  return { version: m ? `${v.major}.${v.minor}` : String(v.major), major: v.major };
}

interface ExecOutcome {
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException & { killed?: boolean };
}

async function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<ExecOutcome> {
  try {
    const { stdout, stderr } = await run(file, args, { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8', windowsHide: true });
    return { stdout, stderr };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string; killed?: boolean };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', error: e };
  }
}

/**
 * true when psql's libpq knows load_balance_hosts (added in libpq 16, like sslrootcert=system),
 * false when it calls it an invalid option, undefined when the outcome says neither.
 */
export async function libpqAtLeast16(psql: string, env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
  const empty = mkdtempSync(join(tmpdir(), 'dsql-doctor-'));
  try {
    const quoted = `'${empty.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    const conninfo = `load_balance_hosts=disable host=${quoted} port=1 connect_timeout=2`;
    const { stderr } = await exec(psql, ['-X', '-w', '-d', conninfo, '-c', 'SELECT 1'], probeEnv(env, empty));
    if (/invalid connection option "load_balance_hosts"/.test(stderr)) return false;
    if (/connection to server|No such file or directory/.test(stderr)) return true;
    return undefined;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

export interface PsqlInfo {
  path?: string;
  version?: string;
  major?: number;
  libpq16?: boolean;
}

export async function inspectPsql(env: NodeJS.ProcessEnv): Promise<PsqlInfo & { error?: string }> {
  const path = findOnPath('psql', env);
  if (!path) return {};
  const home = mkdtempSync(join(tmpdir(), 'dsql-doctor-'));
  try {
    const out = await exec(path, ['--version'], probeEnv(env, home));
    const parsed = parsePsqlVersion(out.stdout);
    if (!parsed) {
      const said = (out.stderr || out.stdout || out.error?.message || '').trim().split('\n')[0];
      return { path, error: `\`${path} --version\` printed no version${said ? ` (${said})` : ''}` };
    }
    return { path, ...parsed, libpq16: await libpqAtLeast16(path, env) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export function checkPsql(info: PsqlInfo & { error?: string }, mode: Mode, family: Family): Finding {
  const fix = psqlInstallFix(family);
  if (!info.path) return { status: 'fail', summary: 'psql is not on PATH', fix, data: { found: false } };
  const data = { found: true, path: info.path, version: info.version ?? null, libpq_at_least_16: info.libpq16 ?? null };
  if (info.error || info.major === undefined) return { status: 'fail', summary: info.error ?? 'psql version unknown', fix, data };
  if (info.major >= MIN_PSQL) return { status: 'ok', summary: `psql ${info.version} at ${info.path}`, data };
  // The local DSQL speaks plain TCP on loopback: an old client works there, not against DSQL.
  return {
    status: mode === 'local' ? 'warn' : 'fail',
    summary: `psql ${info.version} at ${info.path} is older than ${MIN_PSQL} (no TLS SNI, which Aurora DSQL endpoints need)`,
    fix,
    data,
  };
}

/** The CA bundle files psql-connect looks for, in the same order. */
export const CA_BUNDLES: readonly string[] = SYSTEM_CA_BUNDLES;

export function checkTls(info: PsqlInfo, env: NodeJS.ProcessEnv, family: Family, bundles: readonly string[] = CA_BUNDLES): Finding {
  const fix = caBundleFix(family);
  const libpq = info.libpq16 === true ? 'libpq 16 or newer' : info.libpq16 === false ? 'libpq older than 16' : 'libpq of unknown version';
  const data: Record<string, unknown> = { sslrootcert_system: info.libpq16 ?? null, pgsslrootcert: env.PGSSLROOTCERT ?? null };
  if (env.PGSSLROOTCERT) {
    if (existsSync(env.PGSSLROOTCERT)) return { status: 'ok', summary: `verify-full uses PGSSLROOTCERT=${env.PGSSLROOTCERT}`, data };
    return { status: 'fail', summary: `PGSSLROOTCERT names ${env.PGSSLROOTCERT}, which does not exist`, fix: `unset PGSSLROOTCERT, or point it at a PEM file of trusted root certificates`, data };
  }
  const bundle = bundles.find((b) => existsSync(b));
  data.ca_bundle = bundle ?? null;
  if (info.libpq16 === true) return { status: 'ok', summary: `${libpq}: sslrootcert=system works for verify-full`, data };
  if (bundle) {
    return { status: 'ok', summary: `${libpq}: no sslrootcert=system, so verify-full uses the CA bundle ${bundle}`, data };
  }
  return { status: 'fail', summary: `${libpq} and no system CA bundle found: verify-full cannot check the server certificate`, fix, data };
}
