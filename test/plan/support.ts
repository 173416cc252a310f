// Test support for explain-plan: a real PostgreSQL (PGlite, the engine inside the embedded local
// DSQL) as an SqlSession, the plan fixtures, and a checker for the report contract of
// references/query-plan/report-format.md.
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlSession } from '../../scripts/lib/plan/session.js';

export async function pglite(setup: string): Promise<{ db: PGlite; session: SqlSession }> {
  const db = await PGlite.create();
  await db.exec(setup);
  const session: SqlSession = {
    query: async (text, params) => {
      const r = await db.query(text, params as unknown[] | undefined);
      return { rows: r.rows as Record<string, unknown>[] };
    },
    close: () => db.close(),
  };
  return { db, session };
}

export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const SECTIONS = ['Query', 'Measurements', 'Plan overview', 'Findings', 'Evidence', 'Summary', 'Next steps'];
const MEASUREMENT_ROWS = ['Query identifier', 'Planning time', 'Execution time', 'DPU estimate (compute / read / write / total)', 'Rows returned', 'Slowest node (self time)'];
const LABELS = ['Severity', 'Observed', 'Cause', 'Recommendation', 'Expected impact'];
export const REASSESS = 'Say "reassess" after the change to append an after-change comparison to this report.';

function sectionText(report: string, heading: string): string | undefined {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l === `## ${heading}` || l.startsWith(`## ${heading} (`) || (heading.endsWith('(') && l.startsWith(`## ${heading}`)));
  if (start === -1) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/**
 * Problems with a report against the contract (R1-R10 in order, C1-C4 when present); [] when
 * it complies. Each problem names the element id.
 */
export function contractProblems(report: string): string[] {
  const problems: string[] = [];
  const lines = report.split('\n');
  if (!/^# Query plan report: \S/.test(lines[0] ?? '')) problems.push('R1: first line is not "# Query plan report: <label>"');
  const second = lines.slice(1).find((l) => l.trim() !== '');
  if (!/^_Captured \d{4}-\d{2}-\d{2} on (cluster|local) \S+ with EXPLAIN ANALYZE VERBOSE_$/.test(second ?? '')) problems.push(`R2: provenance line is ${JSON.stringify(second)}`);

  const headings = lines.filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
  const core = headings.filter((h) => SECTIONS.includes(h));
  if (core.join('|') !== SECTIONS.join('|')) problems.push(`order: required sections are ${core.join(', ')}`);
  const pos = (h: string) => headings.indexOf(h);
  if (headings.includes('Experiments') && !(pos('Experiments') > pos('Evidence') && pos('Experiments') < pos('Summary'))) problems.push('C1/C2: Experiments is not between Evidence and Summary');
  const afterNext = headings.slice(pos('Next steps') + 1);
  if (afterNext.some((h) => !/^Addendum: after change \(\d{4}-\d{2}-\d{2}\)$/.test(h))) problems.push(`R10: sections after Next steps: ${afterNext.join(', ')}`);

  const query = sectionText(report, 'Query') ?? '';
  const sqlBlocks = [...query.matchAll(/^```sql\n[\s\S]*?\n```$/gm)].length;
  if (sqlBlocks < 1) problems.push('R3: no sql block under Query');
  if (/^Rewritten from: \S/m.test(query) && sqlBlocks < 2) problems.push('R3: rewritten without the original in a second sql block');

  const measurements = sectionText(report, 'Measurements') ?? '';
  for (const row of MEASUREMENT_ROWS) if (!new RegExp(`^\\| ${row.replace(/[()/]/g, '\\$&')} \\| [^|]+ \\|$`, 'm').test(measurements)) problems.push(`R4: no "${row}" row`);

  const bullets = (sectionText(report, 'Plan overview') ?? '').split('\n').filter((l) => l.startsWith('- ')).length;
  if (bullets < 2 || bullets > 6) problems.push(`R5: ${bullets} overview bullets`);

  const findings = sectionText(report, 'Findings') ?? '';
  const fs = [...findings.matchAll(/^### F(\d+)\. \S.*$/gm)];
  if (fs.length === 0 && !/^No findings\.$/m.test(findings)) problems.push('R6: no F headings and no "No findings."');
  fs.forEach((m, i) => {
    if (Number(m[1]) !== i + 1) problems.push(`R6: F${m[1]} out of sequence`);
    const body = findings.slice(m.index!, fs[i + 1]?.index);
    let at = -1;
    for (const label of LABELS) {
      const found = body.indexOf(`**${label}:** `);
      if (found === -1 || found < at) problems.push(`R7: F${m[1]} lacks **${label}:** in order`);
      at = found;
    }
    const sev = /\*\*Severity:\*\* (\S+)/.exec(body)?.[1];
    if (!['critical', 'high', 'moderate', 'low'].includes(sev ?? '')) problems.push(`R7: F${m[1]} severity ${sev}`);
  });

  const evidence = sectionText(report, 'Evidence') ?? '';
  if (!/reltuples/.test(evidence) || !/count\(\*\)/.test(evidence)) problems.push('R8: Evidence lacks reltuples vs count(*)');

  const summary = sectionText(report, 'Summary') ?? '';
  if (!/^\| # \| Finding \| Severity \| Recommendation \| Expected impact \|$/m.test(summary)) problems.push('R9: summary header');
  const rows = summary.split('\n').filter((l) => /^\| F\d+ \|/.test(l)).length;
  if (rows !== fs.length) problems.push(`R9: ${rows} summary rows for ${fs.length} findings`);

  const next = sectionText(report, 'Next steps') ?? '';
  if (!next.includes(REASSESS)) problems.push('R10: reassess sentence missing');
  if (!/^1\. \S/m.test(next)) problems.push('R10: no first step');

  const experiments = sectionText(report, 'Experiments');
  if (experiments !== undefined) {
    const ran = /^\| Run \| Plan shape \| Estimated rows \(top join\) \| Actual rows \| Execution time \| Change \|$/m.test(experiments);
    const skipped = /^Skipped: the query ran for [\d.,]+ s \(over 30 s\), so re-running it for each experiment was not done\.$/m.test(experiments);
    const none = /^No experiment applies/m.test(experiments);
    if (!ran && !skipped && !none) problems.push('C1/C2: Experiments has neither the comparison table nor the skip sentence');
    if (skipped && !/```sql\n/.test(experiments)) problems.push('C2: skipped experiments without their SQL');
  }
  const defect = sectionText(report, 'Possible engine defect');
  if (defect !== undefined) {
    if (!/The query's results (are correct|could not be confirmed): /.test(defect)) problems.push('C3: no result-correctness sentence');
    for (const line of ['Subject: Aurora DSQL plan reports implausible row counts', 'Region: ', 'Cluster identifier: ', 'Query identifier: ', 'Observed: node "', 'Result correctness: ', 'Plan: attached as text']) {
      if (!defect.includes(line)) problems.push(`C3: template line "${line}" missing`);
    }
  }
  for (const h of headings.filter((x) => x.startsWith('Addendum'))) {
    const body = sectionText(report, h) ?? '';
    if (!/^\| Metric \| Before \| After \| Change \|$/m.test(body)) problems.push('C4: addendum table header');
    for (const m of ['Execution time', 'Planning time', 'DPU total', 'Slowest node (self time)', 'Rows returned']) if (!body.split('\n').some((l) => l.startsWith(`| ${m} |`))) problems.push(`C4: no ${m} row`);
  }
  if (/[\u2500-\u257f]/.test(report)) problems.push('box-drawing characters');
  return problems;
}
