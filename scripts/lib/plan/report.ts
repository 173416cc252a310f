// Phase 4: the Markdown report, element by element as references/query-plan/report-format.md
// requires (R1-R10 always, C1-C3 when they apply; C4 is reassess.ts). Markdown primitives only.
import { redactPlan, supportTemplate } from './anomaly.js';
import type { ExperimentsOutcome, RunSummary } from './experiments.js';
import type { ExplainResult } from './explain.js';
import type { Finding } from './findings.js';
import { bareName, rowsReturned, type NodeMetrics } from './metrics.js';
import type { ParsedPlan } from './text.js';

export const REASSESS_SENTENCE = 'Say "reassess" after the change to append an after-change comparison to this report.';
export const NOT_REPORTED = 'not reported';

const num = (v: number | undefined | null, digits = 2): string =>
  v === undefined || v === null ? 'unknown' : v.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (v: number | undefined): string => (v === undefined ? 'unknown' : `${num(v, 3)} ms`);
/** Table cells: no pipes or newlines. */
export const cellText = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function fence(lang: string, body: string): string[] {
  // A fence longer than any backtick run inside, so the block cannot be closed early.
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return [`${ticks}${lang}`, body, ticks];
}

/** The DPU line: compute / read / write / total, verbatim, or `not reported`. */
export function dpuText(plan: ParsedPlan): string {
  const d = plan.footer.dpu;
  if (!d || (!d.compute && !d.read && !d.write && !d.total)) return NOT_REPORTED;
  const parts = [d.compute, d.read, d.write, d.total].map((v) => v ?? NOT_REPORTED);
  return parts.join(' / ') + (d.multiRegionWrite ? ` (multi-Region write ${d.multiRegionWrite})` : '');
}

/** The node with the most time of its own (children excluded). */
export function slowestNode(metrics: NodeMetrics[]): NodeMetrics | undefined {
  return metrics.filter((m) => m.selfMs !== undefined).sort((a, b) => b.selfMs! - a.selfMs!)[0];
}

export const slowestText = (metrics: NodeMetrics[]): string => {
  const s = slowestNode(metrics);
  return s ? `${s.node.header} (${ms(s.selfMs)})` : NOT_REPORTED;
};

function measurements(plan: ParsedPlan, metrics: NodeMetrics[]): string[] {
  const f = plan.footer;
  const rows = rowsReturned(plan);
  return [
    '## Measurements',
    '',
    '| Measurement | Value |',
    '|---|---|',
    `| Query identifier | ${cellText(f.queryIdentifier ?? NOT_REPORTED)} |`,
    `| Planning time | ${cellText(f.planningTime ?? NOT_REPORTED)} |`,
    `| Execution time | ${cellText(f.executionTime ?? NOT_REPORTED)} |`,
    `| DPU estimate (compute / read / write / total) | ${cellText(dpuText(plan))} |`,
    `| Rows returned | ${rows === undefined ? NOT_REPORTED : num(rows, 0)} |`,
    `| Slowest node (self time) | ${cellText(slowestText(metrics))} |`,
  ];
}

function overview(result: ExplainResult): string[] {
  const { plan, metrics } = result;
  const root = plan.root;
  const bullets: string[] = [];
  bullets.push(`Top: \`${root.header}\` returns ${num(rowsReturned(plan), 0)} rows; execution ${plan.footer.executionTime ?? NOT_REPORTED}.`);
  const joins = plan.nodes.filter((n) => /Nested Loop|Hash Join|Merge Join|Hash (Semi|Anti|Right|Left|Full)|Merge (Semi|Anti|Right|Left|Full)/.test(n.name));
  bullets.push(joins.length ? `Joins, from the top: ${joins.map((n) => `\`${n.name}\``).join(', ')}.` : 'No joins.');
  const scans = plan.nodes.filter((n) => /Scan|Lookup/.test(n.name) && !/^(Storage|B-Tree) /.test(n.name));
  const storage = plan.nodes.filter((n) => /^(Storage|B-Tree) /.test(n.name));
  if (scans.length) {
    const shown = scans.slice(0, 5).map((n) => `\`${n.header}\``).join(', ');
    bullets.push(`Scans: ${shown}${scans.length > 5 ? ` and ${scans.length - 5} more` : ''}${storage.length ? `; ${storage.length} DSQL storage node${storage.length > 1 ? 's' : ''} below them` : ''}.`);
  }
  const filtering = metrics
    .flatMap((m) => m.filters.filter((f) => f.level !== 'Index Cond').map((f) => ({ m, f })))
    .filter(({ f }) => f.selectivity !== undefined && f.selectivity > 0)
    .sort((a, b) => b.f.selectivity! - a.f.selectivity!)
    .slice(0, 3)
    .map(({ m, f }) => `${f.level} on \`${m.relation ? bareName(m.relation) : m.node.name}\` removes ${Math.round(f.selectivity! * 100)}%`);
  const indexConds = metrics.filter((m) => m.filters.some((f) => f.level === 'Index Cond')).length;
  if (filtering.length || indexConds) {
    bullets.push(
      `Where rows are filtered: ${[...(indexConds ? [`${indexConds} index condition${indexConds > 1 ? 's' : ''} narrow the ranges read`] : []), ...filtering].join('; ')}.`,
    );
  }
  const slow = slowestNode(metrics);
  if (slow && slow.selfMs !== undefined) {
    bullets.push(`Most time of its own: \`${slow.node.header}\`, ${ms(slow.selfMs)} of ${plan.footer.executionTime ?? 'the execution'}.`);
  }
  return ['## Plan overview', '', ...bullets.slice(0, 6).map((b) => `- ${b}`)];
}

