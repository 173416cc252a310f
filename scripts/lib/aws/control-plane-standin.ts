// A local stand-in for the Aurora DSQL control plane: a real HTTP server on 127.0.0.1 that
// speaks the restJson1 shapes @aws-sdk/client-dsql sends and parses, so tests (and the local
// DSQL) run the real SDK end to end without an AWS account.
//
// What it models: per-Region state taken from the SigV4 credential scope; CREATING -> ACTIVE
// after a few GetCluster polls; DELETING -> gone after a few polls; deletion protection
// refusing deletes; paginated ListClusters; tags; multi-Region peering (PENDING_SETUP until
// two clusters name each other, PENDING_DELETE until every peer is deleted); idempotent
// client tokens; and injectable faults (an error N times, then normal service).
//
// Wire facts it relies on (recorded in the research notes): creationTime is epoch seconds;
// errors carry the `x-amzn-errortype` header and a JSON body {message, ...}.
//
//   import { startControlPlane } from './control-plane-standin.js';
//   const cp = await startControlPlane();            // cp.url -> DSQL_ENDPOINT_URL
//   cp.inject({ op: 'GetCluster', status: 429, type: 'ThrottlingException', times: 1 });
//   await cp.close();
//
// Run by hand: node dist/bin/control-plane-standin.js [--port N]
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export type ControlPlaneOp =
  | 'CreateCluster'
  | 'GetCluster'
  | 'ListClusters'
  | 'UpdateCluster'
  | 'DeleteCluster'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource';

export interface StandinCluster {
  identifier: string;
  arn: string;
  region: string;
  status: string;
  creationTime: number;
  deletionProtectionEnabled: boolean;
  tags: Record<string, string>;
  witnessRegion?: string;
  /** Peer ARNs this cluster names (not itself). */
  peers: string[];
  kmsKeyArn?: string;
  /** GetCluster polls left before the next automatic transition. */
  pollsLeft: number;
}

export interface Fault {
  /** Operation to fail; '*' fails every operation. */
  op: ControlPlaneOp | '*';
  status: number;
  /** The error shape name, e.g. ThrottlingException. */
  type: string;
  message?: string;
  /** How many matching requests fail before normal service resumes (default 1). */
  times?: number;
  /** Extra body fields, e.g. { reason: 'deletionProtectionEnabled' }. */
  fields?: Record<string, unknown>;
}

export interface RecordedRequest {
  op: ControlPlaneOp | 'Unknown';
  method: string;
  path: string;
  region: string;
  /** The access key id the request was signed with (from the SigV4 Authorization header). */
  accessKeyId?: string;
  query: Record<string, string[]>;
  body: unknown;
}

export interface StandinOptions {
  /** Port to listen on (default: a free one). Always bound to 127.0.0.1. */
  port?: number;
  account?: string;
  /** GetCluster polls a CREATING cluster answers before it turns ACTIVE (default 2). */
  pollsUntilActive?: number;
  /** GetCluster polls a DELETING cluster answers before it is gone (default 2). */
  pollsUntilGone?: number;
  /** Largest ListClusters page, whatever max-results asks for (default 100). */
  pageSize?: number;
  /** Put `endpoint` in responses (real DSQL does; off tests the client's fallback). */
  includeEndpoint?: boolean;
  /** Region when a request carries no SigV4 credential scope. */
  defaultRegion?: string;
}

/** Behaviour that tests may change while the server runs. */
export interface StandinSettings {
  pollsUntilActive: number;
  pollsUntilGone: number;
  pageSize: number;
  includeEndpoint: boolean;
}

export interface ControlPlaneStandin {
  url: string;
  port: number;
  /** Live settings: a change applies to the next request (e.g. pollsUntilActive = Infinity). */
  settings: StandinSettings;
  /** Every request served, in order. */
  requests: RecordedRequest[];
  clusters(region?: string): StandinCluster[];
  /** Put a cluster straight into the state (status ACTIVE unless given). */
  seed(region: string, init?: Partial<Omit<StandinCluster, 'arn' | 'region'>>): StandinCluster;
  inject(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TAG_TEXT = /^[a-zA-Z0-9_.:/=+\-@ ]*$/;

class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly fields: Record<string, unknown>;
  constructor(status: number, type: string, message: string, fields: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.fields = fields;
  }
}

function newIdentifier(): string {
  const bytes = randomBytes(26);
  return Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

/** Access key and Region from the SigV4 credential scope: Credential=AKID/20261126/us-east-1/dsql/aws4_request */
function signedBy(req: IncomingMessage): { accessKeyId?: string; region?: string } {
  const m = /Credential=([^/,]+)\/\d{8}\/([^/,]+)\/dsql\//.exec(String(req.headers.authorization ?? ''));
  return m ? { accessKeyId: m[1]!, region: m[2]! } : {};
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError(400, 'ValidationException', 'request body is not JSON'));
      }
    });
  });
}

