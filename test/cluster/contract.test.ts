// What the cluster commands promise beyond the shared contract: --help never loads the AWS
// SDK, and nothing needs the AWS CLI (the commands run on a PATH that has no `aws`).
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, useClusterEnv } from './support.js';

const ctx = useClusterEnv();
const COMMANDS = ['create-cluster.ts', 'list-clusters.ts', 'cluster-info.ts', 'delete-cluster.ts'];

describe.each(COMMANDS)('%s', (script) => {
  it('answers --help without loading the AWS SDK', async () => {
    // NODE_DEBUG=module logs every CommonJS load; the SDK is CommonJS.
    const r = await run(ctx, script, ['--help'], { NODE_DEBUG: 'module' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--endpoint-url URL');
    expect(r.stderr).not.toContain('@aws-sdk');
    expect(r.stderr).not.toContain('@smithy');
  });
});

describe('no AWS CLI', () => {
  it('runs the whole lifecycle on a PATH without any aws executable', async () => {
    const PATH = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');
    expect(spawnSync('sh', ['-c', 'command -v aws'], { env: { PATH } }).status).not.toBe(0);
    const env = { PATH };
    const created = await run(ctx, 'create-cluster.ts', ['--created-by', 'no-cli', '--no-deletion-protection', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).cluster.identifier as string;
    expect((await run(ctx, 'cluster-info.ts', [id], env)).code).toBe(0);
    expect((await run(ctx, 'list-clusters.ts', ['--tag', 'created_by=no-cli'], env)).stdout).toContain(id);
    expect((await run(ctx, 'delete-cluster.ts', [id, '--force'], env)).code).toBe(0);
    expect(ctx.cp.clusters().some((c) => c.identifier === id)).toBe(false);
  });
});