function findingBlock(f: Finding, i: number): string[] {
  const lines = [
    `### F${i + 1}. ${f.title}`,
    '',
    `**Severity:** ${f.severity}`,
    '',
    `**Observed:** ${f.observed}`,
    '',
    `**Cause:** ${f.cause}`,
    '',
    `**Recommendation:** ${f.recommendation}`,
  ];
  if (f.sql?.length) lines.push('', ...fence('sql', f.sql.join('\n')));
  lines.push('', `**Expected impact:** ${f.expectedImpact}`);
  return lines;
}

function evidence(result: ExplainResult): string[] {
  const { evidence: ev } = result;
  const out = ['## Evidence', '', '### Tables', ''];
  if (ev.tables.length === 0) out.push('The query reads no table the catalog knows, so there is no reltuples or count(*) to compare.');
  else {
    out.push('| Table | reltuples | count(*) | Difference |', '|---|---|---|---|');
    for (const t of ev.tables) {
      const diff = t.staleness !== undefined ? `${Math.round(t.staleness * 100)}%${t.staleness > 0.2 ? ' (stale)' : ''}` : (t.countNote ?? 'unknown');
      out.push(`| ${cellText(`${t.schema}.${t.name}`)} | ${t.reltuples === null ? 'never analyzed' : num(t.reltuples, 0)} | ${t.count === undefined ? 'not counted' : num(t.count, 0)} | ${cellText(diff)} |`);
    }
  }
  if (ev.unresolved.length) out.push('', `Not in the catalog: ${ev.unresolved.map((u) => `\`${u}\``).join(', ')}.`);
  const stats = ev.tables.flatMap((t) => [
    ...t.stats.map((s) => ({ t, s })),
    ...t.unanalyzedColumns.map((c) => ({ t, c })),
  ]);
  out.push('', '### Column statistics (pg_stats)', '');
  if (stats.length === 0) out.push('No predicate or join columns were matched to a table.');
  else {
    out.push('| Table | Column | null_frac | n_distinct | Top value frequency | correlation |', '|---|---|---|---|---|---|');
    for (const item of stats) {
      if ('c' in item) {
        out.push(`| ${cellText(item.t.name)} | ${cellText(item.c)} | no statistics | | | |`);
        continue;
      }
      const s = item.s;
      const top = s.mostCommonFreqs?.length ? `${num(s.mostCommonFreqs[0]! * 100, 1)}% (${s.mostCommonFreqs.length} common values)` : 'no common values';
      out.push(`| ${cellText(item.t.name)} | ${cellText(s.column)} | ${num(s.nullFrac, 3)} | ${num(s.nDistinct, 3)} | ${top} | ${num(s.correlation, 3)} |`);
    }
  }
  out.push('', '### Indexes (pg_indexes)', '');
  const indexes = ev.tables.flatMap((t) => t.indexes.map((ix) => ({ t, ix })));
  if (indexes.length === 0) out.push('No indexes on these tables.');
  else {
    out.push('| Table | Index | Definition | Valid |', '|---|---|---|---|');
    for (const { t, ix } of indexes) out.push(`| ${cellText(t.name)} | ${cellText(ix.name)} | \`${cellText(ix.definition)}\` | ${ix.valid ? 'yes' : 'no (building or failed)'} |`);
  }
  out.push('', '### Plan as captured', '', ...fence('text', result.plan.text));
  return out;
}

