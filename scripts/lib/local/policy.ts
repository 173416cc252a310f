// What the local server enforces, read from the rules table (scripts/lib/rules): the same
// statement checks as dsql-lint, the same transaction tracker, and DSQL's texts, SQLSTATEs
// and limits. Nothing here restates a DSQL error message; see the two exceptions below.
import {
  checkStatement,
  TRANSACTION_AGE_LIMIT_SECONDS,
  TRANSACTION_ROW_LIMIT,
  TRANSACTION_RULES,
  TransactionTracker,
  type Finding,
  type Rule,
} from '../rules/index.js';
import type { Statement } from '../sql/parser.js';
import type { ErrorFields } from './wire.js';

/** An error the server answers instead of running a statement. */
export interface Refusal extends ErrorFields {
  /** The rule's id in the rules table. */
  rule: string;
}

/** The transaction rules for one transaction (one DDL, no DDL+DML, wait_for_job outside blocks). */
export interface TransactionRules {
  check(stmt: Statement): Refusal | undefined;
  /** Several statements in one message, or one extended-protocol pipeline: one transaction. */
  beginImplicit(): void;
  endImplicit(): void;
}

export interface Policy {
  /** The first error DSQL raises for `stmt` on its own, given the statements before it in the transaction. */
  statement(stmt: Statement, previous: readonly Statement[]): Refusal | undefined;
  transaction(): TransactionRules;
  rowLimit: { limit: number; sqlstate: string; message: string };
  ageLimit: { seconds: number; refusal: Refusal };
  /** DSQL's error for a transaction that writes too much (the server raises it for oversized COPY data only). */
  sizeLimit: Refusal;
  badJobId: { sqlstate: string; message: string };
  /** What a client that waited too long for another client's transaction gets (DSQL's OCC error). */
  conflict: Refusal;
  /** server_version as DSQL reports it at connection start. */
  serverVersion: string;
}

export interface PolicyOptions {
  /** Seconds a transaction may stay open (tests use a short limit; DSQL's is in the rules table). */
  ageLimitSeconds?: number;
}

function refusalOf(finding: Finding): Refusal {
  return { rule: finding.rule, code: finding.sqlstate, message: finding.message };
}

function refusalOfRule(rule: Rule): Refusal {
  return { rule: rule.id, code: rule.sqlstate!, message: rule.message! };
}

const firstError = (findings: Finding[]): Refusal | undefined => {
  const error = findings.find((f) => f.severity === 'error');
  return error && refusalOf(error);
};

const IAM_NOT_EMULATED = (action: 'grant' | 'revoke'): Refusal => ({
  rule: 'local_iam_not_emulated',
  code: '0A000',
  message: `AWS IAM ${action.toUpperCase()} is not emulated by the local DSQL: it has no IAM identities to map (run it on a cluster)`,
});

export function dsqlPolicy(options: PolicyOptions = {}): Policy {
  // Statement checks without earlier statements depend on the statement alone; parsed
  // statements are cached by text, so repeated queries hit this cache.
  const alone = new WeakMap<Statement, Refusal | null>();
  return {
    statement(stmt, previous) {
      // DSQL maps IAM identities to roles; here there are none, so say so instead of a syntax error.
      if (stmt.iam) return IAM_NOT_EMULATED(stmt.iam);
      if (previous.length > 0) return firstError(checkStatement(stmt, { previous }));
      let hit = alone.get(stmt);
      if (hit === undefined) {
        hit = firstError(checkStatement(stmt, { previous })) ?? null;
        alone.set(stmt, hit);
      }
      return hit ?? undefined;
    },
    transaction() {
      const tracker = new TransactionTracker();
      return {
        check: (stmt) => firstError(tracker.check(stmt)),
        beginImplicit: () => tracker.beginImplicit(),
        endImplicit: () => tracker.endImplicit(),
      };
    },
    rowLimit: {
      limit: TRANSACTION_ROW_LIMIT,
      sqlstate: TRANSACTION_RULES.rowLimit.sqlstate!,
      message: TRANSACTION_RULES.rowLimit.message!,
    },
    ageLimit: {
      seconds: options.ageLimitSeconds ?? TRANSACTION_AGE_LIMIT_SECONDS,
      refusal: refusalOfRule(TRANSACTION_RULES.ageLimit),
    },
    sizeLimit: refusalOfRule(TRANSACTION_RULES.sizeLimit),
    // Not in the rules table yet (a procedure's argument error rather than a SQL rule);
    // recorded from a real cluster: Dreamescaper/dsql-emulator test/conformance/golden/index.json.
    badJobId: { sqlstate: '22P02', message: 'Unable to convert text to UUID' },
    conflict: refusalOfRule(TRANSACTION_RULES.dataConflict),
    // DSQL's server_version (the same golden recordings, environment.json).
    serverVersion: '16.15',
  };
}
