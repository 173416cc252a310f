// A local DSQL data directory:
//
//   cluster.json   identity: cluster identifier, region, creation time
//   pgdata/        PGlite's PostgreSQL files
//   tls/           CA and server certificate (made with --tls)
//   server.json    present while a server runs: pid, port (the single-server lock)
//
// Two servers on one directory would corrupt it, so the lock is taken with an exclusive
// create and refused while its process lives; a lock left by a killed process is taken over.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../cli/errors.js';

export interface ClusterMeta {
  identifier: string;
  region: string;
  creationTime: string;
  /** Free-form tags, as on a real cluster. */
  tags?: Record<string, string>;
  deletionProtectionEnabled?: boolean;
}

export interface DataDir {
  root: string;
  pgdata: string;
  tls: string;
  meta: ClusterMeta;
}

const META = 'cluster.json';
const LOCK = 'server.json';

/** A 26-character lower-case identifier, the shape DSQL gives clusters. */
export function newClusterId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(26)].map((b) => alphabet[b & 31]).join('');
}

/**
 * One line for a folder the user named (--data, DSQL_LOCAL_HOME) that cannot be made or
 * written: what is in the way, rather than an internal error.
 */
function cannot(doing: string, path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  let reason = (error as Error).message;
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    let blocker = path;
    while (!existsSync(blocker) && dirname(blocker) !== blocker) blocker = dirname(blocker);
    reason = `${blocker} is a file`;
  } else if (code === 'EACCES' || code === 'EPERM') {
    reason = 'permission denied';
  } else if (code === 'EROFS') {
    reason = 'read-only file system';
  }
  return new UserError(`cannot ${doing} ${path}: ${reason}`, { cause: error });
}

/** mkdir -p, with one line for what is in the way. */
export function createDirectory(path: string, what: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw cannot(`create ${what}`, path, error);
  }
}

export function readMeta(root: string): ClusterMeta | undefined {
  try {
    return JSON.parse(readFileSync(join(root, META), 'utf8')) as ClusterMeta;
  } catch {
    return undefined;
  }
}

export function writeMeta(root: string, meta: ClusterMeta): void {
  writeFileSync(join(root, META), JSON.stringify(meta, null, 2) + '\n');
}

/**
 * Opens (creating if needed) a data directory. A directory that exists, is not empty and
 * is not a local DSQL data directory is refused rather than written into.
 */
export function openDataDir(dir: string, defaults: { region: string; identifier?: string }): DataDir {
  const root = resolve(dir);
  let meta = readMeta(root);
  if (!meta) {
    if (existsSync(root) && !statSync(root).isDirectory()) throw new UserError(`${root} is not a directory`);
    if (existsSync(root) && readdirSync(root).length > 0) {
      throw new UserError(`${root} is not a local DSQL data directory (it is not empty and has no ${META}); give a new or empty directory`);
    }
    createDirectory(root, 'the data directory');
    meta = { identifier: defaults.identifier ?? newClusterId(), region: defaults.region, creationTime: new Date().toISOString() };
    try {
      writeMeta(root, meta);
    } catch (error) {
      throw cannot('write to the data directory', root, error);
    }
  }
  return { root, pgdata: join(root, 'pgdata'), tls: join(root, 'tls'), meta };
}

export interface LockInfo {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux): a reused pid does not hold the lock. */
  procStart?: string;
  port?: number;
  /** Present when the server requires TLS: the CA clients trust. */
  tls?: { ca: string };
  startedAt: string;
}

/** Field 22 of /proc/<pid>/stat (start time since boot); undefined where there is no /proc. */
function procStart(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The lock's process still runs: its pid answers and, where /proc tells, it is the same process (pids are reused after a reboot). */
function alive(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStart(info.pid);
  return info.procStart === undefined || now === undefined || now === info.procStart;
}

export function readLock(root: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(root, LOCK), 'utf8')) as LockInfo;
    return alive(info) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Claims the directory for this process; returns a function that updates the lock (port) and one that releases it. */
export function lockDataDir(root: string): { update(info: Partial<LockInfo>): void; release(): void } {
  const file = join(root, LOCK);
  const mine: LockInfo = { pid: process.pid, procStart: procStart(process.pid), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine) + '\n');
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannot('write to the data directory', root, error);
      if (attempt > 2) throw error;
      const holder = readLock(root);
      if (holder && holder.pid !== process.pid) {
        const where = holder.port ? ` on 127.0.0.1:${holder.port}` : '';
        throw new UserError(
          `data directory ${root} is in use by another local DSQL server (pid ${holder.pid}${where}); stop it first or use another directory (if no such server runs, delete ${file})`,
        );
      }
      // Left by a process that no longer runs (killed): take it over.
      rmSync(file, { force: true });
    }
  }
  return {
    update(info) {
      Object.assign(mine, info);
      writeFileSync(file, JSON.stringify(mine) + '\n');
    },
    release() {
      const current = (() => {
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
        } catch {
          return undefined;
        }
      })();
      if (current?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
