#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// psql-connect: psql to an Aurora DSQL cluster with an IAM token made in-process, TLS
// verify-full, and a parser-exact guard on what -c and -f may run.
// Only light modules load here; the AWS SDK and the parser's WASM load inside run, on use.
import { checkClusterId } from './lib/aws/ids.js';
import { checkRegion, DEFAULT_REGION } from './lib/aws/region.js';
import { TOKEN_EXPIRES } from './lib/aws/token.js';
import { defineCommand, UsageError } from './lib/cli/index.js';
import { readAll, readTextFile } from './lib/cli/input.js';
import { checkCommand, checkScript } from './lib/psql/guard.js';
import { psqlInvocation, runPsql, type PsqlAction } from './lib/psql/run.js';
import { applicationName, clusterArgument, CONNECTION_OPTIONS, dsqlTarget, endpointOf, userOf } from './lib/psql/target.js';
import { checkPsql } from './lib/psql/version.js';
import { loadParser } from './lib/sql/parser.js';

export const command = defineCommand({
  name: 'scripts/psql-connect.ts',
  summary: 'run psql against an Aurora DSQL cluster with an IAM token, TLS verify-full and a single-statement guard',
  usage: [
    '[CLUSTER_ID | --cluster ID | --host ENDPOINT] [--region R] [--user NAME | --admin] -c SQL [--read-only]',
    '[CLUSTER_ID | --cluster ID | --host ENDPOINT] [--region R] [--user NAME | --admin] -f FILE [--read-only | --allow-meta]',
    '[CLUSTER_ID | --cluster ID | --host ENDPOINT] [--region R] [--user NAME | --admin]',
    '--local [ID] [-c SQL | -f FILE] [--read-only | --allow-meta]',
  ],
  positionals: [{ name: 'CLUSTER_ID', description: 'the cluster identifier (or --cluster, or $CLUSTER); with --local, a local cluster (default: the default local cluster)' }],
  options: {
    local: { type: 'boolean', description: 'use a local cluster (the embedded local DSQL): no AWS account, token or network needed' },
    ...CONNECTION_OPTIONS,
    command: { type: 'string', short: 'c', value: 'SQL', description: 'run exactly one SQL statement (checked by the PostgreSQL parser)' },
    file: { type: 'string', short: 'f', value: 'FILE', description: 'run a script file (- for stdin) with ON_ERROR_STOP, pager off' },
    script: { type: 'string', value: 'FILE', description: 'old name of --file', hidden: true },
    'read-only': { type: 'boolean', description: 'run -c/-f inside BEGIN READ ONLY ... COMMIT; the server refuses any write' },
    'allow-meta': { type: 'boolean', description: 'let a -f script use psql meta-commands (\\copy, \\i, \\! ...); they run on this machine' },
    'token-expires': {
      type: 'integer',
      value: 'SECONDS',
      min: TOKEN_EXPIRES.min,
      max: TOKEN_EXPIRES.max,
      description: `IAM token lifetime (default ${TOKEN_EXPIRES.default}; at most ${TOKEN_EXPIRES.max}, one week); only new connections need a valid token`,
    },
  },
  notes: [
    'Token: signed in-process from your AWS credentials (the SDK chain: environment, --profile/AWS_PROFILE,\n' +
      'SSO, instance and container roles). The admin role gets a DbConnectAdmin token, any other role a\n' +
      'DbConnect token. The token reaches psql only as PGPASSWORD in its environment: never in argv,\n' +
      'output or files.',
    'TLS: sslmode=verify-full with the system CA bundle (a file, since psql 14/15 cannot use\n' +
      'sslrootcert=system), or PGSSLROOTCERT if set. psql 14 or newer is required (TLS server name).\n' +
      'PGHOSTADDR and PGPORT, if set, say where to connect (e.g. a tunnel); TLS still checks the endpoint name.',
    '-c: one statement, judged by the PostgreSQL parser: semicolons in strings, dollar quotes,\n' +
      'E-strings and comments cannot hide a second one; one trailing ; is fine. Several statements,\n' +
      'psql meta-commands (a leading backslash) and empty input are refused (exit 2): use -f for scripts.',
    '-f: psql stops at the first error (ON_ERROR_STOP=1, exit 3). Meta-commands in the script (\\copy,\n' +
      '\\i, \\o, \\!, \\c ...) are refused unless --allow-meta, since they act on this machine. Without -c and\n' +
      '-f, a terminal gets an interactive psql; piped input is treated as -f -.',
    '--read-only: the server enforces it (BEGIN READ ONLY); statements that would end the transaction\n' +
      '(COMMIT, ROLLBACK, ...) or make it read-write are refused before connecting.',
    "Once psql runs, its exit code is passed on: 2 then means psql could not connect (e.g. TLS verification\n" +
      'failed), 1 that it reported an error.',
    '--local: the same guard and psql, against a local cluster (see create-cluster --local; default: the\n' +
      'default local cluster, made on first use). If a local-dsql server runs on that cluster, psql connects\n' +
      'to it; otherwise a server runs in this process for the session and stops afterwards.',
  ],
  examples: [
    { note: 'one query as a scoped role', command: `scripts/psql-connect.ts abcdefghijklmnopqrstuvwxyz --region us-east-1 --user app_reader -c 'SELECT count(*) FROM orders'` },
    { note: 'a read-only query as admin, tagged with the agent model', command: `CLUSTER=abcdefghijklmnopqrstuvwxyz scripts/psql-connect.ts --admin --read-only --ai-model claude-sonnet-4 -c 'SELECT now()'` },
    { note: 'a migration file built with safe_query', command: `scripts/psql-connect.ts --cluster abcdefghijklmnopqrstuvwxyz --admin -f /tmp/insert.sql` },
    { note: 'interactive session', command: 'scripts/psql-connect.ts --host abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws --admin' },
    { note: 'the same guard against the default local cluster, no AWS needed', command: `scripts/psql-connect.ts --local -c 'SELECT count(*) FROM orders'` },
  ],
  exitCodes: {
    1: 'failure before psql ran (no credentials, psql missing or older than 14, no CA bundle, unreadable file), or psql reported an error',
    3: 'an SQL error stopped a -f script (psql with ON_ERROR_STOP)',
  },
  async run({ options, positionals, io, note }) {
    const env = io.env;
    const file = options.file ?? options.script;
    if (options.file !== undefined && options.script !== undefined) throw new UsageError('give --file once (--script is its old name)');
    if (options.command !== undefined && file !== undefined) throw new UsageError('give -c or -f, not both');
    if (options['allow-meta'] && options.command !== undefined) throw new UsageError('--allow-meta applies to -f scripts; -c never runs meta-commands');
    if (options['allow-meta'] && options['read-only']) throw new UsageError('--read-only cannot be combined with --allow-meta (meta-commands could leave the read-only transaction)');
    const readOnly = options['read-only'];
    const user = userOf(options, env);
    applicationName(options['ai-model']); // checked now, used when the target is built

    // What to run, checked before anything is signed or connected.
    let action: PsqlAction;
    if (options.command !== undefined) {
      await loadParser();
      checkCommand(options.command, { readOnly });
      action = { kind: 'command', sql: options.command };
    } else if (file !== undefined || !io.stdin.isTTY) {
      const path = file ?? '-';
      const text = path === '-' ? await readAll(io.stdin) : readTextFile(path);
      if (readOnly) await loadParser();
      checkScript(text, { allowMeta: options['allow-meta'], readOnly, name: path === '-' ? 'standard input' : path });
      // A file goes to psql by name, so its errors say "psql:FILE:LINE"; stdin goes as the text read.
      action = path === '-' ? { kind: 'script', text } : { kind: 'file', path };
    } else {
      if (readOnly) throw new UsageError('--read-only needs -c or -f: an interactive session cannot be held in one read-only transaction');
      action = { kind: 'interactive' };
    }

    if (options.local) return runLocal(options, positionals[0], user, action, { readOnly, env, note });

    // Cheapest checks first: nothing is signed or spawned for input the guard refuses.
    const { host, region } = await endpointOf(options, positionals[0], env);
    const psql = await checkPsql('psql', env);
    if (options['skip-cert-verify']) {
      note('warning: --skip-cert-verify: TLS without certificate verification (sslmode=require); the server is not authenticated. Not for production.');
    }
    const { target, tls, token } = await dsqlTarget({
      host,
      region,
      user,
      profile: options.profile,
      expiresIn: options['token-expires'],
      skipVerify: options['skip-cert-verify'],
      aiModel: options['ai-model'],
      psqlMajor: psql.major,
      env,
    });
    if (action.kind === 'interactive') {
      const where = target.hostaddr ? `${host} via ${target.hostaddr}` : host;
      note(`connecting to ${where} as ${user} (${token.action} token, ${tls.sslmode}${tls.sslrootcert ? `, roots: ${tls.sslrootcert}` : ''})`);
    }
    const result = await runPsql(psqlInvocation(target, action, { readOnly, baseEnv: env }));
    return result.code;
  },
});

