// The DSQL control-plane client: Region, profile and endpoint from the command line, the SDK
// loaded only when a command actually calls AWS (never for --help).
import { UsageError } from '../cli/errors.js';
import { resolveRegion, type RegionSource } from './region.js';
import { loadSdk, type DsqlSdk } from './sdk.js';

export type { DsqlSdk };
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
