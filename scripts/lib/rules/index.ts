// The DSQL rules: one table of behaviour (RULES) and the checks that apply it to parsed
// statements. The linter, the local DSQL server and the docs checks all read this module.
export type {
  CheckContext,
  Finding,
  FixTier,
  Rule,
  RuleFix,
  RuleScope,
  RuleStatus,
  Severity,
  StatementClass,
} from './types.js';
export {
  RULES,
  ruleById,
  TRANSACTION_RULES,
  SET_ALLOWLIST,
  isSetAllowed,
  TRANSACTION_ROW_LIMIT,
  TRANSACTION_SIZE_LIMIT_BYTES,
  TRANSACTION_AGE_LIMIT_SECONDS,
  GA,
  SEQUENCES_GA,
  FOREIGN_KEYS_GA,
} from './table/index.js';
export { classify, classifyNode } from './classify.js';
export { checkStatement } from './check.js';
export { TransactionTracker, type TransactionTrackerOptions } from './transaction.js';
export { formatMessage, makeFinding, type MessageParams } from './finding.js';
