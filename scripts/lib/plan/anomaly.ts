// Implausible row counts: a scan that reports (or expects) far more rows than its table holds is
// not a query problem but a possible engine defect. The query's real result is confirmed with an
// independent count, and the support template of report-format.md is filled with the plan's
// numbers and no customer data (literal values in the plan become placeholders).
import { tableForRelation, type Evidence, type TableEvidence } from './evidence.js';
import type { NodeMetrics } from './metrics.js';
import type { ParsedPlan } from './text.js';

/** How many times the table's size a scan must report before it counts as implausible. */
export const ANOMALY_FACTOR = 10;

export interface Anomaly {
  nodeId: number;
  node: string;
  table: TableEvidence;
  /** What was implausible: the actual rows or the planner's estimate. */
  field: 'actual' | 'estimate';
  rows: number;
  loops: number;
  /** The table's size used for the comparison: max(count, reltuples). */
  tableRows: number;
}

export interface ResultCheck {
  /** Rows the plan says the query returned. */
  planRows?: number;
  /** An independent count(*) over the query. */
  counted?: number;
  /** Why there is no count. */
  error?: string;
}

/** Scan nodes whose rows exceed ANOMALY_FACTOR × the table's size. */
export function findAnomalies(metrics: NodeMetrics[], evidence: Evidence): Anomaly[] {
  const out: Anomaly[] = [];
  for (const m of metrics) {
    if (!m.relation) continue;
    const table = tableForRelation(evidence, m.relation, m.node.alias);
    if (!table || table.kind !== 'table') continue;
    const size = Math.max(table.count ?? 0, table.reltuples ?? 0);
    if (table.count === undefined && table.reltuples === null) continue;
    const actual = m.node.actual;
    // A scan returns each row of its table at most once per loop; a margin covers rows added meanwhile.
    if (actual && actual.rows > ANOMALY_FACTOR * Math.max(size, 100)) {
      out.push({ nodeId: m.node.id, node: m.node.header, table, field: 'actual', rows: actual.rows, loops: actual.loops, tableRows: size });
      continue;
    }
    const est = m.node.estimate;
    // Estimates for small or never-analyzed tables are guesses of a few thousand rows: only flag far beyond that.
    if (est && est.rows > ANOMALY_FACTOR * Math.max(size, 1000)) {
      out.push({ nodeId: m.node.id, node: m.node.header, table, field: 'estimate', rows: est.rows, loops: actual?.loops ?? 1, tableRows: size });
    }
  }
  return out;
}

const CONDITION_KEYS = new Set([
  'Output', 'Filter', 'Index Cond', 'Recheck Cond', 'Join Filter', 'Hash Cond', 'Merge Cond', 'Storage Filter', 'Filters',
  'Projections', 'One-Time Filter', 'Sort Key', 'Group Key', 'Cache Key', 'Presorted Key', 'Order By', 'Run Condition',
  'Function Call', 'Table Function Call', 'TID Cond', 'Sampling', 'Conflict Filter',
]);

/**
 * The plan text with literal values replaced by placeholders: quoted strings become '$n' in
 * order of appearance and numbers inside conditions and projections become ?. Names of tables,
 * columns and indexes stay: AWS needs the plan's shape, not the data.
 */
export function redactPlan(plan: ParsedPlan): string {
  const strings = new Map<string, number>();
  // Strings first, over the whole text: EXPLAIN prints a line break inside a literal as is. Quoted
  // names are matched too, so that a ' inside one is not taken for the start of a literal.
  const text = plan.text.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'/g, (s) => {
    if (s.startsWith('"')) return s;
    if (!strings.has(s)) strings.set(s, strings.size + 1);
    return `'$${strings.get(s)}'`;
  });
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*)([A-Za-z][A-Za-z -]*?):(\s.*)$/.exec(line);
      if (!m || !CONDITION_KEYS.has(m[2]!)) return line;
      return `${m[1]}${m[2]}:${m[3]!.replace(/(?<![\w$."'])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w"'])/gi, '?')}`;
    })
    .join('\n');
}

const n = (v: number | null | undefined) => (v === null || v === undefined ? 'unknown' : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));

export interface SupportInput {
  region?: string;
  clusterId?: string;
  queryIdentifier?: string;
  anomaly: Anomaly;
  result: ResultCheck;
}

/** The support template (report-format.md C3), filled; no query text, no literal values. */
export function supportTemplate(input: SupportInput): string {
  const a = input.anomaly;
  const rows = a.field === 'actual' ? `actual rows=${n(a.rows)} loops=${n(a.loops)}` : `estimated rows=${n(a.rows)} (actual loops=${n(a.loops)})`;
  const result =
    input.result.counted !== undefined
      ? `the query returned ${n(input.result.planRows)} rows, ${input.result.counted === input.result.planRows ? 'matching' : 'not matching'} an independent count (${n(input.result.counted)})`
      : `the query returned ${n(input.result.planRows)} rows; the independent count failed (${input.result.error ?? 'unknown error'})`;
  return [
    'Subject: Aurora DSQL plan reports implausible row counts',
    `Region: ${input.region ?? 'not applicable (local)'}`,
    `Cluster identifier: ${input.clusterId ?? 'unknown'}`,
    `Query identifier: ${input.queryIdentifier ?? 'not reported'}`,
    `Observed: node "${a.node}" reports ${rows}; table "${a.table.name}" has ${n(a.table.count)} rows (count(*)) and reltuples ${n(a.table.reltuples)}`,
    `Result correctness: ${result}`,
    'Plan: attached as text, with literal values replaced by placeholders',
  ].join('\n');
}
