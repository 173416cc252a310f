// Conformance: every rule the rules table refuses, refused by the local DSQL at run time
// with the rule's SQLSTATE and message, through node-postgres (simple and extended protocol)
// and the real psql; and the statements DSQL accepts, accepted. The statements are the rules'
// own fixtures (test/rules/fixtures.ts, shared with dsql-lint's tests).
//
// Each fixture runs in a schema of its own, where the tables it uses but does not create
// exist, so a statement before the refused one does not fail for another reason.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStatement, RULES, type Rule } from '../../scripts/lib/rules/index.js';
import { parse, type Statement } from '../../scripts/lib/sql/parser.js';
import { attempt, connect, psql, psqlErrors, startTestServer, type TestServer } from './support.js';

interface Fixtures {
  FIXTURES: Record<string, { bad: string[]; good: string[] }>;
  ACCEPTED: Record<string, string[]>;
}

const fixtures: Fixtures = await import('../rules/fixtures.js');

// Rules the server cannot show on a fixture of its own, and why.
const NOT_AT_RUN_TIME: Record<string, string> = {
  parse_error: 'PGlite reports syntax errors itself (42601, its own message)',
};
const countsAcrossTransactions = (r: Rule) => r.scope === 'input'; // catalog counts: checked within one transaction only

const refused = RULES.filter((r) => r.lint && r.status !== 'supported' && r.severity === 'error' && !(r.id in NOT_AT_RUN_TIME) && !countsAcrossTransactions(r));
// Fixtures of thousands of statements are for the counting rules; keep the rest.
const cases = refused.flatMap((r) => (fixtures.FIXTURES[r.id]?.bad ?? []).filter((sql) => sql.length < 50_000).map((sql) => ({ rule: r, sql })));

let server: TestServer;
let client: pg.Client;
let schemas = 0;

