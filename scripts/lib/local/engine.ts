// The database engine behind the local DSQL: one PGlite instance (PostgreSQL compiled to
// WASM, in this process), either in memory or on disk in a data directory.
//
// A fresh database is not made by initdb each time (1.5-4 s) but unpacked from a template
// made once per PGlite version and cached beside node_modules (0.5-0.9 s).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { EngineLock } from './engine-lock.js';
import { sysSchemaSql, type SysTexts } from './sys-schema.js';

/** The role clients see; DSQL's administrative user is `admin`. */
export const ENGINE_USER = 'admin';

export interface EngineOptions {
  /** PGlite data directory; absent for an in-memory database. */
  pgdata?: string;
  texts: SysTexts;
}

export interface EngineInfo {
  /** PGlite's own version and the PostgreSQL version it embeds. */
  pgliteVersion: string;
  postgresVersion: string;
  /** True when this start created the database (from the template). */
  created: boolean;
  /** Milliseconds from open() to ready. */
  startMs: number;
  /** Resident memory of this process once the engine is ready, in MB. */
  rssMb: number;
}

const require = createRequire(import.meta.url);

function pgliteVersion(): string {
  const pkg = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** Where fresh-database templates are cached: $DSQL_LOCAL_CACHE, else node_modules/.cache. */
export function templateCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DSQL_LOCAL_CACHE) return env.DSQL_LOCAL_CACHE;
  const pkg = require.resolve('@electric-sql/pglite');
  const nodeModules = pkg.slice(0, pkg.lastIndexOf('node_modules') + 'node_modules'.length);
  return join(nodeModules, '.cache', 'aurora-dsql-local');
}

// Server settings DSQL has: REPEATABLE READ is its only isolation level; time zone UTC.
const SETTINGS = ["default_transaction_isolation = 'repeatable read'", "timezone = 'UTC'"];

/**
 * Creates or replaces the server's SQL objects unless the database already has this exact
 * version of them (their hash is kept as the comment on schema sys).
 */
async function installSysSchema(db: PGlite, texts: SysTexts): Promise<void> {
  const sql = sysSchemaSql(texts);
  const mark = `local DSQL objects ${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
  const current = await db.query<{ c: string | null }>("SELECT obj_description(oid, 'pg_namespace') AS c FROM pg_catalog.pg_namespace WHERE nspname = 'sys'");
  if (current.rows[0]?.c === mark) return;
  await db.exec(`BEGIN; ${sql}; COMMENT ON SCHEMA sys IS '${mark}'; COMMIT`);
}

async function loadTemplate(version: string, texts: SysTexts): Promise<Blob> {
  const dir = templateCacheDir();
  const file = join(dir, `pglite-${version}.tar.gz`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  try {
    await db.exec(`CREATE ROLE ${ENGINE_USER} SUPERUSER LOGIN`);
    await installSysSchema(db, texts);
    const blob = await db.dumpDataDir('gzip');
    try {
      mkdirSync(dir, { recursive: true });
      // Write then rename, so a concurrent start never reads half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
      renameSync(tmp, file);
    } catch {
      // A read-only install still works; the next start builds the template again.
    }
    return blob;
  } finally {
    await db.close();
  }
}

/** A session-level setting, [name, value], as a connection left it. */
export type Setting = readonly [string, string];

export class Engine {
  readonly lock = new EngineLock();
  /**
   * Connections share PGlite's one session, so each connection's SET values are put back when
   * it takes the engine from a connection with other values. These are the values in effect
   * and the connection they belong to.
   */
  settingsOwner: object | undefined;
  appliedSettings: readonly Setting[] = [];
  /** PGlite connects as its superuser and switches to `admin` with SET ROLE. */
  private bootRole = 'admin';
  private closed = false;
  private failure: Error | undefined;

  private readonly db: PGlite;
  readonly info: EngineInfo;
  private readonly persistent: boolean;

  private constructor(db: PGlite, info: EngineInfo, persistent: boolean) {
    this.db = db;
    this.info = info;
    this.persistent = persistent;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const started = performance.now();
    const { PGlite } = await import('@electric-sql/pglite');
    const version = pgliteVersion();
    const created = options.pgdata === undefined || !existsSync(join(options.pgdata, 'PG_VERSION'));
    const loadDataDir = created ? await loadTemplate(version, options.texts) : undefined;
    if (options.pgdata) mkdirSync(options.pgdata, { recursive: true });
    const db = await PGlite.create({
      dataDir: options.pgdata,
      username: ENGINE_USER,
      loadDataDir,
      postgresqlconf: SETTINGS,
    });
    try {
      await installSysSchema(db, options.texts);
      const { v: server, role } = (await db.query<{ v: string; role: string }>("SELECT current_setting('server_version') AS v, current_setting('role') AS role")).rows[0]!;
      const info: EngineInfo = {
        pgliteVersion: version,
        postgresVersion: server,
        created,
        startMs: Math.round(performance.now() - started),
        rssMb: Math.round(process.memoryUsage.rss() / 1048576),
      };
      const engine = new Engine(db, info, options.pgdata !== undefined);
      engine.bootRole = role;
      return engine;
    } catch (error) {
      await db.close().catch(() => {});
      throw error;
    }
  }

  /** Set once PGlite has failed; every later exec rethrows it. */
  get broken(): Error | undefined {
    return this.failure;
  }

  /**
   * Runs raw protocol messages (one or several, back to back) and returns PGlite's raw
   * answer. With `blob`, a COPY ... FROM '/dev/blob' in the messages reads it.
   */
  async exec(messages: Uint8Array, blob?: Blob): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('the local DSQL engine is closed');
    try {
      if (blob) await this.db._handleBlob(blob);
      try {
        return await this.db.execProtocolRaw(messages, { syncToFs: this.persistent });
      } finally {
        if (blob) await this.db._cleanupBlob();
      }
    } catch (error) {
      // A WASM abort leaves PGlite unusable; remember it so every connection fails fast.
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    }
  }

  /** A query outside any client's protocol stream (the caller holds the lock). */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  /** The session-level settings in effect now (the role too, when it is not the default). */
  async currentSettings(): Promise<Setting[]> {
    const rows = await this.query<{ name: string; value: string }>(
      "SELECT name, current_setting(name) AS value FROM pg_catalog.pg_settings WHERE source = 'session' " +
        "UNION ALL SELECT 'role', current_setting('role') WHERE current_setting('role') <> $1 ORDER BY 1",
      [this.bootRole],
    );
    return rows.map((r) => [r.name, r.value] as const);
  }

  /** Puts the given session-level settings in effect, and only those. */
  async applySettings(settings: readonly Setting[]): Promise<void> {
    // RESET ALL leaves the role alone, so it is set explicitly.
    await this.db.exec('RESET ALL');
    const all: Setting[] = [['role', this.bootRole], ...settings];
    for (const [name, value] of all) {
      // One at a time: a value that no longer applies (a dropped role) must not stop the rest.
      await this.db.query('SELECT set_config($1, $2, false)', [name, value]).catch(() => {});
    }
    this.appliedSettings = settings;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
