// Every rule the linter detects fires on its fixtures and stays silent on the near misses;
// everything DSQL accepts lints clean. The fixtures live in fixtures.ts.
import { describe, expect, it } from 'vitest';
import { lintSql } from '../../scripts/lib/lint/engine.js';
import { RULES } from '../../scripts/lib/rules/index.js';
import { ACCEPTED, FIXTURES } from './fixtures.js';

const detectable = RULES.filter((r) => r.lint && r.status !== 'supported');
const rulesOf = async (sql: string) => (await lintSql(sql)).diagnostics.map((d) => d.rule);

describe('fixture coverage', () => {
  it('has a positive and a near-miss fixture for every rule the linter detects', () => {
    const missing = detectable.filter((r) => !FIXTURES[r.id]?.bad.length || !FIXTURES[r.id]?.good.length).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('has accepted examples for every supported behaviour, and no fixture for an unknown rule', () => {
    const supported = RULES.filter((r) => r.status === 'supported').map((r) => r.id);
    expect(supported.filter((id) => !ACCEPTED[id]?.length)).toEqual([]);
    const known = new Set(RULES.map((r) => r.id));
    expect([...Object.keys(FIXTURES), ...Object.keys(ACCEPTED)].filter((id) => !known.has(id))).toEqual([]);
  });
});

describe.each(detectable.map((r) => [r.id] as const))('%s', (id) => {
  const fixture = FIXTURES[id] ?? { bad: [], good: [] };
  it.each(fixture.bad.map((sql) => [sql.length > 90 ? `${sql.slice(0, 90)}…` : sql, sql]))('fires on %s', async (_label, sql) => {
    const found = await lintSql(sql);
    const mine = found.diagnostics.filter((d) => d.rule === id);
    expect(mine.length, `expected ${id} in ${JSON.stringify(found.diagnostics.map((d) => d.rule))}`).toBeGreaterThan(0);
    const rule = RULES.find((r) => r.id === id)!;
    for (const d of mine) {
      expect(d.sqlstate).toBe(rule.sqlstate);
      expect(d.severity).toBe(rule.severity);
      expect(d.message).not.toMatch(/\{\w+\}/); // every placeholder filled
    }
  });
  it.each(fixture.good.map((sql) => [sql.length > 90 ? `${sql.slice(0, 90)}…` : sql, sql]))('stays silent on %s', async (_label, sql) => {
    expect(await rulesOf(sql)).not.toContain(id);
  });
});

describe('statements DSQL accepts', () => {
  const all = Object.entries(ACCEPTED).flatMap(([id, list]) => list.map((sql) => [id, sql] as const));
  it.each(all)('%s: %s lints clean', async (_id, sql) => {
    expect(await rulesOf(sql)).toEqual([]);
  });

  it('lints clean as one file too (no cross-statement rule misfires)', async () => {
    const file = Object.values(ACCEPTED)
      .flat()
      .filter((sql) => !/^(BEGIN|START|COMMIT|ROLLBACK)/.test(sql))
      .join(';\n');
    expect(await rulesOf(file)).toEqual([]);
  });
});
