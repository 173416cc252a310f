// What the statements before this one in the same input established: tables and their
// columns, keys and index counts, and how many objects were created. The quota and
// key rules read it. It is rebuilt incrementally when the caller passes the same
// growing `previous` array on each call (the linter does), so a long migration is
// read once, not once per statement.
import type { AlterTableCmd, ColumnDef, Constraint, CreateStmt, DropStmt, IndexStmt, RenameStmt } from '@pgsql/types';
import type { Statement } from '../sql/parser.js';
import { as, relationKey, strings } from './ast.js';
import { columnType, type ColumnType } from './pgtypes.js';

export interface TableInfo {
  columns: Map<string, ColumnType>;
  primaryKey: string[];
  /** Name of the primary key constraint (given, or PostgreSQL's default <table>_pkey). */
  primaryKeyName?: string;
  /** Indexes on the table: primary key, unique constraints and CREATE INDEX. */
  indexes: number;
}

type Relation = { schemaname?: string; relname?: string };

/** A possibly qualified name as a list of parts (DROP's objects): the same key as relationKey. */
const keyOfParts = (parts: string[]): string | undefined =>
  parts.length === 1 || parts.length === 2 ? relationKey({ schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] }) : undefined;

export class InputState {
  /** Tables by relationKey: schema and name as written. */
  readonly tables = new Map<string, TableInfo>();
  /** Index (keyed like a table: an index lives in its table's schema) -> its table's key. */
  private readonly indexOwner = new Map<string, string>();
  readonly created = { tables: 0, sequences: 0, views: 0, schemas: 0 };

  table(relation: Relation | undefined): TableInfo | undefined {
    const key = relationKey(relation);
    return key === undefined ? undefined : this.tables.get(key);
  }

  apply(stmt: Statement): void {
    switch (stmt.kind) {
      case 'CreateStmt':
        this.createTable(stmt.node as CreateStmt);
        break;
      case 'IndexStmt': {
        const n = stmt.node as IndexStmt;
        const table = this.table(n.relation);
        if (table) table.indexes++;
        const owner = relationKey(n.relation);
        if (n.idxname && owner) this.indexOwner.set(relationKey({ schemaname: n.relation?.schemaname, relname: n.idxname })!, owner);
        break;
      }
      case 'AlterTableStmt':
        this.alterTable(stmt.node as { relation?: Relation; cmds?: unknown[] });
        break;
      case 'DropStmt':
        this.drop(stmt.node as DropStmt);
        break;
      case 'RenameStmt': {
        const n = stmt.node as RenameStmt;
        const table = this.table(n.relation);
        if (n.renameType === 'OBJECT_TABLE' && table && n.newname) {
          this.tables.delete(relationKey(n.relation)!);
          this.tables.set(relationKey({ schemaname: n.relation?.schemaname, relname: n.newname })!, table);
        }
        break;
      }
      case 'CreateSeqStmt':
        this.created.sequences++;
        break;
      case 'ViewStmt':
        this.created.views++;
        break;
      case 'CreateSchemaStmt':
        this.created.schemas++;
        break;
    }
  }

  private createTable(n: CreateStmt): void {
    const key = relationKey(n.relation);
    if (!key) return;
    this.created.tables++;
    this.tables.set(key, describeTable(n));
  }

  private alterTable(n: { relation?: Relation; cmds?: unknown[] }): void {
    const table = this.table(n.relation);
    if (!table) return;
    for (const raw of n.cmds ?? []) {
      const cmd = as<AlterTableCmd>(raw, 'AlterTableCmd');
      if (!cmd) continue;
      if (cmd.subtype === 'AT_AddColumn') {
        const col = as<ColumnDef>(cmd.def, 'ColumnDef');
        const type = columnType(col?.typeName);
        if (col?.colname && type) table.columns.set(col.colname, type);
      } else if (cmd.subtype === 'AT_DropColumn' && cmd.name) {
        table.columns.delete(cmd.name);
      } else if (cmd.subtype === 'AT_AddConstraint') {
        const c = as<Constraint>(cmd.def, 'Constraint');
        if ((c?.contype === 'CONSTR_PRIMARY' || c?.contype === 'CONSTR_UNIQUE') && !c.indexname) table.indexes++;
      }
    }
  }

  private drop(n: DropStmt): void {
    for (const obj of n.objects ?? []) {
      const list = as<{ items?: unknown[] }>(obj, 'List');
      const key = list ? keyOfParts(strings(list.items)) : undefined;
      if (!key) continue;
      if (n.removeType === 'OBJECT_TABLE') this.tables.delete(key);
      if (n.removeType === 'OBJECT_INDEX') {
        const owner = this.tables.get(this.indexOwner.get(key) ?? '');
        if (owner && owner.indexes > 0) owner.indexes--;
        this.indexOwner.delete(key);
      }
    }
  }
}

/** Columns, primary key and key-index count of a CREATE TABLE. */
export function describeTable(n: CreateStmt): TableInfo {
  const info: TableInfo = { columns: new Map(), primaryKey: [], indexes: 0 };
  const name = n.relation?.relname ?? '';
  for (const elt of n.tableElts ?? []) {
    const col = as<ColumnDef>(elt, 'ColumnDef');
    if (col) {
      const type = columnType(col.typeName);
      if (col.colname && type) info.columns.set(col.colname, type);
      for (const c of col.constraints ?? []) {
        const con = as<Constraint>(c, 'Constraint');
        if (con?.contype === 'CONSTR_PRIMARY' || con?.contype === 'CONSTR_UNIQUE') info.indexes++;
        if (con?.contype === 'CONSTR_PRIMARY' && col.colname) {
          info.primaryKey = [col.colname];
          info.primaryKeyName = con.conname ?? `${name}_pkey`;
        }
      }
      continue;
    }
    const con = as<Constraint>(elt, 'Constraint');
    if (con?.contype === 'CONSTR_PRIMARY' || con?.contype === 'CONSTR_UNIQUE') info.indexes++;
    if (con?.contype === 'CONSTR_PRIMARY') {
      info.primaryKey = strings(con.keys);
      info.primaryKeyName = con.conname ?? `${name}_pkey`;
    }
  }
  return info;
}

const memo = new WeakMap<readonly Statement[], { state: InputState; count: number; last?: Statement }>();

/** The state after `previous`, reusing earlier work when `previous` only grew. */
export function inputState(previous: readonly Statement[]): InputState {
  let m = memo.get(previous);
  if (!m || m.count > previous.length || (m.count > 0 && previous[m.count - 1] !== m.last)) {
    m = { state: new InputState(), count: 0 };
    memo.set(previous, m);
  }
  for (let i = m.count; i < previous.length; i++) m.state.apply(previous[i]!);
  m.count = previous.length;
  m.last = previous[previous.length - 1];
  return m.state;
}
