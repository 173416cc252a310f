// The local DSQL server: a PostgreSQL wire-protocol front (pg-gateway) on 127.0.0.1 in
// front of one PGlite engine. pg-gateway does the connection start: SSLRequest and TLS
// (the handshake with upgradeToTls), the startup message, authentication. After that
// every message goes to the connection's Session (session.ts).
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterEndpoint } from '../aws/ids.js';
import { DEFAULT_REGION } from '../aws/region.js';
import { UserError } from '../cli/errors.js';
import { loadParser, parseSql, SqlSyntaxError, type Statement } from '../sql/parser.js';
import { lockDataDir, openDataDir, newClusterId, type DataDir } from './datadir.js';
import { isSetAllowed } from '../rules/index.js';
import { Engine, ENGINE_USER, type EngineInfo, type Setting } from './engine.js';
import type { Policy } from './policy.js';
import { Session, type SessionHost } from './session.js';
import { ensureTlsFiles, type TlsFiles } from './tls.js';
import { socketStreams, upgradeToTls } from './socket-stream.js';
import { checkToken } from './token.js';
import { MSG, ProtocolViolation, writeBackendKeyData, writeError, writeParameterStatus } from './wire.js';

export const LOCAL_HOST = '127.0.0.1';
/** Default wait for another connection's transaction before answering 40001. */
export const DEFAULT_LOCK_WAIT_MS = 5000;

export interface LocalDsqlOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Data directory (created if missing); absent: in memory, gone when the server stops. */
  dataDir?: string;
  /** Require TLS, with a CA and certificate for the cluster's DSQL host name. */
  tls?: boolean;
  /** Region in the cluster's host name (with a new data directory or in memory). */
  region?: string;
  /** Cluster identifier for a new data directory or in memory (default: random). */
  identifier?: string;
  lockWaitMs?: number;
  policy: Policy;
  /** Called for problems that do not stop the server (a connection's engine error). */
  log?: (line: string) => void;
}

export interface LocalDsql {
  host: string;
  port: number;
  identifier: string;
  region: string;
  /** The DSQL-style host name in the TLS certificate. */
  endpoint: string;
  dataDir: string | undefined;
  /** Present with TLS. */
  tls: TlsFiles | undefined;
  user: string;
  database: string;
  /** A libpq connection string for psql. */
  connectionString: string;
  engine: EngineInfo;
  /** Open client connections. */
  readonly connections: number;
  stop(): Promise<void>;
  /** Resolves when the server has stopped (stop() or a fatal engine error). */
  readonly stopped: Promise<void>;
}

const PARSE_CACHE_SIZE = 512;
// The statements clients repeat are short. A long one (a batch INSERT) is parsed each time:
// its parse tree is about ten times its text, so 512 of them could fill the heap.
const PARSE_CACHE_MAX_TEXT = 16 * 1024;

/** ParameterStatus values a client gets at connection start, as DSQL sends them. */
function startupParameters(policy: Policy, settings: Map<string, string>, clientParams: Record<string, string>): [string, string][] {
  return [
    ['application_name', clientParams.application_name ?? ''],
    ['client_encoding', 'UTF8'],
    ['DateStyle', settings.get('DateStyle') ?? 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
    ['integer_datetimes', 'on'],
    ['IntervalStyle', settings.get('IntervalStyle') ?? 'postgres'],
    // The engine's role is a superuser; DSQL's admin is not, and psql shows => for it.
    ['is_superuser', 'off'],
    ['server_encoding', 'UTF8'],
    ['server_version', policy.serverVersion],
    ['session_authorization', ENGINE_USER],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', settings.get('TimeZone') ?? 'UTC'],
  ];
}

/**
 * The settings a client asks for at connection start: startup parameters and `-c name=value`
 * in `options`, for parameters DSQL lets SET change (client_encoding stays UTF8).
 */
export function startupSettings(params: Record<string, string>): Setting[] {
  const wanted = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    if (name !== 'options' && name !== 'client_encoding' && isSetAllowed(name)) wanted.set(name, value);
  }
  const options = (params.options ?? '').match(/(?:\\.|\S)+/g) ?? [];
  for (let i = 0; i < options.length; i++) {
    let arg = options[i]!.replace(/\\(.)/g, '$1');
    if (arg === '-c') arg = (options[++i] ?? '').replace(/\\(.)/g, '$1');
    else if (arg.startsWith('-c')) arg = arg.slice(2);
    else if (arg.startsWith('--')) arg = arg.slice(2);
    else continue;
    const eq = arg.indexOf('=');
    const name = arg.slice(0, eq).replaceAll('-', '_');
    if (eq > 0 && name !== 'client_encoding' && isSetAllowed(name)) wanted.set(name, arg.slice(eq + 1));
  }
  return [...wanted].sort(([a], [b]) => a.localeCompare(b));
}

