// The cluster backend over the real DSQL control plane (@aws-sdk/client-dsql). Loaded with
// `await import()` by the commands, so --help never pulls in the SDK.
import type { ClusterBackend, ClusterRef, ClusterView, CreateRequest, WaitOptions, WaitOutcome, WaitTarget } from '../cluster/backend.js';
import { dsqlClient, resolveTarget, type AwsTarget, type AwsTargetInput, type DsqlClient, type DsqlSdk } from './client.js';
import { call, explainAwsError, isNotFound, type CallContext } from './errors.js';
import { clusterEndpoint, parseClusterArn } from './ids.js';

/**
 * Test hook: DSQL_WAIT_POLL_SECONDS=0.05 makes the waiters poll every 50 ms instead of the
 * 2..15 s backoff below, so the suite runs the real SDK waiters quickly against the stand-in.
 */
export const WAIT_POLL_ENV = 'DSQL_WAIT_POLL_SECONDS';
const DEFAULT_MIN_DELAY = 2;
const DEFAULT_MAX_DELAY = 15;

type ClusterOutput = {
  identifier?: string;
  arn?: string;
  status?: string;
  creationTime?: Date;
  deletionProtectionEnabled?: boolean;
  tags?: Record<string, string>;
  endpoint?: string;
  multiRegionProperties?: { witnessRegion?: string; clusters?: string[] };
  encryptionDetails?: { encryptionType?: string; encryptionStatus?: string; kmsKeyArn?: string };
};

/** The SDK's cluster shape -> the view every command prints. */
export function toView(out: ClusterOutput, fallbackRegion: string): ClusterView {
  const identifier = out.identifier ?? '';
  const arn = out.arn ?? '';
  const region = parseClusterArn(arn)?.region ?? fallbackRegion;
  const created = out.creationTime instanceof Date && !Number.isNaN(out.creationTime.getTime()) ? out.creationTime.toISOString() : '';
  const mrp = out.multiRegionProperties;
  const enc = out.encryptionDetails;
  return {
    identifier,
    arn,
    region,
    status: out.status ?? 'UNKNOWN',
    endpoint: out.endpoint || clusterEndpoint(identifier, region),
    creationTime: created,
    deletionProtectionEnabled: out.deletionProtectionEnabled ?? false,
    tags: { ...(out.tags ?? {}) },
    multiRegionProperties: mrp && (mrp.witnessRegion || mrp.clusters?.length) ? { witnessRegion: mrp.witnessRegion ?? null, clusters: [...(mrp.clusters ?? [])] } : null,
    encryptionDetails: enc
      ? { encryptionType: enc.encryptionType ?? 'UNKNOWN', encryptionStatus: enc.encryptionStatus ?? 'UNKNOWN', ...(enc.kmsKeyArn ? { kmsKeyArn: enc.kmsKeyArn } : {}) }
      : null,
  };
}

/** Statuses after which waiting for the target is pointless; 'reached' for IDLE (an active cluster with no traffic). */
function verdict(target: WaitTarget, status: string): 'reached' | 'stopped' | undefined {
  if (target === 'active') {
    if (status === 'IDLE') return 'reached';
    if (['FAILED', 'DELETING', 'DELETED', 'PENDING_DELETE', 'GONE'].includes(status)) return 'stopped';
  } else if (status === 'PENDING_DELETE') {
    return 'stopped'; // waits for its multi-Region peers to be deleted too
  }
  return undefined;
}

/** Errors that will not go away by polling again (throttling, 5xx and network blips may). */
function fatalDuringWait(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  return ['AccessDeniedException', 'ValidationException', 'CredentialsProviderError', 'UnrecognizedClientException', 'ExpiredTokenException', 'InvalidSignatureException'].includes(name);
}

export interface DsqlBackendOptions {
  env?: NodeJS.ProcessEnv;
}

class DsqlBackend implements ClusterBackend {
  readonly region: string;
  readonly #target: AwsTarget;
  readonly #env: NodeJS.ProcessEnv;
  #client?: Promise<{ client: DsqlClient; sdk: DsqlSdk }>;

  constructor(target: AwsTarget, region: string, env: NodeJS.ProcessEnv) {
    this.#target = target;
    this.region = region;
    this.#env = env;
  }

  #sdk() {
    return (this.#client ??= dsqlClient(this.#target, this.region));
  }

  #ctx(action: string, identifier?: string): CallContext {
    return { action, region: this.region, identifier, target: this.#target };
  }

