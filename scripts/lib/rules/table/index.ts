// The rules table: every DSQL behaviour the skill knows, one entry each.
import type { Rule } from '../types.js';
import { refused, SRC } from './common.js';
import { INDEX_RULES } from './indexes.js';
import { STATEMENT_RULES } from './statements.js';
import { SUPPORTED_RULES } from './supported.js';
import { TABLE_RULES } from './tables.js';
import { TRANSACTION_TABLE } from './transactions.js';

const PARSE_ERROR = refused({
  id: 'parse_error',
  summary: 'the statement is not valid PostgreSQL (or DSQL) syntax',
  detects: 'the PostgreSQL parser (libpg-query) refuses the statement',
  sqlstate: '42601',
  message: '{message}',
  suggestion: 'fix the syntax; nothing else was checked in this statement',
  source: SRC.sqlFeatures,
});

export const RULES: readonly Rule[] = Object.freeze([
  ...STATEMENT_RULES,
  ...TABLE_RULES,
  ...INDEX_RULES,
  ...TRANSACTION_TABLE,
  ...SUPPORTED_RULES,
  PARSE_ERROR,
]);

const byId = new Map(RULES.map((r) => [r.id, r]));
if (byId.size !== RULES.length) throw new Error('rules table: duplicate rule id');

/** The rule with this id; throws for an unknown id (a bug in a check). */
export function ruleById(id: string): Rule {
  const rule = byId.get(id);
  if (!rule) throw new Error(`unknown rule id ${id}`);
  return rule;
}

export { GA, FOREIGN_KEYS_GA, SEQUENCES_GA } from './common.js';
export {
  TRANSACTION_RULES,
  SET_ALLOWLIST,
  isSetAllowed,
  TRANSACTION_ROW_LIMIT,
  TRANSACTION_SIZE_LIMIT_BYTES,
  TRANSACTION_AGE_LIMIT_SECONDS,
} from './transactions.js';