function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined) return {};
  if (typeof tags !== 'object' || tags === null) throw new ApiError(400, 'ValidationException', 'tags must be a map');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > 50) throw new ApiError(400, 'ValidationException', 'too many tags: at most 50 per resource');
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw new ApiError(400, 'ValidationException', `tag ${k} has a non-string value`);
    if (k.length < 1 || k.length > 128 || !TAG_TEXT.test(k)) throw new ApiError(400, 'ValidationException', `invalid tag key: ${k}`);
    if (v.length > 256 || !TAG_TEXT.test(v)) throw new ApiError(400, 'ValidationException', `invalid tag value for ${k}`);
    if (k.toLowerCase().startsWith('aws:')) throw new ApiError(400, 'ValidationException', 'tag keys may not start with aws:');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export async function startControlPlane(options: StandinOptions = {}): Promise<ControlPlaneStandin> {
  const account = options.account ?? '123456789012';
  const settings: StandinSettings = {
    pollsUntilActive: options.pollsUntilActive ?? 2,
    pollsUntilGone: options.pollsUntilGone ?? 2,
    pageSize: options.pageSize ?? 100,
    includeEndpoint: options.includeEndpoint ?? true,
  };
  const defaultRegion = options.defaultRegion ?? 'us-east-1';

  // All clusters of all Regions, keyed by ARN (peering crosses Regions).
  const byArn = new Map<string, StandinCluster>();
  const tokens = new Map<string, string>(); // client token -> ARN (CreateCluster idempotency)
  const requests: RecordedRequest[] = [];
  let faults: Fault[] = [];
  let clock = 0;

  const arnFor = (region: string, id: string) => `arn:aws:dsql:${region}:${account}:cluster/${id}`;
  const inRegion = (region: string) => [...byArn.values()].filter((c) => c.region === region);
  // Creation times strictly increase so listings have a stable order.
  const now = () => (clock = Math.max(clock + 0.001, Date.now() / 1000));

  const notFound = (id: string) => new ApiError(404, 'ResourceNotFoundException', `Cluster not found: ${id}`, { resourceId: id, resourceType: 'cluster' });

  function find(region: string, id: string): StandinCluster {
    const c = byArn.get(arnFor(region, id));
    if (!c) throw notFound(id);
    return c;
  }

  function describe(c: StandinCluster, withTags: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {
      identifier: c.identifier,
      arn: c.arn,
      status: c.status,
      creationTime: c.creationTime,
      deletionProtectionEnabled: c.deletionProtectionEnabled,
      encryptionDetails: c.kmsKeyArn
        ? { encryptionType: 'CUSTOMER_MANAGED_KMS_KEY', kmsKeyArn: c.kmsKeyArn, encryptionStatus: 'ENABLED' }
        : { encryptionType: 'AWS_OWNED_KMS_KEY', encryptionStatus: 'ENABLED' },
    };
    if (c.witnessRegion) out.multiRegionProperties = { witnessRegion: c.witnessRegion, clusters: [c.arn, ...c.peers] };
    if (settings.includeEndpoint) out.endpoint = `${c.identifier}.dsql.${c.region}.on.aws`;
    if (withTags) out.tags = c.tags;
    return out;
  }

  const brief = (c: StandinCluster) => ({ identifier: c.identifier, arn: c.arn, status: c.status, creationTime: c.creationTime });

  /** Two clusters that name each other with the same witness are peered: creation proceeds. */
  function settlePeering(c: StandinCluster): void {
    for (const peerArn of c.peers) {
      const peer = byArn.get(peerArn);
      if (!peer || !peer.peers.includes(c.arn) || peer.witnessRegion !== c.witnessRegion) continue;
      for (const x of [c, peer]) {
        if (x.status === 'PENDING_SETUP') {
          x.status = 'CREATING';
          x.pollsLeft = settings.pollsUntilActive;
        }
      }
    }
  }

  function checkMultiRegion(region: string, mrp: unknown, self?: string): { witnessRegion?: string; peers: string[] } {
    if (mrp === undefined) return { peers: [] };
    const { witnessRegion, clusters } = mrp as { witnessRegion?: string; clusters?: string[] };
    if (witnessRegion === region) {
      throw new ApiError(400, 'ValidationException', "The witness Region cannot be the same as the cluster's Region", { reason: 'witnessRegion' });
    }
    const peers = (clusters ?? []).filter((arn) => arn !== self);
    for (const arn of peers) {
      const peer = byArn.get(arn);
      if (!peer) throw new ApiError(400, 'ValidationException', `Peer cluster not found: ${arn}`, { reason: 'clusters' });
      if (peer.region === region) throw new ApiError(400, 'ValidationException', `Peer cluster ${arn} is in the same Region`, { reason: 'clusters' });
      if (peer.witnessRegion !== witnessRegion) {
        throw new ApiError(400, 'ValidationException', `Peer cluster ${arn} uses witness Region ${peer.witnessRegion ?? 'none'}`, { reason: 'witnessRegion' });
      }
    }
    return { witnessRegion, peers };
  }

  function create(region: string, body: Record<string, unknown>): Record<string, unknown> {
    const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
    const earlier = token ? byArn.get(tokens.get(token) ?? '') : undefined;
    if (earlier) return describe(earlier, false);
    const tags = checkTags(body.tags);
    const { witnessRegion, peers } = checkMultiRegion(region, body.multiRegionProperties);
    const identifier = newIdentifier();
    const c: StandinCluster = {
      identifier,
      arn: arnFor(region, identifier),
      region,
      status: witnessRegion ? 'PENDING_SETUP' : 'CREATING',
      creationTime: now(),
      deletionProtectionEnabled: body.deletionProtectionEnabled !== false,
      tags,
      witnessRegion,
      peers,
      kmsKeyArn: typeof body.kmsEncryptionKey === 'string' && body.kmsEncryptionKey !== 'AWS_OWNED_KMS_KEY' ? body.kmsEncryptionKey : undefined,
      pollsLeft: settings.pollsUntilActive,
    };
    byArn.set(c.arn, c);
    if (token) tokens.set(token, c.arn);
    return describe(c, false);
  }

  function update(region: string, id: string, body: Record<string, unknown>): Record<string, unknown> {
    const c = find(region, id);
    if (c.status === 'DELETING' || c.status === 'PENDING_DELETE') {
      throw new ApiError(409, 'ConflictException', `Cluster ${id} is being deleted`, { resourceId: id, resourceType: 'cluster' });
    }
    if (typeof body.deletionProtectionEnabled === 'boolean') c.deletionProtectionEnabled = body.deletionProtectionEnabled;
    if (body.multiRegionProperties !== undefined) {
      const { witnessRegion, peers } = checkMultiRegion(region, body.multiRegionProperties, c.arn);
      if (c.witnessRegion && witnessRegion && witnessRegion !== c.witnessRegion && c.status !== 'PENDING_SETUP') {
        throw new ApiError(400, 'ValidationException', 'The witness Region of an active multi-Region cluster cannot change', { reason: 'witnessRegion' });
      }
      c.witnessRegion = witnessRegion ?? c.witnessRegion;
      c.peers = peers;
      settlePeering(c);
    }
    return brief(c);
  }

  function remove(region: string, id: string): Record<string, unknown> {
    const c = find(region, id);
    if (c.deletionProtectionEnabled) {
      throw new ApiError(400, 'ValidationException', `Cluster ${id} has deletion protection enabled; disable it with UpdateCluster first`, {
        reason: 'deletionProtectionEnabled',
        fieldList: [{ name: 'deletionProtectionEnabled', message: 'deletion protection is enabled' }],
      });
    }
    if (c.status === 'DELETING' || c.status === 'PENDING_DELETE') {
      throw new ApiError(409, 'ConflictException', `Cluster ${id} is already being deleted`, { resourceId: id, resourceType: 'cluster' });
    }
    // A peered cluster waits for its peers to be deleted too; then the whole set goes.
    const livePeers = c.peers.map((a) => byArn.get(a)).filter((p): p is StandinCluster => !!p && p.peers.includes(c.arn));
    if (livePeers.length && livePeers.some((p) => p.status !== 'PENDING_DELETE')) {
      c.status = 'PENDING_DELETE';
    } else {
      for (const x of [c, ...livePeers]) {
        x.status = 'DELETING';
        x.pollsLeft = settings.pollsUntilGone;
      }
    }
    return brief(c);
  }

  /** GetCluster drives time forward: each poll brings the next transition closer. */
  function poll(region: string, id: string): Record<string, unknown> {
    const c = find(region, id);
    if (c.status === 'CREATING' || c.status === 'UPDATING' || c.status === 'DELETING') {
      if (c.pollsLeft > 0) c.pollsLeft--;
      else if (c.status === 'DELETING') {
        byArn.delete(c.arn);
        throw notFound(id);
      } else c.status = 'ACTIVE';
    }
    return describe(c, true);
  }

  function list(region: string, query: URLSearchParams): Record<string, unknown> {
    const all = inRegion(region).sort((a, b) => a.creationTime - b.creationTime);
    const asked = Number(query.get('max-results') ?? settings.pageSize);
    if (!Number.isInteger(asked) || asked < 1 || asked > 100) throw new ApiError(400, 'ValidationException', 'max-results must be 1..100');
    const size = Math.min(asked, settings.pageSize);
    const token = query.get('next-token');
    const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw new ApiError(400, 'ValidationException', 'invalid next-token');
    const page = all.slice(start, start + size);
    const out: Record<string, unknown> = { clusters: page.map((c) => ({ identifier: c.identifier, arn: c.arn })) };
    if (start + size < all.length) out.nextToken = Buffer.from(String(start + size), 'utf8').toString('base64url');
    return out;
  }

  function byTagArn(arn: string): StandinCluster {
    const c = byArn.get(arn);
    if (!c) throw new ApiError(404, 'ResourceNotFoundException', `Resource not found: ${arn}`, { resourceId: arn, resourceType: 'cluster' });
    return c;
  }

  function route(method: string, path: string): { op: ControlPlaneOp | 'Unknown'; arg?: string } {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'cluster' && parts.length === 1) {
      if (method === 'POST') return { op: 'CreateCluster' };
      if (method === 'GET') return { op: 'ListClusters' };
    }
    if (parts[0] === 'cluster' && parts.length === 2) {
      const op = ({ GET: 'GetCluster', POST: 'UpdateCluster', DELETE: 'DeleteCluster' } as const)[method as 'GET'];
      if (op) return { op, arg: parts[1] };
    }
    if (parts[0] === 'tags' && parts.length >= 2) {
      const arn = parts.slice(1).join('/');
      const op = ({ GET: 'ListTagsForResource', POST: 'TagResource', DELETE: 'UntagResource' } as const)[method as 'GET'];
      if (op) return { op, arg: arn };
    }
    return { op: 'Unknown' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const signer = signedBy(req);
    const region = signer.region ?? defaultRegion;
    const { op, arg } = route(req.method ?? 'GET', url.pathname);
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    let body: unknown = {};
    try {
      body = await readBody(req);
      requests.push({ op, method: req.method ?? '', path: url.pathname, region, accessKeyId: signer.accessKeyId, query, body });
      const fault = faults.find((f) => f.op === '*' || f.op === op);
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.times <= 0) faults = faults.filter((f) => f !== fault);
        throw new ApiError(fault.status, fault.type, fault.message ?? `injected ${fault.type}`, fault.fields);
      }
      const b = body as Record<string, unknown>;
      let out: Record<string, unknown>;
      switch (op) {
        case 'CreateCluster': out = create(region, b); break;
        case 'GetCluster': out = poll(region, arg!); break;
        case 'ListClusters': out = list(region, url.searchParams); break;
        case 'UpdateCluster': out = update(region, arg!, b); break;
        case 'DeleteCluster': out = remove(region, arg!); break;
        case 'ListTagsForResource': out = { tags: byTagArn(arg!).tags }; break;
        case 'TagResource': {
          const c = byTagArn(arg!);
          c.tags = checkTags({ ...c.tags, ...checkTags(b.tags) });
          out = {};
          break;
        }
        case 'UntagResource': {
          const c = byTagArn(arg!);
          for (const k of url.searchParams.getAll('tagKeys')) delete c.tags[k];
          out = {};
          break;
        }
        default: throw new ApiError(404, 'UnknownOperationException', `no route for ${req.method} ${url.pathname}`);
      }
      send(res, 200, out);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        send(res, 500, { message: String(error) }, 'InternalServerException');
        return;
      }
      send(res, error.status, { message: error.message, ...error.fields }, error.type);
    }
  }

  function send(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
    const text = JSON.stringify(payload);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomBytes(8).toString('hex'),
    };
    if (errorType) headers['x-amzn-errortype'] = errorType;
    res.writeHead(status, headers).end(text);
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  // Keep-alive sockets would hold close() open; the SDK reconnects as needed.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    settings,
    requests,
    clusters: (region) => (region ? inRegion(region) : [...byArn.values()]),
    seed(region, init = {}) {
      const identifier = init.identifier ?? newIdentifier();
      const c: StandinCluster = {
        identifier,
        arn: arnFor(region, identifier),
        region,
        status: 'ACTIVE',
        creationTime: now(),
        deletionProtectionEnabled: false,
        tags: {},
        peers: [],
        pollsLeft: 0,
        ...init,
      };
      byArn.set(c.arn, c);
      return c;
    },
    inject: (fault) => void faults.push({ ...fault }),
    clearFaults: () => void (faults = []),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// A tiny CLI for trying commands by hand against the stand-in:
//   node dist/bin/control-plane-standin.js [--port N]
//   DSQL_ENDPOINT_URL=http://127.0.0.1:N AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y scripts/list-clusters.ts
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--port');
  const cp = await startControlPlane({ port: i > 0 ? Number(process.argv[i + 1]) : 0 });
  process.stdout.write(`DSQL_ENDPOINT_URL=${cp.url}\n`);
  // Closing the server ends the event loop, so the process exits by itself.
  const stop = () => void cp.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
