// Where explain-plan connects: a DSQL cluster through the same endpoint, role, IAM token and
// TLS rules as psql-connect (scripts/lib/psql/target.ts), handed to node-postgres.
import { parseEndpoint } from '../aws/ids.js';
import { checkRegion, DEFAULT_REGION } from '../aws/region.js';
import { applicationName, dsqlTarget, endpointOf, userOf, type TargetOptions } from '../psql/target.js';
import type { TargetInfo } from './explain.js';
import { connect, type SqlSession } from './session.js';

export interface ClusterOptions extends TargetOptions {
  user?: string;
  admin: boolean;
  'ai-model'?: string;
  'skip-cert-verify': boolean;
}

/** node-postgres verifies with node's own root store when asked for the `system` roots, as libpq 16 does. */
const NODE_TLS_LIKE_LIBPQ = 16;

export async function openCluster(
  options: ClusterOptions,
  positional: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ session: SqlSession; target: TargetInfo; user: string; host: string }> {
  const user = userOf(options, env);
  const { host, region } = await endpointOf(options, positional, env);
  const { target } = await dsqlTarget({
    host,
    region,
    user,
    profile: options.profile,
    skipVerify: options['skip-cert-verify'],
    aiModel: options['ai-model'],
    psqlMajor: NODE_TLS_LIKE_LIBPQ,
    env,
  });
  const session = await connect(target);
  return { session, target: { kind: 'cluster', id: parseEndpoint(host)?.id ?? host, region }, user, host };
}

/**
 * A local cluster (--local [ID]): its running local-dsql server, or one started in this
 * process until the session closes (scripts/lib/local/connect.ts, as psql-connect --local).
 */
export async function openLocal(
  options: Pick<ClusterOptions, 'user' | 'admin' | 'ai-model' | 'region'>,
  id: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ session: SqlSession; target: TargetInfo; user: string; host: string }> {
  const user = userOf(options, env);
  const region = options.region === undefined ? DEFAULT_REGION : checkRegion(options.region);
  const { localTarget } = await import('../local/connect.js');
  const local = await localTarget({ cluster: id, region, user, applicationName: applicationName(options['ai-model']), env });
  let session: SqlSession;
  try {
    session = await connect(local.target);
  } catch (error) {
    await local.release();
    throw error;
  }
  return {
    session: { query: (text, params) => session.query(text, params), close: () => session.close().finally(() => local.release()) },
    target: { kind: 'local', id: local.identifier },
    user,
    host: local.target.host,
  };
}
