// Statement classes for DSQL's transaction rules: one DDL per transaction, and no DDL
// with DML. GRANT/REVOKE/COMMENT/RENAME/OWNER/SET SCHEMA change the catalog, so DSQL
// counts them as DDL (research §4.3). SELECT is neither DDL nor DML.
import type { Statement } from '../sql/parser.js';
import { defElems, unwrap, walk } from './ast.js';
import type { StatementClass } from './types.js';

const DDL_KINDS: ReadonlySet<string> = new Set([
  'CreateStmt', 'CreateTableAsStmt', 'AlterTableStmt', 'DropStmt', 'IndexStmt', 'ViewStmt', 'RenameStmt',
  'CreateSeqStmt', 'AlterSeqStmt', 'CreateSchemaStmt', 'GrantStmt', 'GrantRoleStmt', 'CommentStmt',
  'AlterOwnerStmt', 'AlterObjectSchemaStmt', 'AlterObjectDependsStmt', 'CreateFunctionStmt', 'AlterFunctionStmt',
  'CreateDomainStmt', 'AlterDomainStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt',
  'CreateStatsStmt', 'AlterStatsStmt', 'TruncateStmt', 'CreateTrigStmt', 'CreateEventTrigStmt', 'AlterEventTrigStmt',
  'CreateExtensionStmt', 'AlterExtensionStmt', 'AlterExtensionContentsStmt', 'DefineStmt', 'CreateEnumStmt',
  'AlterEnumStmt', 'CompositeTypeStmt', 'CreateRangeStmt', 'AlterTypeStmt', 'CreatedbStmt', 'DropdbStmt',
  'AlterDatabaseStmt', 'AlterDatabaseSetStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'RuleStmt',
  'CreateForeignTableStmt', 'CreateForeignServerStmt', 'AlterForeignServerStmt', 'CreateFdwStmt', 'AlterFdwStmt',
  'CreateUserMappingStmt', 'AlterUserMappingStmt', 'DropUserMappingStmt', 'ImportForeignSchemaStmt',
  'CreateTableSpaceStmt', 'DropTableSpaceStmt', 'AlterTableSpaceOptionsStmt', 'AlterTableMoveAllStmt',
  'CreatePublicationStmt', 'AlterPublicationStmt', 'CreateSubscriptionStmt', 'AlterSubscriptionStmt',
  'DropSubscriptionStmt', 'RefreshMatViewStmt', 'AlterDefaultPrivilegesStmt', 'DropOwnedStmt', 'ReassignOwnedStmt',
  'SecLabelStmt', 'CreateCastStmt', 'CreateConversionStmt', 'CreateOpClassStmt', 'CreateOpFamilyStmt',
  'AlterOpFamilyStmt', 'AlterOperatorStmt', 'CreateTransformStmt', 'CreatePLangStmt', 'CreateAmStmt',
  'AlterCollationStmt', 'AlterTSDictionaryStmt', 'AlterTSConfigurationStmt',
]);

const DML_KINDS: ReadonlySet<string> = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** The class of a parse-tree node of the given kind. */
export function classifyNode(kind: string, node: Record<string, unknown>): StatementClass {
  if (DDL_KINDS.has(kind)) return 'ddl';
  if (DML_KINDS.has(kind)) return 'dml';
  switch (kind) {
    case 'TransactionStmt':
      return 'transaction';
    case 'SelectStmt':
      // SELECT ... INTO creates a table; a data-modifying WITH makes it DML.
      if (node.intoClause) return 'ddl';
      return modifiesData(node) ? 'dml' : 'read';
    case 'CopyStmt':
      return node.is_from ? 'dml' : 'read';
    case 'ExplainStmt': {
      // EXPLAIN ANALYZE runs the statement; plain EXPLAIN only plans it.
      const analyze = defElems(node.options as unknown[]).some((d) => d.defname === 'analyze');
      const inner = unwrap(node.query);
      return analyze && inner ? classifyNode(inner[0], inner[1]) : 'read';
    }
    case 'DeclareCursorStmt':
    case 'VariableShowStmt':
      return 'read';
    default:
      return 'other';
  }
}

function modifiesData(select: Record<string, unknown>): boolean {
  if (!select.withClause) return false;
  let found = false;
  walk(select.withClause, (kind) => {
    if (DML_KINDS.has(kind)) found = true;
    return !found;
  });
  return found;
}

/** DSQL's class of a statement: 'ddl' | 'dml' | 'read' | 'transaction' | 'other'. */
export function classify(stmt: Statement): StatementClass {
  return classifyNode(stmt.kind, stmt.node);
}
