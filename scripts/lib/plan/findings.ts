// Findings: what in the plan costs time and why, each tied to a node (for ordering by duration),
// with numbers from the plan or the catalog and, where a change is clear, its exact SQL.
// Thresholds are those of references/query-plan/plan-interpretation.md.
import { isBareIdentifier } from '../sql/parser.js';
import { quoteIdent, STALE_SHARE, tableForRelation, type Evidence, type TableEvidence } from './evidence.js';
import { bareName, type NodeMetrics } from './metrics.js';
import { detail, type ParsedPlan, type PlanNode } from './text.js';

export type Severity = 'critical' | 'high' | 'moderate' | 'low';

export interface Finding {
  title: string;
  severity: Severity;
  observed: string;
  cause: string;
  recommendation: string;
  /** Exact SQL for the recommendation (DDL, ANALYZE), when there is one. */
  sql?: string[];
  expectedImpact: string;
  /** The node it concerns and that node's duration (the ordering key). */
  nodeId: number;
  durationMs?: number;
  kind: string;
}

const n = (v: number | undefined | null, digits = 0): string =>
  v === undefined || v === null ? 'unknown' : v.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (v: number | undefined) => (v === undefined ? 'unknown' : `${n(v, 3)} ms`);
const percent = (v: number) => (v > 0 && v < 0.005 ? 'under 1%' : v < 1 && v > 0.995 ? 'over 99%' : `${Math.round(v * 100)}%`);

/** Severity by the node's share of execution time (report-format.md). */
export function severityFor(share: number | undefined, clearFix: boolean): Severity {
  if (share !== undefined && share > 0.5 && clearFix) return 'critical';
  if (share !== undefined && share > 0.25) return 'high';
  return 'moderate';
}

const qualified = (t: TableEvidence) => (t.schema === 'public' ? quoteIfNeeded(t.name) : `${quoteIfNeeded(t.schema)}.${quoteIfNeeded(t.name)}`);

/** An identifier as PostgreSQL would need it: bare when it is lower-case, plain and not a reserved word. */
export function quoteIfNeeded(name: string): string {
  return isBareIdentifier(name) ? name : quoteIdent(name);
}

/** Column names of `table` that appear in a plan condition: equality columns first, then the rest in order. */
export function conditionColumns(condition: string, table: TableEvidence): string[] {
  return columnsByKind(condition, table).all;
}

type Use = 'equality' | 'range' | 'other';

/**
 * The columns of a condition by how they are compared: `=` and `IS` (equality), `<`, `>`, `BETWEEN`
 * and prefix `LIKE` (range; DSQL's C collation lets a btree serve a prefix), anything else
 * (`<>`, `LIKE '%...'`, a function around the column), which no index key helps.
 */
export function columnsByKind(condition: string, table: TableEvidence): { all: string[]; equality: string[]; indexable: string[] } {
  const found: { column: string; at: number; use: Use }[] = [];
  for (const column of table.columns) {
    const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?:^|[^\\w."])(?:[\\w"]+\\.)?"?${escaped}"?(?![\\w"])(?:\\s*(=|<>|!=|<=|>=|<|>|~~\\*?|IS)(\\s*'(%)?)?)?`, 'g');
    let use: Use | undefined;
    let at = -1;
    for (const m of condition.matchAll(re)) {
      const op = m[1];
      const u: Use = op === '=' || op === 'IS' ? 'equality' : op && /^[<>]=?$/.test(op) ? 'range' : op === '~~' && m[2] && !m[3] ? 'range' : 'other';
      if (use === undefined || rank(u) < rank(use)) use = u;
      if (at === -1) at = m.index;
    }
    if (use) found.push({ column, at, use });
  }
  found.sort((a, b) => rank(a.use) - rank(b.use) || a.at - b.at);
  return {
    all: found.map((f) => f.column),
    equality: found.filter((f) => f.use === 'equality').map((f) => f.column),
    indexable: found.filter((f) => f.use !== 'other').map((f) => f.column),
  };
}

const rank = (u: Use) => (u === 'equality' ? 0 : u === 'range' ? 1 : 2);

const indexName = (table: TableEvidence, columns: string[]) => `${table.name}_${columns.join('_')}_idx`.slice(0, 63);

const CREATE_INDEX = /^CREATE INDEX ASYNC \S+ ON (\S+) \(([^)]*)\)(?: INCLUDE \(([^)]*)\))?;$/;

