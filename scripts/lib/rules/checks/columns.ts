// Column definitions (CREATE TABLE and ALTER TABLE ADD COLUMN) and CREATE TABLE itself.
import type { ColumnDef, Constraint, CreateStmt } from '@pgsql/types';
import type { Statement } from '../../sql/parser.js';
import { as, findDef, num, strings } from '../ast.js';
import type { Findings } from '../finding.js';
import { describeTable, inputState, type TableInfo } from '../input-state.js';
import {
  columnType,
  declaredBytes,
  EXTENSION_TYPES,
  isBuiltin,
  NON_KEY_TYPES,
  SERIAL_TYPES,
  UNSUPPORTED_COLUMN_TYPES,
  type ColumnType,
} from '../pgtypes.js';
import type { CheckContext } from '../types.js';

export const MAX_COLUMNS = 255;
export const MAX_INDEXES_PER_TABLE = 24;
export const MAX_KEY_COLUMNS = 8;
export const MAX_KEY_BYTES = 2000;
export const MAX_TABLES = 1000;

/** CACHE for identity columns and sequences: 1, or at least 65536. */
export function validCache(value: number | undefined): boolean {
  return value === 1 || (value !== undefined && value >= 65536);
}

/** Type rules for a column's declared type. */
export function checkType(t: ColumnType, f: Findings, location: number | undefined): void {
  const builtin = isBuiltin(t);
  if (builtin && t.schema === undefined && SERIAL_TYPES.has(t.name) && !t.array) {
    f.add('serial_type', { type: t.written }, location);
    return;
  }
  if (t.schema === undefined && EXTENSION_TYPES.has(t.name)) {
    f.add('extension_type', { type: t.written }, location);
    return;
  }
  if (t.array) {
    f.add('array_type', { type: t.display }, location);
    return;
  }
  if (!builtin) return;
  if (UNSUPPORTED_COLUMN_TYPES.has(t.name)) {
    f.add('unsupported_type', { type: t.display }, location);
    return;
  }
  const size = t.mods[0];
  if (t.name === 'bpchar' && size !== undefined && size > 4096) f.add('char_length_limit', {}, location);
  if (t.name === 'varchar' && size !== undefined && size > 65535) f.add('varchar_length_limit', {}, location);
  if (t.name === 'numeric') {
    if (t.mods.length === 0) f.add('numeric_unconstrained', {}, location);
    else if (size !== undefined && (size < 1 || size > 1000)) f.add('numeric_precision_limit', { precision: size }, location);
  }
}

/** Cache rules for an identity column's options (CREATE TABLE, ADD GENERATED). */
export function checkIdentityOptions(options: readonly unknown[] | undefined, f: Findings, location: number | undefined): void {
  const cache = findDef(options, 'cache');
  if (!cache) f.add('identity_cache_missing', {}, location);
  else if (!validCache(num(cache.arg))) f.add('identity_cache', {}, cache.location ?? location);
}

/** Rules for one column definition. `adding` is true for ALTER TABLE ADD COLUMN. */
export function checkColumn(col: ColumnDef, f: Findings, adding: boolean): void {
  const t = columnType(col.typeName);
  if (t) checkType(t, f, col.typeName?.location);
  if (col.collClause) f.add('collation', {}, col.collClause.location);
  const constraints = (col.constraints ?? []).map((c) => as<Constraint>(c, 'Constraint')).filter((c) => c !== undefined);
  if (adding && constraints.length > 0) f.add('add_column_constraint', {}, constraints[0]!.location);
  for (const c of constraints) {
    if (c.contype === 'CONSTR_IDENTITY') {
      if (t && t.name !== 'int8' && !SERIAL_TYPES.has(t.name)) f.add('identity_type', { type: t.display }, col.typeName?.location);
      if (!adding) checkIdentityOptions(c.options, f, c.location);
    } else if ((c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') && t && isBuiltin(t)) {
      if (NON_KEY_TYPES.has(t.name)) f.add('index_key_type', { type: t.display }, c.location);
      if (declaredBytes(t) > MAX_KEY_BYTES) f.add('key_size_limit', {}, c.location);
    }
  }
}

/** Key rules shared by PRIMARY KEY / UNIQUE constraints and CREATE INDEX. */
export function checkKeyColumns(
  keys: readonly (string | undefined)[],
  table: TableInfo | undefined,
  f: Findings,
  location: number | undefined,
): void {
  if (keys.length > MAX_KEY_COLUMNS) f.add('index_key_columns', {}, location);
  if (!table) return;
  let bytes = 0;
  for (const key of keys) {
    const t = key === undefined ? undefined : table.columns.get(key);
    if (!t) continue;
    if (isBuiltin(t) && NON_KEY_TYPES.has(t.name) && !t.array) f.add('index_key_type', { type: t.display }, location);
    bytes += declaredBytes(t);
  }
  if (bytes > MAX_KEY_BYTES) f.add('key_size_limit', {}, location);
}

export function checkCreateTable(stmt: Statement, f: Findings, ctx: CheckContext): void {
  const n = stmt.node as CreateStmt;
  const rel = n.relation;
  if (rel?.relpersistence === 't') f.add('temp_table', {}, rel.location);
  if (rel?.relpersistence === 'u') f.add('unlogged_table', {}, rel.location);
  if (n.partbound) f.add('unsupported_partition_of', {}, n.partbound.location);
  else if (n.inhRelations?.length) f.add('inherits', {});
  if (n.partspec) f.add('partition_by', {}, n.partspec.location);
  if (n.tablespacename) f.add('tablespace', {});
  if (n.options?.length) f.add('storage_parameters', {});
  if (n.oncommit && n.oncommit !== 'ONCOMMIT_NOOP') f.add('on_commit', {});
  if (n.accessMethod) f.add('table_access_method', {});

  const info = describeTable(n);
  let columns = 0;
  for (const elt of n.tableElts ?? []) {
    const col = as<ColumnDef>(elt, 'ColumnDef');
    if (col) {
      columns++;
      checkColumn(col, f, false);
      continue;
    }
    const con = as<Constraint>(elt, 'Constraint');
    if (!con) continue;
    if (con.contype === 'CONSTR_EXCLUSION') f.add('exclusion_constraint', {}, con.location);
    if (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') checkKeyColumns(strings(con.keys), info, f, con.location);
  }
  if (columns > MAX_COLUMNS) f.add('column_count_limit', {});
  if (info.indexes > MAX_INDEXES_PER_TABLE) f.add('index_count_limit', {});
  if (ctx.previous.length > 0 && inputState(ctx.previous).created.tables + 1 > MAX_TABLES) f.add('table_count_limit', {});
}
