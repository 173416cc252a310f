// The control-plane stand-in, driven by the real @aws-sdk/client-dsql: if the SDK can
// serialize to it and parse its answers, the commands' tests exercise the real wire format.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/run.js';
import { startControlPlane, type ControlPlaneStandin } from '../../scripts/lib/aws/control-plane-standin.js';

// The SDK warns about Node 20 once, at load; it is loaded after the switch that silences it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const {
  CreateClusterCommand,
  DeleteClusterCommand,
  DSQLClient,
  GetClusterCommand,
  ListTagsForResourceCommand,
  paginateListClusters,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateClusterCommand,
  waitUntilClusterActive,
  waitUntilClusterNotExists,
} = await import('@aws-sdk/client-dsql');

let cp: ControlPlaneStandin;
const credentials = { accessKeyId: 'AKIDSTANDINEXAMPLE', secretAccessKey: 'not-a-secret' };
const client = (region = 'us-east-1', maxAttempts = 1) => new DSQLClient({ region, endpoint: cp.url, credentials, maxAttempts });
const fast = { minDelay: 0.01, maxDelay: 0.01, maxWaitTime: 10 };

beforeAll(async () => {
  cp = await startControlPlane({ pageSize: 7, pollsUntilActive: 3 });
});
afterAll(() => cp.close());