/** Whether the index statement `a` makes the index statement `b` unnecessary. */
export function indexCovers(a: string, b: string): boolean {
  const x = CREATE_INDEX.exec(a);
  const y = CREATE_INDEX.exec(b);
  if (!x || !y || x[1] !== y[1]) return false;
  const cols = (m: RegExpExecArray) => [...m[2]!.split(', '), ...(m[3] ? m[3].split(', ') : [])];
  const have = cols(x);
  return x[2]!.split(', ')[0] === y[2]!.split(', ')[0] && cols(y).every((c) => have.includes(c));
}

/** The key columns of an index definition: `CREATE INDEX x ON t USING btree (a, "B")` gives a, B. */
function indexColumns(definition: string): string[] {
  return /\(([^)]*)\)/.exec(definition)?.[1]?.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')) ?? [];
}

function primaryKeyColumns(table: TableEvidence): string[] {
  const pk = table.indexes.find((ix) => ix.primary);
  return pk ? indexColumns(pk.definition) : [];
}

/** CREATE INDEX ASYNC for DSQL (at most 8 key columns), unless an index already leads with those columns. */
function indexSql(table: TableEvidence, columns: string[], include: string[] = []): string | undefined {
  const keys = columns.slice(0, 8);
  if (keys.length === 0) return undefined;
  const leads = table.indexes.some((ix) => {
    const cols = indexColumns(ix.definition);
    return keys.every((k, i) => cols[i] === k) && include.every((c) => ix.definition.includes(c));
  });
  if (leads) return undefined;
  // Every DSQL secondary index already carries the primary key.
  const primary = primaryKeyColumns(table);
  const inc = include.filter((c) => !keys.includes(c) && !primary.includes(c));
  return `CREATE INDEX ASYNC ${quoteIfNeeded(indexName(table, keys))} ON ${qualified(table)} (${keys.map(quoteIfNeeded).join(', ')})${inc.length ? ` INCLUDE (${inc.map(quoteIfNeeded).join(', ')})` : ''};`;
}

const SCAN = /^(Seq Scan|Full Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)/;

interface Context {
  plan: ParsedPlan;
  metrics: NodeMetrics[];
  evidence: Evidence;
}

function metricsOf(ctx: Context, node: PlanNode): NodeMetrics {
  return ctx.metrics[node.id]!;
}

/** The slowest node that reads a table (to anchor table-level findings). */
function slowestNodeOn(ctx: Context, table: TableEvidence): NodeMetrics | undefined {
  return ctx.metrics
    .filter((m) => m.relation !== undefined && tableForRelation(ctx.evidence, m.relation, m.node.alias) === table)
    .sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0))[0];
}

