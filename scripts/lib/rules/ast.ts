// Small readers over libpg-query's JSON parse tree. The tree omits default values
// (0, false, '') and wraps nodes as { Kind: {...} }; these helpers hide both.
import type { Node } from '@pgsql/types';
import type { Statement } from '../sql/parser.js';

/** A node's kind and body: { ColumnDef: {...} } gives ['ColumnDef', {...}]. */
export function unwrap(node: unknown): [string, Record<string, unknown>] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const body = (node as Record<string, unknown>)[keys[0]!];
  return body && typeof body === 'object' && !Array.isArray(body) ? [keys[0]!, body as Record<string, unknown>] : undefined;
}

/** The body of a node of the given kind, else undefined. */
export function as<T>(node: unknown, kind: string): T | undefined {
  const u = unwrap(node);
  return u && u[0] === kind ? (u[1] as T) : undefined;
}

/** The text of a String node (or a bare string). */
export function str(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  return as<{ sval?: string }>(node, 'String')?.sval ?? undefined;
}

/** Texts of a list of String nodes, e.g. a qualified name. */
export function strings(list: readonly unknown[] | undefined): string[] {
  return (list ?? []).map((n) => str(n) ?? '');
}

/**
 * A number from Integer, Float, A_Const or a TypeCast of one; undefined when the node
 * is not a numeric literal. Integer { } means 0 (the tree omits zero).
 */
export function num(node: unknown): number | undefined {
  const u = unwrap(node);
  if (!u) return undefined;
  const [kind, body] = u;
  if (kind === 'Integer') return (body.ival as number | undefined) ?? 0;
  if (kind === 'Float') return Number(body.fval);
  if (kind === 'A_Const') {
    if (body.ival) return (body.ival as { ival?: number }).ival ?? 0;
    if (body.fval) return Number((body.fval as { fval?: string }).fval);
    return undefined;
  }
  if (kind === 'TypeCast') return num(body.arg);
  return undefined;
}

/** The string of an A_Const (or a TypeCast of one). */
export function constString(node: unknown): string | undefined {
  const u = unwrap(node);
  if (!u) return undefined;
  if (u[0] === 'A_Const') return (u[1].sval as { sval?: string } | undefined)?.sval ?? (u[1].sval ? '' : undefined);
  if (u[0] === 'TypeCast') return constString(u[1].arg);
  if (u[0] === 'String') return (u[1].sval as string | undefined) ?? '';
  return undefined;
}

export interface DefElem {
  defname?: string;
  arg?: Node;
  defaction?: string;
  location?: number;
}

/** The DefElem bodies of an option list. */
export function defElems(list: readonly unknown[] | undefined): DefElem[] {
  const out: DefElem[] = [];
  for (const n of list ?? []) {
    const d = as<DefElem>(n, 'DefElem');
    if (d) out.push(d);
  }
  return out;
}

export function findDef(list: readonly unknown[] | undefined, name: string): DefElem | undefined {
  return defElems(list).find((d) => d.defname === name);
}

/**
 * Visit every node below `root` (depth first), with its kind and body. The visitor
 * returns false to skip a node's children.
 */
export function walk(root: unknown, visit: (kind: string, body: Record<string, unknown>) => boolean | void): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (!value || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    const u = unwrap(value);
    let body: Record<string, unknown> = value as Record<string, unknown>;
    if (u && /^[A-Z]/.test(u[0])) {
      if (visit(u[0], u[1]) === false) continue;
      body = u[1];
    }
    for (const key in body) {
      const child = body[key];
      if (child && typeof child === 'object') stack.push(child);
    }
  }
}

/**
 * Character offset into the input of a byte location inside `stmt` (libpg-query
 * locations are UTF-8 byte offsets into the parsed text). Missing or -1 gives the
 * statement start.
 */
export function charOffset(stmt: Statement, location: number | undefined): number {
  if (location === undefined || location < stmt.byteStart || location > stmt.byteEnd) return stmt.start;
  const bytesIn = location - stmt.byteStart;
  if (stmt.byteEnd - stmt.byteStart === stmt.end - stmt.start) return stmt.start + bytesIn;
  return stmt.start + Buffer.from(stmt.text, 'utf8').subarray(0, bytesIn).toString('utf8').length;
}

/**
 * A key for a relation as written: schema and name, so that tenant1.users and tenant2.users
 * stay apart. An unqualified name only matches an unqualified one (the search path is unknown).
 */
export function relationKey(relation: { schemaname?: string; relname?: string } | undefined): string | undefined {
  return relation?.relname === undefined ? undefined : `${relation.schemaname ?? ''}.${relation.relname}`;
}

/** Tokens of the statement without comments. */
export function codeTokens(stmt: Statement): Statement['tokens'] {
  return stmt.tokens.filter((t) => !t.comment);
}
