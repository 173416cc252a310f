// Rules found anywhere in a statement's tree: functions DSQL lacks, TABLESAMPLE, locking
// strengths, SELECT INTO, and VALUES lists over the transaction row limit.
import type { FuncCall, SelectStmt } from '@pgsql/types';
import type { Statement } from '../../sql/parser.js';
import { as, constString, strings, walk } from '../ast.js';
import type { Findings } from '../finding.js';
import { isSetAllowed, TRANSACTION_ROW_LIMIT } from '../table/index.js';

const TEXT_SEARCH: ReadonlySet<string> = new Set([
  'to_tsvector', 'to_tsquery', 'plainto_tsquery', 'phraseto_tsquery', 'websearch_to_tsquery',
  'ts_rank', 'ts_rank_cd', 'ts_headline', 'setweight', 'json_to_tsvector', 'jsonb_to_tsvector',
]);
/** Text search functions whose first argument is the configuration when given. */
const CONFIG_FIRST: ReadonlySet<string> = new Set(['to_tsvector', 'to_tsquery', 'plainto_tsquery', 'phraseto_tsquery', 'websearch_to_tsquery', 'ts_headline']);
const GEOMETRIC: ReadonlySet<string> = new Set(['line', 'lseg', 'box', 'path', 'polygon', 'circle']);
const MISSING_FUNCTIONS: ReadonlySet<string> = new Set([
  'pg_notify', 'lastval', 'pg_cancel_backend', 'pg_terminate_backend', 'pg_table_size',
  'lo_import', 'lo_export', 'lo_create', 'lo_creat', 'lo_unlink', 'lo_open', 'lo_close', 'lo_get', 'lo_put',
  'lo_from_bytea', 'lo_truncate', 'loread', 'lowrite',
]);

/** The function's name when it may be a built-in one (unqualified or pg_catalog); a quoted "Box" is not box. */
function builtinName(call: FuncCall): string | undefined {
  const parts = strings(call.funcname);
  if (parts.length === 1) return parts[0];
  if (parts.length === 2 && parts[0] === 'pg_catalog') return parts[1];
  return undefined;
}

function checkCall(call: FuncCall, f: Findings): void {
  const name = builtinName(call);
  if (!name) return;
  const at = call.location;
  if (name.startsWith('pg_advisory_') || name.startsWith('pg_try_advisory_')) f.add('advisory_lock', { name }, at);
  else if (TEXT_SEARCH.has(name)) {
    const args = call.args ?? [];
    const config = CONFIG_FIRST.has(name) && args.length >= (name === 'ts_headline' ? 3 : 2) ? constString(args[0]) : undefined;
    f.add('full_text_search', { config: config ?? 'english' }, at);
  } else if (GEOMETRIC.has(name)) f.add('geometric_function', { type: name }, at);
  else if (MISSING_FUNCTIONS.has(name)) f.add('unsupported_function', { name }, at);
  else if (name === 'set_config') {
    const param = constString(call.args?.[0]);
    if (param !== undefined && !isSetAllowed(param)) f.add('set_parameter', { name: param }, at);
  }
}

/** Rows in an INSERT ... VALUES list (0 for other statements). */
export function valuesRows(stmt: Statement): number {
  if (stmt.kind !== 'InsertStmt') return 0;
  const select = as<SelectStmt>(stmt.node.selectStmt, 'SelectStmt');
  return select?.valuesLists?.length ?? 0;
}

export function checkExpressions(stmt: Statement, f: Findings): void {
  if (stmt.kind === 'SelectStmt' && stmt.node.intoClause) f.add('create_table_as', {});
  if (valuesRows(stmt) > TRANSACTION_ROW_LIMIT) f.add('transaction_row_limit', {});
  walk(stmt.ast, (kind, body) => {
    if (kind === 'FuncCall') checkCall(body as FuncCall, f);
    else if (kind === 'RangeTableSample') f.add('tablesample', {}, body.location as number | undefined);
    else if (kind === 'LockingClause' && (body.strength === 'LCS_FORSHARE' || body.strength === 'LCS_FORNOKEYUPDATE')) {
      f.add('locking_clause', {});
    } else if (kind === 'A_Const' || kind === 'String' || kind === 'ColumnRef' || kind === 'TypeName') return false;
    return true;
  });
}