function staleStatistics(ctx: Context): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.evidence.tables) {
    const anchor = slowestNodeOn(ctx, t);
    const never = t.reltuples === null || (t.predicateColumns.length > 0 && t.unanalyzedColumns.length === t.predicateColumns.length);
    const stale = t.staleness !== undefined && t.staleness > STALE_SHARE;
    if (!stale && !never) continue;
    const observed = never
      ? `${qualified(t)} has ${t.reltuples === null ? 'no row estimate (reltuples −1)' : `reltuples ${n(t.reltuples)}`} and no pg_stats rows for ${t.unanalyzedColumns.join(', ') || 'its columns'}${t.count !== undefined ? `; count(*) is ${n(t.count)}` : ''}`
      : `${qualified(t)}: reltuples ${n(t.reltuples)} against count(*) ${n(t.count)} (off by ${percent(t.staleness!)})`;
    out.push({
      kind: 'stale-statistics',
      title: `${never ? 'Missing' : 'Stale'} statistics on ${t.name}`,
      severity: severityFor(anchor?.shareOfExecution, true),
      observed,
      cause: never
        ? 'the table was never analyzed, so the planner guesses row counts and value distributions'
        : 'the statistics describe an older state of the table, so row estimates for it are wrong',
      recommendation: `Refresh the statistics, then capture the plan again.`,
      sql: [`ANALYZE ${qualified(t)};`],
      expectedImpact: 'row estimates for this table follow its real size and distribution; join order and scan choices that depend on them may change',
      nodeId: anchor?.node.id ?? 0,
      durationMs: anchor?.durationMs,
    });
  }
  return out;
}

/** Nodes whose estimate is off by 5× or more and whose children are not (where the error starts). */
function estimationErrors(ctx: Context): Finding[] {
  const out: Finding[] = [];
  for (const m of ctx.metrics) {
    const e = m.error;
    if (!e || (e.band !== 'significant' && e.band !== 'severe')) continue;
    if (e.direction === 'over' && m.underLimit) continue;
    if (/^(Storage|B-Tree) /.test(m.node.name) || m.node.name === 'Hash' || m.node.name === 'Materialize') continue;
    // DSQL's Storage/B-Tree nodes below a scan are the same read: the error starts at the scan.
    const inherited = m.node.children.filter((c) => !/^(Storage|B-Tree) /.test(c.name)).some((c) => {
      const ce = metricsOf(ctx, c).error;
      return ce && ce.direction === e.direction && ce.factor >= e.factor / 2 && ce.factor >= 5;
    });
    if (inherited) continue;
    const table = tableForRelation(ctx.evidence, m.relation, m.node.alias);
    const conditions = m.filters.map((f) => f.condition).join(' AND ');
    const byKind = table ? columnsByKind(conditions, table) : { all: [], equality: [], indexable: [] };
    const columns = byKind.all;
    const staleTable = table && ((table.staleness ?? 0) > STALE_SHARE || table.reltuples === null);
    const isJoin = /Join|Nested Loop/.test(m.node.name);
    let cause: string;
    let recommendation: string;
    let sql: string[] | undefined;
    if (staleTable) {
      cause = `the statistics of ${table!.name} are stale or missing (see Evidence)`;
      recommendation = `Run ANALYZE on ${table!.name} (see the stale-statistics finding) and capture the plan again.`;
    } else if (table && columns.length >= 2 && e.direction === 'under') {
      cause = `the conditions on ${columns.join(' and ')} are correlated: the planner multiplies their selectivities as if independent, so it expects far fewer rows`;
      // Functional dependencies are used for equality conditions; with fewer than two, cover them all.
      const related = (byKind.equality.length >= 2 ? byKind.equality : columns).slice(0, 8);
      const stats = `CREATE STATISTICS ${quoteIfNeeded(`${table.name}_${related.join('_')}_dep`.slice(0, 63))} (dependencies) ON ${related
        .map(quoteIfNeeded)
        .join(', ')} FROM ${qualified(table)};`;
      sql = [stats, `ANALYZE ${qualified(table)};`];
      const index = indexSql(table, byKind.indexable);
      if (index) sql.push(index);
      recommendation = `Tell the planner the columns move together with extended statistics (at most 5 per table), then ANALYZE${index ? '; a composite index led by the equality column also narrows the read' : ''}.`;
    } else if (isJoin) {
      cause = 'the join condition matches more (or fewer) rows than the column statistics suggest, often because the join columns are correlated with the filters';
      recommendation = 'Check the redundant-predicate and planner experiments below; state implied predicates on both sides of the join when the data guarantees them.';
    } else {
      cause = table ? `the statistics for ${table.name} do not describe the rows these conditions select` : 'the planner lacks statistics for this node';
      recommendation = table ? `Check pg_stats for ${columns.join(', ') || 'the filtered columns'} (Evidence) and run ANALYZE ${table.name} if they are missing or old.` : 'Check the statistics of the tables below this node.';
    }
    out.push({
      kind: 'estimation-error',
      title: `Row estimate off by ${n(e.factor, 1)}× at ${m.node.header}`,
      severity: e.band === 'severe' ? severityFor(m.shareOfExecution, sql !== undefined) : 'moderate',
      observed: `estimated ${n(m.node.estimate?.rows, 2)} rows, actual ${n(m.node.actual?.rows, 2)} per loop × ${n(m.node.actual?.loops)} loops (${e.band}, ${e.direction === 'under' ? 'underestimate' : 'overestimate'}); node duration ${ms(m.durationMs)}`,
      cause,
      recommendation,
      sql,
      expectedImpact: 'better estimates let the planner pick join methods and order for the real row counts; the gain depends on how far the current plan is from the best one (see Experiments)',
      nodeId: m.node.id,
      durationMs: m.durationMs,
    });
  }
  return out;
}

