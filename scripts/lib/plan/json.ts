// The --json document: the raw evidence behind the report (plan text and nodes, footer, catalog
// facts, experiments with their SQL and plans, anomalies), plus the rendered report.
import type { ExplainResult } from './explain.js';
import type { PlanNode } from './text.js';

function flatNode(node: PlanNode, parent: number | null) {
  const { children, ...rest } = node;
  return { ...rest, parent, children: children.map((c) => c.id) };
}

function nodesWithParents(root: PlanNode) {
  const out: ReturnType<typeof flatNode>[] = [];
  const visit = (n: PlanNode, parent: number | null) => {
    out.push(flatNode(n, parent));
    n.children.forEach((c) => visit(c, n.id));
  };
  visit(root, null);
  return out;
}

export function resultJson(result: ExplainResult, report: string) {
  const { statement, plan, metrics, evidence, experiments } = result;
  return {
    capturedAt: result.capturedAt,
    target: result.target,
    label: result.label,
    statement: { sql: statement.sql, original: statement.original, originalKind: statement.originalKind, rewrittenFrom: statement.rewrittenFrom ?? null, notes: statement.notes },
    capture: { script: result.capture.script },
    plan: {
      text: plan.text,
      footer: plan.footer,
      nodes: nodesWithParents(plan.root),
    },
    metrics: metrics.map((m) => ({
      node: m.node.id,
      durationMs: m.durationMs ?? null,
      selfMs: m.selfMs ?? null,
      shareOfExecution: m.shareOfExecution ?? null,
      totalRows: m.totalRows ?? null,
      estimationError: m.error ?? null,
      filters: m.filters,
      relation: m.relation ?? null,
    })),
    query: result.shape,
    evidence,
    findings: result.findings,
    anomalies: result.anomalies.map((a) => ({ ...a, table: `${a.table.schema}.${a.table.name}` })),
    resultCheck: result.resultCheck ?? null,
    experiments: experiments
      ? {
          status: experiments.status,
          baselineMs: experiments.baselineMs ?? null,
          baseline: experiments.baseline,
          baselineRerun: experiments.baselineRerun ?? null,
          planned: experiments.experiments.map(({ disables: _d, ...e }) => e),
          results: experiments.results.map((r) => ({
            id: r.experiment.id,
            verdict: r.verdict,
            sentence: r.sentence,
            run: r.run ?? null,
            change: r.change ?? null,
            error: r.error ?? null,
            planText: r.plan?.text ?? null,
          })),
        }
      : null,
    report,
  };
}
