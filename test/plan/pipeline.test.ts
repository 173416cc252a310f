// The whole explain-plan pipeline on a real PostgreSQL 18 planner (PGlite, the engine of the
// embedded local DSQL): tables built to make the planner choose badly, and DSQL-shaped plan
// fixtures for what a local engine cannot produce (a 45-second query, an engine defect).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStatement } from '../../scripts/lib/rules/index.js';
import { experimentScript } from '../../scripts/lib/plan/capture.js';
import { explainPlan, type ExplainResult } from '../../scripts/lib/plan/explain.js';
import { runExperiments, settingExperiments, summarize } from '../../scripts/lib/plan/experiments.js';
import { resultJson } from '../../scripts/lib/plan/json.js';
import { parseReport, renderAddendum } from '../../scripts/lib/plan/reassess.js';
import { renderReport } from '../../scripts/lib/plan/report.js';
import { run, StatementError, type SqlSession } from '../../scripts/lib/plan/session.js';
import { prepareStatement } from '../../scripts/lib/plan/statement.js';
import { parsePlanText } from '../../scripts/lib/plan/text.js';
import { parseSql, loadParser } from '../../scripts/lib/sql/parser.js';
import { contractProblems, fixture, pglite, REASSESS } from './support.js';

const LOCAL = { kind: 'local' as const, id: 'plan-test' };
const NOW = new Date('2026-11-26T10:00:00Z');

/** Every recommended statement must be valid for DSQL: parsed, and no rule of the table fires. */
function dsqlProblems(result: ExplainResult): string[] {
  const problems: string[] = [];
  for (const f of result.findings) {
    for (const sql of f.sql ?? []) {
      for (const st of parseSql(sql)) for (const finding of checkStatement(st)) if (finding.severity === 'error') problems.push(`${sql}: ${finding.rule}`);
    }
  }
  return problems;
}

/** Records every statement sent, to prove what did and did not run. */
function recording(session: SqlSession): SqlSession & { sent: string[] } {
  const sent: string[] = [];
  return { sent, query: (text, params) => (sent.push(text), session.query(text, params)), close: () => session.close() };
}

beforeAll(loadParser);

