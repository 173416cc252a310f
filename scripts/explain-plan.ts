#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// explain-plan: workflow 8 as a command. Captures EXPLAIN ANALYZE VERBOSE of one query inside a
// read-only transaction, gathers catalog evidence, runs planner experiments when the query took
// 30 s or less, and prints the report of references/query-plan/report-format.md.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkClusterId } from './lib/aws/ids.js';
import { defineCommand, UsageError, UserError } from './lib/cli/index.js';
import { readAll, readTextFile } from './lib/cli/input.js';
import { DEFAULT_COUNT_LIMIT } from './lib/plan/evidence.js';
import { CONNECTION_OPTIONS } from './lib/psql/target.js';

export const command = defineCommand({
  name: 'scripts/explain-plan.ts',
  summary: 'explain one query on Aurora DSQL: plan, catalog evidence, planner experiments and a structured report',
  usage: [
    '[CLUSTER_ID | --cluster ID | --host ENDPOINT] [--region R] [--user NAME | --admin] (--sql SQL | -f FILE) [-o REPORT.md] [--json]',
    '[CLUSTER_ID | --cluster ID | --host ENDPOINT] [--region R] [--user NAME | --admin] --reassess REPORT.md [--json]',
    '--local [ID] (--sql SQL | -f FILE | --reassess REPORT.md) [-o REPORT.md] [--json]',
  ],
  positionals: [{ name: 'CLUSTER_ID', description: 'the cluster identifier (or --cluster, or $CLUSTER); with --local, a local cluster (default: the default local cluster)' }],
  options: {
    local: { type: 'boolean', description: 'explain on a local cluster (the embedded local DSQL; its planner is PostgreSQL\'s, not DSQL\'s)' },
    ...CONNECTION_OPTIONS,
    sql: { type: 'string', value: 'SQL', description: 'the statement to explain: exactly one SELECT, UPDATE or DELETE' },
    file: { type: 'string', short: 'f', value: 'FILE', description: 'read the statement from a file (- for stdin)' },
    output: { type: 'string', short: 'o', value: 'REPORT.md', description: 'write the report to this new file (stdout otherwise); --reassess appends to it later' },
    force: { type: 'boolean', description: 'let -o replace an existing file' },
    reassess: { type: 'string', value: 'REPORT.md', description: 'run the report\'s statement again and append an after-change addendum to it' },
    'count-limit': {
      type: 'integer',
      value: 'ROWS',
      min: 0,
      description: `count(*) a table only when the planner thinks it has at most ROWS rows (default ${DEFAULT_COUNT_LIMIT.toLocaleString('en-US')}; 0: never)`,
    },
    json: { type: 'boolean', description: 'print the raw evidence and the report as one JSON document' },
  },
  notes: [
    'Safety: the statement is parsed first. A SELECT runs as written; UPDATE and DELETE are rewritten\n' +
      'to the SELECT that reads the same rows (the report shows both); INSERT, MERGE, DO, CALL and\n' +
      'function definitions are refused (exit 2). Everything runs inside BEGIN READ ONLY ... ROLLBACK,\n' +
      'so the server refuses any write.',
    'Experiments (when the query took 30 s or less): each join or scan method the plan used is turned\n' +
      'off in turn (SET LOCAL enable_*, which DSQL allows), and predicates implied by the joins are added;\n' +
      'each runs in its own read-only transaction. Over 30 s, their SQL goes in the report instead.',
    'Connection: the same IAM token (signed in-process, never printed) and TLS verify-full as\n' +
      'psql-connect; PGHOSTADDR/PGPORT and PGSSLROOTCERT are honoured the same way.',
    'A statement the server rejects is reported verbatim (SQLSTATE and message) and no report is made.',
    '--local: a local cluster (default: the default local cluster), through its running local-dsql\n' +
      'server or one started for the run. Its plans come from PostgreSQL (PGlite), not DSQL: use them to\n' +
      'try the command and the SQL; judge real plans on a cluster.',
  ],
  examples: [
    { note: 'report for a slow query', command: `scripts/explain-plan.ts --cluster abcdefghijklmnopqrstuvwxyz --sql "SELECT * FROM orders WHERE tenant_id = 'acme'" -o plan.md` },
    { note: 'an UPDATE, explained through the SELECT that finds its rows', command: `scripts/explain-plan.ts abcdefghijklmnopqrstuvwxyz -f slow-update.sql` },
    { note: 'after creating the recommended index: append the comparison', command: 'scripts/explain-plan.ts --cluster abcdefghijklmnopqrstuvwxyz --reassess plan.md' },
    { note: 'raw evidence for a program', command: 'scripts/explain-plan.ts --cluster abcdefghijklmnopqrstuvwxyz -f query.sql --json' },
  ],
  exitCodes: {
    1: 'cannot connect, no credentials, or a file cannot be read or written',
    3: 'the statement failed on the server (its error is printed verbatim; no report)',
  },
  async run({ options, positionals, io, out, json, note }) {
    const env = io.env;
    const given = [options.sql !== undefined, options.file !== undefined, options.reassess !== undefined].filter(Boolean).length;
    if (given !== 1) throw new UsageError('give exactly one of --sql, -f and --reassess');
    if (options.reassess !== undefined && options.output !== undefined) throw new UsageError('--reassess appends to its report; -o is for a new report');
    if (options.force && options.output === undefined) throw new UsageError('--force only applies to -o');
    if (options.output !== undefined && existsSync(options.output) && !options.force) {
      throw new UserError(`${options.output} already exists; choose another name, or pass --force to replace it`);
    }
    const [{ prepareStatement }, plan, { openCluster, openLocal }, { StatementError }, { loadSigner }] = await Promise.all([
      import('./lib/plan/statement.js'),
      import('./lib/plan/explain.js'),
      import('./lib/plan/target.js'),
      import('./lib/plan/session.js'),
      import('./lib/aws/token.js'),
    ]);
    loadSigner().catch(() => {}); // overlaps the SDK's loading with the parser's start-up

    // The statement, checked before anything is signed or connected.
    let earlier: import('./lib/plan/reassess.js').EarlierReport | undefined;
    let reassess: typeof import('./lib/plan/reassess.js') | undefined;
    let text: string;
    if (options.reassess !== undefined) {
      reassess = await import('./lib/plan/reassess.js');
      earlier = reassess.parseReport(readTextFile(options.reassess), options.reassess);
      text = earlier.statement;
      if (earlier.target && (earlier.target.kind === 'local') !== options.local) {
        throw new UserError(`${options.reassess} was captured on ${earlier.target.kind} ${earlier.target.id}; reassess it against the same target (${earlier.target.kind === 'local' ? 'add' : 'without'} --local)`);
      }
    } else {
      text = options.sql ?? (options.file === '-' ? await readAll(io.stdin) : readTextFile(options.file!));
    }
    const statement = await prepareStatement(text);
    if (statement.rewrittenFrom) note(`explain-plan.ts: rewritten from ${statement.rewrittenFrom}: ${statement.notes.join('; ')}`);

    let opened: Awaited<ReturnType<typeof openCluster>>;
    if (options.local) {
      const awsOnly = (['host', 'profile'] as const).find((k) => options[k] !== undefined) ?? (options['skip-cert-verify'] ? 'skip-cert-verify' : undefined);
      if (awsOnly) throw new UsageError(`--${awsOnly} is for DSQL clusters on AWS; --local takes a local cluster id`);
      const raw = positionals[0] ?? options.cluster ?? (earlier?.target?.kind === 'local' ? earlier.target.id : undefined);
      opened = await openLocal(options, raw === undefined ? undefined : checkClusterId(raw, 'local cluster identifier'), env);
    } else {
      const positional = positionals[0] ?? (earlier?.target?.kind === 'cluster' && options.cluster === undefined && options.host === undefined && !env.CLUSTER ? earlier.target.id : undefined);
      if (options['skip-cert-verify']) note('warning: --skip-cert-verify: TLS without certificate verification (sslmode=require); the server is not authenticated. Not for production.');
      opened = await openCluster(options, positional, env);
    }
    const { session, target } = opened;
    try {
      let result;
      try {
        result = await plan.explainPlan(session, statement, target, { countLimit: options['count-limit'] ?? DEFAULT_COUNT_LIMIT, experiments: earlier === undefined });
      } catch (error) {
        if (!(error instanceof StatementError)) throw error;
        if (options.json) json({ error: error.server, statement: { sql: statement.sql, original: statement.original } });
        note('explain-plan.ts: the statement failed on the server; no report was made:');
        note(error.message);
        return 3;
      }
      const [{ renderReport }, { resultJson }] = await Promise.all([import('./lib/plan/report.js'), import('./lib/plan/json.js')]);
      if (earlier && reassess) {
        const addendum = reassess.renderAddendum(earlier, result);
        const path = options.reassess!;
        appendTo(path, addendum);
        note(`explain-plan.ts: appended the after-change addendum to ${path}`);
        if (options.json) json({ addendum, after: resultJson(result, renderReport(result)) });
        else out(addendum.trimEnd());
        return 0;
      }
      const report = renderReport(result);
      if (options.output !== undefined) {
        writeText(options.output, report);
        note(`explain-plan.ts: wrote the report to ${options.output}`);
      }
      if (options.json) json(resultJson(result, report));
      else if (options.output === undefined) out(report.trimEnd());
      return 0;
    } finally {
      await session.close().catch(() => {});
    }
  },
});

function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new UserError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function appendTo(path: string, addendum: string): void {
  try {
    const current = readFileSync(path, 'utf8');
    appendFileSync(path, (current.endsWith('\n') ? '\n' : '\n\n') + addendum);
  } catch (error) {
    throw new UserError(`cannot append to ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
