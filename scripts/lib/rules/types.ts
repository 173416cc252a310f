// The shapes of the rules table and of what a check reports. Kept apart from the table
// so that the local server, the linter and the docs checks can share them without
// loading the checks.
import type { Statement } from '../sql/parser.js';

/**
 * What DSQL does with the behaviour:
 * - refused: the statement fails (DSQL answers an error);
 * - limit: it fails once a quota is crossed (count, size, age);
 * - differs: DSQL runs it but the result differs from PostgreSQL (a warning);
 * - supported: DSQL accepts it although older tools or docs say otherwise (recorded so nothing flags it).
 */
export type RuleStatus = 'refused' | 'limit' | 'differs' | 'supported';

/**
 * Where the behaviour shows:
 * - statement: one statement on its own;
 * - input: a statement together with the ones before it in the same input (counts per table);
 * - transaction: a transaction as a whole (one DDL, DDL+DML, row/size/age limits);
 * - session: the connection (connection limits); never found by reading SQL.
 */
export type RuleScope = 'statement' | 'input' | 'transaction' | 'session';

/** error: DSQL refuses it. warning: DSQL runs it but differently from PostgreSQL. */
export type Severity = 'error' | 'warning';

export type FixTier = 'fixed' | 'fixed_with_warning';

export interface RuleFix {
  /** fixed: mechanically equivalent. fixed_with_warning: DSQL accepts the result but behaviour changes. */
  tier: FixTier;
  /** What `dsql-lint --fix` does, in one sentence. */
  does: string;
}

export interface Rule {
  /** Stable identifier (snake_case). Where the public dsql-lint has the same rule, the same id. */
  id: string;
  /** One line: what the rule is about. */
  summary: string;
  status: RuleStatus;
  scope: RuleScope;
  /** How it is detected on the parse tree (libpg-query node names), for maintainers. */
  detects: string;
  /** SQLSTATE DSQL answers with; '01000' (warning) for `differs`; null for `supported`. */
  sqlstate: string | null;
  /**
   * DSQL's message text, with {placeholders} filled per finding; null for `supported`.
   * For `differs` rules DSQL says nothing, and the text is ours.
   */
  message: string | null;
  /** True when the message (and SQLSTATE) were recorded from a real cluster or DSQL's docs; false when inferred. */
  messageVerified: boolean;
  severity: Severity | null;
  /** What to do instead. */
  suggestion?: string;
  fix?: RuleFix;
  /** False when only a running server can see it (age, size, connections). */
  lint: boolean;
  /** ISO date since when DSQL behaves so: the change date when known, else DSQL's GA date (held since launch). */
  since: string;
  /** Where the behaviour is documented or recorded. */
  source: string;
}

/** One problem in one statement, as DSQL would report it. */
export interface Finding {
  rule: string;
  severity: Severity;
  sqlstate: string;
  /** DSQL's own text, placeholders filled. */
  message: string;
  suggestion?: string;
  /** Character offset into the input (same coordinates as Statement.start) of the offending part. */
  offset?: number;
}

export interface CheckContext {
  /**
   * The statements before this one in the same input (linter) or transaction (server), in order.
   * Passing the same growing array on every call keeps cross-statement counting incremental.
   */
  previous: readonly Statement[];
}

export type StatementClass = 'ddl' | 'dml' | 'read' | 'transaction' | 'other';
