// One fixer per fixable rule. A fixer gets the statement being fixed and that rule's
// findings in it (in the order the check reported them) and changes the statement's
// tree copy; it returns one outcome for all of them or one per finding.
import type { AlterTableCmd, ColumnDef, Constraint, CreateStmt, IndexElem, Node } from '@pgsql/types';
import { ruleById, type Finding } from '../../rules/index.js';
import { as, charOffset, relationKey, strings, walk } from '../../rules/ast.js';
import type { Outcome, StatementFix } from './model.js';
import { alterCmds, columnAt, defElem, identityAt, identityConstraint, integer, optionAt, textType, typeName } from './nodes.js';

export interface PlanContext {
  /** CREATE TABLE statements met so far, by relationKey (for folding constraints into them). */
  tables: Map<string, StatementFix>;
  /** Earlier statements a fixer changed (the planner records who changed them). */
  changed: StatementFix[];
}

export type Fixer = (fx: StatementFix, findings: Finding[], plan: PlanContext) => Outcome | Outcome[];

/** The rule's own description of its fix, with the given tier. */
function outcome(ruleId: string, status: Outcome['status'], detail?: string): Outcome {
  return { status, detail: detail ?? ruleById(ruleId).fix?.does };
}
const fixed = (rule: string, detail?: string): Outcome => outcome(rule, 'fixed', detail);
const warned = (rule: string, detail?: string): Outcome => outcome(rule, 'fixed_with_warning', detail);
export const unfixable = (detail?: string): Outcome => ({ status: 'unfixable', ...(detail ? { detail } : {}) });
const asRule = (rule: string): Outcome => outcome(rule, ruleById(rule).fix!.tier);

/** Remove AlterTableCmds matching `drop`; the statement goes when none remain. */
function removeCmds(fx: StatementFix, drop: (cmd: AlterTableCmd) => boolean): void {
  const body = fx.body<{ cmds?: Node[] }>();
  body.cmds = (body.cmds ?? []).filter((c) => {
    const cmd = as<AlterTableCmd>(c, 'AlterTableCmd');
    return !(cmd && drop(cmd));
  });
  if (body.cmds.length === 0) fx.dropped = true;
}

function setPersistence(target: 'relation' | 'view' | 'sequence'): Fixer {
  return (fx, [f]) => {
    const rel = fx.body<Record<string, { relpersistence?: string }>>()[target];
    if (rel) rel.relpersistence = 'p';
    return asRule(f!.rule);
  };
}

function deleteField(...fields: string[]): Fixer {
  return (fx, [f]) => {
    const body = fx.body();
    for (const field of fields) delete body[field];
    return asRule(f!.rule);
  };
}

/** Change the column type at each finding, or give up when `to` returns nothing. */
function retype(to: (col: ColumnDef) => { type: ColumnDef['typeName']; status: Outcome['status']; detail?: string } | undefined): Fixer {
  return (fx, findings) =>
    findings.map((f) => {
      const col = columnAt(fx, f.offset);
      const change = col && to(col);
      if (!col || !change) return unfixable();
      col.typeName = change.type;
      return outcome(f.rule, change.status, change.detail);
    });
}

const lastName = (col: ColumnDef): string => strings(col.typeName?.names).pop() ?? '';

const TYPE_REPLACEMENTS: Record<string, { type: () => ColumnDef['typeName']; detail: string }> = {
  money: { type: () => typeName('numeric', [19, 4]), detail: 'money becomes numeric(19,4): no currency formatting' },
  inet: { type: () => textType(), detail: 'inet becomes text: cast with ::inet in queries, no network operators on the column' },
  cidr: { type: () => textType(), detail: 'cidr becomes text: cast with ::cidr in queries' },
  macaddr: { type: () => textType(), detail: 'macaddr becomes text: no format validation' },
  macaddr8: { type: () => textType(), detail: 'macaddr8 becomes text: no format validation' },
  xml: { type: () => textType(), detail: 'xml becomes text: no well-formedness check' },
};

