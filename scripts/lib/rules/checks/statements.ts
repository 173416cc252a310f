// Statement classes DSQL refuses by their kind, with the few conditions that matter
// (research §2.1 and §4.2), plus sequences, transactions and SET.
import type {
  AlterDomainStmt,
  AlterRoleSetStmt,
  CreateFunctionStmt,
  CreateSeqStmt,
  DefineStmt,
  DropStmt,
  RenameStmt,
  TransactionStmt,
  VariableSetStmt,
  ViewStmt,
} from '@pgsql/types';
import type { Statement } from '../../sql/parser.js';
import { codeTokens, constString, findDef, num, str } from '../ast.js';
import type { Findings } from '../finding.js';
import { inputState } from '../input-state.js';
import { columnType } from '../pgtypes.js';
import { isSetAllowed } from '../table/index.js';
import type { CheckContext } from '../types.js';
import { validCache } from './columns.js';

/** Refused whatever they say: kind -> rule. The message names the kind without "Stmt". */
const REFUSED_KINDS: Readonly<Record<string, string>> = {
  TruncateStmt: 'truncate',
  CreateExtensionStmt: 'unsupported_create_extension',
  AlterExtensionStmt: 'unsupported_create_extension',
  AlterExtensionContentsStmt: 'unsupported_create_extension',
  LoadStmt: 'unsupported_load',
  CreateTrigStmt: 'unsupported_create_trigger',
  CreateEventTrigStmt: 'unsupported_event_trigger',
  AlterEventTrigStmt: 'unsupported_event_trigger',
  RuleStmt: 'unsupported_rule',
  CreatedbStmt: 'unsupported_create_database',
  DropdbStmt: 'unsupported_create_database',
  AlterDatabaseStmt: 'unsupported_create_database',
  AlterDatabaseSetStmt: 'unsupported_create_database',
  AlterDatabaseRefreshCollStmt: 'unsupported_create_database',
  CreateTableSpaceStmt: 'unsupported_create_tablespace',
  DropTableSpaceStmt: 'unsupported_create_tablespace',
  AlterTableSpaceOptionsStmt: 'unsupported_create_tablespace',
  AlterTableMoveAllStmt: 'unsupported_create_tablespace',
  RefreshMatViewStmt: 'unsupported_materialized_view',
  CreateEnumStmt: 'unsupported_create_type',
  CompositeTypeStmt: 'unsupported_composite_type',
  CreateRangeStmt: 'unsupported_range_type',
  AlterEnumStmt: 'unsupported_alter_type',
  AlterTypeStmt: 'unsupported_alter_type',
  AlterFunctionStmt: 'unsupported_alter_function_property',
  CreatePolicyStmt: 'unsupported_row_level_security',
  AlterPolicyStmt: 'unsupported_row_level_security',
  CreatePublicationStmt: 'unsupported_replication',
  AlterPublicationStmt: 'unsupported_replication',
  CreateSubscriptionStmt: 'unsupported_replication',
  AlterSubscriptionStmt: 'unsupported_replication',
  DropSubscriptionStmt: 'unsupported_replication',
  CreateForeignTableStmt: 'unsupported_foreign_data',
  CreateForeignServerStmt: 'unsupported_foreign_data',
  AlterForeignServerStmt: 'unsupported_foreign_data',
  CreateFdwStmt: 'unsupported_foreign_data',
  AlterFdwStmt: 'unsupported_foreign_data',
  CreateUserMappingStmt: 'unsupported_foreign_data',
  AlterUserMappingStmt: 'unsupported_foreign_data',
  DropUserMappingStmt: 'unsupported_foreign_data',
  ImportForeignSchemaStmt: 'unsupported_foreign_data',
  ReindexStmt: 'unsupported_maintenance',
  ClusterStmt: 'unsupported_maintenance',
  CheckPointStmt: 'unsupported_maintenance',
  AlterSystemStmt: 'unsupported_alter_system',
  ListenStmt: 'unsupported_listen',
  UnlistenStmt: 'unsupported_listen',
  NotifyStmt: 'unsupported_notify',
  LockStmt: 'unsupported_lock_table',
  MergeStmt: 'unsupported_merge',
  DeclareCursorStmt: 'unsupported_cursor',
  FetchStmt: 'unsupported_cursor',
  ClosePortalStmt: 'unsupported_cursor',
  PrepareStmt: 'unsupported_prepare',
  ExecuteStmt: 'unsupported_prepare',
  DiscardStmt: 'unsupported_discard',
  AlterDefaultPrivilegesStmt: 'unsupported_default_privileges',
  AlterRoleStmt: 'unsupported_alter_role',
};

