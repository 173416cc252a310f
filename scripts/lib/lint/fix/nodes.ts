// Building and finding parse-tree pieces for fixes.
import type { AlterTableCmd, ColumnDef, Constraint, Node, TypeName } from '@pgsql/types';
import { as, charOffset, walk, type DefElem } from '../../rules/ast.js';
import type { Statement } from '../../sql/parser.js';
import type { StatementFix } from './model.js';

export const str = (sval: string): Node => ({ String: { sval } }) as Node;

export function typeName(name: string, mods: number[] = [], location?: number): TypeName {
  const t: TypeName = { names: [str('pg_catalog'), str(name)] as TypeName['names'], typemod: -1, location };
  if (mods.length) t.typmods = mods.map((ival) => ({ A_Const: { ival: { ival } } }) as Node);
  return t;
}

export const textType = (location?: number): TypeName => ({ names: [str('text')] as TypeName['names'], typemod: -1, location });

export function defElem(defname: string, arg: Node): Node {
  return { DefElem: { defname, arg, defaction: 'DEFELEM_UNSPEC' } } as Node;
}

export const integer = (ival: number): Node => ({ Integer: { ival } }) as Node;

export function identityConstraint(options: Node[]): Node {
  return { Constraint: { contype: 'CONSTR_IDENTITY', generated_when: 'd', options } } as Node;
}

/** The AlterTableCmd bodies of an ALTER TABLE body. */
export function alterCmds(body: { cmds?: Node[] }): AlterTableCmd[] {
  return (body.cmds ?? []).map((c) => as<AlterTableCmd>(c, 'AlterTableCmd')).filter((c) => c !== undefined);
}

/** Every column definition of a CREATE TABLE or ALTER TABLE ADD COLUMN in `body`. */
export function columnDefs(body: Record<string, unknown>): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (const elt of (body.tableElts as Node[] | undefined) ?? []) {
    const col = as<ColumnDef>(elt, 'ColumnDef');
    if (col) out.push(col);
  }
  for (const cmd of alterCmds(body as { cmds?: Node[] })) {
    const col = cmd.subtype === 'AT_AddColumn' ? as<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
    if (col) out.push(col);
  }
  return out;
}

const at = (stmt: Statement, location: number | undefined, offset: number | undefined): boolean =>
  location !== undefined && offset !== undefined && charOffset(stmt, location) === offset;

/** The column whose type (or collation, or one of whose constraints) sits at `offset`. */
export function columnAt(fx: StatementFix, offset: number | undefined): ColumnDef | undefined {
  return columnDefs(fx.body()).find(
    (c) =>
      at(fx.stmt, c.typeName?.location, offset) ||
      at(fx.stmt, c.collClause?.location, offset) ||
      (c.constraints ?? []).some((k) => at(fx.stmt, as<Constraint>(k, 'Constraint')?.location, offset)),
  );
}

/** The identity constraint at `offset` (a column's, or ALTER COLUMN ... ADD GENERATED's). */
export function identityAt(fx: StatementFix, offset: number | undefined): Constraint | undefined {
  const candidates: Constraint[] = [];
  for (const col of columnDefs(fx.body())) for (const k of col.constraints ?? []) candidates.push(as<Constraint>(k, 'Constraint')!);
  for (const cmd of alterCmds(fx.body())) if (cmd.subtype === 'AT_AddIdentity') candidates.push(as<Constraint>(cmd.def, 'Constraint')!);
  return candidates.find((c) => c?.contype === 'CONSTR_IDENTITY' && at(fx.stmt, c.location, offset));
}

/** The option (DefElem) at `offset` anywhere in the statement, e.g. a CACHE clause. */
export function optionAt(fx: StatementFix, name: string, offset: number | undefined): DefElem | undefined {
  let found: DefElem | undefined;
  walk(fx.body(), (kind, body) => {
    const d = body as DefElem;
    if (kind === 'DefElem' && d.defname === name && at(fx.stmt, d.location, offset)) found = d;
    return found === undefined;
  });
  return found;
}
