// The PostgreSQL-features rule reads DSQL's behaviour from the rules table. Here the table is
// replaced by one where DSQL has gained stored procedures (the state the AWS docs' PL/pgSQL page
// describes), to show the verdict follows the table without a change in the handoff code.
import { describe, expect, it, vi } from 'vitest';
import { variant } from './support.js';

vi.mock('../../scripts/lib/rules/table/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../scripts/lib/rules/table/index.js')>();
  const gained = new Set(['unsupported_create_procedure', 'unsupported_create_function_non_sql']);
  return { ...real, RULES: real.RULES.map((r) => (gained.has(r.id) ? { ...r, status: 'supported' } : r)) };
});

const { scopeCheck } = await import('../../scripts/lib/handoff/scope.js');

describe('scope rules follow the DSQL rules table', () => {
  it('stored procedures no longer rule DSQL out once the table says DSQL has them', () => {
    const verdict = scopeCheck(variant((r) => void r.hard_constraints.push({ kind: 'stored_procedures', statement: 'Keep the billing procedures.' })));
    expect(verdict.verdict).toBe('in_scope');
    expect(verdict.notes.find((n) => n.evidence.includes('/hard_constraints/2'))?.message).toMatch(/no longer lists stored procedures as refused/);
  });

  it('triggers, still refused in that table, still do', () => {
    const verdict = scopeCheck(variant((r) => void r.hard_constraints.push({ kind: 'triggers', statement: 'Audit triggers stay.' })));
    expect(verdict.reasons.map((x) => [x.rule, x.message])).toEqual([
      ['postgresql-features', 'hard constraints require triggers, which Aurora DSQL refuses (rules unsupported_create_trigger) and Aurora PostgreSQL supports'],
    ]);
  });
});