interface LocalOptions {
  cluster?: string;
  host?: string;
  region?: string;
  profile?: string;
  'ai-model'?: string;
  'token-expires'?: number;
  'skip-cert-verify': boolean;
}

/** psql against a local cluster: its running server, or one started here for the session. */
async function runLocal(
  options: LocalOptions,
  positional: string | undefined,
  user: string,
  action: PsqlAction,
  ctx: { readOnly: boolean; env: NodeJS.ProcessEnv; note: (line: string) => void },
): Promise<number> {
  const awsOnly = (['host', 'profile', 'token-expires'] as const).find((k) => options[k] !== undefined) ?? (options['skip-cert-verify'] ? 'skip-cert-verify' : undefined);
  if (awsOnly) throw new UsageError(`--${awsOnly} is for DSQL clusters on AWS; --local takes a local cluster id`);
  const raw = clusterArgument(options.cluster, positional);
  const id = raw === undefined ? undefined : checkClusterId(raw, 'local cluster identifier');
  const region = options.region === undefined ? DEFAULT_REGION : checkRegion(options.region);
  await checkPsql('psql', ctx.env);
  const { localTarget } = await import('./lib/local/connect.js');
  const local = await localTarget({ cluster: id, region, user, applicationName: applicationName(options['ai-model']), env: ctx.env });
  try {
    if (action.kind === 'interactive') {
      ctx.note(`connecting to local cluster ${local.identifier} on ${local.target.hostaddr ?? local.target.host}:${local.target.port} as ${user} (${local.how === 'running' ? 'its running server' : 'a server in this process until psql exits'})`);
    }
    return (await runPsql(psqlInvocation(local.target, action, { readOnly: ctx.readOnly, baseEnv: ctx.env }))).code;
  } finally {
    await local.release();
  }
}