describe('wire format', () => {
  it('answers CreateCluster in the shape the SDK parses, creationTime as epoch seconds', async () => {
    const before = Date.now();
    const out = await client().send(new CreateClusterCommand({ tags: { Name: 'wire' }, deletionProtectionEnabled: false }));
    expect(out.identifier).toMatch(/^[a-z0-9]{26}$/);
    expect(out.arn).toBe(`arn:aws:dsql:us-east-1:123456789012:cluster/${out.identifier}`);
    expect(out.status).toBe('CREATING');
    expect(out.creationTime).toBeInstanceOf(Date);
    expect(out.creationTime!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(out.deletionProtectionEnabled).toBe(false);
    expect(out.encryptionDetails).toEqual({ encryptionType: 'AWS_OWNED_KMS_KEY', encryptionStatus: 'ENABLED' });
    expect(out.endpoint).toBe(`${out.identifier}.dsql.us-east-1.on.aws`);
    const sent = cp.requests.at(-1)!;
    expect(sent).toMatchObject({ op: 'CreateCluster', method: 'POST', path: '/cluster', region: 'us-east-1' });
    expect(sent.body).toMatchObject({ tags: { Name: 'wire' }, deletionProtectionEnabled: false });
    expect((sent.body as { clientToken: string }).clientToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('routes every cluster operation the SDK sends', async () => {
    const c = client();
    const { identifier, arn } = await c.send(new CreateClusterCommand({}));
    await c.send(new UpdateClusterCommand({ identifier, deletionProtectionEnabled: false }));
    await c.send(new TagResourceCommand({ resourceArn: arn, tags: { a: '1', b: '2' } }));
    await c.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    expect((await c.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: '2' });
    await c.send(new DeleteClusterCommand({ identifier }));
    const mine = cp.requests.filter((r) => r.path.includes(identifier!) || r.path.includes(encodeURIComponent(arn!)));
    expect(mine.map((r) => `${r.op} ${r.method}`)).toEqual([
      'UpdateCluster POST',
      'TagResource POST',
      'UntagResource DELETE',
      'ListTagsForResource GET',
      'DeleteCluster DELETE',
    ]);
    expect(mine.at(-1)!.query['client-token']![0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('makes CreateCluster idempotent on the client token', async () => {
    const c = client();
    const a = await c.send(new CreateClusterCommand({ clientToken: 'same-token-1' }));
    const b = await c.send(new CreateClusterCommand({ clientToken: 'same-token-1' }));
    expect(b.identifier).toBe(a.identifier);
  });
});

describe('state', () => {
  it('turns CREATING into ACTIVE after a few polls, seen through the SDK waiter', async () => {
    const c = client();
    const { identifier } = await c.send(new CreateClusterCommand({}));
    const polls = () => cp.requests.filter((r) => r.op === 'GetCluster' && r.path.endsWith(identifier!)).length;
    const result = await waitUntilClusterActive({ client: c, ...fast }, { identifier });
    expect(result.state).toBe('SUCCESS');
    expect(polls()).toBe(4); // three CREATING answers, then ACTIVE
  });

  it('refuses to delete a protected cluster, then deletes once protection is off', async () => {
    const c = client();
    const { identifier } = await c.send(new CreateClusterCommand({ deletionProtectionEnabled: true }));
    const refused = await c.send(new DeleteClusterCommand({ identifier })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'ValidationException', reason: 'deletionProtectionEnabled' });
    await c.send(new UpdateClusterCommand({ identifier, deletionProtectionEnabled: false }));
    expect((await c.send(new DeleteClusterCommand({ identifier }))).status).toBe('DELETING');
    await waitUntilClusterNotExists({ client: c, ...fast }, { identifier });
    const gone = await c.send(new GetClusterCommand({ identifier })).catch((e: unknown) => e);
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('keeps Regions apart by the SigV4 credential scope', async () => {
    const { identifier } = await client('eu-west-1').send(new CreateClusterCommand({}));
    expect(cp.clusters('eu-west-1').map((c) => c.identifier)).toContain(identifier);
    const elsewhere = await client('us-east-1').send(new GetClusterCommand({ identifier })).catch((e: unknown) => e);
    expect(elsewhere).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('pages ListClusters with next-token until every cluster is seen once', async () => {
    for (let i = 0; i < 20; i++) cp.seed('ap-south-1');
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListClusters({ client: client('ap-south-1'), pageSize: 100 }, {})) {
      pages++;
      seen.push(...page.clusters!.map((c) => c.identifier!));
    }
    expect(pages).toBe(3); // the stand-in caps pages at 7 here
    expect(new Set(seen).size).toBe(20);
    expect(seen.sort()).toEqual(cp.clusters('ap-south-1').map((c) => c.identifier).sort());
  });

  it('peers two clusters with the same witness: PENDING_SETUP until both name each other', async () => {
    const east = client('us-east-1');
    const west = client('us-west-1');
    const a = await east.send(new CreateClusterCommand({ multiRegionProperties: { witnessRegion: 'us-west-2' } }));
    expect(a.status).toBe('PENDING_SETUP');
    expect(a.multiRegionProperties).toEqual({ witnessRegion: 'us-west-2', clusters: [a.arn] });
    const b = await west.send(new CreateClusterCommand({ multiRegionProperties: { witnessRegion: 'us-west-2', clusters: [a.arn!] } }));
    expect(b.status).toBe('PENDING_SETUP');
    await east.send(new UpdateClusterCommand({ identifier: a.identifier, multiRegionProperties: { witnessRegion: 'us-west-2', clusters: [b.arn!] } }));
    expect((await east.send(new GetClusterCommand({ identifier: a.identifier }))).status).toBe('CREATING');
    await waitUntilClusterActive({ client: west, ...fast }, { identifier: b.identifier });

    const sameRegionWitness = await east.send(new CreateClusterCommand({ multiRegionProperties: { witnessRegion: 'us-east-1' } })).catch((e: unknown) => e);
    expect(sameRegionWitness).toMatchObject({ name: 'ValidationException' });
  });
});

describe('faults', () => {
  it('throttles N times, then serves normally (the SDK retries through it)', async () => {
    const { identifier } = await client().send(new CreateClusterCommand({}));
    cp.inject({ op: 'GetCluster', status: 429, type: 'ThrottlingException', times: 1 });
    const out = await client('us-east-1', 3).send(new GetClusterCommand({ identifier }));
    expect(out.identifier).toBe(identifier);
    expect(out.$metadata.attempts).toBe(2);
  });

  it('sends errors with x-amzn-errortype and a JSON message', async () => {
    cp.inject({ op: '*', status: 403, type: 'AccessDeniedException', message: 'not allowed here' });
    const denied = await client().send(new GetClusterCommand({ identifier: 'abc' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDeniedException', message: 'not allowed here', $metadata: { httpStatusCode: 403 } });
    cp.inject({ op: 'ListClusters', status: 500, type: 'InternalServerException', times: 1 });
    const failed = await client().send(new GetClusterCommand({ identifier: 'abc' })).catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'ResourceNotFoundException' }); // the 500 waits for ListClusters
    cp.clearFaults();
  });
});

describe('command line', () => {
  it('prints DSQL_ENDPOINT_URL, serves the SDK, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'bin', 'control-plane-standin.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [line] = (await once(child.stdout.setEncoding('utf8'), 'data')) as [string];
    const url = /^DSQL_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line)?.[1];
    expect(url).toBeDefined();
    const remote = new DSQLClient({ region: 'eu-west-1', endpoint: url, credentials, maxAttempts: 1 });
    const made = await remote.send(new CreateClusterCommand({}));
    expect((await remote.send(new GetClusterCommand({ identifier: made.identifier }))).identifier).toBe(made.identifier);
    remote.destroy();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
