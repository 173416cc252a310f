// Phase 3 (references/query-plan/guc-experiments.md): does the planner's choice cause the time?
// Re-plan with one join or scan method turned off, and with predicates the data implies but the
// query does not state. Each run is its own BEGIN READ ONLY ... ROLLBACK. When the baseline took
// over 30 s nothing is re-run: the report carries each experiment's SQL for the user instead.
import { captureExplain, experimentScript, type PlannerSettings } from './capture.js';
import type { Evidence } from './evidence.js';
import { estimationError, isDisabledNode, planShape, rowsReturned, topJoin, type EstimationError } from './metrics.js';
import { tableOfColumn, type ColumnPredicate, type ColumnUse, type QueryShape, type TableRef } from './query.js';
import { StatementError, type ServerError, type SqlSession } from './session.js';
import { deparseExpression, deparseSelect, parseOneSelect } from './statement.js';
import type { ParsedPlan } from './text.js';

type Json = Record<string, unknown>;

/** Over this execution time (ms), experiments are not run (the 30-second rule). */
export const SLOW_QUERY_MS = 30_000;
/** At most this many experiments per report. */
export const MAX_EXPERIMENTS = 6;

export interface Experiment {
  id: string;
  /** Short name for the comparison table: `enable_nestloop off`, `redundant predicate`. */
  label: string;
  kind: 'setting' | 'redundant-predicate';
  /** Why this experiment, in one sentence. */
  reason: string;
  settings: PlannerSettings;
  /** The SELECT it runs. */
  sql: string;
  /** The statements, exactly as they run (or as the user should run them). */
  script: string[];
  /** For redundant predicates: what was added and the rule that must make it true. */
  added?: string[];
  rule?: string;
  /** True when logic alone makes the predicate true (copied across an equality join). */
  alwaysValid?: boolean;
  /** The setting's strategy, to spot it still in the plan (e.g. `Nested Loop`). */
  disables?: RegExp;
}

export type Verdict = 'helped' | 'no clear change' | 'slower' | 'no alternative' | 'changed results' | 'failed';

export interface RunSummary {
  shape: string;
  topNode: string;
  estimatedRows?: number;
  actualRows?: number;
  error?: EstimationError;
  executionMs?: number;
  executionTime?: string;
  rowsReturned?: number;
}

export interface ExperimentResult {
  experiment: Experiment;
  verdict: Verdict;
  /** One sentence: whether it helped and by how much. */
  sentence: string;
  run?: RunSummary;
  /** Execution time change against the baseline, as a fraction (−0.71 = 71% faster). */
  change?: number;
  error?: ServerError;
  plan?: ParsedPlan;
}

export interface ExperimentsOutcome {
  /** `ran`, or `skipped` by the 30-second rule. */
  status: 'ran' | 'skipped' | 'none';
  /** Baseline execution time that decided it, in ms. */
  baselineMs?: number;
  /** The threshold applied (30,000 ms unless a caller chose another). */
  slowMs: number;
  /** The baseline re-run just before the experiments (warm, like them); the comparison uses the faster of the two. */
  baselineRerun?: RunSummary;
  baseline: RunSummary;
  experiments: Experiment[];
  results: ExperimentResult[];
}

interface Method {
  node: RegExp;
  setting: string;
  what: string;
}

/**
 * Join and scan methods a session may turn off (the `enable_*` family and DSQL's own
 * dsql.enable_batched_nestloop, both on the rules table's SET allowlist), by the plan node that shows them.
 */
