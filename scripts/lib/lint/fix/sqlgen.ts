// Render a fixed statement from its parse tree. pgsql-deparser prints PostgreSQL; DSQL's
// ASYNC keyword is put back afterwards. Every rendering is parsed again and compared
// with the tree it came from, so a deparser gap can never silently change a statement.
import type { Node } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { parseSql } from '../../sql/parser.js';

/** The tree without source positions, keys sorted, for comparing a rendering with its origin. */
function shape(node: unknown): string {
  return JSON.stringify(node, (key, value) => {
    if (key === 'location' || key === 'stmt_location' || key === 'stmt_len') return undefined;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]));
  });
}

function withAsync(sql: string, kind: string, async: boolean): string {
  if (!async) return sql;
  if (kind === 'IndexStmt') return sql.replace(/^CREATE (UNIQUE )?INDEX\b/, (m) => `${m} ASYNC`);
  if (kind === 'AlterTableStmt') return sql.replace(/^ALTER TABLE\b/, 'ALTER TABLE ASYNC');
  return sql;
}

function attempt(ast: Node, kind: string, async: boolean, pretty: boolean): string | undefined {
  let sql: string;
  try {
    sql = deparseSync(ast, { pretty });
  } catch {
    return undefined;
  }
  // Pretty output puts short option lists such as (CACHE 1) on lines of their own.
  if (pretty) sql = sql.replace(/[ \t]+$/gm, '').replace(/\(\n\s+([^\n()]*)\n\s*\)/g, '($1)');
  sql = withAsync(sql.trim().replace(/;$/, ''), kind, async);
  try {
    const again = parseSql(sql);
    if (again.length !== 1 || again[0]!.kind !== kind || again[0]!.async !== async) return undefined;
    return shape(again[0]!.ast) === shape(ast) ? sql : undefined;
  } catch {
    return undefined;
  }
}

/** SQL text for the tree, or undefined when no faithful rendering exists. */
export function renderStatement(ast: Node, async: boolean): string | undefined {
  const kind = Object.keys(ast)[0]!;
  // CREATE TABLE reads better one column per line; everything else stays on one line.
  return (kind === 'CreateStmt' ? attempt(ast, kind, async, true) : undefined) ?? attempt(ast, kind, async, false);
}
