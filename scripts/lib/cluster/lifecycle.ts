// The cluster lifecycle flows behind the commands: create (with multi-Region peering), list,
// and delete (plan, then carry out). They talk only to a ClusterBackend and report progress
// through callbacks, so they work the same for any backend and print nothing themselves.
import { UsageError, UserError } from '../cli/errors.js';
import { checkClusterArn } from '../aws/ids.js';
import { matchesTags, type TagFilter } from '../aws/tags.js';
import type { ClusterBackend, ClusterView, WaitOutcome } from './backend.js';

export type StatusListener = (label: string, status: string) => void;

/** How a wait ended, or why there was none. */
export type WaitResult = WaitOutcome['result'] | 'skipped' | 'pending-setup';

// ---------------------------------------------------------------------------------------------
// create

export interface CreateInput {
  tags: Record<string, string>;
  deletionProtection: boolean;
  witnessRegion?: string;
  /** ARN of a PENDING_SETUP cluster in another Region to pair with. */
  peerArn?: string;
  kmsKey?: string;
}

export interface CreateResult {
  cluster: ClusterView;
  /** The peer, when --peer completed a multi-Region pair. */
  peer?: ClusterView;
  wait: WaitResult;
  seconds?: number;
}

export interface WaitChoice {
  wait: boolean;
  timeoutSeconds: number;
  onStatus?: StatusListener;
}

/** Checks the peer before anything is created, so a bad --peer leaves no cluster behind. */
async function checkPeer(backend: ClusterBackend, peerArn: string, witnessRegion: string | undefined) {
  const ref = checkClusterArn(peerArn, '--peer');
  if (ref.region === backend.region) throw new UsageError(`--peer must be a cluster in another Region than ${backend.region}`);
  const peerBackend = backend.inRegion(ref.region);
  const peer = await peerBackend.get(ref.id);
  const peerWitness = peer.multiRegionProperties?.witnessRegion ?? undefined;
  if (!peerWitness) {
    throw new UserError(`cluster ${ref.id} in ${ref.region} has no witness Region, so it cannot be peered: create it with --witness-region`);
  }
  if (witnessRegion && witnessRegion !== peerWitness) {
    throw new UsageError(`--witness-region ${witnessRegion} differs from the witness Region of ${ref.id} (${peerWitness}); peers share one witness Region`);
  }
  if (peer.status !== 'PENDING_SETUP') {
    throw new UserError(`cluster ${ref.id} in ${ref.region} is ${peer.status}; only a cluster waiting for its peer (PENDING_SETUP) can be paired`);
  }
  return { backend: peerBackend, id: ref.id, witness: peerWitness };
}