/** DROP of these object types is refused: removeType -> rule (and the message's statement word). */
const REFUSED_DROPS: Readonly<Record<string, [string, string]>> = {
  OBJECT_TYPE: ['unsupported_drop_type', 'DropType'],
  OBJECT_MATVIEW: ['unsupported_materialized_view', 'Drop'],
  OBJECT_POLICY: ['unsupported_row_level_security', 'DropPolicy'],
  OBJECT_EXTENSION: ['unsupported_create_extension', 'DropExtension'],
  OBJECT_FOREIGN_TABLE: ['unsupported_foreign_data', 'Drop'],
  OBJECT_FOREIGN_SERVER: ['unsupported_foreign_data', 'DropForeignServer'],
  OBJECT_FDW: ['unsupported_foreign_data', 'DropFdw'],
  OBJECT_RULE: ['unsupported_rule', 'Drop'],
  OBJECT_PUBLICATION: ['unsupported_replication', 'Drop'],
};

const statementWord = (kind: string): string => kind.replace(/Stmt$/, '');

/** True when the statement starts ALTER USER (the tree does not tell USER from ROLE). */
function isAlterUser(stmt: Statement): boolean {
  const [a, b] = codeTokens(stmt);
  return a?.keyword === 'ALTER' && b?.keyword === 'USER';
}

export function checkByKind(stmt: Statement, f: Findings): boolean {
  const rule = REFUSED_KINDS[stmt.kind];
  if (!rule) return false;
  f.add(rule, { statement: statementWord(stmt.kind) });
  return true;
}

export function checkDrop(stmt: Statement, f: Findings): void {
  const n = stmt.node as DropStmt;
  if (n.removeType === 'OBJECT_TRIGGER' && !n.missing_ok) f.add('unsupported_drop_trigger', {});
  if (n.removeType === 'OBJECT_EVENT_TRIGGER' && !n.missing_ok) f.add('unsupported_event_trigger', { statement: 'DropEventTrig' });
  if (n.removeType === 'OBJECT_DOMAIN' && n.behavior === 'DROP_CASCADE') f.add('unsupported_drop_domain_cascade', {});
  const refused = n.removeType ? REFUSED_DROPS[n.removeType] : undefined;
  if (refused) f.add(refused[0], { statement: refused[1] });
}

