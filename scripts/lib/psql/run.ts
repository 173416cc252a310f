// Runs the real psql against a connection target. Everything about the connection goes
// through the child's environment (libpq's PG* variables), the password included, so that
// nothing secret is in argv, where `ps` shows it. Used by psql-connect (DSQL clusters and
// the embedded local DSQL) and by any command that needs psql with the same token/TLS path.
import { spawn, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import { UserError } from '../cli/errors.js';
import type { SslMode } from './tls.js';

export interface ConnectionTarget {
  /** Host name: what TLS verifies, and the address too unless `hostaddr` is set. */
  host: string;
  /** Numeric address to connect to instead of resolving `host` (libpq's hostaddr). */
  hostaddr?: string;
  port?: number;
  user: string;
  /** Reaches psql only as PGPASSWORD in its environment. */
  password?: string;
  database?: string;
  sslmode: SslMode;
  sslrootcert?: string;
  applicationName: string;
}

export type PsqlAction =
  /** One SQL string, sent as-is (`psql -c`). */
  | { kind: 'command'; sql: string }
  /** A script psql reads from a file (`psql -f PATH`). */
  | { kind: 'file'; path: string }
  /** A script given as text, fed to psql on its standard input (`psql -f -`). */
  | { kind: 'script'; text: string }
  /** An interactive session on the terminal. */
  | { kind: 'interactive' };

export interface PsqlOptions {
  /** Wrap the action in BEGIN READ ONLY ... COMMIT (not for interactive sessions). */
  readOnly?: boolean;
  /** The environment psql inherits, before the connection variables are set. */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface PsqlInvocation {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Text for psql's standard input, if any. */
  input?: string;
}

/**
 * libpq variables that would change where or how psql connects. They are cleared so that
 * a stray one in the caller's environment (PGHOSTADDR, PGSERVICE, PGSSLMODE=disable, a
 * PGPASSWORD for another server, ...) cannot redirect or weaken the connection.
 */
const CONNECTION_VARIABLES = [
  'PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPASSFILE',
  'PGSERVICE', 'PGSERVICEFILE', 'PGSSLMODE', 'PGREQUIRESSL', 'PGSSLROOTCERT', 'PGSSLCERT',
  'PGSSLKEY', 'PGSSLCRL', 'PGSSLCRLDIR', 'PGSSLSNI', 'PGSSLNEGOTIATION', 'PGREQUIREAUTH',
  'PGCHANNELBINDING', 'PGGSSENCMODE', 'PGTARGETSESSIONATTRS', 'PGLOADBALANCEHOSTS', 'PGAPPNAME',
] as const;

/** Seconds psql waits for a connection unless PGCONNECT_TIMEOUT says otherwise (libpq waits forever). */
export const CONNECT_TIMEOUT_SECONDS = 10;

/** The environment psql runs with: the caller's, minus stray connection settings, plus the target. */
export function psqlEnvironment(target: ConnectionTarget, baseEnv: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  for (const name of CONNECTION_VARIABLES) delete env[name];
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set('PGHOST', target.host);
  set('PGHOSTADDR', target.hostaddr);
  set('PGPORT', target.port ?? 5432);
  set('PGUSER', target.user);
  set('PGDATABASE', target.database ?? 'postgres');
  set('PGSSLMODE', target.sslmode);
  set('PGSSLROOTCERT', target.sslrootcert);
  set('PGAPPNAME', target.applicationName);
  set('PGPASSWORD', target.password);
  // No Kerberos: skip libpq's GSSAPI-encryption attempt before TLS.
  set('PGGSSENCMODE', 'disable');
  env.PGCONNECT_TIMEOUT ||= String(CONNECT_TIMEOUT_SECONDS);
  return env;
}

/** The psql arguments and environment for an action. Pure: nothing runs. */
export function psqlInvocation(target: ConnectionTarget, action: PsqlAction, options: PsqlOptions = {}): PsqlInvocation {
  const env = psqlEnvironment(target, options.baseEnv);
  if (action.kind === 'interactive') {
    if (options.readOnly) throw new UserError('--read-only needs -c or -f: an interactive session cannot be held in one read-only transaction', { exitCode: 2 });
    return { args: [], env };
  }
  // Scripted runs: no ~/.psqlrc (it could change output or run commands), stop at the
  // first error, never wait on a pager.
  const args = ['-X', '-v', 'ON_ERROR_STOP=1', '-P', 'pager=off'];
  const quietly = (sql: string) => ['-c', '\\set QUIET on', '-c', sql, '-c', '\\set QUIET off'];
  if (options.readOnly) args.push(...quietly('BEGIN READ ONLY'));
  let input: string | undefined;
  if (action.kind === 'command') args.push('-c', action.sql);
  else if (action.kind === 'file') args.push('-f', action.path);
  else {
    args.push('-f', '-');
    input = action.text;
  }
  // Reached only when every statement succeeded (ON_ERROR_STOP ends psql at an error).
  if (options.readOnly) args.push(...quietly('COMMIT'));
  return { args, env, input };
}

export interface RunPsqlOptions {
  /** The psql executable (default: psql from PATH). */
  bin?: string;
  /** Collect psql's stdout and stderr instead of passing them through (e.g. to read EXPLAIN output). */
  capture?: boolean;
  /** Called with the child's pid once it runs. */
  onSpawn?: (pid: number) => void;
}

export interface PsqlResult {
  /** psql's exit code (128 + signal number if a signal ended it). */
  code: number;
  /** Output, when captured. */
  stdout: string;
  stderr: string;
}

/** Run psql to the end. */
export function runPsql(invocation: PsqlInvocation, options: RunPsqlOptions = {}): Promise<PsqlResult> {
  const stdin = invocation.input === undefined ? 'inherit' : 'pipe';
  const out = options.capture ? 'pipe' : 'inherit';
  const stdio: StdioOptions = [stdin, out, out];
  return new Promise((resolve, reject) => {
    const child = spawn(options.bin ?? 'psql', invocation.args, { env: invocation.env, stdio });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Ctrl-C and Ctrl-\ reach psql from the terminal too; psql decides what they mean
    // (cancel the query, or quit), and we wait for it. Termination requests are passed on.
    const ignore = () => {};
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const handlers: [NodeJS.Signals, (s: NodeJS.Signals) => void][] = [
      ['SIGINT', ignore],
      ['SIGQUIT', ignore],
      ['SIGTERM', forward],
      ['SIGHUP', forward],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.once('spawn', () => child.pid !== undefined && options.onSpawn?.(child.pid));
    child.once('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(error.code === 'ENOENT' ? new UserError('psql not found on PATH') : new UserError(`cannot run psql: ${error.code ?? error.message}`));
    });
    child.once('close', (code, signal) => {
      done();
      resolve({ code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), stdout, stderr });
    });
    if (child.stdin && invocation.input !== undefined) {
      // psql may stop reading early (ON_ERROR_STOP); a broken pipe then is not our error.
      child.stdin.on('error', () => {});
      child.stdin.end(invocation.input);
    }
  });
}
