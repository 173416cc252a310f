// Helpers for the local DSQL tests: one in-process server per test file (PGlite takes
// seconds to start), node-postgres clients, and the real psql.
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import { dsqlPolicy, type PolicyOptions } from '../../scripts/lib/local/policy.js';
import { startLocalDsql, type LocalDsql, type LocalDsqlOptions } from '../../scripts/lib/local/server.js';
import { eachMessage, readErrorFields, writeBind, writeExecute, writeParse } from '../../scripts/lib/local/wire.js';
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

/** A backend message as a raw client sees it: its type letter, and the fields of an error. */
export interface RawMessage {
  type: string;
  /** ErrorResponse and NoticeResponse fields by code (C, M, ...). */
  fields?: Map<string, string>;
}

/**
 * A client that writes protocol messages as given, for what drivers do not send: several
 * statements in one extended-protocol pipeline, malformed messages.
 */
export interface RawClient {
  send(...messages: Uint8Array[]): void;
  /** The messages up to and including the next ReadyForQuery, or to the end of the connection. */
  untilReady(): Promise<RawMessage[]>;
  end(): void;
}

/** Parse, Bind and Execute of one statement without parameters (unnamed), for a pipeline. */
export function extendedStatement(sql: string): Buffer[] {
  return [writeParse('', sql), writeBind({ portal: '', statement: '', rest: Uint8Array.of(0, 0, 0, 0, 0, 0) }), writeExecute('', 0)];
}

export function rawConnect(server: TestServer): Promise<RawClient> {
  const socket = netConnect(server.port, server.host);
  let buffered = Buffer.alloc(0);
  const received: RawMessage[] = [];
  let closed = false;
  let wake = () => {};
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    let used = 0;
    eachMessage(buffered, (type, start, end) => {
      if (end > buffered.length) return;
      const msg = buffered.subarray(start, end);
      const letter = String.fromCharCode(type);
      received.push(letter === 'E' || letter === 'N' ? { type: letter, fields: readErrorFields(msg) } : { type: letter });
      used = end;
    });
    buffered = buffered.subarray(used);
    wake();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const untilReady = async (): Promise<RawMessage[]> => {
    for (;;) {
      const z = received.findIndex((m) => m.type === 'Z');
      if (z !== -1 || closed) return received.splice(0, z === -1 ? received.length : z + 1);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const params = Buffer.from(`user\0${server.user}\0database\0${server.database}\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length);
  head.writeInt32BE(196608, 4); // protocol 3.0
  socket.write(Buffer.concat([head, params]));
  const client: RawClient = { send: (...messages) => socket.write(Buffer.concat(messages)), untilReady, end: () => socket.end() };
  return untilReady().then(() => client);
}
