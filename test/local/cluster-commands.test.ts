// The cluster commands with --local: the same commands, flows and JSON shapes as for
// clusters on AWS, over local clusters in $DSQL_LOCAL_HOME.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from '../../scripts/lib/local/datadir.js';
import { runScript } from '../support/run.js';

const home = mkdtempSync(join(tmpdir(), 'dsql-local-cmds-'));
const env = { ...process.env, DSQL_LOCAL_HOME: home };
const run = (script: string, args: string[]) => runScript(script, ['--local', ...args], { env, timeoutMs: 120_000 });
const VIEW_KEYS = ['arn', 'creationTime', 'deletionProtectionEnabled', 'encryptionDetails', 'endpoint', 'identifier', 'multiRegionProperties', 'region', 'status', 'tags'];

describe('cluster commands with --local', () => {
  let id = '';

  it('create-cluster makes a local cluster with the view of a real one', async () => {
    const r = await run('create-cluster.ts', ['--created-by', 'claude-code', '--tags', 'env=dev,team=data', '--region', 'eu-west-1', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { cluster: Record<string, unknown>; wait: string; next: string[] };
    expect(Object.keys(out.cluster).sort()).toEqual(VIEW_KEYS);
    id = out.cluster.identifier as string;
    expect(id).toMatch(/^[a-z2-7]{26}$/);
    expect(out.cluster).toMatchObject({
      region: 'eu-west-1',
      endpoint: `${id}.dsql.eu-west-1.on.aws`,
      deletionProtectionEnabled: true,
      tags: { created_by: 'claude-code', env: 'dev', team: 'data' },
    });
    expect(out.wait).toBe('reached');
    expect(out.next[0]).toBe(`scripts/psql-connect.ts --local ${id}`);
    // The line on stderr agrees with the status: no server runs yet, so the cluster is IDLE.
    expect(out.cluster.status).toBe('IDLE');
    expect(r.stderr).toContain('ready (IDLE until something connects) after 0 s');
  });

  it('list-clusters and cluster-info show it', async () => {
    const list = await run('list-clusters.ts', ['--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { clusters: { identifier: string }[] }).clusters.map((c) => c.identifier)).toEqual([id]);
    const info = await run('cluster-info.ts', [id, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ identifier: id, status: 'IDLE' });
    const none = await run('list-clusters.ts', ['--tag', 'env=prod']);
    expect(none.stderr.trim()).toBe('no local clusters matching the filters');
    const text = await run('cluster-info.ts', [id]);
    expect(text.stdout).toContain(`Endpoint:            ${id}.dsql.eu-west-1.on.aws`);
  });

  it('psql-connect --local reaches it', async () => {
    const r = await runScript('psql-connect.ts', ['--local', id, '-c', 'SELECT 41 + 1 AS answer'], { env, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('42');
  });

  it('delete-cluster keeps deletion protection and refuses while a server runs on it', async () => {
    const guarded = await run('delete-cluster.ts', [id, '--force']);
    expect(guarded.code).toBe(1);
    expect(guarded.stderr).toContain('deletion protection on');
    const lock = lockDataDir(join(home, 'clusters', id)); // as a running local-dsql server holds it
    try {
      expect(JSON.parse((await run('cluster-info.ts', [id, '--json'])).stdout)).toMatchObject({ status: 'ACTIVE' });
      const busy = await run('delete-cluster.ts', [id, '--force', '--disable-deletion-protection']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain('is in use by a local DSQL server');
    } finally {
      lock.release();
    }
    const gone = await run('delete-cluster.ts', [id, '--force', '--disable-deletion-protection', '--json']);
    expect(gone.code).toBe(0);
    expect(JSON.parse(gone.stdout)).toMatchObject({ dryRun: false, outcome: 'deleted' });
    const after = await run('cluster-info.ts', [id]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`no local cluster ${id}`);
  });

  it('refuses what only clusters on AWS have', async () => {
    for (const args of [
      ['--created-by', 'x', '--profile', 'dev'],
      ['--created-by', 'x', '--witness-region', 'us-west-2'],
      ['--created-by', 'x', '--kms-key', 'alias/mine'],
    ]) {
      const r = await run('create-cluster.ts', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
