// Helpers for the local DSQL tests: one in-process server per test file (PGlite takes
// seconds to start), node-postgres clients, and the real psql.
import pg from 'pg';
import { dsqlPolicy, type PolicyOptions } from '../../scripts/lib/local/policy.js';
import { startLocalDsql, type LocalDsql, type LocalDsqlOptions } from '../../scripts/lib/local/server.js';
import { runProcess, type RunResult } from '../support/run.js';

export type TestServer = LocalDsql;

export function startTestServer(options: Partial<LocalDsqlOptions> & PolicyOptions = {}): Promise<TestServer> {
  const { ageLimitSeconds, ...rest } = options;
  return startLocalDsql({ policy: dsqlPolicy({ ageLimitSeconds }), ...rest });
}

export async function connect(server: TestServer, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: server.host, port: server.port, user: 'admin', database: 'postgres', password: 'local', ...config });
  await client.connect();
  return client;
}

export interface SqlOutcome {
  ok: boolean;
  code?: string;
  message?: string;
  command?: string;
  rows?: Record<string, unknown>[];
}

/** Runs one query and reports success or the error's SQLSTATE and message, instead of throwing. */
export async function attempt(client: pg.Client, query: string | pg.QueryConfig, values?: unknown[]): Promise<SqlOutcome> {
  try {
    const r = await client.query(query as string, values);
    return { ok: true, command: r.command, rows: r.rows };
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (!e.code) throw error;
    return { ok: false, code: e.code, message: e.message };
  }
}

/** The real psql against the server: no psqlrc, errors with their SQLSTATE (VERBOSITY verbose). */
export function psql(server: TestServer, args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runProcess('psql', ['-X', '-v', 'VERBOSITY=verbose', '-d', server.connectionString, ...args], {
    env: { ...process.env, PGPASSWORD: 'local', PGCONNECT_TIMEOUT: '10', ...env },
    input,
    timeoutMs: 120_000,
  });
}

/** `ERROR:  <sqlstate>: <message>` lines psql printed, as [sqlstate, message]. */
export function psqlErrors(stderr: string): [string, string][] {
  return [...stderr.matchAll(/^ERROR:\s+([0-9A-Z]{5}): (.*)$/gm)].map((m) => [m[1]!, m[2]!]);
}

let tableCount = 0;
/** A table name no other test in this process uses. */
export function freshName(base = 't'): string {
  return `${base}_${process.pid}_${++tableCount}`;
}