/** Harmless session settings pg_dump writes in its header; removing them changes nothing on DSQL. */
const PG_DUMP_SETTINGS: ReadonlySet<string> = new Set([
  'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'transaction_timeout',
  'standard_conforming_strings', 'check_function_bodies', 'xmloption', 'client_min_messages', 'row_security',
  'default_tablespace', 'default_table_access_method', 'default_with_oids', 'default_toast_compression',
]);

/** Name PostgreSQL would give an unnamed constraint, so a later VALIDATE can name it. */
function constraintName(table: string, c: Constraint): string {
  let name: string;
  if (c.contype === 'CONSTR_FOREIGN') name = `${table}_${strings(c.fk_attrs).join('_')}_fkey`;
  else {
    let column: string | undefined;
    walk(c.raw_expr, (kind, body) => {
      if (kind === 'ColumnRef' && column === undefined) column = strings(body.fields as Node[]).pop();
      return column === undefined;
    });
    name = column ? `${table}_${column}_check` : `${table}_check`;
  }
  return Buffer.from(name).subarray(0, 63).toString('utf8').replace(/\uFFFD$/, '');
}

function validateLater(fx: StatementFix, constraint: string): void {
  const relation = structuredClone(fx.read<{ relation?: { inh?: boolean } }>().relation);
  // ONLY means nothing without inheritance (DSQL accepts it, but the plain form reads better).
  if (relation) relation.inh = true;
  fx.after.push({
    ast: {
      AlterTableStmt: {
        relation,
        cmds: [{ AlterTableCmd: { subtype: 'AT_ValidateConstraint', name: constraint, behavior: 'DROP_RESTRICT' } }],
        objtype: 'OBJECT_TABLE',
      },
    } as Node,
    async: true,
  });
}

const toBigint = retype(() => ({ type: typeName('int8'), status: 'fixed_with_warning' }));

/**
 * ALTER COLUMN ... ADD GENERATED on an integer column (pg_dump writes identity columns so): the
 * column becomes bigint in the CREATE TABLE earlier in the input.
 */
function identityColumnToBigint(fx: StatementFix, f: Finding, plan: PlanContext): Outcome {
  const cmd = alterCmds(fx.read()).find((c) => c.subtype === 'AT_AddIdentity' && charOffset(fx.stmt, as<Constraint>(c.def, 'Constraint')?.location) === f.offset);
  const relation = fx.read<{ relation?: { schemaname?: string; relname?: string } }>().relation;
  const target = plan.tables.get(relationKey(relation) ?? '');
  const col = target && !target.dropped ? (target.body<CreateStmt>().tableElts ?? []).map((e) => as<ColumnDef>(e, 'ColumnDef')).find((c) => c && c.colname === cmd?.name) : undefined;
  if (!cmd || !col) return unfixable('make the column bigint first (add a bigint column, copy, swap), then ADD GENERATED');
  col.typeName = typeName('int8', [], col.typeName?.location);
  plan.changed.push(target!);
  return warned(f.rule, `makes ${relation?.relname}.${cmd.name} bigint in its CREATE TABLE earlier in the input`);
}

/** Fold ADD CONSTRAINT PRIMARY KEY / UNIQUE into the CREATE TABLE earlier in the input. */
const foldKey: Fixer = (fx, findings, plan) => {
  const table = relationKey(fx.read<{ relation?: { schemaname?: string; relname?: string } }>().relation);
  const target = table ? plan.tables.get(table) : undefined;
  const wanted = findings[0]!.rule === 'add_primary_key' ? 'CONSTR_PRIMARY' : 'CONSTR_UNIQUE';
  const cmds = alterCmds(fx.body()).filter((cmd) => {
    const c = cmd.subtype === 'AT_AddConstraint' ? as<Constraint>(cmd.def, 'Constraint') : undefined;
    return c?.contype === wanted && !c.indexname;
  });
  return findings.map((f, i) => {
    const cmd = cmds[i];
    if (!target || target.dropped || !cmd) return unfixable('no CREATE TABLE for this table earlier in the input to fold it into');
    const create = target.body<CreateStmt>();
    const hasPk = (create.tableElts ?? []).some((e) => {
      const c = as<Constraint>(e, 'Constraint');
      const col = as<ColumnDef>(e, 'ColumnDef');
      return c?.contype === 'CONSTR_PRIMARY' || (col?.constraints ?? []).some((k) => as<Constraint>(k, 'Constraint')?.contype === 'CONSTR_PRIMARY');
    });
    if (wanted === 'CONSTR_PRIMARY' && hasPk) return unfixable('the table already has a primary key');
    create.tableElts = [...(create.tableElts ?? []), cmd.def!];
    plan.changed.push(target);
    removeCmds(fx, (c) => c === cmd);
    return fixed(f.rule);
  });
};