const METHODS: Method[] = [
  // DSQL's batched nested-loop join (release notes 2026-09-11); the plain enable_nestloop experiment follows too.
  { node: /^Nested Loop \(Batched Join\)/, setting: 'dsql.enable_batched_nestloop', what: 'batched nested-loop joins' },
  { node: /^Nested Loop/, setting: 'enable_nestloop', what: 'Nested Loop' },
  { node: /^Hash Join|^Hash (Semi|Anti|Right|Left|Full)/, setting: 'enable_hashjoin', what: 'Hash Join' },
  { node: /^Merge Join|^Merge (Semi|Anti|Right|Left|Full)/, setting: 'enable_mergejoin', what: 'Merge Join' },
  { node: /^(Seq Scan|Full Scan)/, setting: 'enable_seqscan', what: 'full table scans (Seq Scan / Full Scan)' },
  { node: /^Index Scan/, setting: 'enable_indexscan', what: 'Index Scan' },
  { node: /^Index Only Scan/, setting: 'enable_indexonlyscan', what: 'Index Only Scan' },
  { node: /^Bitmap Heap Scan/, setting: 'enable_bitmapscan', what: 'Bitmap Heap Scan' },
];

export function summarize(plan: ParsedPlan): RunSummary {
  const top = topJoin(plan);
  return {
    shape: planShape(plan),
    topNode: top.name,
    estimatedRows: top.estimate?.rows,
    actualRows: top.actual ? top.actual.rows * top.actual.loops : undefined,
    error: top.estimate && top.actual ? estimationError(top.estimate.rows, top.actual.rows) : undefined,
    executionMs: plan.footer.executionMs,
    executionTime: plan.footer.executionTime,
    rowsReturned: rowsReturned(plan),
  };
}