describe('correlated columns: a tenant and its date range', () => {
  let session: SqlSession;
  let result: ExplainResult;
  let report: string;
  const query =
    "SELECT o.id, l.sku FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.tenant_id = 't7' AND o.created_at >= date '2026-03-05' AND o.created_at < date '2026-03-14'";

  beforeAll(async () => {
    ({ session } = await pglite(`
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id text NOT NULL, created_at date NOT NULL, total int);
      CREATE TABLE order_lines (id int PRIMARY KEY, order_id int NOT NULL, tenant_id text NOT NULL, sku text);
      CREATE INDEX order_lines_tenant_idx ON order_lines (tenant_id);
      -- 40 tenants, each ordering only inside its own 9-day window: tenant and date move together.
      INSERT INTO orders SELECT g, 't' || (g % 40), date '2026-01-01' + (g % 40) * 9 + (g % 9), g FROM generate_series(1, 20000) g;
      -- Lines carry their order's tenant (the rule that makes the redundant predicate valid).
      INSERT INTO order_lines SELECT g, 1 + (g % 20000), 't' || ((1 + (g % 20000)) % 40), 'sku' || g FROM generate_series(1, 120000) g;
      ANALYZE orders; ANALYZE order_lines;`));
    result = await explainPlan(session, await prepareStatement(query), LOCAL, { now: NOW });
    report = renderReport(result);
  }, 120_000);
  afterAll(() => session?.close());

  it('captures the plan verbatim and the measurements from its footer', async () => {
    const [{ n }] = (await run(session, `SELECT count(*)::int AS n FROM (${query}) AS q`)) as [{ n: number }];
    expect(result.plan.text).toMatch(/^Hash Join|^Nested Loop|^Merge Join/);
    expect(report).toContain(`| Execution time | ${result.plan.footer.executionTime} |`);
    expect(report).toContain('| Query identifier | not reported |');
    expect(report).toContain('| DPU estimate (compute / read / write / total) | not reported |');
    expect(n).toBeGreaterThan(1000);
    expect(report).toContain(`| Rows returned | ${n.toLocaleString('en-US')} |`);
  });

  it('names the correlation and recommends extended statistics and a composite index, all valid DSQL', () => {
    const f = result.findings.find((x) => x.kind === 'estimation-error' && /tenant_id and created_at/.test(x.cause));
    expect(f, JSON.stringify(result.findings.map((x) => x.title))).toBeDefined();
    expect(f!.sql).toEqual([
      'CREATE STATISTICS orders_tenant_id_created_at_dep (dependencies) ON tenant_id, created_at FROM orders;',
      'ANALYZE orders;',
      'CREATE INDEX ASYNC orders_tenant_id_created_at_idx ON orders (tenant_id, created_at);',
    ]);
    expect(dsqlProblems(result)).toEqual([]);
  });

  it('reports the redundant tenant predicate as helping, with the row count unchanged', () => {
    const outcome = result.experiments!;
    expect(outcome.status).toBe('ran');
    const shared = outcome.results.find((r) => r.experiment.id === 'shared-column')!;
    expect(shared.experiment.added).toEqual(['l.tenant_id = o.tenant_id']);
    expect(shared.verdict, shared.sentence).toBe('helped');
    expect(shared.run!.rowsReturned).toBe(outcome.baseline.rowsReturned);
    expect(report).toMatch(/- redundant tenant predicate helped: [\d,.]+ ms instead of [\d,.]+ ms \(\d+% faster\)/);
  });

  it('orders findings by node duration and fills every required element of the contract', () => {
    const durations = result.findings.map((f) => f.durationMs ?? -1);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(contractProblems(report)).toEqual([]);
    expect(report.trimEnd().endsWith(REASSESS)).toBe(true);
  });

  it('--json carries the raw evidence and the report', () => {
    const doc = JSON.parse(JSON.stringify(resultJson(result, report)));
    expect(doc.plan.text).toBe(result.plan.text);
    expect(doc.plan.nodes[0].parent).toBeNull();
    expect(doc.evidence.tables.map((t: { name: string; count: number; reltuples: number }) => [t.name, t.count, t.reltuples])).toEqual([
      ['orders', 20000, 20000],
      ['order_lines', 120000, 120000],
    ]);
    expect(doc.evidence.tables[0].predicateColumns).toEqual(expect.arrayContaining(['tenant_id', 'created_at', 'id']));
    expect(doc.experiments.results.find((r: { id: string }) => r.id === 'shared-column').planText).toMatch(/order_lines_tenant_idx/);
    expect(doc.report).toBe(report);
  });
});

