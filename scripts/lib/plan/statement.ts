// What explain-plan may execute. EXPLAIN ANALYZE runs the statement, so only a query runs:
// SELECT as is; UPDATE and DELETE become the SELECT that reads the same rows (built on the
// parse tree and printed by the deparser, then parsed again to prove it is one SELECT);
// everything that could change data is refused with a one-line reason. The EXPLAIN itself
// runs inside BEGIN READ ONLY, so the server refuses a write even if one slipped through.
import { UsageError } from '../cli/errors.js';
import { walk as walkTree } from '../rules/ast.js';
import { parse, SqlSyntaxError, type Statement } from '../sql/parser.js';

type Json = Record<string, unknown>;

export interface PreparedStatement {
  /** The SQL explain-plan runs (a SELECT), without a trailing semicolon. */
  sql: string;
  /** The statement as given. */
  original: string;
  /** The parse-tree kind of the statement as given: SelectStmt, UpdateStmt, DeleteStmt. */
  originalKind: string;
  /** `UPDATE`, `DELETE`, `SELECT ... FOR UPDATE`, or `EXPLAIN` when the input was rewritten. */
  rewrittenFrom?: string;
  /** Why and how the statement was rewritten, one line each. */
  notes: string[];
  /** The parse tree of `sql` (a SelectStmt node). */
  select: Json;
}

/** Refusals, keyed by parse-tree kind: one line each, saying what to do instead. */
const REFUSED: Record<string, string> = {
  InsertStmt: 'INSERT is refused: EXPLAIN ANALYZE would insert the rows; explain the SELECT that produces them instead',
  MergeStmt: 'MERGE is refused: EXPLAIN ANALYZE would change data; explain the SELECT of its source and join instead',
  DoStmt: 'DO blocks are refused: an anonymous code block may change data and has no plan to explain',
  CallStmt: 'CALL is refused: a procedure may change data and has no plan to explain; explain the queries inside it',
  CreateFunctionStmt: 'function and procedure definitions are refused: explain a query that calls the function instead',
  CreateTableAsStmt: 'CREATE TABLE AS is refused: it creates a table; explain its SELECT instead',
  CopyStmt: 'COPY is refused: explain a SELECT instead',
};

/** Every node of a parse tree with its kind, depth first (the rules' tree walk, as a sequence). */
export function* walk(value: unknown): Generator<[string, Json]> {
  const nodes: [string, Json][] = [];
  walkTree(value, (kind, body) => void nodes.push([kind, body as Json]));
  yield* nodes;
}

function refuseDataModifyingCte(tree: unknown): void {
  for (const [kind, node] of walk(tree)) {
    if (kind !== 'CommonTableExpr') continue;
    const inner = Object.keys((node.ctequery as Json | undefined) ?? {})[0];
    if (inner && inner !== 'SelectStmt') {
      const verb = inner.replace(/Stmt$/, '').toUpperCase();
      throw new UsageError(`a WITH clause that runs ${verb} is refused: it would change data; explain the query without it`);
    }
  }
}

function refuseCurrentOf(tree: unknown): void {
  for (const [kind] of walk(tree)) {
    if (kind === 'CurrentOfExpr') throw new UsageError('WHERE CURRENT OF is refused: it needs an open cursor; give the condition that finds the row instead');
  }
}

const star = (...fields: string[]): Json => ({
  ResTarget: { val: { ColumnRef: { fields: [...fields.map((sval) => ({ String: { sval } })), { A_Star: {} }] } } },
});

/** The SET list of an UPDATE as SELECT targets: each new value under its column's name. */
function setTargets(targetList: Json[]): Json[] {
  const out: Json[] = [];
  for (const item of targetList) {
    const rt = item.ResTarget as Json;
    const val = rt.val as Json;
    if ('SetToDefault' in val) continue; // DEFAULT has no value to compute in a SELECT
    if ('MultiAssignRef' in val) {
      const mar = val.MultiAssignRef as Json;
      if (mar.colno !== 1) continue; // (a, b) = source: the source is computed once
      out.push({ ResTarget: { name: String(rt.name), val: rowSource(mar.source as Json) } });
      continue;
    }
    out.push({ ResTarget: { name: rt.name, val } });
  }
  return out;
}

/** `(a, b) = (SELECT x, y ...)` becomes `(SELECT ROW(x, y) ...)`; `(a, b) = (1, 2)` becomes `ROW(1, 2)`. */
function rowSource(source: Json): Json {
  const sublink = source.SubLink as Json | undefined;
  const select = (sublink?.subselect as Json | undefined)?.SelectStmt as Json | undefined;
  if (sublink && select && Array.isArray(select.targetList)) {
    const args = (select.targetList as Json[]).map((t) => (t.ResTarget as Json).val);
    const row = { RowExpr: { args, row_format: 'COERCE_EXPLICIT_CALL' } };
    return { SubLink: { ...sublink, subLinkType: 'EXPR_SUBLINK', subselect: { SelectStmt: { ...select, targetList: [{ ResTarget: { val: row } }] } } } };
  }
  return source;
}