/** parseSql with a cache by text; a syntax error comes back as the value. */
export function cachedParser(): (text: string) => Statement[] | SqlSyntaxError {
  const cache = new Map<string, Statement[] | SqlSyntaxError>();
  return (text) => {
    let hit = cache.get(text);
    if (hit) return hit;
    try {
      hit = parseSql(text);
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      hit = error;
    }
    if (text.length > PARSE_CACHE_MAX_TEXT) return hit;
    if (cache.size >= PARSE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(text, hit);
    return hit;
  };
}

export async function startLocalDsql(options: LocalDsqlOptions): Promise<LocalDsql> {
  const log = options.log ?? (() => {});
  const region = options.region ?? DEFAULT_REGION;
  let data: DataDir | undefined;
  let lock: ReturnType<typeof lockDataDir> | undefined;
  let scratch: string | undefined;
  if (options.dataDir !== undefined) {
    data = openDataDir(options.dataDir, { region, identifier: options.identifier });
    lock = lockDataDir(data.root);
  }
  const identifier = data?.meta.identifier ?? options.identifier ?? newClusterId();
  const clusterRegion = data?.meta.region ?? region;
  const endpoint = clusterEndpoint(identifier, clusterRegion);

  let engine: Engine;
  try {
    const [opened] = await Promise.all([Engine.open({ pgdata: data?.pgdata, texts: options.policy }), loadParser()]);
    engine = opened;
  } catch (error) {
    lock?.release();
    if (!data) throw error;
    // A database from another PGlite (PostgreSQL) version, or one damaged outside the server.
    throw new UserError(`cannot open the database in ${data.pgdata}: ${(error as Error).message}`, { cause: error });
  }

  let tls: TlsFiles | undefined;
  let tlsOptions: { key: ArrayBuffer; cert: ArrayBuffer } | undefined;
  let secureContext: SecureContext | undefined;
  if (options.tls) {
    const dir = data ? data.tls : (scratch = mkdtempSync(join(tmpdir(), 'dsql-local-tls-')));
    tls = ensureTlsFiles(dir, [endpoint]);
    const [key, cert] = [readFileSync(tls.key), readFileSync(tls.cert)];
    secureContext = createSecureContext({ key, cert });
    // pg-gateway needs them to require TLS; the upgrade itself is upgradeToTls, below.
    const buf = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    tlsOptions = { key: buf(key), cert: buf(cert) };
  }

  const settings = new Map(
    (await engine.query<{ name: string; setting: string }>(
      "SELECT name, current_setting(name) AS setting FROM pg_catalog.pg_settings WHERE name IN ('DateStyle', 'IntervalStyle', 'TimeZone')",
    )).map((r) => [r.name, r.setting]),
  );

  const host: SessionHost = {
    engine,
    policy: options.policy,
    parse: cachedParser(),
    lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
  };
  const { BackendError, PostgresConnection } = await import('pg-gateway');
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {}); // a client that resets its connection is not a server problem
    let session: Session | undefined;
    socket.on('close', () => {
      sockets.delete(socket);
      void session?.close();
    });
    // Ends the connection with a FATAL error; pg-gateway is detached first so it writes nothing more.
    const fatal = async (code: string, message: string) => {
      await connection.detach();
      if (!socket.destroyed) socket.end(writeError({ severity: 'FATAL', code, message }));
    };

    const plain = socketStreams(socket);
    const connection: InstanceType<typeof PostgresConnection> = new PostgresConnection(plain, {
      tls: tlsOptions,
      auth: tls
        ? {
            method: 'password',
            getClearTextPassword: () => '',
            validateCredentials: ({ username, password }, state) =>
              checkToken(password, { user: username, host: state.tlsInfo?.serverName ?? endpoint }) === undefined,
          }
        : { method: 'trust' },
      onStartup(state) {
        const db = state.clientParams?.database ?? state.clientParams?.user;
        if (db !== 'postgres') {
          throw BackendError.create({ severity: 'FATAL', code: '3D000', message: `database "${db}" does not exist` });
        }
      },
      async onAuthenticated(state) {
        session = new Session(host, startupSettings(state.clientParams ?? { user: ENGINE_USER }));
        const out = startupParameters(options.policy, settings, state.clientParams ?? { user: ENGINE_USER }).map(([k, v]) => writeParameterStatus(k, v));
        out.push(writeBackendKeyData(session.id, randomInt(2 ** 31)));
        await connection.streamWriter!.write(Buffer.concat(out));
      },
      async onMessage(data, state) {
        if (!state.isAuthenticated) {
          // A CancelRequest (a new connection asking to stop a query): the engine runs
          // one statement at a time without interruption, so there is nothing to cancel.
          if (!state.hasStarted && data.length === 16 && data[4] === 0x04 && data[5] === 0xd2 && data[6] === 0x16 && data[7] === 0x2e) {
            await connection.detach();
            socket.destroy();
          }
          return undefined;
        }
        // Terminate: pg-gateway closes the connection; the session cleans up on close.
        if (data[0] === MSG.terminate) return undefined;
        try {
          return await session!.handle(data);
        } catch (error) {
          if (error instanceof ProtocolViolation) {
            await fatal('08P01', error.message);
            return new Uint8Array(0);
          }
          const broken = engine.broken;
          log(`connection ${session!.id}: ${broken ? 'engine failed' : 'internal error'}: ${(error as Error).stack ?? error}`);
          await fatal('XX000', broken ? `the local DSQL engine failed: ${broken.message}` : `internal error in the local DSQL: ${(error as Error).message}`);
          if (broken) void stop();
          return new Uint8Array(0);
        }
      },
    }, { upgradeTls: secureContext && (async () => upgradeToTls(socket, plain, secureContext)) });
  });

  async function stop(): Promise<void> {
    stopping ??= (async () => {
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
      await engine.close().catch(() => {});
      lock?.release();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolveStopped();
    })();
    return stopping;
  }

  try {
    await new Promise<void>((resolvePort, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, LOCAL_HOST, () => resolvePort());
    });
  } catch (error) {
    await engine.close().catch(() => {});
    lock?.release();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    // Where to listen is the user's choice, so a refusal is theirs to fix, not a bug.
    const code = (error as NodeJS.ErrnoException).code;
    const where = `port ${options.port} on ${LOCAL_HOST}`;
    if (code === 'EADDRINUSE') throw new UserError(`${where} is in use; pick another with --port, or --port 0 for any free port`);
    if (code === 'EACCES') throw new UserError(`${where} needs privileges this user does not have; pick one above 1023 with --port, or --port 0 for any free port`);
    throw new UserError(`cannot listen on ${where}: ${(error as Error).message}`, { cause: error });
  }
  const port = (server.address() as { port: number }).port;
  lock?.update({ port, tls: tls ? { ca: tls.ca } : undefined });

  const connectionString = tls
    ? `host=${endpoint} hostaddr=${LOCAL_HOST} port=${port} user=${ENGINE_USER} dbname=postgres sslmode=verify-full sslrootcert=${tls.ca}`
    : `host=${LOCAL_HOST} port=${port} user=${ENGINE_USER} dbname=postgres sslmode=disable`;

  return {
    host: LOCAL_HOST,
    port,
    identifier,
    region: clusterRegion,
    endpoint,
    dataDir: data?.root,
    tls,
    user: ENGINE_USER,
    database: 'postgres',
    connectionString,
    engine: engine.info,
    get connections() {
      return sockets.size;
    },
    stop,
    stopped,
  };
}
