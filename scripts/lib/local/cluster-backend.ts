// The cluster commands' backend for --local: local clusters (folders under the local home,
// registry.ts) behind the same interface as the DSQL control plane, so create-cluster,
// list-clusters, cluster-info and delete-cluster print the same shapes for both.
import { UsageError } from '../cli/errors.js';
import type { ClusterBackend, ClusterRef, ClusterView, CreateRequest, WaitOptions, WaitOutcome, WaitTarget } from '../cluster/backend.js';
import {
  createLocalCluster,
  deleteLocalCluster,
  findLocalCluster,
  getLocalCluster,
  listLocalClusters,
  setLocalDeletionProtection,
} from './registry.js';

export class LocalClusterBackend implements ClusterBackend {
  readonly region: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(region: string, env: NodeJS.ProcessEnv = process.env) {
    this.region = region;
    this.#env = env;
  }

  async create(request: CreateRequest): Promise<ClusterView> {
    if (request.witnessRegion || request.peers?.length) throw new UsageError('local clusters are single-Region: --witness-region and --peer are for clusters on AWS');
    if (request.kmsKey) throw new UsageError('local clusters are not encrypted with KMS keys: --kms-key is for clusters on AWS');
    return createLocalCluster({ region: this.region, tags: request.tags, deletionProtection: request.deletionProtection }, this.#env).view;
  }

  async get(identifier: string): Promise<ClusterView> {
    return getLocalCluster(identifier, this.#env).view;
  }

  async find(identifier: string): Promise<ClusterView | undefined> {
    return findLocalCluster(identifier, this.#env)?.view;
  }

  async *list(): AsyncIterable<ClusterRef> {
    for (const c of listLocalClusters(this.#env)) yield { identifier: c.view.identifier, arn: c.view.arn };
  }

  async setDeletionProtection(identifier: string, enabled: boolean): Promise<void> {
    setLocalDeletionProtection(identifier, enabled, this.#env);
  }

  async setPeers(): Promise<void> {
    throw new UsageError('local clusters are single-Region: they have no peers');
  }

  async delete(identifier: string): Promise<string> {
    deleteLocalCluster(identifier, this.#env);
    return 'DELETING';
  }

  /** Local clusters change state at once: a wait ends at the first look. */
  async wait(identifier: string, target: WaitTarget, _options: WaitOptions): Promise<WaitOutcome> {
    const cluster = await this.find(identifier);
    if (target === 'gone') return cluster ? { result: 'stopped', status: cluster.status, cluster, seconds: 0 } : { result: 'reached', status: 'GONE', seconds: 0 };
    return cluster ? { result: 'reached', status: cluster.status, cluster, seconds: 0 } : { result: 'stopped', status: 'GONE', seconds: 0 };
  }

  inRegion(region: string): ClusterBackend {
    return new LocalClusterBackend(region, this.#env);
  }
}
