// The connection target for a DSQL cluster: host, TLS settings, the role's IAM token and
// the application name. psql-connect uses it; other commands that run psql against a
// cluster (explain-plan) take the same path, so TLS and token rules live here once.
import type { OptionsSpec } from '../cli/spec.js';
import { isIP } from 'node:net';
import { UsageError } from '../cli/errors.js';
import { checkClusterId, clusterEndpoint, parseEndpoint } from '../aws/ids.js';
import { checkRegion, resolveRegion } from '../aws/region.js';
import { ADMIN_USER, generateDbToken, type DbToken } from '../aws/token.js';
import type { ConnectionTarget } from './run.js';
import { resolveTls, type TlsSettings } from './tls.js';

export const APPLICATION_NAME = 'dsql-skill';
/** PostgreSQL keeps 63 bytes of application_name; `dsql-skill/` takes 11 of them. */
const AI_MODEL = /^[A-Za-z0-9._:-]{1,52}$/;

/** `dsql-skill` or `dsql-skill/<model>`; the model id is checked, since it reaches the server. */
export function applicationName(aiModel?: string): string {
  if (aiModel === undefined) return APPLICATION_NAME;
  if (!AI_MODEL.test(aiModel)) {
    throw new UsageError(`--ai-model must be 1 to 52 characters of letters, digits, '.', '_', ':' and '-'; got ${JSON.stringify(aiModel)}`);
  }
  return `${APPLICATION_NAME}/${aiModel}`;
}

/** A role name as PostgreSQL stores it: 1 to 63 bytes, no control characters. */
export function checkUser(user: string, from = '--user'): string {
  if (user === '' || Buffer.byteLength(user) > 63 || /[\x00-\x1f\x7f]/.test(user)) {
    throw new UsageError(`${from} must be a role name of 1 to 63 bytes without control characters; got ${JSON.stringify(user)}`);
  }
  return user;
}

/** A single host name (libpq would read commas as a host list and a slash as a socket directory). */
export function checkHost(host: string, from = '--host'): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host)) {
    throw new UsageError(`${from} must be one host name such as <id>.dsql.us-east-1.on.aws; got ${JSON.stringify(host)}`);
  }
  return host;
}

/**
 * Where to connect, from libpq's own PGHOSTADDR and PGPORT when the caller set them (an SSH
 * tunnel or a test server on 127.0.0.1): TLS still verifies the cluster's host name.
 */
export function addressOverrides(env: NodeJS.ProcessEnv): { hostaddr?: string; port?: number } {
  const out: { hostaddr?: string; port?: number } = {};
  if (env.PGHOSTADDR) {
    if (!isIP(env.PGHOSTADDR)) throw new UsageError(`PGHOSTADDR must be a numeric IP address; got ${JSON.stringify(env.PGHOSTADDR)}`);
    out.hostaddr = env.PGHOSTADDR;
  }
  if (env.PGPORT) {
    const port = Number(env.PGPORT);
    if (!/^[0-9]+$/.test(env.PGPORT) || port < 1 || port > 65535) throw new UsageError(`PGPORT must be a port number; got ${JSON.stringify(env.PGPORT)}`);
    out.port = port;
  }
  return out;
}

export interface DsqlTargetInput {
  /** The cluster endpoint (TLS name, token host). */
  host: string;
  region: string;
  user: string;
  profile?: string;
  /** Token lifetime in seconds. */
  expiresIn?: number;
  skipVerify?: boolean;
  aiModel?: string;
  psqlMajor: number;
  env?: NodeJS.ProcessEnv;
}

export interface DsqlTarget {
  target: ConnectionTarget;
  tls: TlsSettings;
  token: Omit<DbToken, 'token'>;
}

/** TLS first (a local failure should not cost a credential lookup), then the token. */
export async function dsqlTarget(input: DsqlTargetInput): Promise<DsqlTarget> {
  const env = input.env ?? process.env;
  const appName = applicationName(input.aiModel);
  const address = addressOverrides(env);
  const tls = resolveTls({ skipVerify: input.skipVerify, env, psqlMajor: input.psqlMajor });
  const { token, ...about } = await generateDbToken({
    hostname: input.host,
    region: input.region,
    user: input.user,
    expiresIn: input.expiresIn,
    profile: input.profile,
  });
  return {
    target: {
      host: input.host,
      ...address,
      user: input.user,
      password: token,
      database: 'postgres',
      sslmode: tls.sslmode,
      sslrootcert: tls.sslrootcert,
      applicationName: appName,
    },
    tls,
    token: about,
  };
}

