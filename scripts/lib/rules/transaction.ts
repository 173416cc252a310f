// The transaction rules over a sequence of statements: one DDL per transaction, no DDL
// with DML, the 3,000-row limit on literal VALUES lists, and sys.wait_for_job outside
// blocks. The linter feeds it a file; a server feeds it a session's statements and marks
// implicit transactions (several statements in one simple-query message).
import type { CallStmt, TransactionStmt } from '@pgsql/types';
import type { Statement } from '../sql/parser.js';
import { strings } from './ast.js';
import { valuesRows } from './checks/expressions.js';
import { classify } from './classify.js';
import { makeFinding } from './finding.js';
import { TRANSACTION_ROW_LIMIT, TRANSACTION_RULES } from './table/index.js';
import type { Finding } from './types.js';

export interface TransactionTrackerOptions {
  /** Treat the whole input as one transaction (psql --single-transaction, Flyway-style runners). */
  singleTransaction?: boolean;
}

export class TransactionTracker {
  private explicit = false;
  private implicit: boolean;
  private readonly single: boolean;
  private ddl = 0;
  private dml = 0;
  private rows = 0;

  constructor(options: TransactionTrackerOptions = {}) {
    this.single = options.singleTransaction ?? false;
    this.implicit = this.single;
  }

  /** Inside BEGIN ... COMMIT, or inside an implicit transaction. */
  get inTransaction(): boolean {
    return this.explicit || this.implicit;
  }

  /** Inside an explicit BEGIN ... COMMIT block. */
  get inBlock(): boolean {
    return this.explicit;
  }

  /** Start an implicit transaction (a server: a simple-query message with several statements). */
  beginImplicit(): void {
    if (!this.explicit && !this.implicit) this.reset();
    this.implicit = true;
  }

  /** End the implicit transaction. */
  endImplicit(): void {
    this.implicit = this.single;
    if (!this.explicit) this.reset();
  }

  private reset(): void {
    this.ddl = 0;
    this.dml = 0;
    this.rows = 0;
  }

  /** Feed the next statement; returns the transaction rules it breaks. */
  check(stmt: Statement): Finding[] {
    const cls = classify(stmt);
    if (cls === 'transaction') {
      this.transactionStatement(stmt.node as TransactionStmt);
      return [];
    }
    if (!this.inTransaction) return [];
    const found: Finding[] = [];
    const at = stmt.start;
    if (this.explicit && stmt.kind === 'CallStmt' && isWaitForJob(stmt.node as CallStmt)) {
      found.push(makeFinding(TRANSACTION_RULES.waitForJobInTransaction, {}, at));
    }
    if (cls === 'ddl') {
      if (this.ddl > 0) found.push(makeFinding(TRANSACTION_RULES.multipleDdl, {}, at));
      if (this.dml > 0) found.push(makeFinding(TRANSACTION_RULES.ddlDmlMixed, {}, at));
      this.ddl++;
    } else if (cls === 'dml') {
      if (this.ddl > 0) found.push(makeFinding(TRANSACTION_RULES.ddlDmlMixed, {}, at));
      this.dml++;
      const rows = valuesRows(stmt);
      const before = this.rows;
      this.rows += rows;
      // A single statement over the limit is reported by checkStatement already.
      if (rows <= TRANSACTION_ROW_LIMIT && before <= TRANSACTION_ROW_LIMIT && this.rows > TRANSACTION_ROW_LIMIT) {
        found.push(makeFinding(TRANSACTION_RULES.rowLimit, {}, at));
      }
    }
    return found;
  }

  private transactionStatement(n: TransactionStmt): void {
    if (this.single) return; // one transaction whatever the file says
    switch (n.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        if (!this.explicit) {
          // An implicit transaction's statements before BEGIN count with the block.
          if (!this.implicit) this.reset();
          this.explicit = true;
        }
        break;
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_ROLLBACK':
      case 'TRANS_STMT_PREPARE':
        this.explicit = n.chain === true;
        this.reset();
        break;
    }
  }
}

function isWaitForJob(n: CallStmt): boolean {
  const name = strings(n.funccall?.funcname).map((s) => s.toLowerCase());
  return name.length === 2 && name[0] === 'sys' && name[1] === 'wait_for_job';
}
