// create-cluster end to end: the real command, the real SDK, the stand-in control plane.
import { describe, expect, it } from 'vitest';
import { awsWasCalled, CLUSTER_KEYS, run, runJson, runOnTty, useClusterEnv, type ClusterJson } from './support.js';

const ctx = useClusterEnv();

interface CreateJson {
  cluster: ClusterJson;
  peer?: ClusterJson;
  wait: string;
  seconds?: number;
  next: string[];
}

describe('create-cluster', () => {
  it('creates with every tag in one CreateCluster call, waits until ACTIVE, prints JSON', async () => {
    const r = await runJson<CreateJson>(ctx, 'create-cluster.ts', ['--created-by', 'claude-code', '--tags', 'env=dev,expr=a=b', '--tag', 'note=load test']);
    expect(r.code).toBe(0);
    const { cluster } = r.data;
    expect(Object.keys(cluster)).toEqual(CLUSTER_KEYS);
    expect(cluster).toMatchObject({ status: 'ACTIVE', region: 'us-east-1', deletionProtectionEnabled: true });
    expect(cluster.tags).toEqual({ created_by: 'claude-code', env: 'dev', expr: 'a=b', note: 'load test' });
    expect(cluster.endpoint).toBe(`${cluster.identifier}.dsql.us-east-1.on.aws`);
    expect(Number.isNaN(Date.parse(cluster.creationTime))).toBe(false);
    expect(r.data.wait).toBe('reached');
    expect(r.data.next).toContain(`scripts/psql-connect.ts --cluster ${cluster.identifier} --region us-east-1 --admin`);

    const creates = ctx.cp.requests.filter((q) => q.op === 'CreateCluster' && (q.body as { tags: Record<string, string> }).tags.note === 'load test');
    expect(creates).toHaveLength(1); // one atomic call, no TagResource afterwards
    expect(creates[0]!.body).toMatchObject({ deletionProtectionEnabled: true, tags: cluster.tags });
    expect(ctx.cp.requests.filter((q) => q.op === 'TagResource')).toHaveLength(0);
    // Progress goes to stderr as plain lines without a terminal; stdout holds only the JSON.
    expect(r.stderr).toContain(`${cluster.identifier}: CREATING`);
    expect(r.stderr).toContain(`${cluster.identifier}: ACTIVE`);
    expect(awsWasCalled(ctx)).toBeUndefined();
  });

  it('prints a readable summary with the next commands', async () => {
    const r = await run(ctx, 'create-cluster.ts', ['--created-by', 'dev.person', '--no-deletion-protection', '--region', 'eu-west-1']);
    expect(r.code).toBe(0);
    const id = /Created cluster ([a-z0-9]+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toMatch(/Status:\s+ACTIVE/);
    expect(r.stdout).toMatch(/Deletion protection:\s+off/);
    expect(r.stdout).toContain(`Endpoint:            ${id}.dsql.eu-west-1.on.aws`);
    expect(r.stdout).toContain(`scripts/cluster-info.ts ${id} --region eu-west-1`);
    expect(ctx.cp.clusters('eu-west-1').find((c) => c.identifier === id)?.deletionProtectionEnabled).toBe(false);
  });

  it('shows a spinner line that rewrites itself on a terminal', async () => {
    const r = await runOnTty(ctx, 'create-cluster.ts', ['--created-by', 'tty', '--region', 'eu-south-1'], '');
    expect(r.code).toBe(0);
    const id = /Created cluster ([a-z0-9]+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`\r\x1b[2K`);
    expect(r.stdout).toMatch(new RegExp(`[|/\\\\-] waiting for the cluster to become ACTIVE: ${id} (CREATING|ACTIVE) \\(\\d+ s\\)`));
    expect(r.stdout).not.toContain(`${id}: CREATING (`); // no plain progress lines on a terminal
  });

  it('returns right after the call with --no-wait', async () => {
    const r = await runJson<CreateJson>(ctx, 'create-cluster.ts', ['--created-by', 'x', '--no-wait', '--region', 'ca-central-1']);
    expect(r.code).toBe(0);
    expect(r.data.cluster.status).toBe('CREATING');
    expect(r.data.wait).toBe('skipped');
    expect(ctx.cp.requests.filter((q) => q.region === 'ca-central-1').map((q) => q.op)).toEqual(['CreateCluster']);
  });

  it('stops at --timeout with exit 3, still printing the cluster it made', async () => {
    ctx.cp.settings.pollsUntilActive = Infinity; // the cluster never leaves CREATING
    try {
      const r = await runJson<CreateJson>(ctx, 'create-cluster.ts', ['--created-by', 'x', '--timeout', '1', '--region', 'sa-east-1'], {
        DSQL_WAIT_POLL_SECONDS: '0.2',
      });
      expect(r.code).toBe(3);
      expect(r.data.wait).toBe('timeout');
      expect(r.data.cluster).toMatchObject({ status: 'CREATING', region: 'sa-east-1' });
      expect(r.stderr).toMatch(/still CREATING after [0-9.]+ s \(--timeout\)/);
      expect(ctx.cp.requests.filter((q) => q.region === 'sa-east-1' && q.op === 'GetCluster').length).toBeGreaterThan(1);
    } finally {
      ctx.cp.settings.pollsUntilActive = 2;
    }
  });

  it('stops waiting as soon as the cluster FAILED, exit 1', async () => {
    ctx.cp.settings.pollsUntilActive = Infinity;
    try {
      const waiting = run(ctx, 'create-cluster.ts', ['--created-by', 'x', '--region', 'me-south-1', '--json']);
      // Flip the cluster to FAILED once it exists; the waiter must notice on its next poll.
      let made;
      while (!(made = ctx.cp.clusters('me-south-1')[0])) await new Promise((r) => setTimeout(r, 20));
      made.status = 'FAILED';
      const r = await waiting;
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).cluster.status).toBe('FAILED');
      expect(r.stderr).toContain('ended up FAILED instead of ACTIVE');
    } finally {
      ctx.cp.settings.pollsUntilActive = 2;
    }
  });

  it('checks everything before calling AWS', async () => {
    const before = ctx.cp.requests.length;
    const cases: [string[], string][] = [
      [[], '--created-by is required'],
      [['--created-by', 'bad id'], '--created-by must be'],
      [['--created-by', 'x', '--tags', 'aws:owner=me'], 'aws: prefix'],
      [['--created-by', 'x', '--tag', 'a=1', '--tag', 'a=2'], 'more than once'],
      [['--created-by', 'x', '--witness-region', 'mars'], '--witness-region is not an AWS Region'],
      [['--created-by', 'x', '--witness-region', 'us-east-1'], 'must differ'],
      [['--created-by', 'x', '--peer', 'arn:aws:s3:::bucket'], 'not a DSQL cluster ARN'],
      [['--created-by', 'x', '--no-wait', '--timeout', '5'], '--timeout has no effect'],
      [['--created-by', 'x', '--region', 'Europe'], '--region is not an AWS Region'],
      [['--created-by', 'x', '--endpoint-url', 'ftp://x'], 'http or https'],
      [['--created-by', 'x', '--timeout', '0'], '--timeout must be at least 1'],
    ];
    for (const [args, message] of cases) {
      const r = await run(ctx, 'create-cluster.ts', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
    expect(ctx.cp.requests.slice(before).filter((q) => q.op === 'CreateCluster')).toHaveLength(0);
  });

  it('passes a customer managed KMS key and shows it in the encryption details', async () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const r = await runJson<CreateJson>(ctx, 'create-cluster.ts', ['--created-by', 'x', '--kms-key', key, '--no-wait']);
    expect(r.data.cluster.encryptionDetails).toEqual({ encryptionType: 'CUSTOMER_MANAGED_KMS_KEY', encryptionStatus: 'ENABLED', kmsKeyArn: key });
  });
});

