// Facts about SQL statements, decided on the real PostgreSQL parse tree (the project's parser,
// which also knows DSQL's ASYNC). Each predicate has a name that cases use in their checks.
import { parseSql, type Statement } from '../../scripts/lib/sql/parser.js';
import type { SqlText } from './findings.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** Transaction state while reading one SQL text in order. */
export interface TxContext {
  inBlock: boolean;
  ddl: number;
  dml: number;
}

export interface ParsedSql {
  source: SqlText;
  statements: { stmt: Statement; ctx: TxContext }[];
  error?: string;
}

const DDL = new Set([
  'CreateStmt', 'IndexStmt', 'AlterTableStmt', 'DropStmt', 'CreateSeqStmt', 'AlterSeqStmt', 'ViewStmt', 'RenameStmt', 'CreateSchemaStmt',
  'CreateTableAsStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'DropRoleStmt', 'CreateFunctionStmt', 'CreateTrigStmt', 'CreateExtensionStmt',
]);
const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export function parseSqlTexts(texts: SqlText[]): ParsedSql[] {
  return texts.map((source) => {
    try {
      const ctx: TxContext = { inBlock: false, ddl: 0, dml: 0 };
      const statements = parseSql(source.sql).map((stmt) => {
        if (stmt.kind === 'TransactionStmt') {
          const kind = stmt.node.kind as string;
          if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') Object.assign(ctx, { inBlock: true, ddl: 0, dml: 0 });
          else if (['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK'].includes(kind)) Object.assign(ctx, { inBlock: false, ddl: 0, dml: 0 });
        }
        const before = { ...ctx };
        if (DDL.has(stmt.kind)) ctx.ddl++;
        if (DML.has(stmt.kind)) ctx.dml++;
        return { stmt, ctx: before };
      });
      return { source, statements };
    } catch (error) {
      return { source, statements: [], error: (error as Error).message };
    }
  });
}

/** Every object in a subtree (depth first), for searches such as "any ColumnRef named tenant_id". */
function* nodes(value: unknown): Generator<Obj> {
  if (Array.isArray(value)) {
    for (const v of value) yield* nodes(v);
  } else if (value && typeof value === 'object') {
    yield value as Obj;
    for (const v of Object.values(value)) yield* nodes(v);
  }
}

const typeName = (typeNameNode: Obj | undefined): string => {
  const names = (typeNameNode?.names ?? []) as Obj[];
  return String(names[names.length - 1]?.String?.sval ?? '').toLowerCase();
};

function columnDefs(s: Statement): Obj[] {
  return [...nodes(s.node)].filter((n) => n.ColumnDef).map((n) => n.ColumnDef as Obj);
}

function constraints(s: Statement): Obj[] {
  return [...nodes(s.node)].filter((n) => n.Constraint).map((n) => n.Constraint as Obj);
}

function alterCmds(s: Statement): Obj[] {
  if (s.kind !== 'AlterTableStmt') return [];
  return ((s.node.cmds ?? []) as Obj[]).map((c) => c.AlterTableCmd as Obj).filter(Boolean);
}

const intValue = (n: Obj | undefined): number | undefined => {
  const v = n?.A_Const?.ival?.ival ?? n?.Integer?.ival;
  if (typeof v === 'number') return v;
  return n?.A_Const?.ival ? 0 : undefined; // libpg-query omits ival for 0
};

function explainOptions(s: Statement): string[] {
  return ((s.node.options ?? []) as Obj[]).map((o) => String(o.DefElem?.defname ?? '').toLowerCase());
}

function explained(s: Statement): string | undefined {
  const q = s.node.query as Obj | undefined;
  return q ? Object.keys(q)[0] : undefined;
}

function whereHas(s: Statement, column: string): boolean {
  const where = (s.node.whereClause ?? undefined) as Obj | undefined;
  if (!where) return false;
  return [...nodes(where)].some((n) => {
    const fields = n.ColumnRef?.fields as Obj[] | undefined;
    return !!fields && String(fields[fields.length - 1]?.String?.sval ?? '').toLowerCase() === column.toLowerCase();
  });
}

/** An UPDATE/DELETE that touches at most `max` rows per statement: a LIMITed subquery or CTE, a key range, or an id list. */
function batched(s: Statement, max: number): boolean {
  const limitNodes = [...nodes([s.node.whereClause, s.node.withClause, s.node.fromClause])].filter((n) => n.limitCount).map((n) => n.limitCount as Obj);
  // LIMIT $2: the batch size is a bound parameter, set (and checked) in the code around it.
  if (limitNodes.some((l) => l.ParamRef)) return true;
  const limits = limitNodes.map((l) => intValue(l));
  if (limits.some((l) => l !== undefined && l > 0 && l <= max)) return true;
  if (limits.length > 0) return false;
  const exprs = [...nodes(s.node.whereClause)].filter((n) => n.A_Expr).map((n) => n.A_Expr as Obj);
  if (exprs.some((e) => String(e.kind).startsWith('AEXPR_BETWEEN'))) return true;
  if (exprs.some((e) => e.kind === 'AEXPR_OP_ANY')) return true;
  const ops = exprs.map((e) => String(e.name?.[0]?.String?.sval ?? ''));
  if (ops.some((o) => o === '>' || o === '>=') && ops.some((o) => o === '<' || o === '<=')) return true;
  // WHERE id IN ($1, $2, ...) or IN (SELECT ... LIMIT n) handled above.
  return [...nodes(s.node.whereClause)].some((n) => n.A_Expr?.kind === 'AEXPR_IN' && Array.isArray(n.A_Expr.rexpr?.List?.items));
}