/** Setting experiments: one per join or scan method the plan used, joins first. */
export function settingExperiments(sql: string, plan: ParsedPlan): Experiment[] {
  const out: Experiment[] = [];
  for (const method of METHODS) {
    const used = plan.nodes.filter((n) => method.node.test(n.name));
    if (used.length === 0) continue;
    const settings = { [method.setting]: 'off' } as PlannerSettings;
    out.push({
      id: `${method.setting}-off`,
      label: `${method.setting} off`,
      kind: 'setting',
      reason: `the plan uses ${method.what} (${used.length} node${used.length > 1 ? 's' : ''}); turning it off shows what the planner's next choice costs`,
      settings,
      sql,
      script: experimentScript(sql, settings),
      disables: method.node,
    });
  }
  return out;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const columnRef = (qualifier: string, column: string): Json => ({
  ColumnRef: { fields: [{ String: { sval: qualifier } }, { String: { sval: column } }] },
});

/** Replaces the column of a `col <op> constant` predicate with another column. */
function movePredicate(pred: ColumnPredicate, to: { qualifier: string; column: string }): Json {
  const node = clone(pred.node);
  const expr = node.A_Expr as Json;
  const isCol = (n: unknown) => (n as Json | undefined)?.ColumnRef !== undefined;
  if (isCol(expr.lexpr)) expr.lexpr = columnRef(to.qualifier, to.column);
  else expr.rexpr = columnRef(to.qualifier, to.column);
  return node;
}

function addConjuncts(select: Json, extra: Json[]): Json {
  const out = clone(select);
  const existing = out.whereClause as Json | undefined;
  const current = existing ? ((existing.BoolExpr as Json | undefined)?.boolop === 'AND_EXPR' ? ((existing.BoolExpr as Json).args as Json[]) : [existing]) : [];
  out.whereClause = { BoolExpr: { boolop: 'AND_EXPR', args: [...current, ...extra] } };
  return out;
}

const sameColumn = (a: ColumnUse, ref: TableRef, column: string, shape: QueryShape, columnsOf: (t: TableRef) => readonly string[] | undefined) =>
  a.column === column && tableOfColumn(a, shape.tables, columnsOf)?.ref === ref.ref;

/**
 * Redundant-predicate experiments. Two kinds:
 * 1. A range or IN on one side of an equality join, copied to the other side: logic makes it
 *    true, but PostgreSQL's planner derives only equalities across a join.
 * 2. A column both joined tables have (a tenant key), equal to a constant on one side and free on
 *    the other: `b.c = a.c` is true only if the data guarantees it, so the row count is compared.
 */
export async function redundantPredicateExperiments(select: Json, shape: QueryShape, evidence: Evidence): Promise<Experiment[]> {
  const columnsOf = (t: TableRef) => evidence.tables.find((e) => e.refs.includes(t.ref))?.columns;
  const inner = shape.tables.filter((t) => !t.nullable);
  const resolve = (c: ColumnUse) => {
    const t = tableOfColumn(c, shape.tables, columnsOf);
    return t && inner.includes(t) ? t : undefined;
  };
  const implied: { node: Json; text: string }[] = [];
  const shared: { node: Json; text: string; column: string }[] = [];
  const has = (t: TableRef, column: string, ops: string[]) =>
    shape.predicates.some((p) => ops.includes(p.op) && sameColumn(p.column, t, column, shape, columnsOf));

  for (const join of shape.joins) {
    const lt = resolve(join.left);
    const rt = resolve(join.right);
    if (!lt || !rt || lt.ref === rt.ref) continue;
    for (const [from, fromT, to, toT] of [
      [join.left, lt, join.right, rt],
      [join.right, rt, join.left, lt],
    ] as const) {
      for (const p of shape.predicates) {
        if (p.op === '=' || !sameColumn(p.column, fromT, from.column, shape, columnsOf)) continue;
        if (has(toT, to.column, [p.op])) continue;
        const node = movePredicate(p, { qualifier: toT.ref, column: to.column });
        implied.push({ node, text: await deparseExpression(node) });
      }
    }
    // Kind 2: a shared column fixed to a constant on one side only.
    const lcols = columnsOf(lt) ?? [];
    const rcols = columnsOf(rt) ?? [];
    for (const column of lcols.filter((c) => rcols.includes(c) && c !== join.left.column && c !== join.right.column)) {
      const onL = has(lt, column, ['=']);
      const onR = has(rt, column, ['=']);
      if (onL === onR) continue;
      const [fixed, free] = onL ? [lt, rt] : [rt, lt];
      if (shared.some((s) => s.column === column)) continue;
      const node: Json = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: columnRef(free.ref, column), rexpr: columnRef(fixed.ref, column) } };
      shared.push({ node, text: `${free.ref}.${column} = ${fixed.ref}.${column}`, column });
    }
  }

  const out: Experiment[] = [];
  const make = async (id: string, label: string, added: { node: Json; text: string }[], rule: string, alwaysValid: boolean, reason: string) => {
    const sql = await deparseSelect(addConjuncts(select, added.map((a) => a.node)));
    await parseOneSelect(sql, 'the redundant-predicate query');
    out.push({ id, label, kind: 'redundant-predicate', reason, settings: {}, sql, script: experimentScript(sql), added: added.map((a) => a.text), rule, alwaysValid });
  };
  if (implied.length) {
    await make(
      'implied-range',
      'implied range predicate',
      implied,
      'always: rows that join have equal values, so a range on one side of the join holds on the other',
      true,
      'the planner carries equalities across a join but not ranges or IN lists, so the other table is estimated and scanned without them',
    );
  }
  if (shared.length) {
    await make(
      'shared-column',
      'redundant tenant predicate',
      shared,
      `only if joined rows always share ${shared.map((s) => s.column).join(', ')} (for example a tenant key copied to child rows); the row count must not change`,
      false,
      `both tables have ${shared.map((s) => s.column).join(', ')} but only one side is restricted; stating it on both lets the planner see how few rows join`,
    );
  }
  return out;
}

/** Every experiment for a baseline plan: setting experiments first, then redundant predicates. */
export async function planExperiments(sql: string, select: Json, plan: ParsedPlan, shape: QueryShape, evidence: Evidence): Promise<Experiment[]> {
  const all = [...settingExperiments(sql, plan), ...(await redundantPredicateExperiments(select, shape, evidence))];
  // Keep redundant predicates even when the settings fill the cap: they are the cheaper fix.
  const predicates = all.filter((e) => e.kind === 'redundant-predicate');
  const settings = all.filter((e) => e.kind === 'setting').slice(0, Math.max(0, MAX_EXPERIMENTS - predicates.length));
  return [...settings, ...predicates];
}

