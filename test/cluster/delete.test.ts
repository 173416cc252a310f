// delete-cluster end to end: confirmation (on a real pseudo-terminal), --force, deletion
// protection, --dry-run, waiting, and multi-Region peers.
import { describe, expect, it } from 'vitest';
import { awsWasCalled, run, runJson, runOnTty, useClusterEnv, type ClusterJson } from './support.js';

const ctx = useClusterEnv();

const mutations = (from: number) => ctx.cp.requests.slice(from).filter((q) => q.op !== 'GetCluster' && q.op !== 'ListClusters' && q.op !== 'ListTagsForResource');
const exists = (region: string, id: string) => ctx.cp.clusters(region).some((c) => c.identifier === id);

describe('delete-cluster without a terminal', () => {
  it('refuses without --force and deletes nothing, exit 1', async () => {
    const c = ctx.cp.seed('us-east-1');
    const before = ctx.cp.requests.length;
    const r = await run(ctx, 'delete-cluster.ts', [c.identifier]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`delete-cluster.ts: refusing to delete cluster ${c.identifier} without confirmation (no terminal to ask on): add --force once you are sure it is the right cluster\n`);
    expect(mutations(before)).toEqual([]);
    expect(exists('us-east-1', c.identifier)).toBe(true);
  });

  it('deletes with --force and waits until the cluster is gone', async () => {
    const c = ctx.cp.seed('us-east-1', { tags: { created_by: 'x' } });
    const r = await runJson<{ outcome: string; steps: string[]; cluster: ClusterJson; dryRun: boolean }>(ctx, 'delete-cluster.ts', [c.identifier, '--force']);
    expect(r.code).toBe(0);
    expect(r.data).toMatchObject({ dryRun: false, outcome: 'deleted', status: 'GONE', steps: ['delete', 'wait'] });
    expect(r.data.cluster.identifier).toBe(c.identifier);
    expect(exists('us-east-1', c.identifier)).toBe(false);
    expect(r.stderr).toContain(`${c.identifier}: DELETING`);
    expect(r.stderr).toContain(`${c.identifier}: GONE`);
    expect(awsWasCalled(ctx)).toBeUndefined();
  });

  it('returns once deletion started with --no-wait', async () => {
    const c = ctx.cp.seed('us-east-1');
    const r = await run(ctx, 'delete-cluster.ts', [c.identifier, '--force', '--no-wait']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Deletion of cluster ${c.identifier} started (DELETING)`);
    expect(ctx.cp.clusters('us-east-1').find((x) => x.identifier === c.identifier)?.status).toBe('DELETING');
  });

  it('waits for a cluster that is already being deleted instead of deleting it again', async () => {
    const c = ctx.cp.seed('us-east-1', { status: 'DELETING', pollsLeft: 1 });
    const before = ctx.cp.requests.length;
    const r = await runJson(ctx, 'delete-cluster.ts', [c.identifier]);
    expect(r.code).toBe(0);
    expect(r.data).toMatchObject({ alreadyDeleting: true, steps: ['wait'], outcome: 'deleted' });
    expect(mutations(before)).toEqual([]);
  });

  it('ends with exit 3 when --timeout runs out while deleting', async () => {
    const c = ctx.cp.seed('us-east-1');
    ctx.cp.settings.pollsUntilGone = Infinity;
    try {
      const r = await run(ctx, 'delete-cluster.ts', [c.identifier, '--force', '--timeout', '1'], { DSQL_WAIT_POLL_SECONDS: '0.2' });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/still DELETING after [0-9.]+ s \(--timeout\); deletion continues in AWS/);
    } finally {
      ctx.cp.settings.pollsUntilGone = 2;
    }
  });
});

describe('deletion protection', () => {
  it('refuses a protected cluster with a message naming --disable-deletion-protection', async () => {
    const c = ctx.cp.seed('us-east-1', { deletionProtectionEnabled: true });
    const before = ctx.cp.requests.length;
    const r = await run(ctx, 'delete-cluster.ts', [c.identifier, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('has deletion protection on');
    expect(r.stderr).toContain('--disable-deletion-protection');
    expect(mutations(before)).toEqual([]);
  });

  it('lifts protection with UpdateCluster, then deletes', async () => {
    const c = ctx.cp.seed('us-east-1', { deletionProtectionEnabled: true });
    const before = ctx.cp.requests.length;
    const r = await runJson(ctx, 'delete-cluster.ts', [c.identifier, '--force', '--disable-deletion-protection']);
    expect(r.code).toBe(0);
    expect(r.data).toMatchObject({ steps: ['disable-deletion-protection', 'delete', 'wait'], outcome: 'deleted' });
    const calls = mutations(before);
    expect(calls.map((q) => q.op)).toEqual(['UpdateCluster', 'DeleteCluster']);
    expect(calls[0]!.body).toMatchObject({ deletionProtectionEnabled: false });
    expect(exists('us-east-1', c.identifier)).toBe(false);
  });

  it('leaves protection alone on an unprotected cluster even with the flag', async () => {
    const c = ctx.cp.seed('us-east-1');
    const before = ctx.cp.requests.length;
    const r = await run(ctx, 'delete-cluster.ts', [c.identifier, '--force', '--disable-deletion-protection', '--no-wait']);
    expect(r.code).toBe(0);
    expect(mutations(before).map((q) => q.op)).toEqual(['DeleteCluster']);
  });
});

describe('--dry-run', () => {
  it('shows the plan and calls nothing that changes state', async () => {
    const c = ctx.cp.seed('us-east-1', { deletionProtectionEnabled: true });
    const before = ctx.cp.requests.length;
    const text = await run(ctx, 'delete-cluster.ts', [c.identifier, '--dry-run', '--disable-deletion-protection']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('1. would turn deletion protection off (UpdateCluster)');
    expect(text.stdout).toContain('2. would delete the cluster (DeleteCluster)');
    expect(text.stdout).toContain('3. would wait until the cluster is gone');
    expect(text.stdout).toContain('Nothing was changed.');
    const json = await runJson(ctx, 'delete-cluster.ts', [c.identifier, '--dry-run', '--disable-deletion-protection', '--no-wait']);
    expect(json.data).toMatchObject({ dryRun: true, steps: ['disable-deletion-protection', 'delete'] });
    expect(ctx.cp.requests.slice(before).map((q) => q.op)).toEqual(['GetCluster', 'GetCluster']);
    expect(ctx.cp.clusters('us-east-1').find((x) => x.identifier === c.identifier)).toMatchObject({ status: 'ACTIVE', deletionProtectionEnabled: true });
  });

  it('reports the protection refusal a real run would hit', async () => {
    const c = ctx.cp.seed('us-east-1', { deletionProtectionEnabled: true });
    const r = await run(ctx, 'delete-cluster.ts', [c.identifier, '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--disable-deletion-protection');
  });
});

describe('confirmation on a terminal', () => {
  it('deletes after the identifier is typed', async () => {
    const c = ctx.cp.seed('us-east-1', { tags: { env: 'dev' } });
    const r = await runOnTty(ctx, 'delete-cluster.ts', [c.identifier], `${c.identifier}\n`);
    expect(r.stdout).toContain(`This permanently deletes cluster ${c.identifier} in us-east-1 (ACTIVE; env=dev)`);
    expect(r.stdout).toContain('Type the cluster identifier to confirm:');
    expect(r.stdout).toContain(`Deleted cluster ${c.identifier}`);
    expect(r.code).toBe(0);
    expect(exists('us-east-1', c.identifier)).toBe(false);
  });

  it('cancels on anything else and deletes nothing, exit 1', async () => {
    const c = ctx.cp.seed('us-east-1');
    const before = ctx.cp.requests.length;
    const r = await runOnTty(ctx, 'delete-cluster.ts', [c.identifier], 'yes\n');
    expect(r.stdout).toContain('cancelled: the identifier did not match; nothing was deleted');
    expect(r.code).toBe(1);
    expect(mutations(before)).toEqual([]);
    expect(exists('us-east-1', c.identifier)).toBe(true);
  });
});

describe('multi-Region', () => {
  it('names the peer that must be deleted too, then both go', async () => {
    const a = ctx.cp.seed('us-east-1', { witnessRegion: 'us-west-2' });
    const b = ctx.cp.seed('us-east-2', { witnessRegion: 'us-west-2', peers: [a.arn] });
    a.peers = [b.arn];
    const first = await runJson<{ outcome: string; next: string[] }>(ctx, 'delete-cluster.ts', [a.identifier, '--force']);
    expect(first.code).toBe(0);
    expect(first.data.outcome).toBe('pending-delete');
    expect(first.data.next).toEqual([`scripts/delete-cluster.ts ${b.identifier} --region us-east-2   # delete the peer too; then both go`]);
    const second = await run(ctx, 'delete-cluster.ts', [b.identifier, '--force', '--region', 'us-east-2']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Deleted cluster ${b.identifier}`);
    // Deleting the last member releases the whole set.
    expect(ctx.cp.clusters('us-east-1').find((x) => x.identifier === a.identifier)?.status).toBe('DELETING');
  });
});