const runRow = (name: string, r: RunSummary, change: string) =>
  `| ${cellText(name)} | ${cellText(r.shape)} | ${num(r.estimatedRows)} | ${num(r.actualRows, 0)} | ${r.executionTime ?? ms(r.executionMs)} | ${change} |`;

function signed(change: number | undefined): string {
  if (change === undefined) return '—';
  const p = Math.round(change * 100);
  return p === 0 ? '0%' : `${p < 0 ? '−' : '+'}${Math.abs(p)}%`;
}

/** Seconds as the C2 sentence prints them. */
const seconds = (msValue: number | undefined) => (msValue === undefined ? 'an unknown time' : `${num(msValue / 1000, 1)} s`);

export function experimentsSection(outcome: ExperimentsOutcome, target: ExplainResult['target']): string[] {
  const out = ['## Experiments', ''];
  if (outcome.status === 'none') {
    out.push('No experiment applies: the plan uses no join or scan method to turn off, and no predicate can be copied across a join.');
    return out;
  }
  if (outcome.status === 'skipped') {
    const how = target.kind === 'cluster' ? `scripts/psql-connect.ts --cluster ${target.id} -f experiment.sql` : `scripts/psql-connect.ts --local ${target.id} -f experiment.sql`;
    out.push(
      `Skipped: the query ran for ${seconds(outcome.baselineMs)} (over ${num(outcome.slowMs / 1000, 3)} s), so re-running it for each experiment was not done.`,
      '',
      `Run each experiment yourself, one file each, with \`${how}\`; each opens its own read-only transaction. Compare its Execution Time with the baseline's.`,
    );
    for (const e of outcome.experiments) {
      out.push('', `**${e.label}**: ${e.reason}.${e.rule ? ` Valid ${e.rule}.` : ''}`, '', ...fence('sql', e.script.map((s) => `${s};`).join('\n')));
    }
    return out;
  }
  out.push('| Run | Plan shape | Estimated rows (top join) | Actual rows | Execution time | Change |', '|---|---|---|---|---|---|');
  out.push(runRow('baseline', outcome.baseline, '—'));
  if (outcome.baselineRerun) out.push(runRow('baseline, re-run', outcome.baselineRerun, '—'));
  for (const r of outcome.results) {
    if (r.run) out.push(runRow(r.experiment.label, r.run, r.verdict === 'helped' || r.verdict === 'slower' || r.verdict === 'no clear change' ? signed(r.change) : r.verdict));
    else out.push(`| ${cellText(r.experiment.label)} | experiment failed | | | | failed |`);
  }
  out.push('', 'Changes compare with the faster of the two baseline runs.', '');
  for (const r of outcome.results) {
    out.push(`- ${r.sentence}`);
    if (r.experiment.added?.length) out.push(`  Added: ${r.experiment.added.map((a) => `\`${a}\``).join(', ')}; valid ${r.experiment.rule}.`);
  }
  if (outcome.results.some((r) => r.verdict === 'helped')) {
    out.push('', 'A faster experiment shows the planner chose badly. Do not turn planner settings off in production: fix what misleads the planner (the findings above), or state the redundant predicate in the query when the data guarantees it.');
  }
  for (const r of outcome.results.filter((x) => x.experiment.kind === 'redundant-predicate')) {
    out.push('', `SQL of **${r.experiment.label}**:`, '', ...fence('sql', r.experiment.sql));
  }
  return out;
}

function defect(result: ExplainResult): string[] {
  const rc = result.resultCheck ?? {};
  const a = result.anomalies[0]!;
  const out = ['## Possible engine defect', ''];
  // The first (top-most) implausible node per table; the JSON output lists them all.
  const tables = result.anomalies
    .filter((x, i, all) => all.findIndex((y) => y.table === x.table) === i)
    .map((x) => `\`${x.node}\` reports ${x.field === 'actual' ? 'actual' : 'estimated'} rows=${num(x.rows, 0)}${x.field === 'actual' ? ` loops=${num(x.loops, 0)}` : ''} on table \`${x.table.name}\` (count(*) ${num(x.table.count, 0)}, reltuples ${num(x.table.reltuples, 0)})`)
    .join('; ');
  out.push(`Implausible row counts: ${tables}. A scan cannot return more rows per loop than its table holds.`, '');
  if (rc.counted !== undefined && rc.counted === rc.planRows) {
    out.push(`The query's results are correct: an independent \`count(*)\` over the query returned ${num(rc.counted, 0)} rows, the same as the plan's ${num(rc.planRows, 0)} rows returned.`);
  } else if (rc.counted !== undefined) {
    out.push(`The query's results could not be confirmed: an independent \`count(*)\` over the query returned ${num(rc.counted, 0)} rows, but the plan reports ${num(rc.planRows, 0)}.`);
  } else {
    out.push(`The query's results could not be confirmed: the independent count failed (${rc.error ?? 'unknown error'}).`);
  }
  out.push(
    '',
    'Send this to AWS Support (no query text and no data values are included; check before sending):',
    '',
    ...fence(
      'text',
      supportTemplate({
        region: result.target.region,
        clusterId: result.target.kind === 'cluster' ? result.target.id : `local ${result.target.id}`,
        queryIdentifier: result.plan.footer.queryIdentifier,
        anomaly: a,
        result: rc,
      }),
    ),
    '',
    'The plan to attach, with literal values replaced by placeholders:',
    '',
    ...fence('text', redactPlan(result.plan)),
  );
  return out;
}

