// Python code in an answer (agents without the skill often answer in Python), read with the
// tree-sitter Python grammar: f-strings, % formatting, .format() and + on SQL text are unsafe;
// cursor.execute(sql, params) and psycopg's sql.SQL(...).format(sql.Identifier(...)) are bound.
import type { CodeUnit } from './code.js';
import { normalisePlaceholders } from './analyze-ts.js';
import { looksLikeSql, parseOrRecord, snippet, type Analysis } from './findings.js';
import { parsePython, type TsNode } from './parsers.js';

const EXECUTE = new Set(['execute', 'executemany', 'fetch', 'fetchrow', 'fetchval', 'fetchall', 'mogrify', 'read_sql', 'text']);

/** Literal content of a Python string node (interpolations left out), or undefined. */
function content(node: TsNode): string | undefined {
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.filter((c): c is TsNode => !!c).map(content);
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  return node.namedChildren
    .filter((c): c is TsNode => !!c && c.type === 'string_content')
    .map((c) => c.text)
    .join('');
}

const hasInterpolation = (node: TsNode): boolean =>
  node.type === 'string' ? node.namedChildren.some((c) => c?.type === 'interpolation') : node.namedChildren.some((c) => !!c && hasInterpolation(c));

function visit(node: TsNode, fn: (n: TsNode) => void): void {
  fn(node);
  for (const child of node.namedChildren) if (child) visit(child, fn);
}

export function analyzePython(unit: CodeUnit, out: Analysis): void {
  const root = parseOrRecord(unit, out, parsePython);
  if (!root) return;
  const at = { origin: unit.origin, step: unit.step };
  const where = (n: TsNode) => ({ line: n.startPosition.row + 1, snippet: snippet(n.text), ...at });
  const sqlString = (n: TsNode | null | undefined): string | undefined => {
    if (!n) return undefined;
    const text = content(n);
    return text !== undefined && looksLikeSql(text) ? text : undefined;
  };

  visit(root, (node) => {
    if ((node.type === 'string' || node.type === 'concatenated_string') && hasInterpolation(node)) {
      if (node.parent?.type === 'concatenated_string') return;
      if (sqlString(node) !== undefined) out.constructions.push({ kind: 'unsafe', how: 'f-string interpolating values into SQL', ...where(node) });
      return;
    }
    if (node.type === 'binary_operator') {
      const op = node.childForFieldName('operator')?.text;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (op === '%' && sqlString(left) !== undefined) {
        out.constructions.push({ kind: 'unsafe', how: '% formatting of SQL text', ...where(node) });
      } else if (op === '+' && node.parent?.type !== 'binary_operator') {
        const operands: TsNode[] = [];
        const flat = (n: TsNode | null) => {
          if (!n) return;
          if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
            flat(n.childForFieldName('left'));
            flat(n.childForFieldName('right'));
          } else operands.push(n);
        };
        flat(left);
        flat(right);
        if (operands.some((o) => sqlString(o) !== undefined) && operands.some((o) => content(o) === undefined && o.type !== 'integer')) {
          out.constructions.push({ kind: 'unsafe', how: 'string concatenation into SQL', ...where(node) });
        }
      }
      return;
    }
    if (node.type !== 'call') return;
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments')?.namedChildren.filter((c): c is TsNode => !!c) ?? [];
    if (fn?.type !== 'attribute') return;
    const attr = fn.childForFieldName('attribute')?.text;
    const object = fn.childForFieldName('object');
    if (attr === 'format') {
      if (sqlString(object) !== undefined) {
        out.constructions.push({ kind: 'unsafe', how: '.format() on SQL text', ...where(node) });
      } else if (object?.type === 'call' && /(^|\.)SQL$/.test(object.childForFieldName('function')?.text ?? '')) {
        out.constructions.push({ kind: 'bound', how: 'psycopg sql.SQL(...).format() composition', ...where(node) });
      }
      return;
    }
    if (attr && EXECUTE.has(attr) && args[0]) {
      const text = sqlString(args[0]);
      if (text === undefined || hasInterpolation(args[0])) return;
      const bound = args.length > 1 && args[1]!.type !== 'keyword_argument';
      out.constructions.push({ kind: bound ? 'bound' : 'static', how: bound ? `${attr}(sql, params)` : `${attr}(constant sql)`, ...where(node) });
      out.sql.push({ sql: normalisePlaceholders(text), sink: 'shown', ran: false, from: 'code', ...at });
      if (bound) {
        const params = args[1]!;
        const items = ['tuple', 'list'].includes(params.type) ? params.namedChildren.filter((c): c is TsNode => !!c) : [params];
        for (const item of items) out.bound.push({ value: item.text, line: item.startPosition.row + 1, ...at });
      }
    }
  });
}