export function checkOther(stmt: Statement, f: Findings, ctx: CheckContext): void {
  const node = stmt.node;
  switch (stmt.kind) {
    case 'CreateTableAsStmt':
      if (node.objtype === 'OBJECT_MATVIEW') f.add('unsupported_materialized_view', { statement: 'CreateTableAs' });
      else f.add('create_table_as', {});
      break;
    case 'VacuumStmt':
      if (node.is_vacuumcmd) f.add('unsupported_vacuum', {});
      break;
    case 'DeallocateStmt':
      if (!node.isall) f.add('unsupported_deallocate', {});
      break;
    case 'CopyStmt':
      if (node.filename !== undefined || node.is_program) f.add('unsupported_copy_file', {});
      break;
    case 'AlterRoleSetStmt': {
      const set = (node as AlterRoleSetStmt).setstmt;
      const reset = set?.kind === 'VAR_RESET' || set?.kind === 'VAR_RESET_ALL';
      if (!reset || isAlterUser(stmt)) f.add('unsupported_alter_role', { statement: 'AlterRoleSet' });
      break;
    }
    case 'RenameStmt': {
      const n = node as RenameStmt;
      if (n.renameType === 'OBJECT_TYPE' || n.renameType === 'OBJECT_ATTRIBUTE') f.add('unsupported_rename_type', {});
      if (n.renameType === 'OBJECT_ROLE' && isAlterUser(stmt)) f.add('unsupported_alter_role', { statement: 'Rename' });
      break;
    }
    case 'AlterOwnerStmt':
    case 'AlterObjectSchemaStmt':
      if (node.objectType === 'OBJECT_TYPE') f.add('unsupported_alter_type', {});
      break;
    case 'CreateFunctionStmt': {
      const n = node as CreateFunctionStmt;
      const language = str(findDef(n.options, 'language')?.arg)?.toLowerCase();
      if (language !== undefined && language !== 'sql' && language !== 'plpgsql') f.add('unsupported_create_function_non_sql', { language });
      break;
    }
    case 'AlterDomainStmt': {
      const subtype = (node as AlterDomainStmt).subtype;
      if (subtype === 'O' || subtype === 'C') f.add('unsupported_alter_domain', {});
      break;
    }
    case 'DefineStmt':
      if ((node as DefineStmt).kind === 'OBJECT_TYPE') f.add('unsupported_create_type', {});
      break;
    case 'ViewStmt': {
      const view = (node as ViewStmt).view;
      if (view?.relpersistence === 't') f.add('temp_view', {}, view.location);
      if (ctx.previous.length > 0 && inputState(ctx.previous).created.views + 1 > 5000) f.add('view_count_limit', {});
      break;
    }
    case 'CreateSchemaStmt':
      if (ctx.previous.length > 0 && inputState(ctx.previous).created.schemas + 1 > 10) f.add('schema_count_limit', {});
      break;
    case 'CreateSeqStmt':
    case 'AlterSeqStmt':
      checkSequence(stmt, f, ctx);
      break;
    case 'TransactionStmt':
      checkTransactionStmt(node as TransactionStmt, f);
      break;
    case 'VariableSetStmt':
      checkSet(node as VariableSetStmt, f);
      break;
    case 'VariableShowStmt': {
      const name = String(node.name ?? '').toLowerCase();
      if (name === 'lc_collate' || name === 'lc_ctype') f.add('show_unsupported_parameter', { name });
      break;
    }
  }
}

function checkSequence(stmt: Statement, f: Findings, ctx: CheckContext): void {
  const n = stmt.node as CreateSeqStmt;
  const creating = stmt.kind === 'CreateSeqStmt';
  const persistence = n.sequence?.relpersistence;
  if (creating && (persistence === 't' || persistence === 'u')) f.add('temp_sequence', {}, n.sequence?.location);
  const as = findDef(n.options, 'as');
  const type = as ? columnType(as.arg && 'TypeName' in as.arg ? as.arg.TypeName : undefined) : undefined;
  if (type && type.name !== 'int8') f.add('sequence_type', { type: type.display }, as?.location);
  const cache = findDef(n.options, 'cache');
  if (cache && !validCache(num(cache.arg))) f.add('sequence_cache', {}, cache.location);
  else if (!cache && creating) f.add('sequence_cache_missing', {});
  if (creating && ctx.previous.length > 0 && inputState(ctx.previous).created.sequences + 1 > 5000) f.add('sequence_count_limit', {});
}

const SAVEPOINT_WORDS: Readonly<Record<string, string>> = {
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO',
};
const TWO_PHASE_WORDS: Readonly<Record<string, string>> = {
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** The isolation level a BEGIN/START asks for, lower case, if any. */
export function requestedIsolation(n: TransactionStmt): { level: string; location?: number } | undefined {
  const def = findDef(n.options, 'transaction_isolation');
  const level = def ? constString(def.arg) : undefined;
  return level === undefined ? undefined : { level: level.toLowerCase(), location: def?.location };
}

function checkTransactionStmt(n: TransactionStmt, f: Findings): void {
  const kind = n.kind ?? '';
  if (SAVEPOINT_WORDS[kind]) f.add('unsupported_savepoint', { statement: SAVEPOINT_WORDS[kind] }, n.location);
  else if (TWO_PHASE_WORDS[kind]) f.add('unsupported_two_phase_commit', { statement: TWO_PHASE_WORDS[kind] });
  else if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
    const iso = requestedIsolation(n);
    if (iso && iso.level !== 'repeatable read') f.add('transaction_isolation', { level: iso.level.toUpperCase() }, iso.location);
  }
}

function checkSet(n: VariableSetStmt, f: Findings): void {
  if (n.kind === 'VAR_SET_MULTI') {
    f.add('set_transaction', {});
    return;
  }
  if (n.kind === 'VAR_RESET' || n.kind === 'VAR_RESET_ALL') return;
  if (n.name && !isSetAllowed(n.name)) f.add('set_parameter', { name: n.name });
}

