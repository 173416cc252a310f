// The EXPLAIN text parser on DSQL-shaped plans (written from the node names AWS documents) and on
// real plans captured from PostgreSQL 18 (PGlite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureExplain } from '../../scripts/lib/plan/capture.js';
import { planMetrics, planShape, rowsReturned, topJoin, isDisabledNode, estimationError, errorBand } from '../../scripts/lib/plan/metrics.js';
import type { SqlSession } from '../../scripts/lib/plan/session.js';
import { detail, parsePlanText, PlanParseError } from '../../scripts/lib/plan/text.js';
import { fixture, pglite } from './support.js';

describe('DSQL plan text', () => {
  const plan = parsePlanText(fixture('dsql-nested-loop.txt'));

  it('builds the tree from the indentation, DSQL storage nodes included', () => {
    expect(plan.nodes.map((n) => `${'  '.repeat(depth(plan.root, n))}${n.name}`)).toEqual([
      'Nested Loop',
      '  Index Scan',
      '    Storage Scan',
      '      B-Tree Scan',
      '    Storage Lookup',
      '      B-Tree Lookup',
      '  Index Only Scan',
      '    Storage Scan',
      '      B-Tree Scan',
    ]);
    const scan = plan.nodes[1]!;
    expect(scan).toMatchObject({ index: 'orders_tenant_idx', relation: 'public.orders', alias: 'o' });
    expect(plan.nodes[2]).toMatchObject({ name: 'Storage Scan', index: 'orders_tenant_idx', relation: undefined });
    expect(plan.nodes[4]).toMatchObject({ name: 'Storage Lookup', relation: 'orders' });
  });

  it('reads estimates, actuals and details of every node', () => {
    const scan = plan.nodes[1]!;
    expect(scan.estimate).toEqual({ startupCost: 100.29, totalCost: 612.4, rows: 12, width: 16 });
    expect(scan.actual).toEqual({ startMs: 0.842, endMs: 120.21, rows: 48210, loops: 1 });
    expect(detail(scan, 'Index Cond')).toBe("(o.tenant_id = 'acme'::text)");
    expect(detail(scan, 'Rows Removed by Filter')).toBe('1790');
    expect(detail(plan.nodes[2]!, 'Projections')).toBe('tenant_id, id');
    expect(plan.nodes[6]!.actual?.loops).toBe(48210);
  });

  it('keeps the footer values verbatim, DPU estimate included', () => {
    expect(plan.footer).toMatchObject({
      queryIdentifier: 'qymgw1m77maoe',
      planningTime: '11.415 ms',
      executionTime: '2140.528 ms',
      planningMs: 11.415,
      executionMs: 2140.528,
      dpu: { compute: '0.01607 DPU', read: '0.04312 DPU', write: '0.00000 DPU', total: '0.05919 DPU' },
    });
  });

  it('computes node duration (end × loops), self time and the estimation error band', () => {
    const m = planMetrics(plan);
    const inner = m[6]!;
    expect(inner.durationMs).toBeCloseTo(0.041 * 48210, 6);
    expect(m[0]!.selfMs).toBeCloseTo(2131.884 - 120.21 - 0.041 * 48210, 6);
    expect(m[1]!.error).toMatchObject({ direction: 'under', band: 'severe' });
    expect(m[1]!.error!.factor).toBeCloseTo(48210 / 12, 6);
    expect(m[2]!.relation).toBe('public.orders'); // a Storage Scan reads its parent's table
    expect(m[1]!.filters.find((f) => f.level === 'Filter')).toMatchObject({ removed: 1790, kept: 48210 });
    expect(planShape(plan)).toBe('Nested Loop, Index Scan, Index Only Scan');
    expect(topJoin(plan).name).toBe('Nested Loop');
    expect(rowsReturned(plan)).toBe(48210);
  });

  it('reads the storage filter of a Full Scan (the Filters line DSQL prints under Storage Scan)', () => {
    const full = parsePlanText(fixture('dsql-full-scan.txt'));
    const m = planMetrics(full);
    expect(full.root).toMatchObject({ name: 'Full Scan (btree-table)', relation: 'public.transaction' });
    const storage = m[1]!.filters.find((f) => f.level === 'Storage Filter')!;
    expect(storage.condition).toContain('transaction_date >');
    expect(storage.selectivity).toBeCloseTo(34000 / 100000, 6);
    expect(m[0]!.filters.find((f) => f.level === 'Filter')!.selectivity).toBeCloseTo(65880 / 66000, 6);
  });
});

