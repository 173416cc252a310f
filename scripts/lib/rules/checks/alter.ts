// ALTER TABLE: actions DSQL refuses, and the constraint forms it needs (research §2.3-2.4).
import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint } from '@pgsql/types';
import type { Statement } from '../../sql/parser.js';
import { as, findDef, num } from '../ast.js';
import type { Findings } from '../finding.js';
import { inputState } from '../input-state.js';
import type { CheckContext } from '../types.js';
import { checkColumn, checkIdentityOptions, MAX_COLUMNS, validCache } from './columns.js';

/** Refused actions and the words DSQL's message would use for them. */
const REFUSED_ACTIONS: Readonly<Record<string, string>> = {
  AT_EnableRowSecurity: 'ENABLE ROW LEVEL SECURITY',
  AT_DisableRowSecurity: 'DISABLE ROW LEVEL SECURITY',
  AT_ForceRowSecurity: 'FORCE ROW LEVEL SECURITY',
  AT_NoForceRowSecurity: 'NO FORCE ROW LEVEL SECURITY',
  AT_ReplicaIdentity: 'REPLICA IDENTITY',
  AT_EnableRule: 'ENABLE RULE',
  AT_EnableAlwaysRule: 'ENABLE ALWAYS RULE',
  AT_EnableReplicaRule: 'ENABLE REPLICA RULE',
  AT_DisableRule: 'DISABLE RULE',
  AT_SetRelOptions: 'SET (storage parameters)',
  AT_ResetRelOptions: 'RESET (storage parameters)',
  AT_ReplaceRelOptions: 'SET (storage parameters)',
  AT_SetTableSpace: 'SET TABLESPACE',
  AT_AttachPartition: 'ATTACH PARTITION',
  AT_DetachPartition: 'DETACH PARTITION',
  AT_DetachPartitionFinalize: 'DETACH PARTITION',
  AT_AddInherit: 'INHERIT',
  AT_DropInherit: 'NO INHERIT',
  AT_SetLogged: 'SET LOGGED',
  AT_SetUnLogged: 'SET UNLOGGED',
  AT_ClusterOn: 'CLUSTER ON',
  AT_DropCluster: 'SET WITHOUT CLUSTER',
  AT_SetAccessMethod: 'SET ACCESS METHOD',
};

export function checkAlterTable(stmt: Statement, f: Findings, ctx: CheckContext): void {
  const n = stmt.node as AlterTableStmt;
  if (n.objtype === 'OBJECT_TYPE') {
    f.add('unsupported_alter_type', {});
    return;
  }
  // Only what earlier statements in the input declared about this table is known.
  const known = () => (ctx.previous.length > 0 ? inputState(ctx.previous).table(n.relation) : undefined);
  let added = 0;
  for (const raw of n.cmds ?? []) {
    const cmd = as<AlterTableCmd>(raw, 'AlterTableCmd');
    if (!cmd?.subtype) continue;
    const action = REFUSED_ACTIONS[cmd.subtype];
    if (action) {
      f.add('unsupported_alter_table_action', { action });
      continue;
    }
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const col = as<ColumnDef>(cmd.def, 'ColumnDef');
        if (col) checkColumn(col, f, true);
        added++;
        break;
      }
      case 'AT_AlterColumnType':
        f.add('alter_column_type', {});
        break;
      case 'AT_SetNotNull':
        f.add('set_not_null', {});
        break;
      case 'AT_SetStatistics':
        f.add('set_statistics', {});
        break;
      case 'AT_SetCompression':
        f.add('set_compression', {});
        break;
      case 'AT_AddConstraint':
        checkAddConstraint(as<Constraint>(cmd.def, 'Constraint'), f);
        break;
      case 'AT_ValidateConstraint':
        if (!stmt.async) f.add('validate_constraint_async', {});
        break;
      case 'AT_DropConstraint': {
        const table = known();
        if (table?.primaryKeyName !== undefined && table.primaryKeyName === cmd.name) f.add('drop_primary_key', {});
        break;
      }
      case 'AT_DropColumn': {
        const table = known();
        if (cmd.name && table?.primaryKey.includes(cmd.name)) f.add('drop_primary_key_column', { column: cmd.name });
        break;
      }
      case 'AT_AddIdentity': {
        const c = as<Constraint>(cmd.def, 'Constraint');
        const type = cmd.name ? known()?.columns.get(cmd.name) : undefined;
        if (type && type.name !== 'int8') f.add('identity_type', { type: type.display }, c?.location);
        checkIdentityOptions(c?.options, f, c?.location);
        break;
      }
      case 'AT_SetIdentity': {
        const list = as<{ items?: unknown[] }>(cmd.def, 'List');
        const cache = findDef(list?.items, 'cache');
        if (cache && !validCache(num(cache.arg))) f.add('identity_cache', {}, cache.location);
        break;
      }
    }
  }
  if (added > 0) {
    const table = known();
    if (table && table.columns.size + added > MAX_COLUMNS) f.add('column_count_limit', {});
  }
}

function checkAddConstraint(c: Constraint | undefined, f: Findings): void {
  if (!c) return;
  switch (c.contype) {
    case 'CONSTR_PRIMARY':
      if (!c.indexname) f.add('add_primary_key', {}, c.location);
      break;
    case 'CONSTR_UNIQUE':
      if (!c.indexname) f.add('add_unique', {}, c.location);
      break;
    case 'CONSTR_CHECK':
      if (!c.skip_validation) f.add('add_check_without_not_valid', {}, c.location);
      break;
    case 'CONSTR_FOREIGN':
      if (!c.skip_validation) f.add('add_foreign_key_without_not_valid', {}, c.location);
      break;
    case 'CONSTR_EXCLUSION':
      f.add('exclusion_constraint', {}, c.location);
      break;
  }
}

