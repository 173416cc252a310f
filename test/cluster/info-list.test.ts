// cluster-info and list-clusters end to end against the stand-in.
import { describe, expect, it } from 'vitest';
import { awsWasCalled, CLUSTER_KEYS, run, runJson, useClusterEnv, type ClusterJson } from './support.js';

const ctx = useClusterEnv({ pageSize: 4 });

describe('cluster-info', () => {
  it('prints the cluster as JSON: ISO creation time, protection, tags, multi-Region, encryption', async () => {
    const c = ctx.cp.seed('us-east-1', {
      creationTime: 1_790_000_000.25,
      deletionProtectionEnabled: true,
      tags: { created_by: 'me', env: 'dev' },
      witnessRegion: 'us-west-2',
      peers: ['arn:aws:dsql:us-east-2:123456789012:cluster/peerpeerpeerpeerpeerpeerpe'],
    });
    const r = await runJson<ClusterJson>(ctx, 'cluster-info.ts', [c.identifier]);
    expect(r.code).toBe(0);
    expect(Object.keys(r.data)).toEqual(CLUSTER_KEYS);
    expect(r.data).toEqual({
      identifier: c.identifier,
      arn: c.arn,
      region: 'us-east-1',
      status: 'ACTIVE',
      endpoint: `${c.identifier}.dsql.us-east-1.on.aws`,
      creationTime: new Date(1_790_000_000_250).toISOString(),
      deletionProtectionEnabled: true,
      tags: { created_by: 'me', env: 'dev' },
      multiRegionProperties: { witnessRegion: 'us-west-2', clusters: [c.arn, 'arn:aws:dsql:us-east-2:123456789012:cluster/peerpeerpeerpeerpeerpeerpe'] },
      encryptionDetails: { encryptionType: 'AWS_OWNED_KMS_KEY', encryptionStatus: 'ENABLED' },
    });
    expect(r.stderr).toBe('');
    expect(awsWasCalled(ctx)).toBeUndefined();
  });

  it('prints aligned text with connect hints', async () => {
    const c = ctx.cp.seed('eu-central-1', { tags: { Name: 'orders db' } });
    const r = await run(ctx, 'cluster-info.ts', [c.identifier, '--region', 'eu-central-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Identifier:          ${c.identifier}`);
    expect(r.stdout).toContain('Tags:                Name=orders db');
    expect(r.stdout).toContain('Deletion protection: off');
    expect(r.stdout).toContain(`scripts/psql-connect.ts --cluster ${c.identifier} --region eu-central-1 --admin`);
  });

  it('computes the endpoint when the service does not return one', async () => {
    const c = ctx.cp.seed('us-west-1');
    ctx.cp.settings.includeEndpoint = false;
    try {
      const r = await runJson<ClusterJson>(ctx, 'cluster-info.ts', [c.identifier, '--region', 'us-west-1']);
      expect(r.data.endpoint).toBe(`${c.identifier}.dsql.us-west-1.on.aws`);
    } finally {
      ctx.cp.settings.includeEndpoint = true;
    }
  });

  it('says when the cluster is not in the Region, exit 1', async () => {
    const c = ctx.cp.seed('us-east-1');
    const r = await run(ctx, 'cluster-info.ts', [c.identifier, '--region', 'us-east-2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`cluster-info.ts: cluster ${c.identifier} not found in us-east-2: list-clusters --region us-east-2 shows the clusters there (a cluster in another Region needs --region)\n`);
  });

  it('validates the identifier before any call, exit 2', async () => {
    const before = ctx.cp.requests.length;
    for (const bad of ['ABC', 'abc-def', 'a'.repeat(65), '']) {
      const r = await run(ctx, 'cluster-info.ts', [bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('is not a DSQL cluster identifier');
    }
    expect(ctx.cp.requests.length).toBe(before);
  });

  it('says the default Region on stderr when none is set anywhere', async () => {
    const c = ctx.cp.seed('us-east-1');
    const r = await run(ctx, 'cluster-info.ts', [c.identifier, '--json'], { AWS_REGION: '' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identifier).toBe(c.identifier);
    expect(r.stderr).toContain('region: us-east-1 (no --region, AWS_REGION or profile Region set)');
  });
});

describe('list-clusters', () => {
  it('reads every page and details each cluster', async () => {
    const made = Array.from({ length: 10 }, (_, i) =>
      ctx.cp.seed('ap-southeast-2', { status: i % 3 === 0 ? 'CREATING' : 'ACTIVE', tags: { created_by: i % 2 ? 'agent' : 'human', n: String(i) } }),
    );
    const r = await runJson<{ region: string; clusters: ClusterJson[] }>(ctx, 'list-clusters.ts', ['--region', 'ap-southeast-2']);
    expect(r.code).toBe(0);
    expect(r.data.region).toBe('ap-southeast-2');
    // In creation order; the stand-in pages by 4, so this took three ListClusters calls.
    expect(r.data.clusters.map((c) => c.identifier)).toEqual(made.map((c) => c.identifier));
    for (const c of r.data.clusters) expect(Object.keys(c)).toEqual(CLUSTER_KEYS);
    const lists = ctx.cp.requests.filter((q) => q.region === 'ap-southeast-2' && q.op === 'ListClusters');
    expect(lists).toHaveLength(3);
    expect(lists.slice(1).every((q) => q.query['next-token']?.length === 1)).toBe(true);
    expect(ctx.cp.requests.filter((q) => q.region === 'ap-southeast-2' && q.op === 'GetCluster')).toHaveLength(10);
  });

  it('filters by tag and by status (case-insensitive, repeatable)', async () => {
    const agentActive = ctx.cp.seed('ap-east-1', { tags: { created_by: 'agent' } });
    ctx.cp.seed('ap-east-1', { tags: { created_by: 'human' } });
    const agentFailed = ctx.cp.seed('ap-east-1', { status: 'FAILED', tags: { created_by: 'agent', temp: '' } });
    const list = async (...args: string[]) =>
      (await runJson<{ clusters: ClusterJson[] }>(ctx, 'list-clusters.ts', ['--region', 'ap-east-1', ...args])).data.clusters.map((c) => c.identifier);
    expect(await list('--tag', 'created_by=agent')).toEqual([agentActive.identifier, agentFailed.identifier]);
    expect(await list('--tag', 'created_by=agent', '--status', 'active')).toEqual([agentActive.identifier]);
    expect(await list('--status', 'failed', '--status', 'ACTIVE', '--tag', 'temp')).toEqual([agentFailed.identifier]);
    expect(await list('--tag', 'created_by=nobody')).toEqual([]);
  });

  it('prints a table with a count on stderr', async () => {
    const c = ctx.cp.seed('af-south-1', { deletionProtectionEnabled: true, tags: { created_by: 'claude' } });
    const r = await run(ctx, 'list-clusters.ts', ['--region', 'af-south-1']);
    expect(r.code).toBe(0);
    const [header, row, ...rest] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^IDENTIFIER\s+STATUS\s+CREATED\s+PROTECTED\s+CREATED_BY\s+ENDPOINT$/);
    expect(row).toMatch(new RegExp(`^${c.identifier}\\s+ACTIVE\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+yes\\s+claude\\s+${c.identifier}\\.dsql\\.af-south-1\\.on\\.aws$`));
    expect(rest).toEqual([]);
    expect(r.stderr).toContain('1 cluster in af-south-1');
  });

  it('says so when there is nothing, exit 0 with an empty JSON list', async () => {
    const text = await run(ctx, 'list-clusters.ts', ['--region', 'il-central-1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain('no clusters in il-central-1');
    const json = await runJson(ctx, 'list-clusters.ts', ['--region', 'il-central-1']);
    expect(json.data).toEqual({ region: 'il-central-1', clusters: [] });
  });

  it('skips a cluster deleted between the list and its GetCluster', async () => {
    const keep = ctx.cp.seed('eu-north-1');
    const doomed = ctx.cp.seed('eu-north-1');
    ctx.cp.inject({ op: 'GetCluster', status: 404, type: 'ResourceNotFoundException', times: 1 });
    const r = await runJson<{ clusters: ClusterJson[] }>(ctx, 'list-clusters.ts', ['--region', 'eu-north-1']);
    expect(r.code).toBe(0);
    expect(r.data.clusters).toHaveLength(1);
    expect([keep.identifier, doomed.identifier]).toContain(r.data.clusters[0]!.identifier);
  });

  it('refuses an unknown status, exit 2', async () => {
    const r = await run(ctx, 'list-clusters.ts', ['--status', 'running']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--status must be one of CREATING, ACTIVE');
  });
});