/** INSERT ... SELECT copying at most `max` rows: a LIMIT, or a key range in its WHERE. */
function insertBatched(s: Statement, max: number): boolean {
  const select = (s.node.selectStmt as Obj | undefined)?.SelectStmt as Obj | undefined;
  if (!select) return false;
  if ((select.limitCount as Obj | undefined)?.ParamRef) return true;
  const limit = select.limitCount ? intValue(select.limitCount as Obj) : undefined;
  if (limit !== undefined) return limit > 0 && limit <= max;
  return batched({ ...s, node: select } as Statement, max);
}

function columnsOf(s: Statement): string[] {
  return ((s.node.tableElts ?? []) as Obj[]).map((e) => String(e.ColumnDef?.colname ?? '').toLowerCase()).filter(Boolean);
}

function mutating(s: Statement): boolean {
  if (DML.has(s.kind) || s.kind === 'CopyStmt' && s.node.is_from) return true;
  if (s.kind === 'ExplainStmt' && explainOptions(s).includes('analyze')) return DML.has(explained(s) ?? '');
  return false;
}

function identityCacheOk(s: Statement): boolean {
  const cacheOf = (options: Obj[] | undefined): number | undefined => {
    const opt = (options ?? []).find((o) => o.DefElem?.defname === 'cache');
    return opt ? intValue(opt.DefElem.arg) : undefined;
  };
  const ok = (c: number | undefined) => c !== undefined && (c === 1 || c >= 65536);
  const identities = constraints(s).filter((c) => c.contype === 'CONSTR_IDENTITY');
  if (s.kind === 'CreateSeqStmt' || s.kind === 'AlterSeqStmt') return ok(cacheOf(s.node.options as Obj[]));
  return identities.every((c) => ok(cacheOf(c.options as Obj[])));
}

export interface Predicate {
  describe: string;
  test(stmt: Statement, ctx: TxContext, arg?: string): boolean;
}

