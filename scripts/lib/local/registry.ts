// Local clusters: each one a data directory under the local home,
//
//   $DSQL_LOCAL_HOME (default: .dsql-local/ in the skill folder)
//     clusters/<identifier>/   a data directory (datadir.ts)
//     default                  the identifier of the default cluster (made on first use)
//
// They look like real clusters to the commands: the same identifier shape, an endpoint
// <id>.dsql.<region>.on.aws (served on 127.0.0.1, with a certificate for that name), an ARN,
// a status (ACTIVE while a server runs on it, IDLE otherwise), tags and deletion protection.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { clusterEndpoint } from '../aws/ids.js';
import { UserError } from '../cli/errors.js';
import { createDirectory, newClusterId, openDataDir, readLock, readMeta, writeMeta, type ClusterMeta } from './datadir.js';

export const LOCAL_HOME_ENV = 'DSQL_LOCAL_HOME';
/** The account number in local ARNs: no AWS account is involved. */
export const LOCAL_ACCOUNT = '000000000000';

/** The skill folder: the directory whose node_modules holds PGlite. */
function skillRoot(): string {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return pglite.slice(0, pglite.lastIndexOf('/node_modules/'));
}

export function localHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[LOCAL_HOME_ENV] || join(skillRoot(), '.dsql-local'));
}

/** One local cluster as the cluster commands print it (the shape of a real cluster's view). */
export interface LocalClusterView {
  identifier: string;
  arn: string;
  region: string;
  status: 'ACTIVE' | 'IDLE';
  endpoint: string;
  creationTime: string;
  deletionProtectionEnabled: boolean;
  tags: Record<string, string>;
  multiRegionProperties: null;
  encryptionDetails: null;
}

export interface LocalCluster {
  view: LocalClusterView;
  /** The data directory. */
  dir: string;
  /** Present while a server runs on it. */
  server?: { pid: number; port?: number };
}

const clustersDir = (home: string) => join(home, 'clusters');

function toCluster(dir: string, meta: ClusterMeta): LocalCluster {
  const lock = readLock(dir);
  return {
    dir,
    server: lock ? { pid: lock.pid, port: lock.port } : undefined,
    view: {
      identifier: meta.identifier,
      arn: `arn:aws:dsql:${meta.region}:${LOCAL_ACCOUNT}:cluster/${meta.identifier}`,
      region: meta.region,
      status: lock ? 'ACTIVE' : 'IDLE',
      endpoint: clusterEndpoint(meta.identifier, meta.region),
      creationTime: meta.creationTime,
      deletionProtectionEnabled: meta.deletionProtectionEnabled ?? false,
      tags: { ...(meta.tags ?? {}) },
      multiRegionProperties: null,
      encryptionDetails: null,
    },
  };
}

export function findLocalCluster(identifier: string, env: NodeJS.ProcessEnv = process.env): LocalCluster | undefined {
  const dir = join(clustersDir(localHome(env)), identifier);
  const meta = /^[a-z0-9]+$/.test(identifier) ? readMeta(dir) : undefined;
  return meta ? toCluster(dir, meta) : undefined;
}

export function getLocalCluster(identifier: string, env: NodeJS.ProcessEnv = process.env): LocalCluster {
  const found = findLocalCluster(identifier, env);
  if (!found) throw new UserError(`no local cluster ${identifier} in ${localHome(env)} (list them with list-clusters --local)`);
  return found;
}

export function listLocalClusters(env: NodeJS.ProcessEnv = process.env): LocalCluster[] {
  const root = clustersDir(localHome(env));
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((id) => findLocalCluster(id, env))
    .filter((c): c is LocalCluster => c !== undefined)
    .sort((a, b) => a.view.creationTime.localeCompare(b.view.creationTime));
}

export interface LocalCreateRequest {
  region: string;
  tags?: Record<string, string>;
  deletionProtection?: boolean;
}

/** Creates the cluster's folder; the database itself is made when a server first starts on it. */
export function createLocalCluster(request: LocalCreateRequest, env: NodeJS.ProcessEnv = process.env): LocalCluster {
  const root = clustersDir(localHome(env));
  createDirectory(root, 'the local clusters folder');
  let identifier = newClusterId();
  while (existsSync(join(root, identifier))) identifier = newClusterId();
  const data = openDataDir(join(root, identifier), { region: request.region, identifier });
  const meta: ClusterMeta = { ...data.meta, tags: { ...(request.tags ?? {}) }, deletionProtectionEnabled: request.deletionProtection ?? false };
  writeMeta(data.root, meta);
  return toCluster(data.root, meta);
}

export function setLocalDeletionProtection(identifier: string, enabled: boolean, env: NodeJS.ProcessEnv = process.env): LocalCluster {
  const cluster = getLocalCluster(identifier, env);
  const meta = { ...readMeta(cluster.dir)!, deletionProtectionEnabled: enabled };
  writeMeta(cluster.dir, meta);
  return toCluster(cluster.dir, meta);
}

/** Deletes the cluster and its data. Refused while a server runs on it or deletion protection is on. */
export function deleteLocalCluster(identifier: string, env: NodeJS.ProcessEnv = process.env): LocalClusterView {
  const cluster = getLocalCluster(identifier, env);
  if (cluster.view.deletionProtectionEnabled) {
    throw new UserError(`local cluster ${identifier} has deletion protection on; turn it off first`);
  }
  if (cluster.server) {
    throw new UserError(`local cluster ${identifier} is in use by a local DSQL server (pid ${cluster.server.pid}); stop it first`);
  }
  // Move it out of the way first, so a half-deleted folder never lists as a cluster.
  const trash = join(localHome(env), `.deleting-${identifier}-${process.pid}`);
  renameSync(cluster.dir, trash);
  rmSync(trash, { recursive: true, force: true });
  const home = localHome(env);
  if (readDefaultId(home) === identifier) rmSync(join(home, 'default'), { force: true });
  return { ...cluster.view, status: 'IDLE' };
}

function readDefaultId(home: string): string | undefined {
  try {
    return readFileSync(join(home, 'default'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The default local cluster, created on first use. */
export function defaultLocalCluster(region: string, env: NodeJS.ProcessEnv = process.env): LocalCluster {
  const home = localHome(env);
  const id = readDefaultId(home);
  const existing = id ? findLocalCluster(id, env) : undefined;
  if (existing) return existing;
  const created = createLocalCluster({ region, tags: { Name: 'default' } }, env);
  writeFileSync(join(home, 'default'), created.view.identifier + '\n');
  return created;
}

/** Resolves --cluster ID, or the default cluster without one. */
export function resolveLocalCluster(identifier: string | undefined, region: string, env: NodeJS.ProcessEnv = process.env): LocalCluster {
  return identifier ? getLocalCluster(identifier, env) : defaultLocalCluster(region, env);
}
