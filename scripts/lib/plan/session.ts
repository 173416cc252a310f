// The SQL session explain-plan talks through, and the read-only transactions it opens.
//
// Why a PostgreSQL client library (node-postgres) and not psql: explain-plan needs typed rows
// from catalog queries, the server's SQLSTATE and message apart for a failed statement, and
// several transactions on one connection (the capture, each count, each experiment). The plan
// text is still verbatim: EXPLAIN returns one row per line of the text psql shows. The
// connection takes the same target psql-connect builds (host, IAM token, TLS verify-full with
// the same CA file); only the hand-over to node's TLS differs (see pgConfig).
import { readFileSync } from 'node:fs';
import { UserError } from '../cli/errors.js';
import { CONNECT_TIMEOUT_SECONDS, type ConnectionTarget } from '../psql/run.js';

/** What explain-plan needs from a connection: pg.Client and PGlite both fit. */
export interface SqlSession {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

/** An error the server reported, verbatim. */
export interface ServerError {
  sqlstate?: string;
  severity?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** The statement (or an experiment) failed on the server. */
export class StatementError extends Error {
  readonly server: ServerError;
  constructor(server: ServerError) {
    super(formatServerError(server));
    this.name = 'StatementError';
    this.server = server;
  }
}

/** `ERROR:  message (SQLSTATE 42P01)` plus DETAIL and HINT lines, as psql would show them. */
export function formatServerError(e: ServerError): string {
  const lines = [`${e.severity ?? 'ERROR'}:  ${e.message}${e.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}`];
  if (e.detail) lines.push(`DETAIL:  ${e.detail}`);
  if (e.hint) lines.push(`HINT:  ${e.hint}`);
  return lines.join('\n');
}

/** Reads a server error from node-postgres or PGlite; anything else is not a server error. */
export function serverErrorOf(error: unknown): ServerError | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & Record<string, unknown>;
  const code = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  if (!code) return undefined;
  const text = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
  return { sqlstate: code, severity: text('severity'), message: e.message, detail: text('detail'), hint: text('hint'), position: text('position') };
}

/** Runs a statement; a server error becomes a StatementError carrying its text verbatim. */
export async function run(session: SqlSession, text: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  try {
    return (await session.query(text, params)).rows;
  } catch (error) {
    const server = serverErrorOf(error);
    if (server) throw new StatementError(server);
    throw error;
  }
}

/**
 * Runs `body` inside BEGIN READ ONLY and always rolls back: nothing it does can persist, and
 * SET LOCAL settings end with it. A failure inside still rolls back before it propagates.
 */
export async function readOnly<T>(session: SqlSession, body: () => Promise<T>): Promise<T> {
  await run(session, 'BEGIN READ ONLY');
  try {
    return await body();
  } finally {
    await session.query('ROLLBACK').catch(() => {});
  }
}


/**
 * The node-postgres configuration for a target: the same host, role, token and TLS mode. For
 * verify-full the CA file psql would get is read here, and the server name checked is the
 * endpoint's even when the address comes from PGHOSTADDR; `system` means node's own roots.
 */
export function pgConfig(target: ConnectionTarget): import('pg').ClientConfig {
  let ssl: import('pg').ClientConfig['ssl'];
  if (target.sslmode === 'verify-full' || target.sslmode === 'verify-ca') {
    let ca: string | undefined;
    if (target.sslrootcert && target.sslrootcert !== 'system') {
      try {
        ca = readFileSync(target.sslrootcert, 'utf8');
      } catch (error) {
        throw new UserError(`cannot read the CA file ${target.sslrootcert}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
    ssl = { ca, servername: target.host, rejectUnauthorized: true };
    if (target.sslmode === 'verify-ca') ssl.checkServerIdentity = () => undefined;
  } else if (target.sslmode === 'require') {
    ssl = { servername: target.host, rejectUnauthorized: false };
  } else {
    ssl = false;
  }
  return {
    host: target.hostaddr ?? target.host,
    port: target.port ?? 5432,
    user: target.user,
    password: target.password,
    database: target.database ?? 'postgres',
    application_name: target.applicationName,
    ssl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_SECONDS * 1000,
  };
}

/** Opens a node-postgres connection to a target. */
export async function connect(target: ConnectionTarget): Promise<SqlSession> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(pgConfig(target));
  // An idle connection dropped by the server must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const server = serverErrorOf(error);
    const where = target.hostaddr ? `${target.host} via ${target.hostaddr}` : target.host;
    const why = server ? server.message : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new UserError(`cannot connect to ${where}:${target.port ?? 5432} as ${target.user}: ${why}`);
  }
  return {
    query: async (text, params) => {
      const r = await client.query(text, params);
      return { rows: r.rows as Record<string, unknown>[] };
    },
    close: () => client.end(),
  };
}
