// What a SELECT touches, read from its parse tree: the tables (with aliases), the columns its
// predicates and joins use, and the simple predicates the redundant-predicate test can copy
// across an equality join.
import { walk } from './statement.js';

type Json = Record<string, unknown>;

export interface TableRef {
  schema?: string;
  name: string;
  /** Alias as written, else the table name: what columns are qualified with. */
  ref: string;
  /** On the nullable side of an outer join: predicates must not be added there. */
  nullable: boolean;
}

export interface ColumnUse {
  /** The qualifier as written (alias or table), if any. */
  qualifier?: string;
  column: string;
}

/** `a.x = b.y` between two different tables, from WHERE or an inner join's ON. */
export interface JoinEquality {
  left: ColumnUse;
  right: ColumnUse;
}

/** `col <op> constant`: a predicate with one column on one side and no column on the other. */
export interface ColumnPredicate {
  column: ColumnUse;
  /** `=`, `<`, `<=`, `>`, `>=`, `BETWEEN`, `IN`. */
  op: string;
  /** The predicate's parse tree (to copy with the column replaced). */
  node: Json;
}

export interface QueryShape {
  tables: TableRef[];
  /** Columns used in WHERE, ON, GROUP BY and ORDER BY (deduplicated). */
  columns: ColumnUse[];
  joins: JoinEquality[];
  predicates: ColumnPredicate[];
}

const str = (n: unknown): string | undefined => ((n as Json | undefined)?.String as Json | undefined)?.sval as string | undefined;

function columnOf(node: unknown): ColumnUse | undefined {
  const ref = (node as Json | undefined)?.ColumnRef as Json | undefined;
  if (!ref) return undefined;
  const fields = (ref.fields as unknown[]).map(str);
  if (fields.some((f) => f === undefined)) return undefined; // a.* and the like
  if (fields.length === 1) return { column: fields[0]! };
  return { qualifier: fields[fields.length - 2], column: fields[fields.length - 1]! };
}

const hasColumn = (node: unknown): boolean => {
  if ((node as Json | undefined)?.ColumnRef) return true;
  for (const [kind] of walk(node)) if (kind === 'ColumnRef' || kind === 'SubLink') return true;
  return false;
};

/** Splits a boolean expression at its top-level ANDs. */
function conjuncts(node: unknown): Json[] {
  const n = node as Json | undefined;
  if (!n) return [];
  const bool = n.BoolExpr as Json | undefined;
  if (bool?.boolop === 'AND_EXPR') return (bool.args as Json[]).flatMap(conjuncts);
  return [n];
}

const RANGE_OPS = new Set(['=', '<', '<=', '>', '>=']);

function classifyConjunct(node: Json, joins: JoinEquality[], predicates: ColumnPredicate[]): void {
  const expr = node.A_Expr as Json | undefined;
  if (!expr) return;
  const op = str((expr.name as unknown[] | undefined)?.[0]);
  const left = columnOf(expr.lexpr);
  const right = columnOf(expr.rexpr);
  if (expr.kind === 'AEXPR_OP' && op === '=' && left && right) {
    joins.push({ left, right });
    return;
  }
  if (expr.kind === 'AEXPR_OP' && op && RANGE_OPS.has(op)) {
    if (left && !hasColumn(expr.rexpr)) predicates.push({ column: left, op, node });
    else if (right && !hasColumn(expr.lexpr)) predicates.push({ column: right, op, node });
    return;
  }
  if ((expr.kind === 'AEXPR_BETWEEN' || expr.kind === 'AEXPR_IN') && left && !hasColumn(expr.rexpr)) {
    predicates.push({ column: left, op: expr.kind === 'AEXPR_IN' ? 'IN' : 'BETWEEN', node });
  }
}

/** The tables, columns, joins and predicates of the top level of a SELECT. */
export function queryShape(select: Json): QueryShape {
  const ctes = new Set<string>();
  for (const [kind, node] of walk(select)) if (kind === 'CommonTableExpr') ctes.add(String(node.ctename));

  const tables: TableRef[] = [];
  const seen = new Set<string>();
  const joins: JoinEquality[] = [];
  const predicates: ColumnPredicate[] = [];

  // The top-level FROM: which relations are on a nullable side, and the inner joins' ON clauses.
  const fromItem = (item: Json, nullable: boolean) => {
    if (item.RangeVar) {
      const rv = item.RangeVar as Json;
      const name = String(rv.relname);
      if (rv.schemaname === undefined && ctes.has(name)) return;
      const ref = ((rv.alias as Json | undefined)?.aliasname as string | undefined) ?? name;
      tables.push({ schema: rv.schemaname as string | undefined, name, ref, nullable });
      seen.add(ref);
      return;
    }
    const join = item.JoinExpr as Json | undefined;
    if (join) {
      const type = join.jointype as string;
      fromItem(join.larg as Json, nullable || type === 'JOIN_RIGHT' || type === 'JOIN_FULL');
      fromItem(join.rarg as Json, nullable || type === 'JOIN_LEFT' || type === 'JOIN_FULL');
      if (type === 'JOIN_INNER' && !nullable) for (const c of conjuncts(join.quals)) classifyConjunct(c, joins, predicates);
    }
  };
  for (const item of (select.fromClause as Json[] | undefined) ?? []) fromItem(item, false);
  for (const c of conjuncts(select.whereClause)) classifyConjunct(c, joins, predicates);

  // Tables anywhere else (subqueries, CTE bodies) still matter for the catalog evidence.
  for (const [kind, rv] of walk(select)) {
    if (kind !== 'RangeVar') continue;
    const name = String(rv.relname);
    const ref = ((rv.alias as Json | undefined)?.aliasname as string | undefined) ?? name;
    if ((rv.schemaname === undefined && ctes.has(name)) || tables.some((t) => t.name === name && t.schema === rv.schemaname && t.ref === ref)) continue;
    tables.push({ schema: rv.schemaname as string | undefined, name, ref, nullable: true });
  }

  const columns: ColumnUse[] = [];
  const addColumns = (tree: unknown) => {
    for (const [kind, node] of walk(tree)) {
      if (kind !== 'ColumnRef') continue;
      const c = columnOf({ ColumnRef: node });
      if (c && !columns.some((x) => x.qualifier === c.qualifier && x.column === c.column)) columns.push(c);
    }
  };
  addColumns(select.whereClause);
  for (const [kind, node] of walk(select.fromClause)) if (kind === 'JoinExpr') addColumns(node.quals);
  addColumns(select.groupClause);
  addColumns(select.sortClause);
  return { tables, columns, joins, predicates };
}

/** The table a column belongs to: by qualifier, or (unqualified) the only table that has it. */
export function tableOfColumn(
  use: ColumnUse,
  tables: readonly TableRef[],
  columnsOf: (t: TableRef) => readonly string[] | undefined,
): TableRef | undefined {
  if (use.qualifier !== undefined) return tables.find((t) => t.ref === use.qualifier) ?? tables.find((t) => t.name === use.qualifier);
  const owners = tables.filter((t) => columnsOf(t)?.includes(use.column));
  return owners.length === 1 ? owners[0] : undefined;
}