export async function createCluster(backend: ClusterBackend, input: CreateInput, choice: WaitChoice): Promise<CreateResult> {
  const peer = input.peerArn ? await checkPeer(backend, input.peerArn, input.witnessRegion) : undefined;
  const witnessRegion = input.witnessRegion ?? peer?.witness;
  if (witnessRegion === backend.region) throw new UsageError(`--witness-region must differ from the cluster's Region (${backend.region})`);

  const cluster = await backend.create({
    tags: input.tags,
    deletionProtection: input.deletionProtection,
    witnessRegion,
    peers: input.peerArn ? [input.peerArn] : undefined,
    kmsKey: input.kmsKey,
  });
  if (peer) {
    try {
      // Peering completes when the first cluster names the new one back.
      await peer.backend.setPeers(peer.id, witnessRegion!, [cluster.arn]);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new UserError(`cluster ${cluster.identifier} was created (PENDING_SETUP) but pairing it with ${peer.id} failed: ${why}`, { cause: error });
    }
  }

  if (witnessRegion && !peer) return { cluster, wait: 'pending-setup' };
  if (!choice.wait) return { cluster, wait: 'skipped' };

  const deadline = Date.now() + choice.timeoutSeconds * 1000;
  const waitFor = (b: ClusterBackend, id: string) =>
    b.wait(id, 'active', {
      timeoutSeconds: Math.max(1, (deadline - Date.now()) / 1000),
      onStatus: (status) => choice.onStatus?.(id, status),
    });
  const [mine, theirs] = await Promise.all([waitFor(backend, cluster.identifier), peer ? waitFor(peer.backend, peer.id) : undefined]);
  const worst = [mine, theirs].find((o) => o && o.result !== 'reached') ?? mine;
  return {
    cluster: mine.cluster ?? { ...cluster, status: mine.status },
    ...(theirs?.cluster ? { peer: theirs.cluster } : {}),
    wait: worst.result,
    seconds: Math.max(mine.seconds, theirs?.seconds ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// list

export interface ListFilter {
  tags: readonly TagFilter[];
  /** Upper-case statuses; empty means any. */
  statuses: readonly string[];
  /** GetCluster calls in flight at once (the list call returns only identifiers). */
  concurrency?: number;
}

/** Runs fn over items with at most `limit` calls in flight, keeping the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function listClusters(backend: ClusterBackend, filter: ListFilter): Promise<ClusterView[]> {
  const refs = [];
  for await (const ref of backend.list()) refs.push(ref);
  // A cluster deleted between the list and its GetCluster is simply no longer there.
  const views = await mapLimit(refs, filter.concurrency ?? 8, (ref) => backend.find(ref.identifier));
  return views
    .filter((v): v is ClusterView => v !== undefined)
    .filter((v) => matchesTags(v.tags, filter.tags))
    .filter((v) => filter.statuses.length === 0 || filter.statuses.includes(v.status))
    .sort((a, b) => a.creationTime.localeCompare(b.creationTime) || a.identifier.localeCompare(b.identifier));
}

// ---------------------------------------------------------------------------------------------
// delete

export type DeleteStep = 'disable-deletion-protection' | 'delete' | 'wait';

export interface DeletePlan {
  cluster: ClusterView;
  steps: DeleteStep[];
  /** The deletion was already under way before this run. */
  alreadyDeleting: boolean;
}

export interface DeleteResult extends DeletePlan {
  /** deleted: gone; deleting: started (not waited for); pending-delete: waits for its peers; timeout. */
  outcome: 'deleted' | 'deleting' | 'pending-delete' | 'timeout';
  status: string;
  seconds?: number;
}

export async function planDelete(
  backend: ClusterBackend,
  identifier: string,
  choice: { disableDeletionProtection: boolean; wait: boolean },
): Promise<DeletePlan> {
  const cluster = await backend.get(identifier);
  const alreadyDeleting = cluster.status === 'DELETING' || cluster.status === 'PENDING_DELETE';
  if (alreadyDeleting) return { cluster, alreadyDeleting, steps: choice.wait && cluster.status === 'DELETING' ? ['wait'] : [] };
  if (cluster.deletionProtectionEnabled && !choice.disableDeletionProtection) {
    throw new UserError(
      `cluster ${identifier} has deletion protection on; to delete it anyway, add --disable-deletion-protection (turns protection off with UpdateCluster, then deletes)`,
    );
  }
  const steps: DeleteStep[] = [];
  if (cluster.deletionProtectionEnabled) steps.push('disable-deletion-protection');
  steps.push('delete');
  if (choice.wait) steps.push('wait');
  return { cluster, alreadyDeleting, steps };
}

/** The other members of a multi-Region set, which must be deleted too. */
export function peerArns(c: ClusterView): string[] {
  return c.multiRegionProperties?.clusters.filter((arn) => arn !== c.arn) ?? [];
}

export async function executeDelete(backend: ClusterBackend, plan: DeletePlan, choice: { timeoutSeconds: number; onStatus?: StatusListener }): Promise<DeleteResult> {
  const id = plan.cluster.identifier;
  let status = plan.cluster.status;
  if (plan.steps.includes('disable-deletion-protection')) await backend.setDeletionProtection(id, false);
  if (plan.steps.includes('delete')) status = await backend.delete(id);
  if (status === 'PENDING_DELETE') return { ...plan, outcome: 'pending-delete', status };
  if (!plan.steps.includes('wait')) return { ...plan, outcome: 'deleting', status };

  const waited = await backend.wait(id, 'gone', { timeoutSeconds: choice.timeoutSeconds, onStatus: (s) => choice.onStatus?.(id, s) });
  const outcome = waited.result === 'reached' ? 'deleted' : waited.status === 'PENDING_DELETE' ? 'pending-delete' : 'timeout';
  return { ...plan, outcome, status: waited.status, seconds: waited.seconds };
}
