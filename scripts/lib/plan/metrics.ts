// Numbers derived from a parsed plan, as references/query-plan/plan-interpretation.md defines
// them: node duration, self time, estimation error band, filter selectivity, lookup volume.
import { detail, numericDetail, type PlanNode, type ParsedPlan } from './text.js';

export type ErrorBand = 'fine' | 'minor' | 'significant' | 'severe';

export interface EstimationError {
  /** actual ÷ estimated rows, or the inverse when that is below 1 (always ≥ 1). */
  factor: number;
  /** `under`: more rows came than the planner expected; `over`: fewer. */
  direction: 'under' | 'over' | 'exact';
  band: ErrorBand;
}

export interface NodeMetrics {
  node: PlanNode;
  /** actual time end × loops, in ms (inclusive of children). */
  durationMs?: number;
  /** Duration minus the children's durations. */
  selfMs?: number;
  /** Share of the execution time, 0..1. */
  shareOfExecution?: number;
  /** Total rows the node produced over all loops. */
  totalRows?: number;
  error?: EstimationError;
  /** Rows removed ÷ (removed + kept) for each filter level present. */
  filters: FilterStats[];
  /** Under a Limit (or similar): fewer rows than estimated is expected there. */
  underLimit: boolean;
  /** The relation this node reads, for scans and DSQL's storage nodes (resolved from the parent when needed). */
  relation?: string;
}

export type FilterLevel = 'Index Cond' | 'Storage Filter' | 'Filter' | 'Join Filter';

export interface FilterStats {
  level: FilterLevel;
  condition: string;
  /** Rows removed per loop, when the plan says. */
  removed?: number;
  /** Rows kept per loop. */
  kept?: number;
  /** removed ÷ (removed + kept). */
  selectivity?: number;
}

/** The band for an estimation-error factor (plan-interpretation.md, "Ranking nodes"). */
export function errorBand(factor: number): ErrorBand {
  if (factor < 2) return 'fine';
  if (factor < 5) return 'minor';
  if (factor <= 50) return 'significant';
  return 'severe';
}

export function estimationError(estimated: number, actual: number): EstimationError {
  // PostgreSQL never estimates below one row; a node that returned nothing counts as one row
  // so that the factor stays finite.
  const est = Math.max(estimated, 1);
  const act = Math.max(actual, 1);
  const factor = act >= est ? act / est : est / act;
  const direction = act > est ? 'under' : act < est ? 'over' : 'exact';
  return { factor, direction, band: errorBand(factor) };
}

export const durationOf = (node: PlanNode): number | undefined =>
  node.actual?.endMs !== undefined ? node.actual.endMs * node.actual.loops : undefined;

const SCAN_RELATION_NODES = /^(Storage Scan|B-Tree Scan)$/;
const LIMITING = /^(Limit|Unique|SetOp|Subquery Scan)$/;

/** Strips a schema and quotes: `public.orders` → `orders`. */
export function bareName(name: string): string {
  const last = name.split('.').pop()!;
  return last.replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
}

/** The DSQL storage-filter line: `Storage Filter` in some versions, `Filters` under a Storage Scan in others. */
function storageFilter(node: PlanNode): string | undefined {
  return detail(node, 'Storage Filter') ?? detail(node, 'Filters');
}

function filterStats(node: PlanNode): FilterStats[] {
  const kept = node.actual?.rows;
  const out: FilterStats[] = [];
  const add = (level: FilterLevel, condition: string | undefined, removed: number | undefined) => {
    if (condition === undefined) return;
    const selectivity = removed !== undefined && kept !== undefined && removed + kept > 0 ? removed / (removed + kept) : undefined;
    out.push({ level, condition, removed, kept, selectivity });
  };
  add('Index Cond', detail(node, 'Index Cond'), numericDetail(node, 'Rows Removed by Index Recheck'));
  add('Storage Filter', storageFilter(node), numericDetail(node, 'Rows Removed by Storage Filter'));
  add('Filter', detail(node, 'Filter'), numericDetail(node, 'Rows Removed by Filter'));
  add('Join Filter', detail(node, 'Join Filter'), numericDetail(node, 'Rows Removed by Join Filter'));
  return out;
}

/** Metrics for every node of a plan, in pre-order. */
export function planMetrics(plan: ParsedPlan): NodeMetrics[] {
  const executionMs = plan.footer.executionMs;
  const out: NodeMetrics[] = [];
  const visit = (node: PlanNode, parentRelation: string | undefined, underLimit: boolean) => {
    const durationMs = durationOf(node);
    const childDurations = node.children.map(durationOf);
    const selfMs =
      durationMs !== undefined && childDurations.every((d) => d !== undefined)
        ? Math.max(0, durationMs - childDurations.reduce<number>((a, b) => a + (b ?? 0), 0))
        : undefined;
    const relation = node.relation ?? (SCAN_RELATION_NODES.test(node.name) ? parentRelation : undefined);
    const error =
      node.estimate && node.actual && !node.neverExecuted ? estimationError(node.estimate.rows, node.actual.rows) : undefined;
    out.push({
      node,
      durationMs,
      selfMs,
      shareOfExecution: durationMs !== undefined && executionMs ? Math.min(1, durationMs / executionMs) : undefined,
      totalRows: node.actual ? node.actual.rows * node.actual.loops : undefined,
      error,
      filters: filterStats(node),
      underLimit,
      relation,
    });
    const limitsChildren = underLimit || LIMITING.test(node.name) || /^(Merge|Nested Loop|Hash) (Semi|Anti) Join$/.test(node.name);
    for (const child of node.children) visit(child, relation ?? parentRelation, limitsChildren);
  };
  visit(plan.root, undefined, false);
  return out;
}

const JOIN = /(Nested Loop|Hash Join|Merge Join)/;
const SCAN = /(Scan|Lookup)\b/;

/** A short plan shape: join methods and scan types from the top, without repeats. */
export function planShape(plan: ParsedPlan): string {
  const seen: string[] = [];
  for (const node of plan.nodes) {
    const name = JOIN.exec(node.name)?.[1] ?? (SCAN.test(node.name) && !/^(Storage|B-Tree) /.test(node.name) ? node.name : undefined);
    if (name && !seen.includes(name)) seen.push(name);
  }
  return seen.length ? seen.join(', ') : plan.root.name;
}

/** The first join node from the top, else the root (the comparison table's "top join"). */
export function topJoin(plan: ParsedPlan): PlanNode {
  return plan.nodes.find((n) => JOIN.test(n.name)) ?? plan.root;
}

/** Rows the statement returned: the root's rows × loops. */
export function rowsReturned(plan: ParsedPlan): number | undefined {
  const a = plan.root.actual;
  return a ? Math.round(a.rows * a.loops) : undefined;
}

/** A node whose strategy was turned off but is still in the plan (no alternative existed). */
export function isDisabledNode(node: PlanNode): boolean {
  return detail(node, 'Disabled') === 'true' || (node.estimate !== undefined && node.estimate.startupCost >= 1e10);
}