/** ADD CONSTRAINT ... CHECK / FOREIGN KEY: add NOT VALID, then validate with ALTER TABLE ASYNC. */
const notValid: Fixer = (fx, findings) => {
  const table = fx.read<{ relation?: { relname?: string } }>().relation?.relname ?? 'table';
  const contype = findings[0]!.rule === 'add_check_without_not_valid' ? 'CONSTR_CHECK' : 'CONSTR_FOREIGN';
  const constraints = alterCmds(fx.body())
    .map((cmd) => (cmd.subtype === 'AT_AddConstraint' ? as<Constraint>(cmd.def, 'Constraint') : undefined))
    .filter((c): c is Constraint => c?.contype === contype && !c.skip_validation);
  return findings.map((f, i) => {
    const c = constraints[i];
    if (!c) return unfixable();
    c.skip_validation = true;
    delete c.initially_valid;
    c.conname ??= constraintName(table, c);
    validateLater(fx, c.conname);
    return warned(f.rule);
  });
};

const FIXABLE_ACTIONS: Record<string, Outcome['status']> = {
  AT_SetRelOptions: 'fixed',
  AT_ResetRelOptions: 'fixed',
  AT_ReplaceRelOptions: 'fixed',
  AT_SetTableSpace: 'fixed',
  AT_ClusterOn: 'fixed',
  AT_DropCluster: 'fixed',
  AT_SetLogged: 'fixed',
  AT_ReplicaIdentity: 'fixed_with_warning',
};

const ACTION_RULE_SUBTYPES = new Set([
  'AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity', 'AT_ReplicaIdentity',
  'AT_EnableRule', 'AT_EnableAlwaysRule', 'AT_EnableReplicaRule', 'AT_DisableRule', 'AT_SetRelOptions', 'AT_ResetRelOptions',
  'AT_ReplaceRelOptions', 'AT_SetTableSpace', 'AT_AttachPartition', 'AT_DetachPartition', 'AT_DetachPartitionFinalize',
  'AT_AddInherit', 'AT_DropInherit', 'AT_SetLogged', 'AT_SetUnLogged', 'AT_ClusterOn', 'AT_DropCluster', 'AT_SetAccessMethod',
]);