const pct = (f: number) => `${Math.round(Math.abs(f) * 100)}%`;
const ms = (n: number | undefined) => (n === undefined ? 'unknown' : `${n.toLocaleString('en-US', { maximumFractionDigits: 3 })} ms`);

/** Judges one experiment against the baseline. */
export function judge(experiment: Experiment, plan: ParsedPlan, baseline: RunSummary, baselineMs: number): ExperimentResult {
  const run = summarize(plan);
  const change = run.executionMs !== undefined && baselineMs > 0 ? (run.executionMs - baselineMs) / baselineMs : undefined;
  const base = { experiment, run, change, plan };
  if (experiment.disables && plan.nodes.some((n) => experiment.disables!.test(n.name) && isDisabledNode(n))) {
    return {
      ...base,
      verdict: 'no alternative',
      sentence: `${experiment.label}: the planner kept the disabled strategy (marked disabled, with its cost penalty), so it had no alternative; the timing says nothing about the choice.`,
    };
  }
  if (run.rowsReturned !== undefined && baseline.rowsReturned !== undefined && run.rowsReturned !== baseline.rowsReturned) {
    return {
      ...base,
      verdict: 'changed results',
      sentence: `${experiment.label}: the query returned ${run.rowsReturned.toLocaleString('en-US')} rows instead of ${baseline.rowsReturned.toLocaleString('en-US')}, so the added predicate is not implied by the data and must not be used.`,
    };
  }
  const delta = run.executionMs !== undefined ? baselineMs - run.executionMs : 0;
  // Half a millisecond or 20% is below what one run on a shared machine can tell apart.
  if (change !== undefined && change <= -0.2 && delta >= 0.5) {
    return {
      ...base,
      verdict: 'helped',
      sentence: `${experiment.label} helped: ${ms(run.executionMs)} instead of ${ms(baselineMs)} (${pct(change)} faster), with plan ${run.shape}.`,
    };
  }
  if (change !== undefined && change >= 0.25 && -delta >= 0.5) {
    return { ...base, verdict: 'slower', sentence: `${experiment.label} did not help: ${ms(run.executionMs)} instead of ${ms(baselineMs)} (${pct(change)} slower).` };
  }
  return {
    ...base,
    verdict: 'no clear change',
    sentence: `${experiment.label} made no clear difference: ${ms(run.executionMs)} against ${ms(baselineMs)}${change !== undefined ? ` (${change <= 0 ? '−' : '+'}${pct(change)})` : ''}.`,
  };
}

export interface RunExperimentsOptions {
  slowMs?: number;
}

/**
 * Applies the 30-second rule and runs the experiments. The baseline is re-run first under the
 * same conditions (warm caches), and each experiment is compared with the faster baseline run.
 */
export async function runExperiments(
  session: SqlSession,
  sql: string,
  baselinePlan: ParsedPlan,
  experiments: Experiment[],
  options: RunExperimentsOptions = {},
): Promise<ExperimentsOutcome> {
  const slowMs = options.slowMs ?? SLOW_QUERY_MS;
  const baseline = summarize(baselinePlan);
  const baselineMs = baselinePlan.footer.executionMs;
  if (experiments.length === 0) return { status: 'none', baselineMs, slowMs, baseline, experiments, results: [] };
  if (baselineMs === undefined || baselineMs > slowMs) return { status: 'skipped', baselineMs, slowMs, baseline, experiments, results: [] };

  const rerun = summarize((await captureExplain(session, sql)).plan);
  const reference = Math.min(baselineMs, rerun.executionMs ?? baselineMs);
  const results: ExperimentResult[] = [];
  for (const experiment of experiments) {
    try {
      const { plan } = await captureExplain(session, experiment.sql, experiment.settings);
      results.push(judge(experiment, plan, baseline, reference));
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      results.push({ experiment, verdict: 'failed', sentence: `${experiment.label}: experiment failed: ${error.server.message}`, error: error.server });
    }
  }
  return { status: 'ran', baselineMs, slowMs, baselineRerun: rerun, baseline, experiments, results };
}
