// Region resolution shared by every command that talks to AWS: the flag, then the
// environment, then the profile's config file (through the SDK's own loader), else us-east-1.
import { UsageError } from '../cli/errors.js';

export type RegionSource = 'flag' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'REGION' | 'profile' | 'default';

export interface ResolvedRegion {
  region: string;
  source: RegionSource;
}

export const DEFAULT_REGION = 'us-east-1';
const REGION_SHAPE = /^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$/;

export function checkRegion(region: string, from = '--region'): string {
  if (!REGION_SHAPE.test(region)) throw new UsageError(`${from} is not an AWS Region name: ${JSON.stringify(region)} (e.g. us-east-1)`);
  return region;
}

export interface RegionInput {
  /** The --region flag, if given. */
  flag?: string;
  /** The --profile flag, if given (AWS_PROFILE otherwise). */
  profile?: string;
  env?: NodeJS.ProcessEnv;
  /** Also read the seed scripts' REGION variable (psql-connect does). */
  legacyRegionEnv?: boolean;
}

export async function resolveRegion({ flag, profile, env = process.env, legacyRegionEnv = false }: RegionInput): Promise<ResolvedRegion> {
  if (flag) return { region: checkRegion(flag), source: 'flag' };
  if (legacyRegionEnv && env.REGION) return { region: checkRegion(env.REGION, '$REGION'), source: 'REGION' };
  if (env.AWS_REGION) return { region: checkRegion(env.AWS_REGION, '$AWS_REGION'), source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: checkRegion(env.AWS_DEFAULT_REGION, '$AWS_DEFAULT_REGION'), source: 'AWS_DEFAULT_REGION' };
  // The SDK's own loader reads the shared config file for the chosen profile. It comes with the
  // SDK bundle (sdk.ts), loaded only now: --help never gets here.
  const { loadSdk } = await import('./sdk.js');
  const { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS } = loadSdk();
  const fromFile = loadConfig(
    { environmentVariableSelector: () => undefined, configFileSelector: (p: Record<string, string | undefined>) => p.region, default: () => undefined },
    { ...NODE_REGION_CONFIG_FILE_OPTIONS, profile: profile ?? env.AWS_PROFILE },
  );
  const region = await fromFile().catch(() => undefined);
  if (region) return { region: checkRegion(region, 'the profile region'), source: 'profile' };
  return { region: DEFAULT_REGION, source: 'default' };
}
