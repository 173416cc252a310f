// The PostgreSQL-features rule reads DSQL's behaviour from the rules table. Stored procedures
// are supported there (PL/pgSQL, documented as of 2026-11-26); here the table is replaced by one
// where DSQL refuses them again, to show the verdict follows the table, not the handoff code.
import { describe, expect, it, vi } from 'vitest';
import { variant } from './support.js';

const refuseProcedures = vi.hoisted(() => ({ on: false }));
vi.mock('../../scripts/lib/rules/table/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../scripts/lib/rules/table/index.js')>();
  return {
    ...real,
    get RULES() {
      return refuseProcedures.on ? real.RULES.map((r) => (r.id === 'plpgsql' ? { ...r, status: 'refused' } : r)) : real.RULES;
    },
  };
});

const { scopeCheck } = await import('../../scripts/lib/handoff/scope.js');
const withProcedures = () => variant((r) => void r.hard_constraints.push({ kind: 'stored_procedures', statement: 'Keep the billing procedures.' }));

describe('scope rules follow the DSQL rules table', () => {
  it('stored procedures do not rule DSQL out while the table lists PL/pgSQL as supported', () => {
    refuseProcedures.on = false;
    const verdict = scopeCheck(withProcedures());
    expect(verdict.verdict).toBe('in_scope');
    expect(verdict.notes.find((n) => n.evidence.includes('/hard_constraints/2'))?.message).toMatch(/no longer lists stored procedures as refused/);
  });

  it('they would, with the same handoff code, if the table refused PL/pgSQL', () => {
    refuseProcedures.on = true;
    const verdict = scopeCheck(withProcedures());
    expect(verdict.reasons.map((x) => [x.rule, x.message])).toEqual([
      ['postgresql-features', 'hard constraints require stored procedures, which Aurora DSQL refuses (rules plpgsql) and Aurora PostgreSQL supports'],
    ]);
  });

  it('triggers, refused in the real table, rule DSQL out', () => {
    refuseProcedures.on = false;
    const verdict = scopeCheck(variant((r) => void r.hard_constraints.push({ kind: 'triggers', statement: 'Audit triggers stay.' })));
    expect(verdict.reasons.map((x) => [x.rule, x.message])).toEqual([
      ['postgresql-features', 'hard constraints require triggers, which Aurora DSQL refuses (rules unsupported_create_trigger) and Aurora PostgreSQL supports'],
    ]);
  });
});
