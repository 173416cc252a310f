// Phase 1: EXPLAIN ANALYZE VERBOSE of a prepared SELECT inside a read-only transaction,
// captured verbatim. Experiments use the same path with planner settings turned off.
import { isSetAllowed } from '../rules/index.js';
import { readOnly, run, type SqlSession } from './session.js';
import { parsePlanText, type ParsedPlan } from './text.js';

export interface Capture {
  /** The SQL sent, exactly (the experiment's SET LOCAL lines first). */
  script: string[];
  plan: ParsedPlan;
}

/** Planner settings for one run: name → value, e.g. { enable_nestloop: 'off' }. */
export type PlannerSettings = Record<string, 'on' | 'off'>;

export const explainSql = (sql: string): string => `EXPLAIN ANALYZE VERBOSE ${sql}`;

/** The statements an experiment runs, as a user would type them (also printed when skipped). */
export function experimentScript(sql: string, settings: PlannerSettings = {}): string[] {
  for (const name of Object.keys(settings)) {
    // The rules table says which parameters DSQL lets a session change; the name is also
    // interpolated into SQL below, so it must be a plain identifier.
    if (!isSetAllowed(name) || !/^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?$/.test(name)) throw new Error(`planner setting ${name} cannot be SET on DSQL`);
  }
  return [
    'BEGIN READ ONLY',
    ...Object.entries(settings).map(([name, value]) => `SET LOCAL ${name} = ${value}`),
    explainSql(sql),
    'ROLLBACK',
  ];
}

/** Runs EXPLAIN ANALYZE VERBOSE inside BEGIN READ ONLY ... ROLLBACK. Throws StatementError verbatim. */
export async function captureExplain(session: SqlSession, sql: string, settings: PlannerSettings = {}): Promise<Capture> {
  const script = experimentScript(sql, settings);
  const inner = script.slice(1, -1);
  const lines = await readOnly(session, async () => {
    for (const set of inner.slice(0, -1)) await run(session, set);
    return run(session, inner[inner.length - 1]!);
  });
  // One row per line of the text plan; the column is named QUERY PLAN.
  const text = lines.map((row) => String(Object.values(row)[0])).join('\n');
  return { script, plan: parsePlanText(text) };
}

/** The number of rows the query returns, counted in its own read-only transaction. */
export async function countResult(session: SqlSession, sql: string): Promise<number> {
  const rows = await readOnly(session, () => run(session, `SELECT count(*) AS n FROM (${sql}) AS explain_plan_result`));
  return Number(rows[0]!.n);
}