function summary(list: Finding[]): string[] {
  const out = ['## Summary', '', '| # | Finding | Severity | Recommendation | Expected impact |', '|---|---|---|---|---|'];
  if (list.length === 0) out.push('| — | No findings | — | — | — |');
  list.forEach((f, i) => {
    const rec = f.sql?.length ? `${f.recommendation} \`${f.sql[0]}\`` : f.recommendation;
    out.push(`| F${i + 1} | ${cellText(f.title)} | ${f.severity} | ${cellText(rec)} | ${cellText(f.expectedImpact)} |`);
  });
  return out;
}

function nextSteps(result: ExplainResult): string[] {
  const steps: string[] = [];
  const first = result.findings[0];
  if (first) steps.push(`Apply the recommendation of F1 (${first.title})${first.sql?.length ? `: \`${first.sql[0]}\`` : ''}, then capture the plan again.`);
  result.findings.slice(1, 4).forEach((f, i) => steps.push(`Then F${i + 2}: ${f.recommendation}`));
  const helped = result.experiments?.results.filter((r) => r.verdict === 'helped') ?? [];
  if (helped.length) {
    const best = helped.sort((a, b) => (a.change ?? 0) - (b.change ?? 0))[0]!;
    steps.push(`The ${best.experiment.label} experiment was ${Math.round(Math.abs(best.change ?? 0) * 100)}% faster: ${best.experiment.kind === 'redundant-predicate' ? 'add the predicate to the query if the data guarantees it' : 'the planner chose badly; fix the estimates it relies on rather than changing the setting'}.`);
  }
  if (result.experiments?.status === 'skipped') steps.push('Run the experiments above yourself; each re-runs the slow query once.');
  if (result.anomalies.length) steps.push('Send the support request in "Possible engine defect" to AWS Support with the redacted plan.');
  if (steps.length === 0) steps.push('No change is needed for this plan; capture it again if the data grows.');
  return ['## Next steps', '', ...steps.map((s, i) => `${i + 1}. ${s}`), '', REASSESS_SENTENCE];
}

/** The whole report. */
export function renderReport(result: ExplainResult): string {
  const date = result.capturedAt.slice(0, 10);
  const st = result.statement;
  const lines: string[] = [
    `# Query plan report: ${result.label}`,
    `_Captured ${date} on ${result.target.kind} ${result.target.id} with EXPLAIN ANALYZE VERBOSE_`,
    '',
    '## Query',
    '',
    ...fence('sql', st.sql),
  ];
  if (st.rewrittenFrom) {
    lines.push('', `Rewritten from: ${st.rewrittenFrom}`, '', ...fence('sql', st.original));
    for (const note of st.notes) lines.push('', `Note: ${note}.`);
  }
  lines.push('', ...measurements(result.plan, result.metrics), '', ...overview(result), '', '## Findings', '');
  if (result.findings.length === 0) lines.push('No findings.');
  result.findings.forEach((f, i) => lines.push(...(i ? [''] : []), ...findingBlock(f, i)));
  lines.push('', ...evidence(result));
  if (result.experiments) lines.push('', ...experimentsSection(result.experiments, result.target));
  if (result.anomalies.length) lines.push('', ...defect(result));
  lines.push('', ...summary(result.findings), '', ...nextSteps(result));
  return lines.join('\n') + '\n';
}