/** The SELECT that reads what an UPDATE or DELETE would change. */
function modificationToSelect(kind: 'UpdateStmt' | 'DeleteStmt', node: Json): Json {
  const relation = node.relation as Json;
  const ref = ((relation.alias as Json | undefined)?.aliasname as string | undefined) ?? (relation.relname as string);
  const others = ((kind === 'UpdateStmt' ? node.fromClause : node.usingClause) as Json[] | undefined) ?? [];
  const targetList = [others.length ? star(ref) : star(), ...(kind === 'UpdateStmt' ? setTargets((node.targetList as Json[]) ?? []) : [])];
  const select: Json = {
    targetList,
    fromClause: [{ RangeVar: relation }, ...others],
    limitOption: 'LIMIT_OPTION_DEFAULT',
    op: 'SETOP_NONE',
  };
  if (node.whereClause) select.whereClause = node.whereClause;
  if (node.withClause) select.withClause = node.withClause;
  return select;
}

type Deparser = typeof import('pgsql-deparser');
let deparser: Deparser | undefined;

/** Prints a SELECT parse tree as one line of SQL. */
export async function deparseSelect(select: Json): Promise<string> {
  deparser ??= (await import('pgsql-deparser')) as Deparser;
  const text = deparser.deparseSync({ SelectStmt: select } as never, { pretty: false });
  return text.replace(/;\s*$/, '').trim();
}

/** Prints an expression parse tree as SQL. */
export async function deparseExpression(node: Json): Promise<string> {
  deparser ??= (await import('pgsql-deparser')) as Deparser;
  return deparser.deparseSync(node as never, { pretty: false }).trim();
}

/** Parses SQL that must be exactly one SELECT (a rewrite, an experiment) and returns its tree. */
export async function parseOneSelect(sql: string, what: string): Promise<{ statement: Statement; select: Json }> {
  const statements = await parse(sql);
  if (statements.length !== 1 || statements[0]!.kind !== 'SelectStmt') {
    throw new Error(`${what} is not one SELECT: ${sql}`);
  }
  return { statement: statements[0]!, select: statements[0]!.node };
}

/** Checks and, where needed, rewrites the user's statement. Throws UsageError with the reason. */
export async function prepareStatement(input: string): Promise<PreparedStatement> {
  let statements: Statement[];
  try {
    statements = await parse(input);
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new UsageError(`syntax error in the statement: ${error.message}`);
    throw error;
  }
  if (statements.length === 0) throw new UsageError('no SQL statement given');
  if (statements.length > 1) throw new UsageError(`give exactly one statement; found ${statements.length} (the parser split them at line ${statements[1]!.line})`);
  let statement = statements[0]!;
  const notes: string[] = [];
  let rewrittenFrom: string | undefined;
  let kind = statement.kind;
  let node = statement.node as Json;

  if (kind === 'ExplainStmt') {
    // The user pasted EXPLAIN ...: explain-plan chooses the options itself.
    const inner = node.query as Json;
    kind = Object.keys(inner)[0]!;
    node = inner[kind] as Json;
    notes.push('the EXPLAIN options given were replaced by EXPLAIN ANALYZE VERBOSE');
    rewrittenFrom = 'EXPLAIN';
  }
  if (REFUSED[kind]) throw new UsageError(REFUSED[kind]!);
  if (kind !== 'SelectStmt' && kind !== 'UpdateStmt' && kind !== 'DeleteStmt') {
    const what = kind.replace(/Stmt$/, '');
    throw new UsageError(`${what} is not a query: explain-plan explains SELECT, and UPDATE or DELETE rewritten to the SELECT that reads the same rows`);
  }
  refuseDataModifyingCte(node);
  refuseCurrentOf(node);
  for (const [k, n] of walk(node)) {
    if (k === 'ParamRef') throw new UsageError(`the statement has a parameter placeholder ($${String(n.number)}); put the value the application sends in its place`);
  }

  let select: Json;
  if (kind === 'SelectStmt') {
    if (node.intoClause) throw new UsageError('SELECT INTO is refused: it creates a table; explain the SELECT without INTO');
    select = node;
    if (Array.isArray(node.lockingClause) && node.lockingClause.length) {
      // Row locks are writes in a read-only transaction; the plan without them reads the same rows.
      select = { ...node };
      delete select.lockingClause;
      rewrittenFrom = 'SELECT ... FOR UPDATE/SHARE';
      notes.push('the row-locking clause (FOR UPDATE/SHARE) was removed: a read-only transaction cannot lock rows');
    }
  } else {
    select = modificationToSelect(kind, node);
    rewrittenFrom = kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const joined = ((kind === 'UpdateStmt' ? node.fromClause : node.usingClause) as unknown[] | undefined)?.length;
    if (joined) notes.push(`the SELECT is the join the ${rewrittenFrom} runs: a target row that matches several joined rows appears once per match, and is changed once`);
    notes.push(
      kind === 'UpdateStmt'
        ? 'rewritten to the SELECT that reads the rows the UPDATE would change, with the new values it would compute; RETURNING is dropped'
        : 'rewritten to the SELECT that reads the rows the DELETE would remove; RETURNING is dropped',
    );
  }

  let sql = statement.text;
  if (rewrittenFrom !== undefined) {
    sql = await deparseSelect(select);
    // The rewrite must itself be exactly one SELECT: parse it again rather than trust it.
    const again = await parseOneSelect(sql, 'the rewritten statement');
    statement = again.statement;
    select = again.select;
  }
  return { sql, original: statements[0]!.text, originalKind: statements[0]!.kind, rewrittenFrom, notes, select };
}
