// The skill's core loop in a few seconds, on the default local cluster (`npm start`):
// a table created the DSQL way, an index built asynchronously with its job id, a statement
// DSQL refuses with DSQL's own error, and a query built with the safe SQL builder.
// Safe to run again: it only adds demo rows to its own table.
import type pg from 'pg';
import { ruleById, TRANSACTION_RULES } from '../rules/index.js';
import { build, ident, literal, regex, TENANT_SLUG } from '../sql/safe.js';
import { dsqlPolicy } from './policy.js';
import { resolveLocalCluster } from './registry.js';
import { startLocalDsql } from './server.js';

export interface DemoOptions {
  env: NodeJS.ProcessEnv;
  region: string;
  /** Local cluster to use (default: the default local cluster). */
  cluster?: string;
  out(line?: string): void;
}

const TABLE = 'demo_orders';

export async function runDemo(options: DemoOptions): Promise<void> {
  const { out } = options;
  const cluster = resolveLocalCluster(options.cluster, options.region, options.env);
  const started = performance.now();
  const server = await startLocalDsql({ dataDir: cluster.dir, policy: dsqlPolicy() });
  const { default: pgModule } = await import('pg');
  const client: pg.Client = new pgModule.Client({ host: server.host, port: server.port, user: server.user, database: server.database });
  try {
    await client.connect();
    const how = server.engine.created ? 'created just now' : 'existing';
    out(`Local DSQL cluster ${server.identifier} (${how}), on ${server.host}:${server.port}, up in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    out(`Endpoint as on AWS: ${server.endpoint}`);

    const step = (n: number, title: string) => {
      out();
      out(`${n}. ${title}`);
    };
    const show = (sql: string) => out(`   ${sql.replace(/\s+/g, ' ').trim()}`);

    step(1, 'A table, the DSQL way: one DDL statement in its own transaction, a UUID key (no SERIAL).');
    const create = `CREATE TABLE IF NOT EXISTS ${TABLE} (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id text NOT NULL,
      amount numeric(12,2) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`;
    show(create);
    await client.query(create);
    out('   -> CREATE TABLE');

    step(2, 'An index, built asynchronously: DSQL answers with a job id at once.');
    const index = `CREATE INDEX ASYNC IF NOT EXISTS ${TABLE}_tenant ON ${TABLE} (tenant_id)`;
    show(index);
    const jobId = (await client.query<{ job_id: string }>(index)).rows[0]!.job_id;
    out(`   -> job_id ${jobId}`);
    const wait = `CALL sys.wait_for_job('${jobId}')`;
    show(wait);
    const done = (await client.query<{ succeeded: boolean }>(wait)).rows[0]!.succeeded;
    out(`   -> succeeded: ${done}  (sys.jobs lists the job)`);

    step(3, 'Statements DSQL refuses, answered with DSQL\'s SQLSTATE and message.');
    for (const sql of [`TRUNCATE ${TABLE}`, `BEGIN; CREATE TABLE ${TABLE}_archive (id uuid PRIMARY KEY); INSERT INTO ${TABLE} (tenant_id, amount) VALUES ('acme', 1)`]) {
      show(sql);
      try {
        await client.query(sql);
        out('   -> accepted (unexpected)');
      } catch (error) {
        const e = error as { code?: string; message: string };
        out(`   -> ERROR ${e.code}: ${e.message}`);
      }
      await client.query('ROLLBACK').catch(() => {});
    }
    out(`   Fix: ${ruleById('truncate').suggestion}; ${TRANSACTION_RULES.ddlDmlMixed.suggestion}.`);

    step(4, 'Rows in one transaction (at most 3,000 per transaction), then a query from the safe SQL builder.');
    const insert = `INSERT INTO ${TABLE} (tenant_id, amount) SELECT t, (random() * 100)::numeric(12,2) FROM unnest(ARRAY['acme', 'acme', 'globex']) AS t`;
    show(insert);
    const inserted = (await client.query(insert)).rowCount;
    const total = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0]!.n;
    out(`   -> INSERT 0 ${inserted}  (${total} rows in ${TABLE} so far)`);
    const tenant = 'acme';
    out(`   build('SELECT tenant_id, count(*) AS orders, sum(amount) AS total FROM {t} WHERE tenant_id = {tid} GROUP BY tenant_id',`);
    out(`         { t: ident('${TABLE}'), tid: regex('${tenant}', TENANT_SLUG) })`);
    const sql = build('SELECT tenant_id, count(*) AS orders, sum(amount) AS total FROM {t} WHERE tenant_id = {tid} GROUP BY tenant_id', {
      t: ident(TABLE),
      tid: regex(tenant, TENANT_SLUG),
    });
    show(sql);
    for (const row of (await client.query(sql)).rows) out(`   -> ${JSON.stringify(row)}`);
    out(`   Free text goes in dollar-quoted: ${literal("it's; DROP TABLE x --").sql}`);

    out();
    out('Next: scripts/local-dsql.ts serve   (this cluster for psql and your app; --help lists what is emulated)');
    out(`      scripts/local-dsql.ts serve --cluster ${server.identifier} --tls   (TLS and IAM-token passwords, as on DSQL)`);
  } finally {
    await client.end().catch(() => {});
    await server.stop();
  }
}
