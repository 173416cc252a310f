// Flags shared by the cluster commands and the one place that picks the backend they talk to.
import { checkRegion, DEFAULT_REGION } from '../aws/region.js';
import { UsageError, type OptionsSpec, type RunContext } from '../cli/index.js';
import type { ClusterBackend } from './backend.js';

export const targetOptions = {
  region: {
    type: 'string',
    value: 'REGION',
    description: 'AWS Region (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile\'s region, else us-east-1)',
  },
  profile: { type: 'string', value: 'NAME', description: 'named AWS profile for credentials and Region (default: $AWS_PROFILE)' },
  'endpoint-url': {
    type: 'string',
    value: 'URL',
    env: 'DSQL_ENDPOINT_URL',
    description: 'DSQL control-plane endpoint, e.g. a private endpoint or a local stand-in',
  },
  json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  local: { type: 'boolean', description: 'local clusters (the embedded local DSQL, in $DSQL_LOCAL_HOME) instead of clusters on AWS' },
} as const satisfies OptionsSpec;

export const timeoutOption = {
  timeout: { type: 'integer', value: 'SECONDS', min: 1, max: 86_400, description: 'stop waiting after this long (default 900; the operation continues in AWS)' },
} as const satisfies OptionsSpec;

export const DEFAULT_TIMEOUT_SECONDS = 900;

/** Exit code when --timeout ran out while the operation goes on in AWS. */
export const EXIT_TIMEOUT = 3;

type TargetValues = { region?: string; profile?: string; 'endpoint-url'?: string; local?: boolean };

/**
 * The backend for a command run: the DSQL control plane in the chosen Region, or with
 * --local the local clusters (scripts/lib/local/cluster-backend.ts); nothing else changes.
 */
export async function openBackend(ctx: Pick<RunContext<OptionsSpec>, 'io' | 'note'>, options: TargetValues): Promise<ClusterBackend> {
  if (options.local) {
    const awsOnly = options.profile !== undefined ? '--profile' : options['endpoint-url'] !== undefined ? '--endpoint-url' : undefined;
    if (awsOnly) throw new UsageError(`${awsOnly} is for clusters on AWS; --local manages local clusters`);
    const { LocalClusterBackend } = await import('../local/cluster-backend.js');
    return new LocalClusterBackend(options.region === undefined ? DEFAULT_REGION : checkRegion(options.region), ctx.io.env);
  }
  const { openDsqlBackend } = await import('../aws/dsql-backend.js');
  const { backend, target } = await openDsqlBackend({ region: options.region, profile: options.profile, endpointUrl: options['endpoint-url'], env: ctx.io.env });
  if (target.regionSource === 'default') ctx.note(`region: ${target.region} (no --region, AWS_REGION or profile Region set)`);
  return backend;
}
