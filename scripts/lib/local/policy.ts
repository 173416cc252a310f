// What the local server needs from the rules table, in the shape the session uses.
// The texts, SQLSTATEs and limits all come from scripts/lib/rules (one source of truth);
// see rules-binding.ts for how the table is read.
import type { Statement } from '../sql/parser.js';
import type { ErrorFields } from './wire.js';

/** An error the server answers instead of running a statement. */
export interface Refusal extends ErrorFields {
  /** The rule's id in the rules table. */
  rule: string;
}

export interface Policy {
  /**
   * The first error DSQL raises for `stmt`, given the statements before it in the same
   * transaction (the same growing array on every call), or undefined to run it.
   */
  check(stmt: Statement, previous: readonly Statement[]): Refusal | undefined;
  /** `CALL sys.wait_for_job` inside a transaction block. */
  waitForJobInTransaction: Refusal;
  rowLimit: { limit: number; sqlstate: string; message: string };
  ageLimit: { seconds: number; refusal(ageSeconds: number): Refusal };
  badJobId: { sqlstate: string; message: string };
  /** What a client that waited too long for another client's transaction gets. */
  conflict: Refusal;
  /** server_version as DSQL reports it at connection start. */
  serverVersion: string;
}
