// CREATE INDEX: ASYNC, method, key shape and counts (research §2.5).
import type { IndexElem, IndexStmt } from '@pgsql/types';
import type { Statement } from '../../sql/parser.js';
import { as, codeTokens } from '../ast.js';
import type { Findings } from '../finding.js';
import { inputState } from '../input-state.js';
import type { CheckContext } from '../types.js';
import { checkKeyColumns, MAX_INDEXES_PER_TABLE } from './columns.js';

/**
 * The USING token of `CREATE INDEX ... ON t USING method (...)`, found in the tokens
 * because the parser reports accessMethod "btree" whether or not USING was written.
 * Only a USING outside parentheses counts (a WHERE subquery may hold JOIN ... USING).
 */
function indexUsingToken(stmt: Statement): Statement['tokens'][number] | undefined {
  let depth = 0;
  for (const t of codeTokens(stmt)) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.keyword === 'USING') return t;
    else if (depth === 0 && t.keyword === 'WHERE') return undefined;
  }
  return undefined;
}

export function checkIndex(stmt: Statement, f: Findings, ctx: CheckContext): void {
  const n = stmt.node as IndexStmt;
  if (!stmt.async) {
    if (n.concurrent) f.add('index_concurrently', {});
    else f.add('index_async', {});
  }
  const using = indexUsingToken(stmt);
  if (using) f.addAt('index_using', {}, using.start);
  if (n.options?.length) f.add('storage_parameters', {});
  if (n.tableSpace) f.add('tablespace', {});

  const keys: (string | undefined)[] = [];
  for (const raw of n.indexParams ?? []) {
    const elem = as<IndexElem>(raw, 'IndexElem');
    if (!elem) continue;
    keys.push(elem.name);
    if (elem.ordering === 'SORTBY_ASC' || elem.ordering === 'SORTBY_DESC') f.add('index_sort_order', {});
    if (elem.opclass?.length) f.add('index_opclass', {});
  }
  const table = ctx.previous.length > 0 ? inputState(ctx.previous).table(n.relation) : undefined;
  checkKeyColumns(keys, table, f, n.relation?.location);
  if (table && table.indexes + 1 > MAX_INDEXES_PER_TABLE) f.add('index_count_limit', {}, n.relation?.location);
}
