#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// local-dsql: the embedded local DSQL. PostgreSQL (PGlite, in this process) behind a front
// that enforces DSQL's rules, on 127.0.0.1, for psql and drivers. No AWS account needed.
import { checkRegion, DEFAULT_REGION } from './lib/aws/region.js';
import { defineCommand, UsageError } from './lib/cli/index.js';

export const NOT_EMULATED = [
  'Not emulated: optimistic-concurrency conflicts between overlapping transactions (the local',
  'server runs one transaction at a time; a client that waits longer than --lock-wait gets',
  "DSQL's retryable 40001 instead), schema-change conflicts (OC001), connection limits and",
  'rates, the 60-minute connection age, and the 10 MiB transaction size limit (only COPY data',
  'over 32 MiB is refused with its error). The engine is PostgreSQL 18 (PGlite), not DSQL:',
  'version() and SHOW server_version say so; connections are told 16.15 as DSQL does.',
  'Committed data survives kill -9, not a power loss (no fsync).',
].join('\n');

export const command = defineCommand({
  name: 'scripts/local-dsql.ts',
  summary: 'run the embedded local DSQL: PostgreSQL with DSQL\'s rules, errors and jobs, on 127.0.0.1',
  usage: ['serve [--cluster ID | --data DIR | --memory] [--port N] [--tls] [--region R] [--lock-wait MS] [--json]', 'demo [--cluster ID] [--region R]'],
  positionals: [
    {
      name: 'COMMAND',
      description: 'serve: start a server and keep it running until Ctrl-C (SIGINT) or SIGTERM\n' +
        '           demo: a few seconds of the DSQL way on a local cluster (what npm start runs)',
      required: true,
    },
  ],
  options: {
    port: { type: 'integer', short: 'p', value: 'N', min: 0, max: 65535, description: 'port on 127.0.0.1 (default 0: any free port, shown in the ready line)' },
    cluster: { type: 'string', value: 'ID', description: 'serve this local cluster (see create-cluster --local); default: the default local cluster' },
    data: { type: 'string', value: 'DIR', description: 'keep the database in DIR (created if missing) instead of a local cluster' },
    memory: { type: 'boolean', description: 'keep the database in memory only; it is gone when the server stops' },
    tls: { type: 'boolean', description: 'require TLS and an IAM-token-shaped password, as DSQL does; writes a CA for sslmode=verify-full' },
    region: { type: 'string', value: 'REGION', description: `Region in the host name of a new cluster or data directory (default ${DEFAULT_REGION})` },
    'lock-wait': { type: 'integer', value: 'MS', min: 0, description: 'how long a connection waits for another one\'s transaction before 40001 (default 5000; 0 waits forever)' },
    'age-limit': { type: 'integer', value: 'SECONDS', min: 1, hidden: true, description: 'transaction age limit (tests)' },
    json: { type: 'boolean', description: 'print the ready line as one JSON object (host, port, identifier, dataDir, connectionString, ...)' },
  },
  notes: [
    'The server listens on 127.0.0.1 only. Connect as user admin to database postgres; any password\n' +
      'works, except with --tls, where the password must be an IAM authentication token for the\n' +
      'cluster endpoint (not verified, but its shape, action, host and expiry are checked), as on DSQL.',
    'What is enforced: every refusal in the rules table (the same checks as dsql-lint) as a real\n' +
      "error with DSQL's SQLSTATE and message; one DDL per transaction, no DDL with DML, several\n" +
      'statements in one query as one transaction; at most 3,000 modified rows per transaction\n' +
      '(54000, autocommit and COPY too); REPEATABLE READ only; the SET allowlist; the 300 s\n' +
      'transaction age. CREATE INDEX ASYNC and ALTER TABLE ASYNC ... VALIDATE CONSTRAINT return a\n' +
      'job_id and run at once; sys.jobs lists jobs; CALL sys.wait_for_job(id) answers at once.',
    NOT_EMULATED,
  ],
  examples: [
    { note: 'the default local cluster on a free port; psql with the printed connection string', command: 'scripts/local-dsql.ts serve' },
    { note: 'a throwaway database for tests, ready line as JSON', command: 'scripts/local-dsql.ts serve --memory --port 0 --json' },
    { note: 'TLS like DSQL: connect with sslmode=verify-full and the CA named in the ready line', command: 'scripts/local-dsql.ts serve --data ./dsql-data --tls --port 5433' },
    { note: 'the demo on the default local cluster (created on first use)', command: 'scripts/local-dsql.ts demo' },
  ],
  exitCodes: { 1: 'the server could not start (data directory in use or not a data directory, port taken)' },
  async run({ options, positionals, io, out, note }) {
    const [name] = positionals;
    if (name !== 'serve' && name !== 'demo') throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are serve and demo`);
    const region = options.region === undefined ? DEFAULT_REGION : checkRegion(options.region);
    if (name === 'demo') {
      const extra = (['port', 'data', 'memory', 'tls', 'lock-wait', 'json'] as const).find((k) => options[k] !== undefined && options[k] !== false);
      if (extra) throw new UsageError(`--${extra} is for serve; demo takes --cluster and --region`);
      const { runDemo } = await import('./lib/local/demo.js');
      await runDemo({ env: io.env, region, cluster: options.cluster, out });
      return 0;
    }
    const sources = [options.cluster !== undefined, options.data !== undefined, options.memory].filter(Boolean).length;
    if (sources > 1) throw new UsageError('give at most one of --cluster, --data and --memory');

    const [{ startLocalDsql }, { dsqlPolicy }, registry] = await Promise.all([
      import('./lib/local/server.js'),
      import('./lib/local/policy.js'),
      import('./lib/local/registry.js'),
    ]);
    let dataDir: string | undefined;
    if (options.data !== undefined) dataDir = options.data;
    else if (!options.memory) dataDir = registry.resolveLocalCluster(options.cluster, region, io.env).dir;

    // Listen for the stop signals before anything is printed: a supervisor may signal as soon
    // as it reads the ready line. A signal during start-up stops the server once it is up.
    let requestStop!: (why: string) => void;
    const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
    const onSignal = (signal: NodeJS.Signals) => requestStop(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const server = await startLocalDsql({
        port: options.port ?? 0,
        dataDir,
        tls: options.tls,
        region,
        lockWaitMs: options['lock-wait'],
        policy: dsqlPolicy({ ageLimitSeconds: options['age-limit'] }),
        log: note,
      });
      const ready = {
        host: server.host,
        port: server.port,
        identifier: server.identifier,
        endpoint: server.endpoint,
        region: server.region,
        dataDir: server.dataDir ?? null,
        tls: server.tls ? { ca: server.tls.ca } : null,
        user: server.user,
        database: server.database,
        connectionString: server.connectionString,
        pid: process.pid,
        engine: server.engine,
      };
      if (options.json) out(JSON.stringify(ready));
      else out(`local DSQL ready on ${server.host}:${server.port} (cluster ${server.identifier}, ${server.dataDir ?? 'in memory'}): psql "${server.connectionString}"`);

      const why = await Promise.race([stopRequested, server.stopped.then(() => 'engine')]);
      await server.stop();
      note(why === 'engine' ? 'local DSQL stopped: the engine failed' : `local DSQL stopped (${why})`);
      return why === 'engine' ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});