export const FIXERS: Readonly<Record<string, Fixer>> = {
  temp_table: setPersistence('relation'),
  unlogged_table: setPersistence('relation'),
  temp_view: setPersistence('view'),
  temp_sequence: setPersistence('sequence'),
  partition_by: deleteField('partspec'),
  inherits: deleteField('inhRelations'),
  tablespace: deleteField('tablespacename', 'tableSpace'),
  storage_parameters: deleteField('options'),
  table_access_method: deleteField('accessMethod'),
  on_commit: (fx, [f]) => {
    fx.body().oncommit = 'ONCOMMIT_NOOP';
    return asRule(f!.rule);
  },

  serial_type: (fx, findings) =>
    findings.map((f) => {
      if (fx.stmt.kind !== 'CreateStmt') return unfixable('add a bigint column, then ALTER COLUMN ... ADD GENERATED BY DEFAULT AS IDENTITY (CACHE 1)');
      const col = columnAt(fx, f.offset);
      if (!col) return unfixable();
      const constraints = (col.constraints ?? []).map((k) => as<Constraint>(k, 'Constraint'));
      if (constraints.some((c) => c?.contype === 'CONSTR_DEFAULT' || c?.contype === 'CONSTR_IDENTITY')) return unfixable('the column already has a default');
      col.typeName = typeName('int8', [], col.typeName?.location);
      col.constraints = [...(col.constraints ?? []), identityConstraint([defElem('cache', integer(1))])];
      return warned(f.rule);
    }),
  identity_type: (fx, findings, plan) =>
    fx.stmt.kind === 'AlterTableStmt' ? findings.map((f) => identityColumnToBigint(fx, f, plan)) : toBigint(fx, findings, plan),
  identity_cache_missing: (fx, findings) =>
    findings.map((f) => {
      const c = identityAt(fx, f.offset);
      if (!c) return unfixable();
      c.options = [...(c.options ?? []), defElem('cache', integer(1))];
      return fixed(f.rule);
    }),
  identity_cache: (fx, findings) => findings.map((f) => setCache(fx, f)),
  sequence_cache: (fx, findings) => findings.map((f) => setCache(fx, f)),
  sequence_cache_missing: (fx, [f]) => {
    const body = fx.body<{ options?: Node[] }>();
    body.options = [...(body.options ?? []), defElem('cache', integer(1))];
    return fixed(f!.rule);
  },
  sequence_type: (fx, [f]) => {
    const as_ = (fx.body<{ options?: Node[] }>().options ?? []).map((o) => as<{ defname?: string; arg?: Node }>(o, 'DefElem')).find((d) => d?.defname === 'as');
    if (!as_) return unfixable();
    as_.arg = { TypeName: typeName('int8') } as Node;
    return warned(f!.rule);
  },
  collation: (fx, findings) =>
    findings.map((f) => {
      const col = columnAt(fx, f.offset);
      if (!col?.collClause) return unfixable();
      const name = strings(col.collClause.collname).pop()?.toLowerCase() ?? '';
      delete col.collClause;
      return ['c', 'posix', 'default', 'ucs_basic'].includes(name)
        ? fixed(f.rule, `drops COLLATE "${name === 'default' ? 'default' : name.toUpperCase()}": DSQL already compares in byte order`)
        : warned(f.rule, `drops COLLATE: text now sorts and compares in byte order (C), not by ${name}`);
    }),
  unsupported_type: retype((col) => {
    const r = TYPE_REPLACEMENTS[lastName(col)];
    return r && { type: r.type(), status: 'fixed_with_warning', detail: r.detail };
  }),
  char_length_limit: retype(() => ({ type: textType(), status: 'fixed_with_warning' })),
  varchar_length_limit: retype(() => ({ type: textType(), status: 'fixed_with_warning' })),
  numeric_unconstrained: retype((col) => ({ type: typeName('numeric', [18, 6], col.typeName?.location), status: 'fixed_with_warning' })),

  add_column_constraint: (fx, findings) =>
    findings.map((f) => {
      const col = columnAt(fx, f.offset);
      if (!col) return unfixable();
      const constraints = (col.constraints ?? []).map((k) => as<Constraint>(k, 'Constraint')!);
      const defaults = constraints.filter((c) => c.contype === 'CONSTR_DEFAULT');
      if (defaults.length !== 1 || constraints.some((c) => c.contype !== 'CONSTR_DEFAULT' && c.contype !== 'CONSTR_NULL')) {
        return unfixable('only a DEFAULT can be split off; NOT NULL, CHECK, UNIQUE and identity need the column added bare, a backfill, then a NOT VALID constraint');
      }
      delete col.constraints;
      const relation = structuredClone(fx.read<{ relation?: unknown }>().relation);
      fx.after.push({
        ast: {
          AlterTableStmt: {
            relation,
            cmds: [{ AlterTableCmd: { subtype: 'AT_ColumnDefault', name: col.colname, def: defaults[0]!.raw_expr, behavior: 'DROP_RESTRICT' } }],
            objtype: 'OBJECT_TABLE',
          },
        } as Node,
        async: false,
      });
      return warned(f.rule);
    }),
  set_statistics: (fx, [f]) => {
    removeCmds(fx, (c) => c.subtype === 'AT_SetStatistics');
    return asRule(f!.rule);
  },
  set_compression: (fx, [f]) => {
    removeCmds(fx, (c) => c.subtype === 'AT_SetCompression');
    return asRule(f!.rule);
  },
  add_primary_key: foldKey,
  add_unique: foldKey,
  add_check_without_not_valid: notValid,
  add_foreign_key_without_not_valid: notValid,
  validate_constraint_async: (fx, [f]) => {
    const cmds = alterCmds(fx.read());
    const validates = cmds.filter((c) => c.subtype === 'AT_ValidateConstraint');
    if (validates.length === cmds.length && validates.length === 1) fx.async = true;
    else {
      removeCmds(fx, (c) => c.subtype === 'AT_ValidateConstraint');
      for (const v of validates) if (v.name) validateLater(fx, v.name);
    }
    return asRule(f!.rule);
  },
  unsupported_alter_table_action: (fx, findings) => {
    const refused = alterCmds(fx.body()).filter((c) => ACTION_RULE_SUBTYPES.has(c.subtype ?? ''));
    const outcomes = findings.map((f, i) => {
      const cmd = refused[i];
      const status = cmd ? FIXABLE_ACTIONS[cmd.subtype!] : undefined;
      return status ? outcome(f.rule, status, `drops ${f.message.replace(/^unsupported ALTER TABLE (.*) statement$/, '$1')}`) : unfixable();
    });
    removeCmds(fx, (c) => refused.includes(c) && FIXABLE_ACTIONS[c.subtype!] !== undefined);
    return outcomes;
  },

  index_async: (fx, [f]) => {
    fx.async = true;
    return asRule(f!.rule);
  },
  index_concurrently: (fx, [f]) => {
    delete fx.body().concurrent;
    fx.async = true;
    return asRule(f!.rule);
  },
  index_using: (fx, [f]) => {
    const method = String(fx.read().accessMethod ?? 'btree');
    fx.body().accessMethod = 'btree';
    return method === 'btree' ? fixed(f!.rule, 'drops USING btree (the only method)') : warned(f!.rule, `drops USING ${method}: the index becomes a btree`);
  },
  index_sort_order: (fx, [f]) => {
    let desc = false;
    for (const p of (fx.body().indexParams as Node[] | undefined) ?? []) {
      const e = as<IndexElem>(p, 'IndexElem');
      if (!e) continue;
      if (e.ordering === 'SORTBY_DESC') desc = true;
      e.ordering = 'SORTBY_DEFAULT';
    }
    return desc ? warned(f!.rule) : fixed(f!.rule, 'drops ASC (the default order)');
  },
  index_opclass: (fx, [f]) => {
    let exact = true;
    for (const p of (fx.body().indexParams as Node[] | undefined) ?? []) {
      const e = as<IndexElem>(p, 'IndexElem');
      if (!e?.opclass) continue;
      if (!/_pattern_ops$/.test(strings(e.opclass).pop() ?? '')) exact = false;
      delete e.opclass;
    }
    return exact ? fixed(f!.rule, 'drops the pattern_ops operator class: under C collation the default one serves LIKE prefixes') : warned(f!.rule);
  },

  transaction_isolation: (fx, [f]) => {
    const iso = (fx.body<{ options?: Node[] }>().options ?? []).map((o) => as<{ defname?: string; arg?: Node }>(o, 'DefElem')).find((d) => d?.defname === 'transaction_isolation');
    if (!iso) return unfixable();
    iso.arg = { A_Const: { sval: { sval: 'repeatable read' } } } as Node;
    return asRule(f!.rule);
  },
  set_parameter: (fx, [f]) => {
    if (fx.stmt.kind !== 'VariableSetStmt') return unfixable('remove the set_config() call');
    fx.dropped = true;
    const name = String(fx.read().name ?? '').toLowerCase();
    return PG_DUMP_SETTINGS.has(name) ? fixed(f!.rule, `removes SET ${name} (a pg_dump session setting DSQL does not need)`) : warned(f!.rule, `removes SET ${name}: check nothing relied on it`);
  },
  // Splitting blocks is done over the whole output (see plan.ts); these only report it.
  multi_ddl_transaction: (_fx, [f]) => asRule(f!.rule),
  mixed_ddl_dml_transaction: (_fx, [f]) => asRule(f!.rule),
};

function setCache(fx: StatementFix, f: Finding): Outcome {
  const d = optionAt(fx, 'cache', f.offset);
  if (!d) return unfixable();
  d.arg = integer(1);
  return warned(f.rule);
}
