// Shared set-up for the cluster command tests: a control-plane stand-in on 127.0.0.1, an
// isolated HOME with fake credentials (no real AWS config is ever read), and a PATH whose
// only `aws` is a trap that records any call, so a test can prove the commands never need it.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startControlPlane, type ControlPlaneStandin, type StandinOptions } from '../../scripts/lib/aws/control-plane-standin.js';
import type { ClusterView } from '../../scripts/lib/cluster/backend.js';
import { runProcess, runScript, scriptPath, type RunResult } from '../support/run.js';

export interface ClusterTestEnv {
  cp: ControlPlaneStandin;
  home: string;
  /** Environment for the commands: stand-in endpoint, fake credentials, fast waiter polling. */
  env: NodeJS.ProcessEnv;
  /** File the trap `aws` writes to if anything ever runs it. */
  awsTrapLog: string;
}

export function isolatedEnv(home: string, binDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: [binDir, dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: 'AKIDSTANDINEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'standin-secret-key-not-real',
    AWS_REGION: 'us-east-1',
    // Point the SDK's config files into the isolated HOME explicitly and keep it off the
    // instance metadata service, whatever the machine running the tests has.
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DSQL_WAIT_POLL_SECONDS: '0.02',
    ...extra,
  };
}

/** Starts a stand-in for the tests of one file and stops it afterwards. */
export function useClusterEnv(options: StandinOptions = {}): ClusterTestEnv {
  const ctx = {} as ClusterTestEnv;
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'dsql-cluster-home-'));
    mkdirSync(join(home, '.aws'));
    const bin = join(home, 'bin');
    mkdirSync(bin);
    const trapLog = join(home, 'aws-was-called');
    writeFileSync(join(bin, 'aws'), `#!/bin/sh\necho "$@" >> '${trapLog}'\nexit 99\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    ctx.cp = await startControlPlane(options);
    ctx.home = home;
    ctx.awsTrapLog = trapLog;
    ctx.env = isolatedEnv(home, bin, { DSQL_ENDPOINT_URL: ctx.cp.url });
  });
  afterAll(async () => {
    await ctx.cp?.close();
  });
  return ctx;
}

export function awsWasCalled(ctx: ClusterTestEnv): string | undefined {
  return existsSync(ctx.awsTrapLog) ? readFileSync(ctx.awsTrapLog, 'utf8') : undefined;
}

export function run(ctx: ClusterTestEnv, script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<RunResult> {
  return runScript(script, args, { env: { ...ctx.env, ...env }, input });
}

/** Runs the command and parses its stdout as JSON, failing with its stderr when it is not. */
export async function runJson<T = Record<string, unknown>>(ctx: ClusterTestEnv, script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const r = await run(ctx, script, [...args, '--json'], env);
  let data: T;
  try {
    data = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${script} ${args.join(' ')} printed no JSON (exit ${r.code}): ${r.stderr}`);
  }
  return { ...r, data };
}

/** Runs a command on a real pseudo-terminal (util-linux `script`), typing `input` into it. */
export function runOnTty(ctx: ClusterTestEnv, script: string, args: readonly string[], input: string): Promise<RunResult> {
  const quoted = [scriptPath(script), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runProcess('script', ['-qec', quoted, '/dev/null'], { env: ctx.env, input });
}

/** A cluster as the commands print it with --json. */
export type ClusterJson = ClusterView;

/** The keys of cluster-info --json, in order: the output contract. */
export const CLUSTER_KEYS = [
  'identifier',
  'arn',
  'region',
  'status',
  'endpoint',
  'creationTime',
  'deletionProtectionEnabled',
  'tags',
  'multiRegionProperties',
  'encryptionDetails',
];
