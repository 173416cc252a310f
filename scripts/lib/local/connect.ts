// A psql connection target on a local cluster, for commands that take --local
// (psql-connect, explain-plan, ...). If a local DSQL server already runs on the cluster,
// the target points at it (over TLS with a locally signed token when it requires TLS);
// otherwise a server starts in this process for as long as the caller needs it.
import { readLock } from './datadir.js';
import { dsqlPolicy } from './policy.js';
import { resolveLocalCluster } from './registry.js';
import { LOCAL_HOST, startLocalDsql } from './server.js';
import type { ConnectionTarget } from '../psql/run.js';

export interface LocalTargetInput {
  /** Local cluster identifier; the default local cluster when absent. */
  cluster?: string;
  region: string;
  user: string;
  applicationName: string;
  env?: NodeJS.ProcessEnv;
}

export interface LocalTarget {
  target: ConnectionTarget;
  identifier: string;
  /** How the target was reached, for messages. */
  how: 'started' | 'running';
  /** Stops the server if this call started it. */
  release(): Promise<void>;
}

/**
 * Signs a token the way a DSQL client would, with credentials that exist only here: a
 * --tls local server checks a token's shape, action, host and expiry, not its signature.
 */
async function localToken(host: string, region: string, user: string): Promise<string> {
  const { DsqlSigner } = await import('@aws-sdk/dsql-signer');
  const signer = new DsqlSigner({ hostname: host, region, credentials: { accessKeyId: 'AKIDLOCALDSQL', secretAccessKey: 'local-dsql' } });
  return user === 'admin' ? signer.getDbConnectAdminAuthToken() : signer.getDbConnectAuthToken();
}

export async function localTarget(input: LocalTargetInput): Promise<LocalTarget> {
  const env = input.env ?? process.env;
  const cluster = resolveLocalCluster(input.cluster, input.region, env);
  const base = { user: input.user, database: 'postgres', applicationName: input.applicationName };
  const running = readLock(cluster.dir);
  if (running?.port !== undefined) {
    const target: ConnectionTarget = running.tls
      ? {
          ...base,
          host: cluster.view.endpoint,
          hostaddr: LOCAL_HOST,
          port: running.port,
          sslmode: 'verify-full',
          sslrootcert: running.tls.ca,
          password: await localToken(cluster.view.endpoint, cluster.view.region, input.user),
        }
      : { ...base, host: LOCAL_HOST, port: running.port, sslmode: 'disable' };
    return { target, identifier: cluster.view.identifier, how: 'running', release: async () => {} };
  }
  const server = await startLocalDsql({ dataDir: cluster.dir, policy: dsqlPolicy() });
  return {
    target: { ...base, host: LOCAL_HOST, port: server.port, sslmode: 'disable' },
    identifier: server.identifier,
    how: 'started',
    release: () => server.stop(),
  };
}