function wastefulScans(ctx: Context): Finding[] {
  const out: Finding[] = [];
  for (const m of ctx.metrics) {
    if (!SCAN.test(m.node.name) || !m.node.actual) continue;
    const table = tableForRelation(ctx.evidence, m.relation, m.node.alias);
    // The storage filter of a DSQL scan is printed on its Storage Scan child.
    const storage = m.node.children.map((c) => metricsOf(ctx, c)).flatMap((c) => c.filters.filter((f) => f.level === 'Storage Filter'));
    const filters = [...m.filters.filter((f) => f.level === 'Filter' || f.level === 'Storage Filter'), ...storage];
    const worst = filters.filter((f) => f.selectivity !== undefined).sort((a, b) => b.selectivity! - a.selectivity!)[0];
    const read = worst ? (worst.removed! + worst.kept!) * m.node.actual.loops : undefined;
    const full = /^(Seq Scan|Full Scan)/.test(m.node.name);
    if (!worst || worst.selectivity! <= 0.5 || (read ?? 0) < 1000) continue;
    const cols = table ? conditionColumns(filters.map((f) => f.condition).join(' AND '), table) : [];
    // The new index covers the filter (and, for an index scan, its own condition): equality
    // columns first, then ranges; columns compared in ways no btree key serves are left out.
    const indexCols = table ? columnsByKind([full ? '' : (detail(m.node, 'Index Cond') ?? ''), ...filters.map((f) => f.condition)].join(' AND '), table).indexable : [];
    const sql = table ? indexSql(table, indexCols) : undefined;
    out.push({
      kind: full ? 'full-scan' : 'filter-after-index',
      title: full ? `Full scan of ${bareName(m.relation ?? '?')} keeps ${percent(1 - worst.selectivity!)} of the rows it reads` : `${m.node.name} on ${bareName(m.relation ?? '?')} filters most rows after the index`,
      severity: severityFor(m.shareOfExecution, sql !== undefined),
      observed: `${worst.level} \`${worst.condition}\` removed ${n(worst.removed)} and kept ${n(worst.kept)} rows per loop (${percent(worst.selectivity!)} removed) × ${n(m.node.actual.loops)} loops; node duration ${ms(m.durationMs)}`,
      cause: full
        ? `no index matches ${cols.join(', ') || 'the filtered columns'}, so every row is read and most are thrown away`
        : `the index does not contain ${cols.join(', ') || 'the filtered columns'}, so rows are fetched and then discarded`,
      recommendation: sql
        ? `Create an index led by the equality column${cols.length > 1 ? 's' : ''} of the filter (DSQL builds it asynchronously; wait for the job in sys.jobs before measuring again).`
        : 'An index on the filtered columns already exists or none can be named from the plan: check the Evidence for an index that is not valid yet, and the column order of existing indexes.',
      sql: sql ? [sql] : undefined,
      expectedImpact: `fewer rows read from storage for this scan; the gain depends on how selective the indexed columns are (here ${percent(1 - worst.selectivity!)} of the rows read are kept)`,
      nodeId: m.node.id,
      durationMs: m.durationMs,
    });
  }
  return out;
}