describe('error bands and disabled nodes', () => {
  it('uses the bands of plan-interpretation.md at their edges', () => {
    expect([1.99, 2, 4.99, 5, 50, 50.01].map(errorBand)).toEqual(['fine', 'minor', 'minor', 'significant', 'significant', 'severe']);
    expect(estimationError(100, 10)).toMatchObject({ factor: 10, direction: 'over' });
    expect(estimationError(1, 0)).toMatchObject({ factor: 1, direction: 'exact' });
  });

  it('recognises a turned-off strategy kept for lack of an alternative (old cost penalty and PostgreSQL 18 marker)', () => {
    const old = parsePlanText('Seq Scan on t  (cost=10000000000.00..10000000001.01 rows=1 width=4) (actual time=0.01..0.02 rows=1 loops=1)\nExecution Time: 0.1 ms');
    const pg18 = parsePlanText('Seq Scan on t  (cost=0.00..1.01 rows=1 width=4) (actual time=0.01..0.02 rows=1.00 loops=1)\n  Disabled: true\nExecution Time: 0.1 ms');
    const plain = parsePlanText('Seq Scan on t  (cost=0.00..1.01 rows=1 width=4) (actual time=0.01..0.02 rows=1.00 loops=1)');
    expect([old.root, pg18.root, plain.root].map(isDisabledNode)).toEqual([true, true, false]);
  });
});

describe('lenient parsing', () => {
  it('strips psql decoration and keeps never-executed nodes', () => {
    const text = [
      '                 QUERY PLAN',
      '----------------------------------------------',
      'Limit  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=0 loops=1)',
      '  ->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (never executed)',
      'Planning Time: 0.100 ms',
      'Execution Time: 0.020 ms',
      '(4 rows)',
    ].join('\n');
    const plan = parsePlanText(text);
    expect(plan.nodes).toHaveLength(2);
    expect(plan.nodes[1]!.neverExecuted).toBe(true);
    expect(plan.nodes[1]!.actual).toBeUndefined();
    expect(plan.footer.executionMs).toBe(0.02);
  });

  it('keeps a value that spans lines (a literal with a line break) with its node, and the tree intact', () => {
    const plan = parsePlanText(
      [
        'Nested Loop  (cost=0.00..9.00 rows=1 width=4) (actual time=0.1..0.9 rows=1 loops=1)',
        '  ->  Full Scan (btree-table) on public.a  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)',
        "        Filter: (a.note = 'first",
        "second'::text)",
        '        ->  Storage Scan on a  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)',
        '  ->  Index Scan using b_pkey on public.b  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)',
      ].join('\n'),
    );
    expect(plan.nodes.map((n) => `${'  '.repeat(depth(plan.root, n))}${n.name}`)).toEqual(['Nested Loop', '  Full Scan (btree-table)', '    Storage Scan', '  Index Scan']);
    expect(detail(plan.nodes[1]!, 'Filter')).toBe("(a.note = 'first second'::text)");
    expect(plan.root.details).toEqual([]);
  });

  it('refuses text that is not a plan', () => {
    expect(() => parsePlanText('')).toThrow(PlanParseError);
    expect(() => parsePlanText('ERROR:  relation "x" does not exist')).toThrow(/first line is not a plan node/);
  });
});

describe('real plans from PostgreSQL 18 (PGlite)', () => {
  let session: SqlSession;
  beforeAll(async () => {
    ({ session } = await pglite(`
      CREATE TABLE a (id int PRIMARY KEY, k int);
      CREATE TABLE b (id int PRIMARY KEY, a_id int);
      INSERT INTO a SELECT g, g % 10 FROM generate_series(1, 2000) g;
      INSERT INTO b SELECT g, 1 + g % 2000 FROM generate_series(1, 4000) g;
      ANALYZE a; ANALYZE b;`));
  });
  afterAll(() => session?.close());

  it('parses every node of a join with subplans, and the numbers add up', async () => {
    const { plan } = await captureExplain(session, 'SELECT a.id, (SELECT max(id) FROM b b2 WHERE b2.a_id = a.id) FROM a JOIN b ON b.a_id = a.id WHERE a.k = 3');
    expect(plan.root.actual).toBeDefined();
    expect(plan.footer.executionMs).toBeGreaterThan(0);
    expect(plan.nodes.some((n) => n.branch?.startsWith('SubPlan'))).toBe(true);
    // Every node line of the text became a node.
    const nodeLines = plan.text.split('\n').filter((l, i) => i === 0 || /^\s*->/.test(l));
    expect(plan.nodes).toHaveLength(nodeLines.length);
    for (const n of plan.nodes) expect(n.estimate, n.header).toBeDefined();
    expect(rowsReturned(plan)).toBe(200 * 2); // k = 3 is 200 rows of a, two rows of b each
  });
});

function depth(root: { children: unknown[] }, target: unknown): number {
  const walk = (n: { children: unknown[] }, d: number): number => {
    if (n === target) return d;
    for (const c of n.children as { children: unknown[] }[]) {
      const r = walk(c, d + 1);
      if (r >= 0) return r;
    }
    return -1;
  };
  return walk(root, 0);
}