  inRegion(region: string): ClusterBackend {
    return region === this.region ? this : new DsqlBackend(this.#target, region, this.#env);
  }

  async create(request: CreateRequest): Promise<ClusterView> {
    const { client, sdk } = await this.#sdk();
    const multiRegion = request.witnessRegion || request.peers?.length
      ? { multiRegionProperties: { witnessRegion: request.witnessRegion, ...(request.peers?.length ? { clusters: request.peers } : {}) } }
      : {};
    const out = await call(this.#ctx('CreateCluster'), () =>
      client.send(
        new sdk.CreateClusterCommand({
          deletionProtectionEnabled: request.deletionProtection,
          tags: request.tags,
          ...(request.kmsKey ? { kmsEncryptionKey: request.kmsKey } : {}),
          ...multiRegion,
        }),
      ),
    );
    // CreateCluster does not echo the tags; they are exactly the ones sent in the same call.
    return toView({ ...out, tags: request.tags }, this.region);
  }

  async get(identifier: string): Promise<ClusterView> {
    const { client, sdk } = await this.#sdk();
    const out = await call(this.#ctx('GetCluster', identifier), () => client.send(new sdk.GetClusterCommand({ identifier })));
    return toView(out, this.region);
  }

  async find(identifier: string): Promise<ClusterView | undefined> {
    const { client, sdk } = await this.#sdk();
    try {
      return toView(await client.send(new sdk.GetClusterCommand({ identifier })), this.region);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw explainAwsError(error, this.#ctx('GetCluster', identifier));
    }
  }

  async *list(): AsyncIterable<ClusterRef> {
    const { client, sdk } = await this.#sdk();
    try {
      for await (const page of sdk.paginateListClusters({ client, pageSize: 100 }, {})) {
        for (const c of page.clusters ?? []) yield { identifier: c.identifier ?? '', arn: c.arn ?? '' };
      }
    } catch (error) {
      throw explainAwsError(error, this.#ctx('ListClusters'));
    }
  }

  async setDeletionProtection(identifier: string, enabled: boolean): Promise<void> {
    const { client, sdk } = await this.#sdk();
    await call(this.#ctx('UpdateCluster', identifier), () => client.send(new sdk.UpdateClusterCommand({ identifier, deletionProtectionEnabled: enabled })));
  }

  async setPeers(identifier: string, witnessRegion: string, peers: string[]): Promise<void> {
    const { client, sdk } = await this.#sdk();
    await call(this.#ctx('UpdateCluster', identifier), () =>
      client.send(new sdk.UpdateClusterCommand({ identifier, multiRegionProperties: { witnessRegion, clusters: peers } })),
    );
  }

  async delete(identifier: string): Promise<string> {
    const { client, sdk } = await this.#sdk();
    const out = await call(this.#ctx('DeleteCluster', identifier), () => client.send(new sdk.DeleteClusterCommand({ identifier })));
    return out.status ?? 'DELETING';
  }

  #delays(timeoutSeconds: number): { minDelay: number; maxDelay: number } {
    const raw = this.#env[WAIT_POLL_ENV];
    const fixed = raw ? Number(raw) : NaN;
    if (Number.isFinite(fixed) && fixed > 0) return { minDelay: fixed, maxDelay: fixed };
    // The SDK refuses a first delay that is not shorter than the whole wait.
    const minDelay = Math.min(DEFAULT_MIN_DELAY, timeoutSeconds / 2);
    return { minDelay, maxDelay: Math.max(minDelay, DEFAULT_MAX_DELAY) };
  }

  /**
   * Polls with the SDK's own waiter (waitUntilClusterActive / waitUntilClusterNotExists). A
   * middleware watches each GetCluster answer to report progress and to stop early when the
   * target cannot be reached any more (the SDK waiter would poll a FAILED cluster until timeout).
   */
  async wait(identifier: string, target: WaitTarget, { timeoutSeconds, onStatus }: WaitOptions): Promise<WaitOutcome> {
    const { client, sdk } = await this.#sdk();
    const started = Date.now();
    const abort = new AbortController();
    let status = 'UNKNOWN';
    let last: ClusterOutput | undefined;
    let early: 'reached' | 'stopped' | undefined;
    let fatal: unknown;
    const name = `dsqlSkillWait-${identifier}`;

    const see = (next: string) => {
      status = next;
      onStatus?.(next);
      early = verdict(target, next);
      if (early) abort.abort();
    };
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { identifier?: string }).identifier !== identifier) return next(args);
        try {
          const result = await next(args);
          last = result.output as ClusterOutput;
          see(last.status ?? 'UNKNOWN');
          return result;
        } catch (error) {
          if (isNotFound(error)) {
            last = undefined;
            see('GONE');
          } else if (fatalDuringWait(error)) {
            fatal = error;
            abort.abort();
          }
          throw error;
        }
      },
      { step: 'initialize', name, override: true },
    );

    const waiter = target === 'active' ? sdk.waitUntilClusterActive : sdk.waitUntilClusterNotExists;
    let result: WaitOutcome['result'] = 'reached';
    try {
      await waiter({ client, maxWaitTime: timeoutSeconds, abortSignal: abort.signal, ...this.#delays(timeoutSeconds) }, { identifier });
    } catch (error) {
      if (fatal) throw explainAwsError(fatal, this.#ctx('GetCluster', identifier));
      const kind = (error as { name?: string }).name;
      if (kind === 'AbortError' && early) result = early;
      else if (kind === 'TimeoutError') result = 'timeout';
      else throw explainAwsError(error, this.#ctx('GetCluster', identifier));
    } finally {
      client.middlewareStack.remove(name);
    }
    return {
      result,
      status,
      ...(last ? { cluster: toView(last, this.region) } : {}),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  }
}

export function createDsqlBackend(target: AwsTarget, options: DsqlBackendOptions = {}): ClusterBackend {
  return new DsqlBackend(target, target.region, options.env ?? process.env);
}

/** Resolves Region, profile and endpoint, then makes the backend (one import for the commands). */
export async function openDsqlBackend(input: AwsTargetInput & { env: NodeJS.ProcessEnv }): Promise<{ backend: ClusterBackend; target: AwsTarget }> {
  const target = await resolveTarget(input);
  return { backend: createDsqlBackend(target, { env: input.env }), target };
}
