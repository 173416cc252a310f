// What the cluster commands need from wherever clusters live. The AWS backend
// (scripts/lib/aws/dsql-backend.ts) implements it over the DSQL control plane; a local
// backend (clusters in folders, for --local) can implement the same interface and every
// command, output shape and test of the lifecycle flows applies to it unchanged.
//
// Types only: importing this module loads nothing.

/** Status values DSQL reports (ClusterStatus in the API reference). */
export const CLUSTER_STATUSES = [
  'CREATING',
  'ACTIVE',
  'IDLE',
  'INACTIVE',
  'UPDATING',
  'DELETING',
  'DELETED',
  'FAILED',
  'PENDING_SETUP',
  'PENDING_DELETE',
] as const;

/** One cluster as every command prints it (the shape of `--json`). */
export interface ClusterView {
  identifier: string;
  arn: string;
  region: string;
  status: string;
  /** Host name to connect to: from the service, else <id>.dsql.<region>.on.aws. */
  endpoint: string;
  /** ISO 8601, UTC. */
  creationTime: string;
  deletionProtectionEnabled: boolean;
  tags: Record<string, string>;
  /** Witness Region and every cluster of the multi-Region set (this one included); null if single-Region. */
  multiRegionProperties: { witnessRegion: string | null; clusters: string[] } | null;
  encryptionDetails: { encryptionType: string; encryptionStatus: string; kmsKeyArn?: string } | null;
}

export interface ClusterRef {
  identifier: string;
  arn: string;
}

export interface CreateRequest {
  tags: Record<string, string>;
  deletionProtection: boolean;
  witnessRegion?: string;
  /** ARNs of clusters in other Regions to peer with (multi-Region). */
  peers?: string[];
  /** KMS key ARN, id or alias for encryption at rest; AWS-owned key when absent. */
  kmsKey?: string;
}

export type WaitTarget = 'active' | 'gone';

export interface WaitOptions {
  timeoutSeconds: number;
  /** Called with each status seen while polling ('GONE' once the cluster no longer exists). */
  onStatus?: (status: string) => void;
}

export interface WaitOutcome {
  /** reached: the target state; timeout: --timeout ran out; stopped: a state the target cannot follow from. */
  result: 'reached' | 'timeout' | 'stopped';
  /** The last status seen ('GONE' when the cluster no longer exists). */
  status: string;
  /** The cluster as last seen, when it still exists. */
  cluster?: ClusterView;
  seconds: number;
}

export interface ClusterBackend {
  /** Where the clusters live, for messages and output: an AWS Region name. */
  readonly region: string;
  create(request: CreateRequest): Promise<ClusterView>;
  /** Throws a UserError naming the cluster and Region when it does not exist. */
  get(identifier: string): Promise<ClusterView>;
  /** Like get, but undefined when the cluster does not exist. */
  find(identifier: string): Promise<ClusterView | undefined>;
  /** Every cluster, all pages. */
  list(): AsyncIterable<ClusterRef>;
  setDeletionProtection(identifier: string, enabled: boolean): Promise<void>;
  /** Names the peers of a multi-Region cluster (completes peering when they name it too). */
  setPeers(identifier: string, witnessRegion: string, peers: string[]): Promise<void>;
  /** Starts deletion and returns the status the service reports (DELETING, PENDING_DELETE). */
  delete(identifier: string): Promise<string>;
  wait(identifier: string, target: WaitTarget, options: WaitOptions): Promise<WaitOutcome>;
  /** The same backend for another Region (multi-Region peers). */
  inRegion(region: string): ClusterBackend;
}
