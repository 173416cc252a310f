// SDK errors -> one line that says what went wrong and what to do. Anything that is not an
// AWS or network failure is returned unchanged: it is a bug and keeps its stack trace.
import { UserError } from '../cli/errors.js';
import type { AwsTarget } from './client.js';

export interface CallContext {
  /** The DSQL API action, e.g. GetCluster (named in access-denied messages). */
  action: string;
  region: string;
  identifier?: string;
  target: Pick<AwsTarget, 'profile' | 'endpointUrl'>;
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const BAD_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
]);

/** The control-plane address in messages. */
export function controlPlaneUrl(ctx: Pick<CallContext, 'region' | 'target'>): string {
  return ctx.target.endpointUrl ?? `https://dsql.${ctx.region}.api.aws`;
}

/** True for errors a caller may tell apart: the cluster does not exist. */
export function isNotFound(error: unknown): boolean {
  return (error as SdkErrorLike | undefined)?.name === 'ResourceNotFoundException';
}

/** The UserError for an SDK failure, or the error itself when it is not one (a bug). */
export function explainAwsError(error: unknown, ctx: CallContext): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as SdkErrorLike;
  const name = e.name ?? '';
  const detail = (e.message ?? '').trim();
  const attempts = e.$metadata?.attempts;
  const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
  const cluster = ctx.identifier ? `cluster ${ctx.identifier}` : 'the cluster';
  const fail = (message: string) => new UserError(message, { cause: error });

  if (name === 'CredentialsProviderError' || /could not (load|resolve) credentials/i.test(detail)) {
    const which = ctx.target.profile ? ` for profile ${ctx.target.profile}` : '';
    return fail(
      `no AWS credentials found${which}: run "aws configure" (or "aws sso login"), set AWS_PROFILE to a configured profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return fail(`AWS rejected the credentials (${name}): refresh them ("aws sso login" or new access keys) or choose another profile with --profile`);
  }
  if (NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(name) || name === 'TimeoutError' || name === 'RequestTimeout') {
    const how = ctx.target.endpointUrl ? 'check --endpoint-url / DSQL_ENDPOINT_URL' : 'check the network and --region';
    return fail(`cannot reach the DSQL control plane at ${controlPlaneUrl(ctx)} (${e.code ?? name})${tries}: ${how}`);
  }
  if (!e.$metadata && !e.$fault) return error;

  switch (name) {
    case 'ResourceNotFoundException':
      return fail(`${cluster} not found in ${ctx.region}: list-clusters --region ${ctx.region} shows the clusters there (a cluster in another Region needs --region)`);
    case 'AccessDeniedException':
      return fail(`access denied for dsql:${ctx.action} in ${ctx.region}${detail ? ` (${detail})` : ''}: the IAM identity needs that permission`);
    case 'ValidationException':
      return fail(`AWS rejected ${ctx.action}: ${detail || 'invalid input'}`);
    case 'ConflictException':
      return fail(`${cluster} is busy (${detail || 'conflict'}): check it with cluster-info${ctx.identifier ? ` ${ctx.identifier}` : ''} and retry when it is ACTIVE`);
    case 'ServiceQuotaExceededException':
      return fail(`cluster quota reached in ${ctx.region}${detail ? ` (${detail})` : ''}: delete clusters you no longer need (list-clusters) or ask for a higher quota in Service Quotas`);
    case 'ThrottlingException':
      return fail(`AWS throttled ${ctx.action}${tries}: wait a minute and run the command again`);
  }
  const status = e.$metadata?.httpStatusCode;
  if (name === 'InternalServerException' || e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return fail(`the DSQL service failed ${ctx.action} (HTTP ${status ?? 500})${tries}: try again later`);
  }
  return fail(`${ctx.action} failed: ${name || 'error'}${detail ? `: ${detail}` : ''}`);
}

/** Runs one SDK call and turns its failure into a one-line UserError. */
export async function call<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explainAwsError(error, ctx);
  }
}
