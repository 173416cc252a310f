// DSQL facts in the docs agree with the rules table (scripts/lib/rules/), the one source of
// DSQL behaviour: the limits table in SKILL.md, the refused-statements table and the dates
// features arrived in the development guide.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, SET_ALLOWLIST } from '../../scripts/lib/rules/index.js';
import { prose, ROOT, skillDocs } from './support.js';

const table = new Map(RULES.map((r) => [r.id, r]));

const skill = readFileSync(join(ROOT, 'SKILL.md'), 'utf8');
const guide = readFileSync(join(ROOT, 'references', 'development-guide.md'), 'utf8');

/** Rows of the SKILL.md limits table: [limit, value, rule id]. */
const limitRows = [...skill.slice(skill.indexOf('## Limits'), skill.indexOf('## Commands')).matchAll(/^\| ([^|]+) \| ([^|]+) \| `([a-z_0-9]+)` \|/gm)].map(
  (m) => ({ limit: m[1]!.trim(), value: m[2]!.trim(), id: m[3]! }),
);

/** Rule ids in the third column of the development guide's refused-statements table. */
const refusedIds = (() => {
  const section = guide.slice(guide.indexOf('## Statements DSQL refuses'), guide.indexOf('## Session settings'));
  return [...section.matchAll(/^\|[^|]+\|[^|]+\| (.+) \|$/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z_0-9]+)`/g)].map((x) => x[1]!));
})();

/** "What changed in 2026" in the guide: rule id -> the date given for it. */
const changeDates = (() => {
  const section = guide.slice(guide.indexOf('## What changed in 2026'), guide.indexOf('## Transactions'));
  const dates = new Map<string, string>();
  for (const m of section.matchAll(/^\|[^|]+\| (?:recorded |documented )?(\d{4}-\d\d-\d\d) \| (.+) \|$/gm)) {
    for (const id of m[2]!.matchAll(/`([a-z_0-9]+)`/g)) dates.set(id[1]!, m[1]!);
  }
  return dates;
})();

const numbers = (text: string): string[] => [...text.replace(/,(?=\d{3})/g, '').matchAll(/\d+/g)].map((m) => m[0]);

describe('the docs list the facts the checks compare', () => {
  it('SKILL.md limits table rows carry rule ids', () => {
    expect(limitRows.length).toBeGreaterThanOrEqual(8);
    const values = Object.fromEntries(limitRows.map((r) => [r.id, r.value]));
    expect(values.transaction_row_limit).toBe('3,000');
    expect(values.index_count_limit).toBe('24');
    expect(values.index_key_columns).toBe('8');
  });

  it('the refused-statements table carries rule ids', () => {
    expect(refusedIds.length).toBeGreaterThanOrEqual(20);
  });

  it('the 2026 changes carry dates and rule ids, foreign keys on 2026-08-27', () => {
    expect(changeDates.size).toBeGreaterThanOrEqual(10);
    expect(changeDates.get('foreign_keys')).toBe('2026-08-27');
    expect(changeDates.get('identity_columns')).toBe('2026-02-13');
  });
});

describe('docs against the rules table', () => {
  it('every limit in SKILL.md names a rule whose text states the same number', () => {
    const wrong: string[] = [];
    for (const row of limitRows) {
      const rule = table.get(row.id);
      if (!rule) {
        wrong.push(`${row.id}: no such rule`);
        continue;
      }
      const ruleNumbers = new Set(numbers(`${rule.summary} ${rule.message ?? ''}`));
      if (!numbers(row.value).some((n) => ruleNumbers.has(n))) wrong.push(`${row.id}: docs say ${row.value}, rule says "${rule.summary}"`);
      if (!['limit', 'refused'].includes(rule.status)) wrong.push(`${row.id}: status ${rule.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every statement the guide lists as refused is refused in the rules table', () => {
    const wrong = refusedIds.filter((id) => !['refused', 'limit'].includes(table.get(id)?.status ?? 'missing'));
    expect(wrong).toEqual([]);
  });

  it('every feature DSQL gained after launch is in the guide, dated no later than the rules table says', () => {
    const launch = [...table.values()].map((r) => r.since).sort()[0]!;
    const gained = [...table.values()].filter((r) => r.status === 'supported' && r.since > launch);
    expect(gained.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const rule of gained) {
      const date = changeDates.get(rule.id);
      if (!date) problems.push(`${rule.id} (since ${rule.since}) is not in "What changed in 2026"`);
      // The guide may cite an earlier official date than the table's first observation, never a later one.
      else if (date > rule.since) problems.push(`${rule.id}: guide says ${date}, rules table ${rule.since}`);
    }
    // And nothing the guide lists as new is unknown to the table or refused there.
    for (const id of changeDates.keys()) if (table.get(id)?.status !== 'supported') problems.push(`${id}: not a supported rule`);
    expect(problems).toEqual([]);
  });
});

/** The text of a Markdown section, from its heading to the next heading of any level. */
function section(text: string, heading: string): string {
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`no section ${heading}`);
  const rest = text.slice(at + heading.length + 2);
  const next = rest.search(/^#{1,6} /m);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('the SET allowlist', () => {
  const places = [
    ['references/development-guide.md', section(guide, '## Session settings')],
    ['references/query-plan/guc-experiments.md', readFileSync(join(ROOT, 'references', 'query-plan', 'guc-experiments.md'), 'utf8').split('\n## ')[0]!],
  ] as const;

  it.each(places)('%s names every parameter the rules table lets a session SET', (_, text) => {
    const named = new Set([...text.matchAll(/`([A-Za-z_.]+)`/g)].map((m) => m[1]!.toLowerCase()));
    expect(SET_ALLOWLIST.filter((name) => !named.has(name))).toEqual([]);
    // And the planner's enable_* family, which the table allows by prefix.
    expect(text).toMatch(/`enable_\*`/);
  });
});

/** Prose units of a Markdown text: each table row, list item or paragraph, with its first line. */
function units(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | undefined;
  prose(text)
    .split('\n')
    .forEach((line, i) => {
      const starts = /^\s*$/.test(line) || /^\s*\|/.test(line) || /^\s*([-*]|\d+\.)\s/.test(line) || /^#/.test(line);
      if (starts && current) {
        out.push(current);
        current = undefined;
      }
      if (/^\s*$/.test(line)) return;
      if (/^\s*\|/.test(line)) out.push({ line: i + 1, text: line });
      else if (current) current.text += ` ${line.trim()}`;
      else current = { line: i + 1, text: line.trim() };
    });
  if (current) out.push(current);
  return out;
}

describe('supported features are not described as refused', () => {
  // PL/pgSQL functions, procedures, CALL and DO are supported (the `plpgsql` rule, documented
  // 2026-11-26); other procedural languages and triggers are not. A table row, list item or
  // paragraph that names PL/pgSQL next to a refusal must say which side PL/pgSQL is on.
  const refusal = /\b(refus|not supported|unsupported|never fixed|rejected)/i;
  const clarified = /(other than|supported|\bwork|built in|other procedural)/i;

  it('the rules table has PL/pgSQL as supported', () => {
    expect(table.get('plpgsql')?.status).toBe('supported');
  });

  it('no reference lists PL/pgSQL among refused statements', () => {
    const wrong = skillDocs().flatMap((doc) =>
      units(doc.text)
        .filter((u) => /PL\/pgSQL|plpgsql/i.test(u.text) && refusal.test(u.text) && !clarified.test(u.text.replace(/unsupported|not supported/gi, '')))
        .map((u) => `${doc.path}:${u.line}: ${u.text.slice(0, 160)}`),
    );
    expect(wrong).toEqual([]);
  });
});
