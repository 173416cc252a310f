// Failures become one line that says what to do, exit 1: faults injected into the stand-in,
// credentials missing or wrong, the control plane unreachable. Never a stack trace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../scripts/lib/aws/errors.js';
import { UserError } from '../../scripts/lib/cli/errors.js';
import { ROOT } from '../support/run.js';
import { run, useClusterEnv } from './support.js';

const ctx = useClusterEnv();

function oneLineFailure(r: { code: number | null; stdout: string; stderr: string }, script: string): string {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^(waiting for|[a-z0-9]{26}: )/.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`${script}: `)).toBe(true);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return lines[0]!;
}

describe('service errors', () => {
  it('access denied names the action and Region', async () => {
    const c = ctx.cp.seed('us-east-1');
    ctx.cp.inject({ op: 'GetCluster', status: 403, type: 'AccessDeniedException', message: 'User: arn:aws:iam::123456789012:user/dev is not authorized' });
    const line = oneLineFailure(await run(ctx, 'cluster-info.ts', [c.identifier]), 'cluster-info.ts');
    expect(line).toContain('access denied for dsql:GetCluster in us-east-1');
    expect(line).toContain('is not authorized');
  });

  it('throttling once is retried by the SDK and the command succeeds', async () => {
    const c = ctx.cp.seed('us-east-1');
    ctx.cp.inject({ op: 'GetCluster', status: 429, type: 'ThrottlingException', times: 1 });
    const before = ctx.cp.requests.length;
    const r = await run(ctx, 'cluster-info.ts', [c.identifier, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).identifier).toBe(c.identifier);
    expect(ctx.cp.requests.slice(before).map((q) => q.op)).toEqual(['GetCluster', 'GetCluster']);
  });

  it('throttling that outlasts the SDK retries says to wait', async () => {
    ctx.cp.inject({ op: 'ListClusters', status: 429, type: 'ThrottlingException', times: 10 });
    const line = oneLineFailure(await run(ctx, 'list-clusters.ts', [], { AWS_MAX_ATTEMPTS: '2' }), 'list-clusters.ts');
    expect(line).toBe('list-clusters.ts: AWS throttled ListClusters after 2 attempts: wait a minute and run the command again');
    ctx.cp.clearFaults();
  });

  it('a 500 once is retried; a lasting 500 says to try later', async () => {
    const c = ctx.cp.seed('us-east-1');
    ctx.cp.inject({ op: 'GetCluster', status: 500, type: 'InternalServerException', times: 1 });
    expect((await run(ctx, 'cluster-info.ts', [c.identifier])).code).toBe(0);
    ctx.cp.inject({ op: 'GetCluster', status: 500, type: 'InternalServerException', times: 10 });
    const line = oneLineFailure(await run(ctx, 'cluster-info.ts', [c.identifier], { AWS_MAX_ATTEMPTS: '2' }), 'cluster-info.ts');
    expect(line).toContain('the DSQL service failed GetCluster (HTTP 500) after 2 attempts: try again later');
    ctx.cp.clearFaults();
  });

  it('quota, validation and conflict errors each say what to do', async () => {
    ctx.cp.inject({ op: 'CreateCluster', status: 402, type: 'ServiceQuotaExceededException', message: 'cluster limit reached' });
    expect(oneLineFailure(await run(ctx, 'create-cluster.ts', ['--created-by', 'x']), 'create-cluster.ts')).toContain(
      'cluster quota reached in us-east-1 (cluster limit reached): delete clusters you no longer need',
    );
    ctx.cp.inject({ op: 'CreateCluster', status: 400, type: 'ValidationException', message: 'bad kms key' });
    expect(oneLineFailure(await run(ctx, 'create-cluster.ts', ['--created-by', 'x']), 'create-cluster.ts')).toBe(
      'create-cluster.ts: AWS rejected CreateCluster: bad kms key',
    );
    const c = ctx.cp.seed('us-east-1');
    ctx.cp.inject({ op: 'DeleteCluster', status: 409, type: 'ConflictException', message: 'cluster is updating' });
    expect(oneLineFailure(await run(ctx, 'delete-cluster.ts', [c.identifier, '--force']), 'delete-cluster.ts')).toContain(
      `cluster ${c.identifier} is busy (cluster is updating): check it with cluster-info ${c.identifier}`,
    );
  });

  it('stops waiting at once when access is denied mid-wait (no polling until --timeout)', async () => {
    ctx.cp.settings.pollsUntilActive = Infinity;
    try {
      ctx.cp.inject({ op: 'GetCluster', status: 403, type: 'AccessDeniedException', message: 'no GetCluster for you', times: 100 });
      const started = ctx.cp.requests.length;
      const r = await run(ctx, 'create-cluster.ts', ['--created-by', 'x', '--timeout', '600']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('access denied for dsql:GetCluster');
      expect(ctx.cp.requests.slice(started).filter((q) => q.op === 'GetCluster')).toHaveLength(1);
    } finally {
      ctx.cp.settings.pollsUntilActive = 2;
      ctx.cp.clearFaults();
    }
  });

  it('rejected credentials say to refresh them', async () => {
    ctx.cp.inject({ op: '*', status: 403, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' });
    expect(oneLineFailure(await run(ctx, 'list-clusters.ts', []), 'list-clusters.ts')).toContain('AWS rejected the credentials (ExpiredTokenException)');
  });
});

describe('credentials and reachability', () => {
  it('missing credentials name the fixes', async () => {
    const r = await run(ctx, 'list-clusters.ts', [], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(oneLineFailure(r, 'list-clusters.ts')).toBe(
      'list-clusters.ts: no AWS credentials found: run "aws configure" (or "aws sso login"), set AWS_PROFILE to a configured profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('an unknown --profile is named in the message', async () => {
    const r = await run(ctx, 'list-clusters.ts', ['--profile', 'nosuchprofile'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(oneLineFailure(r, 'list-clusters.ts')).toContain('no AWS credentials found for profile nosuchprofile');
  });

  it('a --profile brings its own credentials and Region', async () => {
    mkdirSync(join(ctx.home, '.aws'), { recursive: true });
    writeFileSync(join(ctx.home, '.aws', 'config'), '[profile dev]\nregion = eu-west-3\n');
    writeFileSync(join(ctx.home, '.aws', 'credentials'), '[dev]\naws_access_key_id = AKIDPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n');
    const c = ctx.cp.seed('eu-west-3');
    const before = ctx.cp.requests.length;
    const r = await run(ctx, 'cluster-info.ts', [c.identifier, '--profile', 'dev', '--json'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_REGION: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).region).toBe('eu-west-3');
    expect(ctx.cp.requests.slice(before).map((q) => q.region)).toEqual(['eu-west-3']);
  });

  it('takes credentials from the EC2 instance metadata service, also when the SDK comes from the code cache', async () => {
    // A minimal IMDSv2: session token, role name, role credentials. This is the SDK's lazily
    // loaded HTTP path, the one a bundle loaded from V8's code cache must still be able to run.
    const imds = createServer((req, res) => {
      const url = req.url ?? '';
      if (req.method === 'PUT' && url === '/latest/api/token') return void res.end('imds-session-token');
      if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-session-token') return void res.writeHead(401).end();
      if (/\/iam\/security-credentials(-extended)?\/$/.test(url)) return void res.end('standin-role');
      if (/\/iam\/security-credentials(-extended)?\/standin-role$/.test(url)) {
        const expires = new Date(Date.now() + 3600_000).toISOString();
        return void res.end(JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: 'ASIAIMDSEXAMPLE', SecretAccessKey: 'imds-secret', Token: 'imds-token', Expiration: expires }));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_EC2_METADATA_DISABLED: '',
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${(imds.address() as AddressInfo).port}`,
      };
      const c = ctx.cp.seed('us-east-1');
      const before = ctx.cp.requests.length;
      const first = await run(ctx, 'cluster-info.ts', [c.identifier, '--json'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(existsSync(join(ROOT, 'dist', 'bin', 'client-dsql.bundle.cjs.v8cache'))).toBe(true);
      const second = await run(ctx, 'cluster-info.ts', [c.identifier, '--json'], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toBe('');
      expect(ctx.cp.requests.slice(before).map((q) => q.accessKeyId)).toEqual(['ASIAIMDSEXAMPLE', 'ASIAIMDSEXAMPLE']);
    } finally {
      imds.closeAllConnections();
      await new Promise((resolve) => imds.close(resolve));
    }
  });

  it('an unreachable control plane names the endpoint', async () => {
    const r = await run(ctx, 'cluster-info.ts', ['abc'], { DSQL_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    expect(oneLineFailure(r, 'cluster-info.ts')).toBe(
      'cluster-info.ts: cannot reach the DSQL control plane at http://127.0.0.1:9 (ECONNREFUSED): check --endpoint-url / DSQL_ENDPOINT_URL',
    );
  });
});

describe('explainAwsError', () => {
  const ctxFor = { action: 'GetCluster', region: 'us-east-1', target: {} };

  it('leaves errors that are not AWS failures alone: they are bugs', () => {
    const bug = new TypeError('x is undefined');
    expect(explainAwsError(bug, ctxFor)).toBe(bug);
  });

  it('maps an unknown service error to its name and message', () => {
    const e = Object.assign(new Error('something new'), { name: 'BrandNewException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    const mapped = explainAwsError(e, ctxFor);
    expect(mapped).toBeInstanceOf(UserError);
    expect((mapped as UserError).message).toBe('GetCluster failed: BrandNewException: something new');
  });
});