export const PREDICATES: Record<string, Predicate> = {
  create_table: { describe: 'CREATE TABLE', test: (s) => s.kind === 'CreateStmt' },
  create_index: { describe: 'CREATE INDEX', test: (s) => s.kind === 'IndexStmt' },
  create_index_async: { describe: 'CREATE INDEX ASYNC', test: (s) => s.kind === 'IndexStmt' && s.async },
  create_index_sync: { describe: 'CREATE INDEX without ASYNC', test: (s) => s.kind === 'IndexStmt' && !s.async },
  serial_column: {
    describe: 'a serial/bigserial/smallserial column',
    test: (s) => columnDefs(s).some((c) => /^(small|big)?serial[248]?$/.test(typeName(c.typeName))),
  },
  identity_column: { describe: 'an identity column', test: (s) => constraints(s).some((c) => c.contype === 'CONSTR_IDENTITY') },
  identity_cache_invalid: {
    describe: 'an identity or sequence without CACHE 1 or CACHE >= 65536',
    test: (s) => (constraints(s).some((c) => c.contype === 'CONSTR_IDENTITY') || s.kind === 'CreateSeqStmt') && !identityCacheOk(s),
  },
  column_type: { describe: 'a column of the given type', test: (s, _c, arg) => columnDefs(s).some((c) => typeName(c.typeName) === (arg ?? '').toLowerCase()) },
  check_constraint: { describe: 'a CHECK constraint', test: (s) => constraints(s).some((c) => c.contype === 'CONSTR_CHECK') },
  foreign_key: { describe: 'a FOREIGN KEY constraint', test: (s) => constraints(s).some((c) => c.contype === 'CONSTR_FOREIGN') },
  fk_not_valid: {
    describe: 'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID',
    test: (s) => alterCmds(s).some((c) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN' && c.def.Constraint.skip_validation === true),
  },
  fk_validating: {
    describe: 'ADD CONSTRAINT ... FOREIGN KEY on an existing table without NOT VALID',
    test: (s) => alterCmds(s).some((c) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN' && c.def.Constraint.skip_validation !== true),
  },
  validate_async: { describe: 'ALTER TABLE ASYNC ... VALIDATE CONSTRAINT', test: (s) => s.async && alterCmds(s).some((c) => c.subtype === 'AT_ValidateConstraint') },
  validate_sync: { describe: 'VALIDATE CONSTRAINT without ASYNC', test: (s) => !s.async && alterCmds(s).some((c) => c.subtype === 'AT_ValidateConstraint') },
  alter_column_type: { describe: 'ALTER COLUMN ... TYPE', test: (s) => alterCmds(s).some((c) => c.subtype === 'AT_AlterColumnType') },
  add_column_with_constraint: {
    describe: 'ADD COLUMN with an inline DEFAULT/NOT NULL/constraint',
    test: (s) => alterCmds(s).some((c) => c.subtype === 'AT_AddColumn' && ((c.def?.ColumnDef?.constraints ?? []) as Obj[]).length > 0),
  },
  add_column: { describe: 'ADD COLUMN', test: (s) => alterCmds(s).some((c) => c.subtype === 'AT_AddColumn') },
  drop_table: { describe: 'DROP TABLE', test: (s) => s.kind === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE' },
  rename_table: { describe: 'ALTER TABLE ... RENAME TO', test: (s) => s.kind === 'RenameStmt' && s.node.renameType === 'OBJECT_TABLE' },
  truncate: { describe: 'TRUNCATE', test: (s) => s.kind === 'TruncateStmt' },
  ddl: { describe: 'a DDL statement', test: (s) => DDL.has(s.kind) },
  dml: { describe: 'INSERT/UPDATE/DELETE/MERGE', test: (s) => DML.has(s.kind) },
  mutating: { describe: 'a statement that changes data (DML, or EXPLAIN ANALYZE of DML)', test: (s) => mutating(s) },
  update: { describe: 'UPDATE', test: (s) => s.kind === 'UpdateStmt' },
  update_batched: { describe: 'an UPDATE limited to a batch of at most N rows', test: (s, _c, arg) => s.kind === 'UpdateStmt' && batched(s, Number(arg ?? 3000)) },
  update_unbatched: { describe: 'an UPDATE not limited to a batch of at most N rows', test: (s, _c, arg) => s.kind === 'UpdateStmt' && !batched(s, Number(arg ?? 3000)) },
  insert_select: {
    describe: 'INSERT ... SELECT',
    test: (s) => s.kind === 'InsertStmt' && !!(s.node.selectStmt as Obj | undefined)?.SelectStmt?.fromClause,
  },
  insert_select_batched: { describe: 'an INSERT ... SELECT copying at most N rows', test: (s, _c, arg) => s.kind === 'InsertStmt' && insertBatched(s, Number(arg ?? 3000)) },
  insert_select_unbatched: {
    describe: 'an INSERT ... SELECT not limited to N rows',
    test: (s, _c, arg) => s.kind === 'InsertStmt' && !!(s.node.selectStmt as Obj | undefined)?.SelectStmt?.fromClause && !insertBatched(s, Number(arg ?? 3000)),
  },
  table_without_column: { describe: 'a CREATE TABLE without the given column', test: (s, _c, arg) => s.kind === 'CreateStmt' && !columnsOf(s).includes((arg ?? '').toLowerCase()) },
  set_default: { describe: 'ALTER COLUMN ... SET DEFAULT', test: (s) => alterCmds(s).some((c) => c.subtype === 'AT_ColumnDefault' && !!c.def) },
  select: { describe: 'SELECT', test: (s) => s.kind === 'SelectStmt' },
  explain: { describe: 'EXPLAIN', test: (s) => s.kind === 'ExplainStmt' },
  explain_analyze: { describe: 'EXPLAIN ANALYZE', test: (s) => s.kind === 'ExplainStmt' && explainOptions(s).includes('analyze') },
  explain_analyze_verbose_select: {
    describe: 'EXPLAIN ANALYZE VERBOSE of a SELECT',
    test: (s) => s.kind === 'ExplainStmt' && ['analyze', 'verbose'].every((o) => explainOptions(s).includes(o)) && explained(s) === 'SelectStmt',
  },
  set_planner_setting: { describe: 'SET enable_* (a planner experiment)', test: (s) => s.kind === 'VariableSetStmt' && /^enable_/.test(String(s.node.name ?? '')) },
  ddl_sharing_transaction: {
    describe: 'a DDL statement sharing an explicit transaction with another DDL or with DML',
    test: (s, ctx) => ctx.inBlock && ((DDL.has(s.kind) && ctx.ddl + ctx.dml > 0) || (DML.has(s.kind) && ctx.ddl > 0)),
  },
  where_has: { describe: 'a WHERE clause on the given column', test: (s, _c, arg) => whereHas(s, arg ?? '') },
  without_where_on: {
    describe: 'a SELECT/UPDATE/DELETE without a WHERE on the given column',
    test: (s, _c, arg) => ['SelectStmt', 'UpdateStmt', 'DeleteStmt'].includes(s.kind) && !!(s.node.fromClause || s.node.relation) && !whereHas(s, arg ?? ''),
  },
  create_role: { describe: 'CREATE ROLE', test: (s) => s.kind === 'CreateRoleStmt' },
  grant: { describe: 'GRANT', test: (s) => s.kind === 'GrantStmt' || s.kind === 'GrantRoleStmt' },
};

/** `name` or `name:arg`. */
export function predicate(spec: string): { name: string; arg?: string; pred: Predicate } {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const pred = PREDICATES[name];
  if (!pred) throw new Error(`unknown SQL predicate ${name}`);
  return { name, arg: colon < 0 ? undefined : spec.slice(colon + 1), pred };
}