describe('stale statistics: a tenant that was half the table', () => {
  let session: SqlSession;
  let result: ExplainResult;
  let report: string;
  const query = "SELECT e.id, t.tag FROM events e JOIN tags t ON t.event_id = e.id WHERE e.tenant_id = 'acme'";

  beforeAll(async () => {
    ({ session } = await pglite(`
      CREATE TABLE events (id int PRIMARY KEY, tenant_id text NOT NULL, day date NOT NULL);
      CREATE TABLE tags (id int PRIMARY KEY, event_id int NOT NULL, tag text);
      INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'acme' ELSE 't' || (g % 40) END, date '2026-01-01' + g % 300 FROM generate_series(1, 40000) g;
      INSERT INTO tags SELECT g, 1 + g % 40000, 'tag' || g % 7 FROM generate_series(1, 300000) g;
      CREATE INDEX tags_event_idx ON tags (event_id);
      ANALYZE events; ANALYZE tags;
      -- After the statistics were taken, acme moved out: the planner still thinks it is half the table.
      UPDATE events SET tenant_id = 'moved' WHERE tenant_id = 'acme' AND id > 40;`));
    result = await explainPlan(session, await prepareStatement(query), LOCAL, { now: NOW });
    report = renderReport(result);
  }, 120_000);
  afterAll(() => session?.close());

  it('reports the misestimate at its source and recommends ANALYZE', () => {
    const f = result.findings.find((x) => x.kind === 'estimation-error' && x.title.includes('public.events'))!;
    expect(f.observed).toMatch(/actual 20 per loop/);
    expect(f.recommendation).toMatch(/ANALYZE events/);
    expect(contractProblems(report)).toEqual([]);
  });

  it('reports turning the hash join off as helping (the planner chose it for rows that are gone)', () => {
    const baselineShape = summarize(result.plan).shape;
    expect(baselineShape).toMatch(/^Hash Join/);
    const r = result.experiments!.results.find((x) => x.experiment.id === 'enable_hashjoin-off')!;
    expect(r.verdict, r.sentence).toBe('helped');
    expect(r.run!.shape).not.toMatch(/Hash Join/);
    const rows = r.run!.rowsReturned!.toLocaleString('en-US');
    expect(report).toMatch(new RegExp(`\\| enable_hashjoin off \\| [^|]+ \\| [^|]+ \\| ${rows} \\| [\\d,.]+ ms \\| −\\d+% \\|`));
  });

  it('reassess after ANALYZE appends an addendum that compares the numbers', async () => {
    await run(session, 'ANALYZE events');
    const earlier = parseReport(report, 'report.md');
    expect(earlier.statement).toBe(query);
    expect(earlier.target).toEqual(LOCAL);
    const after = await explainPlan(session, await prepareStatement(earlier.statement), LOCAL, { now: new Date('2026-11-27T09:00:00Z'), experiments: false });
    const addendum = renderAddendum(earlier, after);
    expect(addendum.startsWith('## Addendum: after change (2026-11-27)\n')).toBe(true);
    expect(addendum).toMatch(/^\| Execution time \| [\d.]+ ms \| [\d.]+ ms \| −\d+% \|$/m);
    const rows = result.experiments!.baseline.rowsReturned!.toLocaleString('en-US');
    expect(addendum).toMatch(new RegExp(`^\\| Rows returned \\| ${rows} \\| ${rows} \\| unchanged \\|$`, 'm'));
    expect(addendum).not.toContain('**Flag:**');
    const combined = report + '\n' + addendum;
    expect(contractProblems(combined)).toEqual([]);
  });
});

describe('a query without tables', () => {
  it('still gives a complete report, with no findings and no experiment', async () => {
    const { session } = await pglite('SELECT 1');
    const result = await explainPlan(session, await prepareStatement('SELECT g FROM generate_series(1, 10) g'), LOCAL, { now: NOW });
    const report = renderReport(result);
    expect(contractProblems(report)).toEqual([]);
    expect(report).toContain('# Query plan report: query without tables\n');
    expect(report).toContain('\nNo findings.\n');
    expect(report).toContain('No experiment applies');
    await session.close();
  });
});

describe('a statement that fails', () => {
  it('gives the server error verbatim and no report', async () => {
    const { session } = await pglite('CREATE TABLE t (id int)');
    const error = await explainPlan(session, await prepareStatement('SELECT * FROM nope'), LOCAL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatementError);
    expect((error as StatementError).server).toMatchObject({ sqlstate: '42P01', message: 'relation "nope" does not exist' });
    expect((error as StatementError).message).toBe('ERROR:  relation "nope" does not exist (SQLSTATE 42P01)');
    await session.close();
  });
});