function nestedLoops(ctx: Context): Finding[] {
  const out: Finding[] = [];
  for (const m of ctx.metrics) {
    if (!/^Nested Loop/.test(m.node.name)) continue;
    const inner = m.node.children[1];
    if (!inner?.actual || inner.actual.loops < 1000) continue;
    const im = metricsOf(ctx, inner);
    if ((im.shareOfExecution ?? 0) < 0.25) continue;
    const outer = m.node.children[0]!;
    out.push({
      kind: 'nested-loop',
      title: `Nested loop repeats ${inner.header} ${n(inner.actual.loops)} times`,
      severity: severityFor(m.shareOfExecution, false),
      observed: `inner node: ${ms(inner.actual.endMs)} per loop × ${n(inner.actual.loops)} loops = ${ms(im.durationMs)}; the outer side was estimated at ${n(outer.estimate?.rows, 2)} rows and produced ${n(outer.actual ? outer.actual.rows * outer.actual.loops : undefined)}`,
      cause:
        outer.estimate && outer.actual && outer.actual.rows > outer.estimate.rows * 5
          ? 'the planner expected few outer rows, so repeating the inner side looked cheap'
          : 'the inner side runs once per outer row, and each run is not cheap enough for this many rows',
      recommendation: 'Fix the outer estimate (see the other findings), or give the inner side an index on the join key; the enable_nestloop experiment shows what the alternative costs.',
      expectedImpact: 'a hash or merge join reads the inner side once; the gain depends on the real outer row count',
      nodeId: m.node.id,
      durationMs: m.durationMs,
    });
  }
  return out;
}

function storageLookups(ctx: Context): Finding[] {
  const out: Finding[] = [];
  for (const m of ctx.metrics) {
    if (!/^Storage Lookup/.test(m.node.name) || !m.node.actual) continue;
    const volume = m.node.actual.rows * m.node.actual.loops;
    if (volume <= 10_000) continue;
    const table = tableForRelation(ctx.evidence, m.node.relation, m.node.alias);
    const projections = detail(m.node, 'Projections');
    const parent = ctx.plan.nodes.find((p) => p.children.includes(m.node));
    const include = table && projections ? conditionColumns(projections, table) : [];
    const keys = table && parent ? conditionColumns(detail(parent, 'Index Cond') ?? '', table) : [];
    const sql = table && keys.length ? indexSql(table, keys, include) : undefined;
    out.push({
      kind: 'storage-lookup',
      title: `${n(volume)} row lookups on ${bareName(m.node.relation ?? '?')}`,
      severity: severityFor(m.shareOfExecution, sql !== undefined),
      observed: `Storage Lookup returned ${n(m.node.actual.rows, 2)} rows per loop × ${n(m.node.actual.loops)} loops; node duration ${ms(m.durationMs)}${projections ? `; columns fetched: ${projections}` : ''}`,
      cause: 'the index used does not carry the columns the query needs, so each matching row is fetched from the table by primary key',
      recommendation: sql ? 'Add the fetched columns to the index with INCLUDE so the scan needs no lookups.' : 'Select fewer columns, or cover them with an index that INCLUDEs them.',
      sql: sql ? [sql] : undefined,
      expectedImpact: 'an Index Only Scan without per-row lookups; the gain grows with the number of rows matched',
      nodeId: m.node.id,
      durationMs: m.durationMs,
    });
  }
  return out;
}

