// "Reassess" (report-format.md C4): read an earlier report, run phases 1 and 2 again for the same
// statement, and append an after-change addendum comparing the numbers. The earlier report is
// only appended to; its other lines stay as they were.
import { UserError } from '../cli/errors.js';
import type { ExplainResult } from './explain.js';
import { rowsReturned } from './metrics.js';
import { cellText, dpuText, NOT_REPORTED, slowestNode, slowestText } from './report.js';

export interface EarlierReport {
  /** `cluster` or `local` and the id, from the provenance line. */
  target?: { kind: 'cluster' | 'local'; id: string };
  /** The statement to run again: the original when the report shows a rewrite, else the query. */
  statement: string;
  measurements: Record<string, string>;
}

/** The fenced blocks of a language in a section of Markdown. */
function fencedBlocks(section: string, lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp('^(`{3,})' + lang + '\\s*\\n([\\s\\S]*?)\\n\\1\\s*$', 'gm');
  for (const m of section.matchAll(re)) out.push(m[2]!);
  return out;
}

function section(text: string, heading: string): string | undefined {
  const start = text.search(new RegExp(`^## ${heading}\\s*$`, 'm'));
  if (start === -1) return undefined;
  const rest = text.slice(start).split('\n').slice(1).join('\n');
  const end = rest.search(/^## /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** Reads what reassess needs from a report written by explain-plan (or by hand, to the same contract). */
export function parseReport(text: string, name: string): EarlierReport {
  if (!/^# Query plan report: /m.test(text)) throw new UserError(`${name} is not a query plan report: its title line "# Query plan report: ..." is missing`);
  const query = section(text, 'Query');
  const blocks = query ? fencedBlocks(query, 'sql') : [];
  if (blocks.length === 0) throw new UserError(`${name} has no SQL block under "## Query" to run again`);
  const rewritten = /^Rewritten from: /m.test(query!);
  const statement = rewritten && blocks[1] ? blocks[1] : blocks[0]!;
  const prov = /^_Captured \d{4}-\d{2}-\d{2} on (cluster|local) (\S+) with EXPLAIN ANALYZE VERBOSE_\s*$/m.exec(text);
  const measurements: Record<string, string> = {};
  for (const line of (section(text, 'Measurements') ?? '').split('\n')) {
    const m = /^\|\s*([^|]+?)\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (m && !/^-+$/.test(m[1]!) && m[1] !== 'Measurement') measurements[m[1]!] = m[2]!.replace(/\\\|/g, '|');
  }
  return { target: prov ? { kind: prov[1] as 'cluster' | 'local', id: prov[2]! } : undefined, statement, measurements };
}

/** The first number in a value such as `4.528 ms`, `1,204` or `0.05919 DPU`. */
function numberIn(value: string | undefined): number | undefined {
  const m = value ? /-?[\d,]+(?:\.\d+)?/.exec(value) : null;
  if (!m) return undefined;
  const n = Number(m[0].replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** Milliseconds in a value like `Seq Scan on t (41.092 ms)`. */
const msIn = (value: string | undefined) => {
  const m = value ? /\((-?[\d,]+(?:\.\d+)?) ms\)\s*$/.exec(value) ?? /(-?[\d,]+(?:\.\d+)?) ms/.exec(value) : null;
  return m ? Number(m[1]!.replace(/,/g, '')) : undefined;
};

function change(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined) return '—';
  if (before === 0) return after === 0 ? '0%' : 'new';
  const p = Math.round(((after - before) / before) * 100);
  return p === 0 ? '0%' : `${p < 0 ? '−' : '+'}${Math.abs(p)}%`;
}

export interface AddendumNumbers {
  executionMs?: number;
  planningMs?: number;
  dpuTotal?: number;
  slowestMs?: number;
  rows?: number;
}

/** The numbers the addendum compares, from the new result. */
export function afterNumbers(result: ExplainResult): AddendumNumbers {
  const f = result.plan.footer;
  return {
    executionMs: f.executionMs,
    planningMs: f.planningMs,
    dpuTotal: numberIn(f.dpu?.total),
    slowestMs: slowestNode(result.metrics)?.selfMs,
    rows: rowsReturned(result.plan),
  };
}

/** The addendum (C4): a Metric | Before | After | Change table and a flag if the row count changed. */
export function renderAddendum(earlier: EarlierReport, result: ExplainResult): string {
  const before = earlier.measurements;
  const after = afterNumbers(result);
  const f = result.plan.footer;
  const date = result.capturedAt.slice(0, 10);
  const beforeRows = numberIn(before['Rows returned']);
  const lines = [
    `## Addendum: after change (${date})`,
    '',
    `_Captured ${date} on ${result.target.kind} ${result.target.id} with EXPLAIN ANALYZE VERBOSE; the report above is unchanged._`,
    '',
    '| Metric | Before | After | Change |',
    '|---|---|---|---|',
    `| Execution time | ${before['Execution time'] ?? NOT_REPORTED} | ${f.executionTime ?? NOT_REPORTED} | ${change(numberIn(before['Execution time']), after.executionMs)} |`,
    `| Planning time | ${before['Planning time'] ?? NOT_REPORTED} | ${f.planningTime ?? NOT_REPORTED} | ${change(numberIn(before['Planning time']), after.planningMs)} |`,
    `| DPU total | ${dpuTotalOf(before['DPU estimate (compute / read / write / total)'])} | ${f.dpu?.total ?? NOT_REPORTED} | ${change(numberIn(dpuTotalOf(before['DPU estimate (compute / read / write / total)'])), after.dpuTotal)} |`,
    `| Slowest node (self time) | ${cellText(before['Slowest node (self time)'] ?? NOT_REPORTED)} | ${cellText(slowestText(result.metrics))} | ${change(msIn(before['Slowest node (self time)']), after.slowestMs)} |`,
    `| Rows returned | ${before['Rows returned'] ?? NOT_REPORTED} | ${after.rows?.toLocaleString('en-US') ?? NOT_REPORTED} | ${beforeRows === after.rows ? 'unchanged' : change(beforeRows, after.rows)} |`,
  ];
  if (beforeRows !== undefined && after.rows !== undefined && beforeRows !== after.rows) {
    lines.push('', `**Flag:** the result's row count changed from ${beforeRows.toLocaleString('en-US')} to ${after.rows.toLocaleString('en-US')}: the change altered what the query returns, not only how fast.`);
  }
  const top = result.findings[0];
  lines.push('', top ? `Top finding now: ${top.title} (${top.severity}). Run explain-plan again for the full report of the new plan.` : 'No findings in the new plan.');
  lines.push('', `New DPU estimate (compute / read / write / total): ${dpuText(result.plan)}.`);
  return lines.join('\n') + '\n';
}

/** The total of a `compute / read / write / total` cell. */
function dpuTotalOf(cell: string | undefined): string {
  if (!cell || cell === NOT_REPORTED) return NOT_REPORTED;
  return cell.split(' / ')[3]?.replace(/\s*\(.*$/, '') ?? NOT_REPORTED;
}