describe('implausible row counts (a DSQL plan fixture on a real 200-row table)', () => {
  let session: SqlSession & { sent: string[] };
  let result: ExplainResult;
  let report: string;

  beforeAll(async () => {
    const db = await pglite(`
      CREATE TABLE accounts (id int PRIMARY KEY, status text NOT NULL, email text);
      INSERT INTO accounts SELECT g, CASE WHEN g % 4 = 0 THEN 'closed' ELSE 'active' END, 'user' || g || '@example.com' FROM generate_series(1, 200) g;
      ANALYZE accounts;`);
    session = recording(db.session);
    const statement = await prepareStatement("SELECT count(*) FROM accounts a WHERE a.status = 'active'");
    const target = { kind: 'cluster' as const, id: 'abcdefghijklmnopqrstuvwxyz', region: 'us-east-1' };
    result = await explainPlan(session, statement, target, { now: NOW }, { script: [], plan: parsePlanText(fixture('dsql-anomaly.txt')) });
    report = renderReport(result);
  });
  afterAll(() => session?.close());

  it('flags the scan and confirms the result with an independent count', () => {
    expect(result.anomalies.map((a) => [a.node, a.field, a.rows, a.tableRows])).toEqual([
      ['Full Scan (btree-table) on public.accounts a', 'actual', 5_000_000_000_000, 200],
      ['Storage Scan on accounts', 'actual', 5_000_000_000_150, 200],
    ]);
    expect(session.sent).toContain("SELECT count(*) AS n FROM (SELECT count(*) FROM accounts a WHERE a.status = 'active') AS explain_plan_result");
    expect(result.resultCheck).toEqual({ planRows: 1, counted: 1 });
    expect(report).toContain("The query's results are correct: an independent `count(*)` over the query returned 1 rows, the same as the plan's 1 rows returned.");
  });

  it('fills the support template with the plan numbers and no customer data', () => {
    const defect = report.slice(report.indexOf('## Possible engine defect'), report.indexOf('## Summary'));
    expect(defect).toContain(
      [
        'Subject: Aurora DSQL plan reports implausible row counts',
        'Region: us-east-1',
        'Cluster identifier: abcdefghijklmnopqrstuvwxyz',
        'Query identifier: 2kz9x0a7mmq1d',
        'Observed: node "Full Scan (btree-table) on public.accounts a" reports actual rows=5,000,000,000,000 loops=1; table "accounts" has 200 rows (count(*)) and reltuples 200',
        'Result correctness: the query returned 1 rows, matching an independent count (1)',
        'Plan: attached as text, with literal values replaced by placeholders',
      ].join('\n'),
    );
    expect(defect).not.toContain("'active'");
    expect(defect).not.toContain('SELECT');
    expect(defect).toContain("Filter: (a.status = '$1'::text)");
    expect(contractProblems(report)).toEqual([]);
  });
});