describe('create-cluster, multi-Region', () => {
  it('makes a PENDING_SETUP cluster with a witness, then pairs a second one with --peer and waits for both', async () => {
    const first = await runJson<CreateJson>(ctx, 'create-cluster.ts', ['--created-by', 'x', '--region', 'us-east-1', '--witness-region', 'us-west-2']);
    expect(first.code).toBe(0);
    expect(first.data.wait).toBe('pending-setup');
    expect(first.data.cluster.status).toBe('PENDING_SETUP');
    expect(first.data.cluster.multiRegionProperties).toEqual({ witnessRegion: 'us-west-2', clusters: [first.data.cluster.arn] });
    expect(first.data.next.join('\n')).toContain(`--peer ${first.data.cluster.arn}`);
    expect(first.stderr).toContain('PENDING_SETUP until a cluster in another Region pairs with it');

    const second = await runJson<CreateJson>(ctx, 'create-cluster.ts', ['--created-by', 'x', '--region', 'us-east-2', '--peer', first.data.cluster.arn]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.data.wait).toBe('reached');
    expect(second.data.cluster).toMatchObject({ status: 'ACTIVE', region: 'us-east-2' });
    expect(second.data.cluster.multiRegionProperties).toEqual({ witnessRegion: 'us-west-2', clusters: [second.data.cluster.arn, first.data.cluster.arn] });
    expect(second.data.peer).toMatchObject({ identifier: first.data.cluster.identifier, status: 'ACTIVE' });
    expect(second.data.peer!.multiRegionProperties!.clusters).toContain(second.data.cluster.arn);

    // The witness Region came from the peer; the pairing call went to the first cluster's Region.
    const create = ctx.cp.requests.find((q) => q.op === 'CreateCluster' && q.region === 'us-east-2')!;
    expect(create.body).toMatchObject({ multiRegionProperties: { witnessRegion: 'us-west-2', clusters: [first.data.cluster.arn] } });
    const pair = ctx.cp.requests.find((q) => q.op === 'UpdateCluster' && q.path === `/cluster/${first.data.cluster.identifier}`)!;
    expect(pair.region).toBe('us-east-1');
    expect(pair.body).toMatchObject({ multiRegionProperties: { witnessRegion: 'us-west-2', clusters: [second.data.cluster.arn] } });
  });

  it('refuses a peer that cannot pair before creating anything', async () => {
    const lone = ctx.cp.seed('ap-northeast-1');
    const witnessed = ctx.cp.seed('ap-northeast-2', { status: 'PENDING_SETUP', witnessRegion: 'ap-northeast-3' });
    const count = () => ctx.cp.clusters('ap-southeast-1').length;
    const before = count();
    const noWitness = await run(ctx, 'create-cluster.ts', ['--created-by', 'x', '--region', 'ap-southeast-1', '--peer', lone.arn]);
    expect(noWitness.code).toBe(1);
    expect(noWitness.stderr).toContain('has no witness Region');
    const wrongWitness = await run(ctx, 'create-cluster.ts', ['--created-by', 'x', '--region', 'ap-southeast-1', '--peer', witnessed.arn, '--witness-region', 'eu-west-1']);
    expect(wrongWitness.code).toBe(2);
    expect(wrongWitness.stderr).toContain('peers share one witness Region');
    const sameRegion = await run(ctx, 'create-cluster.ts', ['--created-by', 'x', '--region', 'ap-northeast-2', '--peer', witnessed.arn]);
    expect(sameRegion.code).toBe(2);
    expect(sameRegion.stderr).toContain('another Region');
    expect(count()).toBe(before);
  });
});
