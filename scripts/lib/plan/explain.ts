// The explain-plan pipeline: capture (phase 1), catalog evidence (phase 2), anomalies and
// experiments (phase 3). The report (phase 4) is rendered from the result by report.ts.
import { findAnomalies, type Anomaly, type ResultCheck } from './anomaly.js';
import { captureExplain, countResult, type Capture } from './capture.js';
import { gatherEvidence, type Evidence } from './evidence.js';
import { planExperiments, runExperiments, summarize, type ExperimentsOutcome } from './experiments.js';
import { findings, type Finding } from './findings.js';
import { planMetrics, type NodeMetrics } from './metrics.js';
import { queryShape, type QueryShape } from './query.js';
import { StatementError, type SqlSession } from './session.js';
import type { PreparedStatement } from './statement.js';
import type { ParsedPlan } from './text.js';

export interface TargetInfo {
  kind: 'cluster' | 'local';
  id: string;
  region?: string;
}

export interface ExplainOptions {
  /** Count tables up to this many rows (reltuples); 0 never counts. */
  countLimit?: number;
  /** The 30-second rule's threshold in ms (default 30,000). */
  slowMs?: number;
  /** Run phase 3 (default true); reassess runs phases 1 and 2 only. */
  experiments?: boolean;
  /** The capture time (default now). */
  now?: Date;
}

export interface ExplainResult {
  capturedAt: string;
  target: TargetInfo;
  statement: PreparedStatement;
  label: string;
  capture: Capture;
  plan: ParsedPlan;
  metrics: NodeMetrics[];
  shape: QueryShape;
  evidence: Evidence;
  findings: Finding[];
  anomalies: Anomaly[];
  resultCheck?: ResultCheck;
  experiments?: ExperimentsOutcome;
}

/** A short label for the report title: the tables the query reads. */
export function labelFor(shape: QueryShape): string {
  const names = [...new Set(shape.tables.map((t) => t.name))];
  if (names.length === 0) return 'query without tables';
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
}

/**
 * Runs phases 1 to 3 for a prepared statement. A failing statement throws StatementError
 * (its text verbatim) before anything else runs. `baseline` replaces the capture: tests pass
 * plan text the engine would print in a failure they cannot provoke (an implausible count).
 */
export async function explainPlan(
  session: SqlSession,
  statement: PreparedStatement,
  target: TargetInfo,
  options: ExplainOptions = {},
  baseline?: Capture,
): Promise<ExplainResult> {
  const capturedAt = (options.now ?? new Date()).toISOString();
  const capture = baseline ?? (await captureExplain(session, statement.sql));
  const plan = capture.plan;
  const shape = queryShape(statement.select);
  const evidence = await gatherEvidence(session, shape, { countLimit: options.countLimit });
  const metrics = planMetrics(plan);
  const anomalies = findAnomalies(metrics, evidence);
  let resultCheck: ResultCheck | undefined;
  if (anomalies.length) {
    resultCheck = { planRows: summarize(plan).rowsReturned };
    try {
      resultCheck.counted = await countResult(session, statement.sql);
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      resultCheck.error = error.server.message;
    }
  }
  const found = findings(plan, metrics, evidence);
  let experiments: ExperimentsOutcome | undefined;
  if (options.experiments !== false) {
    const list = await planExperiments(statement.sql, statement.select, plan, shape, evidence);
    experiments = await runExperiments(session, statement.sql, plan, list, { slowMs: options.slowMs });
  }
  return {
    capturedAt,
    target,
    statement,
    label: labelFor(shape),
    capture,
    plan,
    metrics,
    shape,
    evidence,
    findings: found,
    anomalies,
    resultCheck,
    experiments,
  };
}
