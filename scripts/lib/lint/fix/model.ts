// The shapes the fix planner works with.
import type { Node } from '@pgsql/types';
import type { StatementClass } from '../../rules/index.js';
import type { Statement } from '../../sql/parser.js';

export type FixStatus = 'fixed' | 'fixed_with_warning' | 'unfixable';

export interface Outcome {
  status: FixStatus;
  detail?: string;
}

/** A statement produced by a fix (rendered from its tree). */
export interface NewStatement {
  ast: Node;
  async: boolean;
}

/** One input statement while fixes are applied to it. */
export class StatementFix {
  readonly stmt: Statement;
  /** A private copy of the tree, made on the first change. */
  private clone?: Node;
  async: boolean;
  dropped = false;
  /** Statements to emit right after this one. */
  readonly after: NewStatement[] = [];

  constructor(stmt: Statement) {
    this.stmt = stmt;
    this.async = stmt.async;
  }

  /** The statement's node (e.g. the CreateStmt body), writable. */
  body<T = Record<string, unknown>>(): T {
    this.clone ??= structuredClone(this.stmt.ast);
    return (this.clone as unknown as Record<string, T>)[this.stmt.kind]!;
  }

  /** The node to read: the changed copy if any, else the original. */
  read<T = Record<string, unknown>>(): T {
    return (this.clone ? (this.clone as unknown as Record<string, T>)[this.stmt.kind] : this.stmt.node) as T;
  }

  get modified(): boolean {
    return this.clone !== undefined || this.async !== this.stmt.async;
  }

  get ast(): Node {
    return this.clone ?? this.stmt.ast;
  }
}

export interface Unit {
  /** Text before the statement (whitespace, comments) kept from the input. */
  leading: string;
  /** The statement's SQL, or undefined for a removed statement (only `leading` is written). */
  text?: string;
  /** What ends it: the input's own `;` (with anything before it) or ';' for new ones. */
  terminator: string;
  cls?: StatementClass;
  /** BEGIN/START, or how a block ends (COMMIT, PREPARE TRANSACTION: commit), for splitting blocks. */
  txn?: 'begin' | 'commit' | 'rollback';
  /** COMMIT/ROLLBACK AND CHAIN: the next block starts at once. */
  chain?: boolean;
  /** Index of the input statement it comes from. */
  source?: number;
}