describe('the 30-second rule', () => {
  let session: SqlSession & { sent: string[] };
  beforeAll(async () => {
    const db = await pglite(`
      CREATE TABLE orders (id int PRIMARY KEY, tenant_id text, created_at date);
      CREATE TABLE order_lines (id int PRIMARY KEY, order_id int, sku text, product_id int);
      CREATE TABLE products (id int PRIMARY KEY, name text);
      INSERT INTO orders SELECT g, 't' || g % 3, date '2026-09-01' + g % 60 FROM generate_series(1, 300) g;
      INSERT INTO order_lines SELECT g, 1 + g % 300, 's' || g, 1 + g % 50 FROM generate_series(1, 900) g;
      INSERT INTO products SELECT g, 'p' || g FROM generate_series(1, 50) g;
      ANALYZE;`);
    session = recording(db.session);
  });
  afterAll(() => session?.close());

  it('over 30 s: nothing is re-run, and the report carries each experiment\'s exact SQL', async () => {
    const sql = "SELECT o.id, l.sku, p.name FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id WHERE o.created_at >= date '2026-10-01' AND o.id > 10";
    const statement = await prepareStatement(sql);
    const result = await explainPlan(session, statement, { kind: 'cluster', id: 'abcdefghijklmnopqrstuvwxyz', region: 'us-east-1' }, { now: NOW }, {
      script: [],
      plan: parsePlanText(fixture('dsql-slow-join.txt')),
    });
    expect(session.sent.filter((q) => /EXPLAIN|SET LOCAL/.test(q))).toEqual([]);
    expect(result.experiments!.status).toBe('skipped');
    const report = renderReport(result);
    expect(contractProblems(report)).toEqual([]);
    expect(report).toContain('Skipped: the query ran for 45.2 s (over 30 s), so re-running it for each experiment was not done.');
    expect(report).toContain('`scripts/psql-connect.ts --cluster abcdefghijklmnopqrstuvwxyz -f experiment.sql`');
    for (const setting of ['enable_nestloop', 'enable_hashjoin', 'enable_seqscan', 'enable_indexscan']) {
      expect(report).toContain(['```sql', 'BEGIN READ ONLY;', `SET LOCAL ${setting} = off;`, `EXPLAIN ANALYZE VERBOSE ${sql};`, 'ROLLBACK;', '```'].join('\n'));
    }
    // The implied range: o.id > 10 holds for l.order_id too (o.id = l.order_id).
    const implied = result.experiments!.experiments.find((e) => e.id === 'implied-range')!;
    expect(implied.added).toEqual(['l.order_id > 10']);
    expect(report).toContain(`EXPLAIN ANALYZE VERBOSE ${implied.sql};`);
  });

  it('at exactly 30 s the experiments run; just over, they do not', async () => {
    const sql = 'SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id';
    const plan = (ms: string) =>
      parsePlanText(`Hash Join  (cost=1.00..2.00 rows=900 width=4) (actual time=0.1..1.0 rows=900 loops=1)\n  Hash Cond: (l.order_id = o.id)\nExecution Time: ${ms} ms`);
    const experiments = [{ id: 'x', label: 'enable_hashjoin off', kind: 'setting' as const, reason: 'test', settings: { enable_hashjoin: 'off' as const }, sql, script: experimentScript(sql, { enable_hashjoin: 'off' }) }];
    expect((await runExperiments(session, sql, plan('30000.000'), experiments)).status).toBe('ran');
    expect((await runExperiments(session, sql, plan('30000.001'), experiments)).status).toBe('skipped');
  });

  it("turns DSQL's batched nested-loop join off with its own setting, and nested loops with the standard one", () => {
    const plan = parsePlanText(
      [
        'Nested Loop (Batched Join)  (cost=0.00..10.00 rows=10 width=8) (actual time=0.1..0.5 rows=12 loops=1)',
        '  ->  Full Scan (btree-table) on orders o  (cost=0.00..5.00 rows=10 width=8) (actual time=0.05..0.2 rows=10 loops=1)',
        '  ->  Index Scan using customers_pkey on customers c  (cost=0.00..0.50 rows=1 width=8) (actual time=0.01..0.02 rows=1 loops=10)',
        'Execution Time: 0.6 ms',
      ].join('\n'),
    );
    const experiments = settingExperiments('SELECT 1', plan);
    expect(experiments.map((e) => e.id)).toEqual(['dsql.enable_batched_nestloop-off', 'enable_nestloop-off', 'enable_seqscan-off', 'enable_indexscan-off']);
    expect(experiments[0]!.script).toContain('SET LOCAL dsql.enable_batched_nestloop = off');
  });

  it('refuses a planner setting DSQL does not let a session change, and allows its own', () => {
    expect(() => experimentScript('SELECT 1', { work_mem: 'off' } as never)).toThrow(/cannot be SET on DSQL/);
    expect(() => experimentScript('SELECT 1', { 'enable_x; DROP TABLE t': 'off' } as never)).toThrow(/cannot be SET on DSQL/);
    expect(experimentScript('SELECT 1', { 'dsql.enable_batched_nestloop': 'off' })[1]).toBe('SET LOCAL dsql.enable_batched_nestloop = off');
  });
});