/** Where to connect, as psql-connect and explain-plan take it from their flags. */
export interface TargetOptions {
  cluster?: string;
  host?: string;
  region?: string;
  profile?: string;
}

/** The cluster id from --cluster or the argument; both may be given if they agree. */
export function clusterArgument(flag: string | undefined, positional: string | undefined): string | undefined {
  if (positional !== undefined && flag !== undefined && positional.trim() !== flag.trim()) {
    throw new UsageError(`cluster given twice and they differ: ${JSON.stringify(positional)} and --cluster ${JSON.stringify(flag)}`);
  }
  return flag ?? positional;
}

/** The endpoint and its Region: --host, or a cluster id from the argument, --cluster or $CLUSTER. */
export async function endpointOf(options: TargetOptions, positional: string | undefined, env: NodeJS.ProcessEnv): Promise<{ host: string; region: string }> {
  const flagCluster = clusterArgument(options.cluster, positional);
  if (options.host !== undefined) {
    if (flagCluster !== undefined) throw new UsageError('give a cluster id or --host, not both');
    const host = checkHost(options.host.trim());
    const encoded = parseEndpoint(host);
    if (encoded) {
      // A DSQL endpoint names its Region; the token must be signed for that one.
      if (options.region !== undefined && checkRegion(options.region) !== encoded.region) {
        throw new UsageError(`--region ${options.region} does not match the endpoint's Region ${encoded.region}`);
      }
      return { host, region: encoded.region };
    }
    const { region } = await resolveRegion({ flag: options.region, profile: options.profile, env, legacyRegionEnv: true });
    return { host, region };
  }
  const raw = flagCluster ?? env.CLUSTER;
  if (raw === undefined || raw.trim() === '') throw new UsageError('missing cluster: give CLUSTER_ID, --cluster ID, --host ENDPOINT, or set $CLUSTER');
  const id = checkClusterId(raw, flagCluster === undefined ? '$CLUSTER' : 'cluster identifier');
  const { region } = await resolveRegion({ flag: options.region, profile: options.profile, env, legacyRegionEnv: true });
  return { host: clusterEndpoint(id, region), region };
}

/** --admin is --user admin; flags win over $DB_USER; admin by default. */
export function userOf(options: { user?: string; admin: boolean }, env: NodeJS.ProcessEnv): string {
  if (options.admin && options.user !== undefined && options.user !== ADMIN_USER) {
    throw new UsageError(`--admin means --user ${ADMIN_USER}; it cannot be combined with --user ${options.user}`);
  }
  if (options.admin) return ADMIN_USER;
  if (options.user !== undefined) return checkUser(options.user);
  return env.DB_USER ? checkUser(env.DB_USER, '$DB_USER') : ADMIN_USER;
}

/**
 * The connection flags psql-connect and explain-plan share (one definition, so both read and
 * document them the same way). Each command adds its own --local description.
 */
export const CONNECTION_OPTIONS = {
  cluster: { type: 'string', value: 'ID', description: 'cluster identifier; the endpoint is <ID>.dsql.<region>.on.aws (default: $CLUSTER)' },
  host: { type: 'string', value: 'ENDPOINT', description: 'connect to this endpoint instead of deriving it from a cluster id' },
  region: { type: 'string', value: 'REGION', description: 'AWS Region (default: $REGION, $AWS_REGION, $AWS_DEFAULT_REGION, the profile, us-east-1; a DSQL --host names its own)' },
  profile: { type: 'string', value: 'NAME', description: 'AWS shared-config profile for credentials and region (default: $AWS_PROFILE)' },
  user: { type: 'string', short: 'U', value: 'NAME', description: 'database role (default: $DB_USER, else admin)' },
  admin: { type: 'boolean', description: 'same as --user admin (the admin role gets the admin token)' },
  'ai-model': { type: 'string', value: 'ID', description: 'tag the session: application_name becomes dsql-skill/<ID>' },
  'skip-cert-verify': { type: 'boolean', description: 'TLS without certificate checks (sslmode=require); prints a warning; not for production' },
} as const satisfies OptionsSpec;
