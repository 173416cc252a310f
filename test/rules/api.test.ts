// The public API of the rules module, as the local server and the docs checks use it.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../../scripts/lib/sql/parser.js';
import {
  checkStatement,
  classify,
  isSetAllowed,
  makeFinding,
  RULES,
  ruleById,
  SET_ALLOWLIST,
  TRANSACTION_RULES,
  TransactionTracker,
} from '../../scripts/lib/rules/index.js';

beforeAll(loadParser);

const one = (sql: string) => parseSql(sql)[0]!;

describe('RULES', () => {
  it('has unique ids and a complete entry for every rule', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(r.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.source).toMatch(/^https:\/\//);
      if (r.status === 'supported') {
        expect(r).toMatchObject({ sqlstate: null, message: null, severity: null });
      } else if (r.sqlstate !== null) {
        expect(r.sqlstate).toMatch(/^[0-9A-Z]{5}$/);
        expect(r.message).toBeTruthy();
        expect(r.severity).toBe(r.status === 'differs' ? 'warning' : 'error');
      }
    }
  });

  it('records the 2026 changes as supported, with their dates', () => {
    expect(ruleById('foreign_keys')).toMatchObject({ status: 'supported', since: '2026-08-27' });
    expect(ruleById('identity_columns')).toMatchObject({ status: 'supported', since: '2026-02-13' });
    for (const id of ['json_columns', 'expression_index', 'partial_index', 'alter_index_rename', 'drop_constraint', 'add_generated_identity', 'unique_using_index']) {
      expect(ruleById(id).status).toBe('supported');
    }
  });
});

describe('TRANSACTION_RULES and the SET allowlist', () => {
  it('carries DSQL texts a server can raise as they are', () => {
    expect(TRANSACTION_RULES.multipleDdl).toMatchObject({ sqlstate: '0A000', message: 'multiple ddl statements not supported in a transaction' });
    expect(TRANSACTION_RULES.ddlDmlMixed.message).toBe('ddl and dml are not supported in the same transaction');
    expect(TRANSACTION_RULES.rowLimit).toMatchObject({ sqlstate: '54000', message: 'transaction row limit exceeded' });
    expect(TRANSACTION_RULES.ageLimit.message).toBe('transaction age limit of 300s exceeded');
    expect(TRANSACTION_RULES.sizeLimit.message).toBe('transaction size limit 10mb exceeded');
    expect(makeFinding(TRANSACTION_RULES.isolation, { level: 'SERIALIZABLE' }).message).toBe('Unsupported isolation level: SERIALIZABLE');
    expect(makeFinding(TRANSACTION_RULES.savepoint, { statement: 'RELEASE' }).message).toBe('unsupported transaction statement: RELEASE');
  });

  it('allows the documented parameters, case-insensitively, and enable_*', () => {
    expect(SET_ALLOWLIST).toContain('search_path');
    for (const name of ['search_path', 'TimeZone', 'DateStyle', 'application_name', 'enable_seqscan', 'role']) expect(isSetAllowed(name)).toBe(true);
    for (const name of ['statement_timeout', 'lock_timeout', 'default_transaction_isolation', 'session_authorization']) expect(isSetAllowed(name)).toBe(false);
  });
});

describe('classify', () => {
  it.each([
    ['CREATE TABLE t (id int)', 'ddl'],
    ['GRANT SELECT ON t TO r', 'ddl'],
    ['COMMENT ON TABLE t IS $$x$$', 'ddl'],
    ['ALTER TABLE t RENAME TO u', 'ddl'],
    ['CREATE INDEX ASYNC i ON t (a)', 'ddl'],
    ['SELECT 1 INTO x', 'ddl'],
    ['INSERT INTO t VALUES (1)', 'dml'],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'dml'],
    ['COPY t FROM STDIN', 'dml'],
    ['SELECT * FROM t', 'read'],
    ['EXPLAIN DELETE FROM t', 'read'],
    ['EXPLAIN ANALYZE DELETE FROM t', 'dml'],
    ['BEGIN', 'transaction'],
    ['SET search_path = x', 'other'],
  ])('%s is %s', (sql, expected) => {
    expect(classify(one(sql))).toBe(expected);
  });
});

describe('checkStatement', () => {
  it("reports DSQL's SQLSTATE and message with the placeholders filled", () => {
    const [f] = checkStatement(one('CREATE TABLE t (tags text[])'));
    expect(f).toMatchObject({ rule: 'array_type', severity: 'error', sqlstate: '0A000', message: 'datatype text[] not supported' });
    expect(f!.offset).toBe('CREATE TABLE t (tags '.length);
    // As AWS's own skill quotes DSQL (research: upstream-skill.md §1.2, ddl-migrations).
    expect(checkStatement(one('CREATE INDEX ASYNC i ON t USING hash (a)'))[0]).toMatchObject({ rule: 'index_using', message: 'USING not supported for CREATE INDEX' });
  });

  it('uses the statements before it for per-table counts', () => {
    const stmts = parseSql(
      ['CREATE TABLE t (id bigint PRIMARY KEY)', ...Array.from({ length: 24 }, (_, i) => `CREATE INDEX ASYNC i${i} ON t (c${i})`)].join(';\n'),
    );
    const previous: typeof stmts = [];
    const counts = stmts.map((s) => {
      const found = checkStatement(s, { previous }).map((f) => f.rule);
      previous.push(s);
      return found;
    });
    // The primary key is index 1, so the 24th CREATE INDEX makes 25.
    expect(counts.slice(0, 24).flat()).toEqual([]);
    expect(counts[24]).toEqual(['index_count_limit']);
  });
});

describe('TransactionTracker', () => {
  it('raises the second DDL and DDL after DML inside a block, not in autocommit', () => {
    const tracker = new TransactionTracker();
    const rules = parseSql('CREATE TABLE a (id int); CREATE TABLE b (id int); BEGIN; CREATE TABLE c (id int); INSERT INTO c VALUES (1); CREATE TABLE d (id int); COMMIT')
      .map((s) => tracker.check(s).map((f) => f.rule));
    expect(rules).toEqual([[], [], [], [], ['mixed_ddl_dml_transaction'], ['multi_ddl_transaction', 'mixed_ddl_dml_transaction'], []]);
  });

  it('treats an implicit transaction (one simple query) like a block', () => {
    const tracker = new TransactionTracker();
    tracker.beginImplicit();
    const [a, b] = parseSql('CREATE TABLE a (id int); CREATE INDEX ASYNC i ON a (id)');
    expect(tracker.check(a!)).toEqual([]);
    expect(tracker.check(b!).map((f) => f.rule)).toEqual(['multi_ddl_transaction']);
    tracker.endImplicit();
    expect(tracker.check(b!)).toEqual([]);
  });
});