beforeAll(async () => {
  server = await startTestServer();
  client = await connect(server);
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

/** Relation names a statement list uses but does not create (a RangeVar is any node with relname). */
function borrowedTables(stmts: Statement[]): string[] {
  const used = new Set<string>();
  const created = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const rv = node as { relname?: unknown; schemaname?: unknown };
    if (typeof rv.relname === 'string' && rv.schemaname === undefined) used.add(rv.relname);
    Object.values(node).forEach(visit);
  };
  for (const s of stmts) {
    const n = s.node as { relation?: { relname?: string }; view?: { relname?: string }; sequence?: { relname?: string } };
    const made = s.kind === 'CreateStmt' ? n.relation : s.kind === 'ViewStmt' ? n.view : s.kind === 'CreateSeqStmt' ? n.sequence : undefined;
    if (made?.relname) created.add(made.relname);
    visit(s.ast);
  }
  return [...used].filter((name) => !created.has(name));
}

/** A fresh schema with the borrowed tables, as the search path; returns the statements. */
async function stage(sql: string): Promise<Statement[]> {
  const stmts = await parse(sql);
  const schema = `cf_${process.pid}_${++schemas}`;
  for (const setup of [`CREATE SCHEMA ${schema}`, `SET search_path = ${schema}, public`]) {
    const r = await attempt(client, setup);
    expect(r.ok, `${setup}: ${r.message}`).toBe(true);
  }
  for (const t of borrowedTables(stmts)) {
    const r = await attempt(client, `CREATE TABLE ${schema}."${t}" (id bigint, a int, b int, c int, n int, name text, email text, doc jsonb, org_id bigint, total numeric, status text, active boolean)`);
    expect(r.ok, `${t}: ${r.message}`).toBe(true);
  }
  return stmts;
}

/** A rule's message as a pattern: its {placeholders} match anything. */
function messagePattern(rule: Rule): RegExp {
  const escaped = rule.message!.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\\?\{\w+\\?\}/g, '.+').replace(/\{\w+\}/g, '.+')}$`);
}

function refusalOf(code: string | undefined, message: string | undefined): Rule | undefined {
  return RULES.find((r) => r.sqlstate === code && r.message !== null && r.status !== 'supported' && messagePattern(r).test(message ?? ''));
}

describe('every refusal in the rules table, at run time', () => {
  it('has a fixture for every rule it checks', () => {
    expect(refused.filter((r) => !fixtures.FIXTURES[r.id]?.bad.length).map((r) => r.id)).toEqual([]);
  });

  it.each(cases.map((c) => [c.rule.id, c.sql.length > 80 ? `${c.sql.slice(0, 80)}…` : c.sql, c] as const))(
    '%s: %s (node-postgres)',
    async (_id, _label, { rule, sql }) => {
      const stmts = await stage(sql);
      // Statement by statement, as a migration runner sends them; single statements also
      // through the extended protocol.
      let error: { code?: string; message?: string } | undefined;
      let at: Statement | undefined;
      for (const s of stmts) {
        const r = stmts.length === 1 ? await attempt(client, { text: s.text, values: [] } as pg.QueryConfig) : await attempt(client, s.text);
        if (!r.ok) {
          error = r;
          at = s;
          break;
        }
      }
      await attempt(client, 'ROLLBACK');
      expect(error, `${rule.id} was not refused`).toBeDefined();
      expect(error!.code).toBe(rule.sqlstate);
      if (messagePattern(rule).test(error!.message ?? '')) return;
      // A statement that breaks several rules gets the first one the rules module finds
      // (CREATE TEMP TABLE ... ON COMMIT DROP: the temporary table), as DSQL answers one error.
      const findings = checkStatement(at!).filter((f) => f.severity === 'error');
      expect(findings.map((f) => f.rule)).toContain(rule.id);
      expect({ code: error!.code, message: error!.message }).toEqual({ code: findings[0]!.sqlstate, message: findings[0]!.message });
    },
  );

  it('gives the same refusals through psql, with VERBOSITY verbose', async () => {
    const single = cases.filter((c) => !c.sql.includes(';'));
    const script = single.map((c) => `${c.sql};\nROLLBACK;`).join('\n');
    const r = await psql(server, ['-q', '-v', 'ON_ERROR_STOP=0'], script);
    const errors = psqlErrors(r.stderr).filter(([code]) => code !== '25P02');
    expect(errors.length).toBe(single.length);
    errors.forEach(([code, message], i) => {
      expect(code, single[i]!.sql).toBe(single[i]!.rule.sqlstate);
      expect(refusalOf(code, message), `${code} ${message}`).toBeDefined();
    });
  });
});

describe('statements DSQL accepts', () => {
  // Each behaviour's examples run in order in one schema (a domain created, then altered).
  const accepted = Object.entries(fixtures.ACCEPTED).map(([id, list]) => [id, list.join(';\n')] as const);
  it.each(accepted)('%s is not refused', async (_id, sql) => {
    const stmts = await stage(sql);
    for (const s of stmts) {
      const r = await attempt(client, s.text);
      // A statement may fail for PostgreSQL reasons in this bare schema (no such column,
      // function or role), never with a DSQL refusal.
      if (!r.ok) expect(refusalOf(r.code, r.message), `${s.text}: ${r.code} ${r.message}`).toBeUndefined();
    }
    await attempt(client, 'ROLLBACK');
  });
});

describe("DSQL's own statements the local DSQL cannot emulate", () => {
  it('refuses AWS IAM GRANT/REVOKE with one clear 0A000, the session staying usable', async () => {
    for (const [sql, verb] of [
      ["AWS IAM GRANT app_reader TO 'arn:aws:iam::123456789012:role/reader'", 'GRANT'],
      ["aws iam revoke app_reader from 'arn:aws:iam::123456789012:role/reader'", 'REVOKE'],
    ] as const) {
      const r = await attempt(client, sql);
      expect(r).toMatchObject({ ok: false, code: '0A000' });
      expect(r.message).toBe(`AWS IAM ${verb} is not emulated by the local DSQL: it has no IAM identities to map (run it on a cluster)`);
    }
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
