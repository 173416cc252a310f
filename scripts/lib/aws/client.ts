// The DSQL control-plane client: Region, profile and endpoint from the command line, the SDK
// loaded only when a command actually calls AWS (never for --help).
import { createRequire } from 'node:module';
import { UsageError } from '../cli/errors.js';
import { resolveRegion, type RegionSource } from './region.js';

export type DsqlSdk = typeof import('@aws-sdk/client-dsql');
export type DsqlClient = import('@aws-sdk/client-dsql').DSQLClient;

export interface AwsTargetInput {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** Where control-plane calls go, settled before the SDK loads. */
export interface AwsTarget {
  region: string;
  regionSource: RegionSource;
  profile?: string;
  /** Endpoint override (a stand-in or a private endpoint); the SDK's own endpoint otherwise. */
  endpointUrl?: string;
}

export function checkEndpointUrl(raw: string, from = '--endpoint-url'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} is not a URL: ${JSON.stringify(raw)} (e.g. https://dsql.us-east-1.api.aws)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${from} must be an http or https URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

export async function resolveTarget({ region, profile, endpointUrl, env = process.env }: AwsTargetInput): Promise<AwsTarget> {
  const resolved = await resolveRegion({ flag: region, profile, env });
  return {
    region: resolved.region,
    regionSource: resolved.source,
    profile: profile || undefined,
    endpointUrl: endpointUrl ? checkEndpointUrl(endpointUrl) : undefined,
  };
}

let sdk: DsqlSdk | undefined;
/**
 * The SDK module, loaded once on first use. It is CommonJS: require() loads it about twice as
 * fast as import(), which lexes the whole module tree for named exports (bench/cluster-info.ts).
 */
export function loadSdk(): DsqlSdk {
  return (sdk ??= createRequire(import.meta.url)('@aws-sdk/client-dsql') as DsqlSdk);
}

/** A client for the target, or for another Region of the same account setup (multi-Region peers). */
export async function dsqlClient(target: AwsTarget, region = target.region): Promise<{ client: DsqlClient; sdk: DsqlSdk }> {
  const loaded = loadSdk();
  const client = new loaded.DSQLClient({
    region,
    ...(target.profile ? { profile: target.profile } : {}),
    ...(target.endpointUrl ? { endpoint: target.endpointUrl } : {}),
  });
  return { client, sdk: loaded };
}
