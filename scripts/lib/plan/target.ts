// Where explain-plan connects: a DSQL cluster through the same endpoint, role, IAM token and
// TLS rules as psql-connect (scripts/lib/psql/target.ts), handed to node-postgres.
import { parseEndpoint } from '../aws/ids.js';
import { dsqlTarget, endpointOf, userOf, type TargetOptions } from '../psql/target.js';
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
