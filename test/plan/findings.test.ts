// Findings, anomalies and the report on DSQL-shaped plan fixtures, with the catalog facts given
// as data (what gatherEvidence returns for tables of that size).
import { describe, expect, it } from 'vitest';
import { findAnomalies, redactPlan } from '../../scripts/lib/plan/anomaly.js';
import type { Evidence, TableEvidence } from '../../scripts/lib/plan/evidence.js';
import { findings, indexCovers } from '../../scripts/lib/plan/findings.js';
import { planMetrics } from '../../scripts/lib/plan/metrics.js';
import { parsePlanText } from '../../scripts/lib/plan/text.js';
import { checkStatement } from '../../scripts/lib/rules/index.js';
import { loadParser, parseSql } from '../../scripts/lib/sql/parser.js';
import { fixture } from './support.js';

function table(name: string, rows: number, columns: string[], indexes: [string, string, boolean?][], extra: Partial<TableEvidence> = {}): TableEvidence {
  return {
    refs: [name],
    schema: 'public',
    name,
    kind: 'table',
    reltuples: rows,
    relpages: 0,
    count: rows,
    staleness: 0,
    columns,
    predicateColumns: [],
    stats: [],
    unanalyzedColumns: [],
    indexes: indexes.map(([n, def, primary]) => ({ name: n, definition: def, valid: true, primary: primary ?? false })),
    ...extra,
  };
}

const orders = table('orders', 200_000, ['id', 'tenant_id', 'created_at', 'total'], [
  ['orders_pkey', 'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)', true],
  ['orders_tenant_idx', 'CREATE INDEX orders_tenant_idx ON public.orders USING btree (tenant_id)'],
]);
const lines = table('order_lines', 900_000, ['id', 'order_id', 'sku', 'product_id'], [
  ['order_lines_pkey', 'CREATE UNIQUE INDEX order_lines_pkey ON public.order_lines USING btree (order_id, id)', true],
]);

// findings() reads keyword categories from the parser, and the describe blocks below call it.
await loadParser();

describe('findings on the nested-loop fixture', () => {
  const plan = parsePlanText(fixture('dsql-nested-loop.txt'));
  const metrics = planMetrics(plan);
  const list = findings(plan, metrics, { tables: [orders, lines], unresolved: [] });

  it('finds the loop, the correlated estimate at its source and the lookups, ordered by node duration', () => {
    expect(list.map((f) => [f.kind, f.severity])).toEqual([
      ['nested-loop', 'high'],
      ['estimation-error', 'moderate'],
      ['storage-lookup', 'moderate'],
    ]);
    const durations = list.map((f) => f.durationMs!);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(list[1]!.cause).toMatch(/tenant_id and created_at are correlated/);
    expect(list[1]!.observed).toMatch(/^estimated 12 rows, actual 48,210 per loop × 1 loops \(severe, underestimate\)/);
  });

  it('recommends valid DSQL only, once: the composite index covers the lookups, and the primary key is never INCLUDEd', () => {
    expect(list[1]!.sql).toEqual([
      'CREATE STATISTICS orders_tenant_id_created_at_dep (dependencies) ON tenant_id, created_at FROM orders;',
      'ANALYZE orders;',
      'CREATE INDEX ASYNC orders_tenant_id_created_at_idx ON orders (tenant_id, created_at);',
    ]);
    expect(list[2]!.sql).toBeUndefined();
    expect(list[2]!.recommendation).toMatch(/earlier finding covers this/);
    for (const sql of list.flatMap((f) => f.sql ?? [])) {
      for (const st of parseSql(sql)) expect(checkStatement(st).filter((x) => x.severity === 'error'), sql).toEqual([]);
    }
    expect(indexCovers('CREATE INDEX ASYNC a ON t (x, y);', 'CREATE INDEX ASYNC b ON t (x) INCLUDE (y);')).toBe(true);
    expect(indexCovers('CREATE INDEX ASYNC a ON t (y, x);', 'CREATE INDEX ASYNC b ON t (x) INCLUDE (y);')).toBe(false);
  });

  it('sees no anomaly when the tables are as large as the plan says', () => {
    expect(findAnomalies(metrics, { tables: [orders, lines], unresolved: [] })).toEqual([]);
  });
});

