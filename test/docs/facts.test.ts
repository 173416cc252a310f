// DSQL facts in the docs agree with the rules table (scripts/lib/rules/), the one source of
// DSQL behaviour: the limits table in SKILL.md, the refused-statements table and the dates
// features arrived in the development guide.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support.js';

interface RuleLike {
  id: string;
  status: string;
  summary: string;
  message: string | null;
  since: string;
  source: string;
}

// The table lands with dsql-lint (issue 5); until then these checks are skipped.
const tableFile = join(ROOT, 'scripts', 'lib', 'rules', 'table', 'index.ts');
const hasTable = existsSync(tableFile);
const reason = hasTable ? '' : ' (skipped: the rules table is not on this branch yet, issue 5)';
const rules = async (): Promise<Map<string, RuleLike>> => {
  const mod = (await import(pathToFileURL(tableFile).href)) as { RULES: readonly RuleLike[] };
  return new Map(mod.RULES.map((r) => [r.id, r]));
};

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

describe(`docs against the rules table${reason}`, () => {
  it.skipIf(!hasTable)('every limit in SKILL.md names a rule whose text states the same number', async () => {
    const table = await rules();
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

  it.skipIf(!hasTable)('every statement the guide lists as refused is refused in the rules table', async () => {
    const table = await rules();
    const wrong = refusedIds.filter((id) => !['refused', 'limit'].includes(table.get(id)?.status ?? 'missing'));
    expect(wrong).toEqual([]);
  });

  it.skipIf(!hasTable)('every feature DSQL gained after launch is in the guide, dated no later than the rules table says', async () => {
    const table = await rules();
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
