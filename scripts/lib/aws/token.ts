// IAM authentication tokens for DSQL, signed in-process by @aws-sdk/dsql-signer (no AWS CLI).
// The role decides the token: DSQL accepts only a DbConnectAdmin token for the `admin`
// role and a DbConnect token for every other role, so the caller cannot pick a wrong pair.
import { UserError, registerSecret } from '../cli/errors.js';
import { loadSdk, type DsqlSdk } from './sdk.js';

/** DSQL's built-in administrator role: the only one that gets (and needs) an admin token. */
export const ADMIN_USER = 'admin';

/** Token lifetime in seconds: the signer's default, and the SigV4 presign limit (one week). */
export const TOKEN_EXPIRES = { default: 900, min: 1, max: 604_800 } as const;

export const isAdminUser = (user: string): boolean => user === ADMIN_USER;

export interface TokenRequest {
  /** The endpoint the token is for, e.g. <id>.dsql.us-east-1.on.aws. */
  hostname: string;
  region: string;
  /** The database role; `admin` gets an admin token. */
  user: string;
  expiresIn?: number;
  /** Shared-config profile for the credential chain (AWS_PROFILE otherwise). */
  profile?: string;
}

export interface DbToken {
  token: string;
  action: 'DbConnect' | 'DbConnectAdmin';
  expiresIn: number;
}

/** The signer and the credential chain, from the same SDK bundle as the control-plane client (loaded on first use: --help never pays for it). */
export async function loadSigner(): Promise<Pick<DsqlSdk, 'DsqlSigner' | 'defaultProvider'>> {
  return loadSdk();
}

const NO_CREDENTIALS_FIX =
  'configure credentials with `aws configure` or `aws sso login`, choose one with --profile or AWS_PROFILE, ' +
  'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

/**
 * Sign a token for `user` at `hostname`. Credentials come from the SDK's default provider
 * chain (environment, shared files and SSO, web identity, container and instance roles).
 * The token is registered as a secret before it is returned, so no later message can show it.
 */
export async function generateDbToken(request: TokenRequest): Promise<DbToken> {
  const expiresIn = request.expiresIn ?? TOKEN_EXPIRES.default;
  if (!Number.isInteger(expiresIn) || expiresIn < TOKEN_EXPIRES.min || expiresIn > TOKEN_EXPIRES.max) {
    throw new UserError(`token expiry must be a whole number of seconds from ${TOKEN_EXPIRES.min} to ${TOKEN_EXPIRES.max}, got ${expiresIn}`, { exitCode: 2 });
  }
  const { DsqlSigner, defaultProvider } = await loadSigner();
  // The signer's own default chain ignores a profile passed to it, so build the chain here.
  const provider = defaultProvider(request.profile ? { profile: request.profile } : {});
  let credentials;
  try {
    credentials = await provider();
  } catch (error) {
    throw credentialsError(error, request.profile);
  }
  const signer = new DsqlSigner({ hostname: request.hostname, region: request.region, credentials, expiresIn });
  const admin = isAdminUser(request.user);
  let token: string;
  try {
    token = admin ? await signer.getDbConnectAdminAuthToken() : await signer.getDbConnectAuthToken();
  } catch (error) {
    // The signer throws plain strings for some bad inputs; no token exists yet to leak.
    throw new UserError(`cannot sign a DSQL token: ${error instanceof Error ? error.message : String(error)}`);
  }
  registerSecret(token);
  return { token, action: admin ? 'DbConnectAdmin' : 'DbConnect', expiresIn };
}

function credentialsError(error: unknown, profile: string | undefined): UserError {
  const message = error instanceof Error ? error.message : String(error);
  const generic = /could not load credentials from any providers/i.test(message);
  const what = generic ? `no AWS credentials found${profile ? ` for profile ${profile}` : ''}` : `cannot load AWS credentials: ${message}`;
  return new UserError(what, { hint: NO_CREDENTIALS_FIX, cause: error });
}