describe('findings on the full-scan fixture', () => {
  const plan = parsePlanText(fixture('dsql-full-scan.txt'));
  const tx = table('transaction', 100_000, ['id', 'account_id', 'transaction_date', 'description'], [
    ['transaction_pkey', 'CREATE UNIQUE INDEX transaction_pkey ON public.transaction USING btree (id)', true],
  ]);
  const list = findings(plan, planMetrics(plan), { tables: [tx], unresolved: [] });

  it('reports the full scan that throws most rows away, indexing the range column and not the LIKE \'%...\' one', () => {
    const f = list.find((x) => x.kind === 'full-scan')!;
    expect(f.title).toBe('Full scan of transaction keeps under 1% of the rows it reads');
    expect(f.severity).toBe('critical');
    expect(f.sql).toEqual(['CREATE INDEX ASYNC transaction_transaction_date_idx ON transaction (transaction_date);']);
    expect(f.cause).toMatch(/no index matches transaction_date, description/);
  });

  it('reports stale statistics when reltuples and count(*) disagree by more than 20%', () => {
    const stale = table('transaction', 100_000, tx.columns, [], { reltuples: 40_000, staleness: 0.6 });
    const f = findings(plan, planMetrics(plan), { tables: [stale], unresolved: [] }).find((x) => x.kind === 'stale-statistics')!;
    expect(f.observed).toBe('transaction: reltuples 40,000 against count(*) 100,000 (off by 60%)');
    expect(f.sql).toEqual(['ANALYZE transaction;']);
  });
});

describe('recommended SQL for names that are SQL keywords', () => {
  it('quotes reserved words (a table "user", a column "order") so the statements parse', () => {
    const plan = parsePlanText(
      'Seq Scan on public."user" u  (cost=0.00..2000.00 rows=10 width=8) (actual time=0.1..90.0 rows=10 loops=1)\n  Filter: (u."order" = 5)\n  Rows Removed by Filter: 99990\nExecution Time: 90.5 ms',
    );
    const user = table('user', 100_000, ['id', 'order', 'name'], [], { reltuples: 40_000, staleness: 0.6 });
    const sql = findings(plan, planMetrics(plan), { tables: [user], unresolved: [] }).flatMap((f) => f.sql ?? []);
    expect(sql).toEqual(['ANALYZE "user";', 'CREATE INDEX ASYNC user_order_idx ON "user" ("order");']);
    for (const q of sql) for (const st of parseSql(q)) expect(checkStatement(st).filter((x) => x.severity === 'error'), q).toEqual([]);
  });
});

describe('anomalies', () => {
  const plan = parsePlanText(fixture('dsql-anomaly.txt'));
  const accounts = table('accounts', 200, ['id', 'status'], []);

  it('flags actual rows far beyond the table, and estimates only far beyond a few thousand', () => {
    const metrics = planMetrics(plan);
    expect(findAnomalies(metrics, { tables: [accounts], unresolved: [] }).map((a) => [a.nodeId, a.field])).toEqual([
      [1, 'actual'],
      [2, 'actual'],
    ]);
    const estimateOnly = parsePlanText('Seq Scan on public.accounts  (cost=0.00..1.00 rows=9000000000 width=4) (actual time=0.1..0.2 rows=150 loops=1)');
    expect(findAnomalies(planMetrics(estimateOnly), { tables: [accounts], unresolved: [] }).map((a) => a.field)).toEqual(['estimate']);
    const guess = parsePlanText('Seq Scan on public.accounts  (cost=0.00..1.00 rows=2550 width=4) (actual time=0.1..0.2 rows=0 loops=1)');
    expect(findAnomalies(planMetrics(guess), { tables: [table('accounts', 0, [], [])], unresolved: [] })).toEqual([]);
  });

  it('replaces literal values in the plan and keeps its shape', () => {
    const text = redactPlan(parsePlanText("Seq Scan on public.t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n  Output: id, 'it''s'::text\n  Filter: ((t.a = 'x'::text) AND (t.b > 42) AND (t.c = 'x'::text) AND (t.col2 < -1.5))\n  Rows Removed by Filter: 12"));
    expect(text.split('\n')).toEqual([
      'Seq Scan on public.t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)',
      "  Output: id, '$1'::text",
      "  Filter: ((t.a = '$2'::text) AND (t.b > ?) AND (t.c = '$2'::text) AND (t.col2 < ?))",
      '  Rows Removed by Filter: 12',
    ]);
  });

  it('replaces a literal that spans lines, and values in function calls and run conditions', () => {
    // EXPLAIN prints a literal's line break as is, so the value continues on the next line.
    const text = redactPlan(
      parsePlanText(
        "Nested Loop  (cost=0.00..9.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n  ->  Seq Scan on public.\"it's\" n  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n        Filter: ((n.x > 17) AND (n.note = 'secret\nline 4242'::text))\n  ->  Function Scan on pg_catalog.generate_series g  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n        Function Call: generate_series(1, 4242)\n        Run Condition: (row_number() OVER (?) <= 10)",
      ),
    );
    expect(text).not.toMatch(/secret|4242|17|10\)/);
    expect(text).toContain('->  Seq Scan on public."it\'s" n  (cost=0.00..1.00 rows=1 width=4)');
    expect(text).toContain("Filter: ((n.x > ?) AND (n.note = '$1'::text))");
  });
});