function spills(ctx: Context): Finding[] {
  const out: Finding[] = [];
  for (const m of ctx.metrics) {
    const sort = detail(m.node, 'Sort Method');
    const batches = /Batches: (\d+)/.exec(m.node.details.map((d) => `${d.key}: ${d.value}`).join(' '));
    const spilled = (sort && /external|Disk/.test(sort)) || (batches && Number(batches[1]) > 1);
    if (!spilled) continue;
    out.push({
      kind: 'spill',
      title: `${m.node.name} spills to temporary storage`,
      severity: 'moderate',
      observed: sort ? `Sort Method: ${sort}` : `hash table in ${batches![1]} batches`,
      cause: 'the rows do not fit in working memory, and DSQL caps a query at 128 MiB of temporary space',
      recommendation: 'Reduce the rows reaching this node (filter earlier, select fewer columns) or let an index provide the order.',
      expectedImpact: 'no temporary files; large inputs may otherwise hit the temporary-space limit',
      nodeId: m.node.id,
      durationMs: m.durationMs,
    });
  }
  return out;
}

function hygiene(ctx: Context): Finding[] {
  const out: Finding[] = [];
  const root = ctx.plan.root;
  const output = detail(root, 'Output');
  const columns = output ? output.split(/,\s*(?![^()]*\))/).length : 0;
  if ((root.estimate?.width ?? 0) > 5000 || columns >= 50) {
    out.push({
      kind: 'wide-rows',
      title: 'Wide result rows',
      severity: 'low',
      observed: `${columns} output columns, estimated width ${n(root.estimate?.width)} bytes per row`,
      cause: 'every column selected is read from storage and shipped to the query processor',
      recommendation: 'Select only the columns the caller uses.',
      expectedImpact: 'less data moved per row; matters most for large results',
      nodeId: root.id,
      durationMs: ctx.metrics[0]?.durationMs,
    });
  }
  for (const t of ctx.evidence.tables) {
    for (const ix of t.indexes.filter((i) => !i.valid)) {
      out.push({
        kind: 'invalid-index',
        title: `Index ${ix.name} is not usable yet`,
        severity: 'low',
        observed: `pg_index.indisvalid is false for ${ix.name} on ${t.name}`,
        cause: 'the index is still being built (CREATE INDEX ASYNC) or its build failed',
        recommendation: 'Check its job in sys.jobs; capture the plan again once it completes, or recreate it if it failed.',
        sql: ["SELECT job_id, status, details FROM sys.jobs WHERE job_type = 'INDEX_BUILD';"],
        expectedImpact: 'the planner can use the index once it is valid',
        nodeId: slowestNodeOn(ctx, t)?.node.id ?? 0,
        durationMs: slowestNodeOn(ctx, t)?.durationMs,
      });
    }
  }
  return out;
}

/** All findings, ordered by the duration of their node, highest first. */
export function findings(plan: ParsedPlan, metrics: NodeMetrics[], evidence: Evidence): Finding[] {
  const ctx: Context = { plan, metrics, evidence };
  const all = [...staleStatistics(ctx), ...estimationErrors(ctx), ...wastefulScans(ctx), ...nestedLoops(ctx), ...storageLookups(ctx), ...spills(ctx), ...hygiene(ctx)];
  const rank: Record<Severity, number> = { critical: 0, high: 1, moderate: 2, low: 3 };
  all.sort((a, b) => (b.durationMs ?? -1) - (a.durationMs ?? -1) || rank[a.severity] - rank[b.severity] || a.nodeId - b.nodeId);
  // A statement is recommended once, by the first finding that names it; an index is dropped
  // when an earlier one on the same table has the same first column and every column it has.
  const earlier: string[] = [];
  for (const f of all) {
    if (!f.sql) continue;
    f.sql = f.sql.filter((q) => !earlier.some((e) => e === q || indexCovers(e, q)));
    earlier.push(...f.sql);
    if (f.sql.length === 0) {
      f.sql = undefined;
      f.recommendation += ' The statement recommended by an earlier finding covers this.';
    }
  }
  return all;
}
