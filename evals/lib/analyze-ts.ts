// TypeScript/JavaScript code in an answer, read with a real parser (@babel/parser): where SQL
// text is made, and whether untrusted values reach it through safe_query's build() and
// validators, through bound driver parameters, or by interpolation/concatenation.
import type { CodeUnit } from './code.js';
import { looksLikeSql, parseOrRecord, snippet, VALIDATORS, type Analysis, type ValidatorName } from './findings.js';
import { parseTs } from './parsers.js';

// Babel nodes are walked generically; this alias keeps the `any` in one place.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type N = { type: string; start?: number | null; end?: number | null; loc?: { start: { line: number } } | null; [key: string]: any };

const SKIP_KEYS = new Set(['loc', 'start', 'end', 'extra', 'leadingComments', 'trailingComments', 'innerComments', 'range', 'errors', 'comments', 'tokens']);

function walk(node: N, visit: (node: N, parents: N[]) => void, parents: N[] = []): void {
  visit(node, parents);
  const next = [...parents, node];
  for (const key of Object.keys(node)) {
    if (SKIP_KEYS.has(key)) continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === 'string') walk(child, visit, next);
    } else if (value && typeof value === 'object' && typeof value.type === 'string') {
      walk(value, visit, next);
    }
  }
}

/** Where safe_query's functions are visible in a unit: local name -> exported name, plus namespaces. */
export interface SafeNames {
  locals: Map<string, string>;
  namespaces: Set<string>;
  /** No import seen anywhere, but the transcript talks about safe_query: accept the bare names. */
  bareNames: boolean;
}

const SAFE_MODULE = /(^|\/)safe_query(\.[cm]?[jt]s)?$/;
const QUERY_METHODS = new Set(['query', 'execute', 'unsafe', 'run', 'all', 'get', 'prepare', 'none', 'one', 'many', 'any', 'oneOrNone', 'manyOrNone', 'result', 'queryObject', 'queryArray']);

/** Collects safe_query imports across every TypeScript unit of a transcript. */
export function safeNamesOf(units: CodeUnit[], mentionsSafeQuery: boolean): SafeNames {
  const names: SafeNames = { locals: new Map(), namespaces: new Set(), bareNames: false };
  for (const unit of units) {
    let ast;
    try {
      ast = parseTs(unit.text);
    } catch {
      continue;
    }
    for (const stmt of ast.program.body as N[]) {
      if (stmt.type !== 'ImportDeclaration' || !SAFE_MODULE.test(stmt.source.value)) continue;
      for (const spec of stmt.specifiers as N[]) {
        if (spec.type === 'ImportSpecifier') names.locals.set(spec.local.name, spec.imported.name ?? spec.imported.value);
        else names.namespaces.add(spec.local.name);
      }
    }
  }
  if (names.locals.size === 0 && names.namespaces.size === 0 && mentionsSafeQuery) names.bareNames = true;
  return names;
}

export function analyzeTs(unit: CodeUnit, names: SafeNames, out: Analysis): void {
  const file = parseOrRecord(unit, out, parseTs);
  if (!file) return;
  const src = (node: N): string => unit.text.slice(node.start ?? 0, node.end ?? 0);
  const line = (node: N): number => node.loc?.start.line ?? 1;
  const at = { origin: unit.origin, step: unit.step };
  const handled = new Set<N>();

  // String constants (`const TABLE = 'orders'`): interpolating one of these is not user input.
  const constants = new Map<string, string>();
  walk(file.program as N, (node, parents) => {
    if (node.type !== 'VariableDeclarator' || node.id.type !== 'Identifier' || !node.init) return;
    const decl = parents[parents.length - 1];
    if (decl?.kind !== 'const') return;
    const init = unwrap(node.init);
    const value = stringValue(init);
    if (value !== undefined) constants.set(node.id.name, value);
  });

  const safeName = (callee: N): string | undefined => {
    if (callee.type === 'Identifier') {
      const exported = names.locals.get(callee.name);
      if (exported) return exported;
      if (names.bareNames && (callee.name === 'build' || (VALIDATORS as readonly string[]).includes(callee.name))) return callee.name;
    }
    if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && names.namespaces.has(callee.object.name) && callee.property.type === 'Identifier') {
      return callee.property.name;
    }
    return undefined;
  };

  // Arrays whose every element is SQL made safely: `rows = xs.map((x) => build(...))`, or
  // `values.push(`($${k + 1}, $${k + 2})`)` placeholder lists. Joining them is not interpolation.
  const pushes = new Map<string, N[]>();
  const mapped = new Map<string, N>();
  const constInits = new Map<string, N>();
  walk(file.program as N, (node, parents) => {
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && node.init && parents[parents.length - 1]?.kind === 'const') constInits.set(node.id.name, unwrap(node.init));
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.property.name === 'push' && node.callee.object.type === 'Identifier') {
      pushes.set(node.callee.object.name, [...(pushes.get(node.callee.object.name) ?? []), ...(node.arguments as N[])]);
    }
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && node.init) {
      const init = unwrap(node.init);
      if (init.type === 'CallExpression' && init.callee.type === 'MemberExpression' && init.callee.property.name === 'map') mapped.set(node.id.name, init);
    }
  });
  const safeArray = (name: string, seen: Set<string>): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const m = mapped.get(name);
    if (m) return safeMapCall(m);
    const pushed = pushes.get(name);
    return !!pushed && pushed.length > 0 && pushed.every((a) => safeSpan(a, ''));
  };
  const safeMapCall = (call: N): boolean => {
    const fn = call.arguments[0];
    const body = fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') ? returned(fn) : undefined;
    return !!body && safeSpan(body, '');
  };

  const isConstant = (e: N): boolean => e.type === 'NumericLiteral' || e.type === 'StringLiteral' || (e.type === 'Identifier' && constants.has(e.name));
  const following = new Set<string>();
  /** Is this span of an untagged template harmless: a `$n` placeholder number, a constant, a build() result, or a list of those? */
  const safeSpan = (expr: N, before: string): boolean => {
    if (before.endsWith('$')) return true; // `$${i + 1}` writes a positional placeholder
    const e = unwrap(expr);
    if (e.type === 'CallExpression' && safeName(e.callee) === 'build') return true;
    // const rows = slice.map((_, i) => `($${i + 1})`).join(', '); ... VALUES ${rows}
    if (e.type === 'Identifier' && constInits.has(e.name) && !following.has(e.name)) {
      following.add(e.name);
      try {
        return safeSpan(constInits.get(e.name)!, '');
      } finally {
        following.delete(e.name);
      }
    }
    if (e.type === 'NumericLiteral' || e.type === 'StringLiteral') return true;
    if (e.type === 'Identifier' && constants.has(e.name) && !looksLikeSql(constants.get(e.name)!)) return true;
    if (e.type === 'TemplateLiteral') return e.expressions.every((x: N, i: number) => safeSpan(x, e.quasis[i].value.cooked ?? ''));
    // rows.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2})`).join(', '), values.join(', ')
    if (e.type === 'CallExpression' && e.callee.type === 'MemberExpression' && e.callee.property.name === 'join') {
      const inner = unwrap(e.callee.object);
      if (inner.type === 'CallExpression' && inner.callee.type === 'MemberExpression' && inner.callee.property.name === 'map') return safeMapCall(inner);
      if (inner.type === 'Identifier') return safeArray(inner.name, new Set());
    }
    return false;
  };

  /** `rows.join(...)` where rows came from `.map((e) => build(...))`. */
  const builtArray = (join: N): boolean => {
    const target = unwrap(join.callee.object);
    const m = target.type === 'Identifier' ? mapped.get(target.name) : undefined;
    const fn = m?.arguments[0];
    const body = fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') ? returned(fn) : undefined;
    return !!body && body.type === 'CallExpression' && safeName(body.callee) === 'build';
  };

  const templateText = (tpl: N): string =>
    tpl.quasis.map((q: N, i: number) => (q.value.cooked ?? q.value.raw) + (i < tpl.expressions.length ? `$${i + 1}` : '')).join('');

  walk(file.program as N, (node, parents) => {
    const parent = parents[parents.length - 1];

    if (node.type === 'ImportDeclaration') {
      out.imports.push({ module: node.source.value, names: (node.specifiers as N[]).map((s) => s.local.name), ...at });
      return;
    }

    if (node.type === 'CallExpression') {
      const fn = safeName(node.callee);
      if (fn === 'build') {
        const template = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
        if (template) handled.add(template);
        if (template?.type === 'TemplateLiteral' && template.expressions.length > 0) {
          out.constructions.push({ kind: 'unsafe', how: 'build() given a template literal with ${...} (the template must be fixed text)', line: line(node), snippet: snippet(src(node)), ...at });
        } else {
          const text = template ? (stringValue(template) ?? (template.type === 'Identifier' ? constants.get(template.name) : undefined)) : undefined;
          out.constructions.push({ kind: 'builder', how: 'safe_query build()', line: line(node), snippet: snippet(src(node)), ...at });
          if (text !== undefined) out.sql.push({ sql: fillPlaceholders(text, partKinds(node.arguments[1], safeName)), sink: 'shown', ran: false, from: 'code', ...at });
        }
        return;
      }
      if (fn && (VALIDATORS as readonly string[]).includes(fn)) {
        const key = parent?.type === 'ObjectProperty' ? (parent.key.name ?? parent.key.value) : undefined;
        out.validators.push({
          fn: fn as ValidatorName,
          value: node.arguments[0] ? src(node.arguments[0]) : '',
          arg: node.arguments[1] ? src(node.arguments[1]) : undefined,
          placeholder: key,
          line: line(node),
          ...at,
        });
        return;
      }
      const method = node.callee.type === 'MemberExpression' && node.callee.property.type === 'Identifier' ? node.callee.property.name : undefined;
      const first = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
      if (method && QUERY_METHODS.has(method) && first) {
        // client.query({ text, values })
        if (first.type === 'ObjectExpression') {
          const prop = (name: string) => (first.properties as N[]).find((p) => p.type === 'ObjectProperty' && (p.key.name ?? p.key.value) === name);
          const text = prop('text');
          const values = prop('values');
          const sqlText = text ? stringValue(unwrap(text.value)) : undefined;
          if (sqlText !== undefined && looksLikeSql(sqlText)) {
            handled.add(unwrap(text!.value));
            out.constructions.push({ kind: values ? 'bound' : 'static', how: `${method}({ text, values })`, line: line(node), snippet: snippet(src(node)), ...at });
            out.sql.push({ sql: sqlText, sink: 'shown', ran: false, from: 'code', ...at });
            if (values) pushBound(values.value, out, src, line, at);
          }
          return;
        }
        const text = stringValue(first) ?? (first.type === 'Identifier' ? constants.get(first.name) : undefined);
        // Values in the second argument are bound even when the text itself is unsafe (reported with the template).
        if (text === undefined && node.arguments.length > 1) pushBound(node.arguments[1], out, src, line, at);
        if (text !== undefined && looksLikeSql(text)) {
          handled.add(first);
          const bound = node.arguments.length > 1;
          out.constructions.push({ kind: bound ? 'bound' : 'static', how: bound ? `${method}(text, values)` : `${method}(constant text)`, line: line(node), snippet: snippet(src(node)), ...at });
          out.sql.push({ sql: normalisePlaceholders(text), sink: 'shown', ran: false, from: 'code', ...at });
          if (bound) pushBound(node.arguments[1], out, src, line, at);
        }
      }
      // SORTABLE.has(col), ['ASC', 'DESC'].includes(dir): an allowlist check in plain code.
      if ((method === 'has' || method === 'includes') && first && node.callee.type === 'MemberExpression') {
        out.validators.push({ fn: 'member', value: src(first), arg: src(node.callee.object), line: line(node), ...at });
      }
      // 'SELECT ...'.concat(x), sql.replace('{t}', table), util.format('... %s', x)
      if (method && ['concat', 'replace', 'replaceAll'].includes(method) && node.callee.type === 'MemberExpression') {
        const target = stringValue(unwrap(node.callee.object));
        if (target !== undefined && looksLikeSql(target) && node.arguments.some((a: N) => stringValue(unwrap(a)) === undefined)) {
          out.constructions.push({ kind: 'unsafe', how: `.${method}() on SQL text`, line: line(node), snippet: snippet(src(node)), ...at });
        }
      }
      const fnName = node.callee.type === 'Identifier' ? node.callee.name : method;
      if (fnName && ['format', 'sprintf'].includes(fnName) && first) {
        const text = stringValue(first);
        if (text !== undefined && looksLikeSql(text) && /%s|%d/.test(text)) {
          handled.add(first);
          out.constructions.push({ kind: 'unsafe', how: `${fnName}() with %s on SQL text`, line: line(node), snippet: snippet(src(node)), ...at });
        }
      }
      // The connector's own retry: pool.transaction(async (client) => ..., { maxRetries: 4, ... }).
      if (method === 'transaction' && node.arguments[1]) {
        const opts = unwrap(node.arguments[1]);
        const keys = opts.type === 'ObjectExpression' ? (opts.properties as N[]).map((p) => p.key?.name ?? p.key?.value) : [];
        if (keys.includes('maxRetries')) out.retry.managed.push({ how: `${src(node.callee)}(..., { ${keys.join(', ')} })`, line: line(node), ...at });
      }
      if (fnName === 'isOCCError') out.retry.sqlstates.push({ code: 'isOCCError', ...at });
      if (fnName && ['setTimeout', 'sleep', 'delay', 'wait', 'backoff'].includes(fnName)) {
        out.retry.delays.push({ how: `${fnName}()`, line: line(node), ...at });
      }
      if (node.callee.type === 'MemberExpression' && node.callee.object.name === 'Math' && node.callee.property.name === 'random') {
        out.retry.jitter.push({ line: line(node), ...at });
      }
      // for (...) chunks.push(rows.slice(i, i + 500))
      if (method === 'slice' && node.arguments[1]?.type === 'BinaryExpression' && node.arguments[1].right.type === 'NumericLiteral') {
        out.batchSizes.push({ name: 'slice', value: node.arguments[1].right.value, ...at });
      }
      return;
    }

    if (node.type === 'NewExpression' && node.callee.type === 'Identifier' && node.callee.name === 'Promise') {
      // new Promise((r) => setTimeout(r, ms)) is found through the setTimeout call inside.
      return;
    }

    if (node.type === 'TaggedTemplateExpression') {
      handled.add(node.quasi);
      const text = templateText(node.quasi);
      if (!looksLikeSql(text)) return;
      const tag = src(node.tag);
      if (tag === 'String.raw' && node.quasi.expressions.length > 0) {
        out.constructions.push({ kind: 'unsafe', how: 'String.raw template interpolating values into SQL', line: line(node), snippet: snippet(src(node)), ...at });
      } else {
        // postgres.js `sql` and similar tags receive the values separately and bind them.
        out.constructions.push({ kind: node.quasi.expressions.length > 0 ? 'bound' : 'static', how: `${tag}\`...\` tagged template (the driver binds the values)`, line: line(node), snippet: snippet(src(node)), ...at });
        out.sql.push({ sql: text, sink: 'shown', ran: false, from: 'code', ...at });
        for (const e of node.quasi.expressions as N[]) out.bound.push({ value: src(e), line: line(e), ...at });
      }
      return;
    }

    if (node.type === 'TemplateLiteral' && !handled.has(node) && parent?.type !== 'TaggedTemplateExpression') {
      const text = templateText(node);
      if (!looksLikeSql(text)) return;
      // A template nested inside another SQL template is judged with its parent.
      if (parents.some((p) => p.type === 'TemplateLiteral' && looksLikeSql(templateText(p)))) return;
      const unsafe = (node.expressions as N[]).filter((e, i) => !safeSpan(e, node.quasis[i].value.cooked ?? ''));
      if (unsafe.length > 0) {
        out.constructions.push({ kind: 'unsafe', how: `template literal interpolating ${unsafe.map((e) => '${' + snippet(src(e), 40) + '}').join(', ')} into SQL`, line: line(node), snippet: snippet(src(node)), ...at });
      } else if ((node.expressions as N[]).some((e) => /\bbuild\(/.test(src(e)) || (unwrap(e).type === 'CallExpression' && /^\w+\.join\(/.test(src(e)) && builtArray(unwrap(e))))) {
        out.constructions.push({ kind: 'builder', how: 'template literal joining build() results', line: line(node), snippet: snippet(src(node)), ...at });
      } else if ((node.expressions as N[]).some((e) => !isConstant(unwrap(e)))) {
        out.constructions.push({ kind: 'bound', how: 'template literal generating $n placeholders', line: line(node), snippet: snippet(src(node)), ...at });
      }
      out.sql.push({ sql: text, sink: 'shown', ran: false, from: 'code', ...at });
      return;
    }

    if (node.type === 'BinaryExpression' && node.operator === '+' && !(parent?.type === 'BinaryExpression' && parent.operator === '+')) {
      const operands = flattenPlus(node);
      const sqlPart = operands.some((o) => {
        const v = stringValue(o) ?? (o.type === 'TemplateLiteral' ? templateText(o) : undefined);
        return v !== undefined && looksLikeSql(v);
      });
      const dynamic = operands.filter((o) => stringValue(o) === undefined && o.type !== 'NumericLiteral' && !(o.type === 'Identifier' && constants.has(o.name)));
      if (sqlPart && dynamic.length > 0) {
        for (const o of operands) if (o.type === 'TemplateLiteral') handled.add(o);
        out.constructions.push({ kind: 'unsafe', how: `string concatenation with ${dynamic.map((d) => snippet(src(d), 40)).join(', ')}`, line: line(node), snippet: snippet(src(node)), ...at });
      }
      return;
    }

    if (node.type === 'AssignmentExpression' && node.operator === '+=' && node.left.type === 'Identifier' && /sql|query|stmt|statement/i.test(node.left.name)) {
      const right = unwrap(node.right);
      if (stringValue(right) === undefined && !(right.type === 'Identifier' && constants.has(right.name))) {
        out.constructions.push({ kind: 'unsafe', how: `appending ${snippet(src(right), 40)} to ${node.left.name}`, line: line(node), snippet: snippet(src(node)), ...at });
      }
      return;
    }

    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier' && /batch|chunk|page_?size|pagesize|limit|size/i.test(node.id.name)) {
      const init = node.init ? unwrap(node.init) : undefined;
      if (init?.type === 'NumericLiteral') out.batchSizes.push({ name: node.id.name, value: init.value, ...at });
      return;
    }

    // function insertStatements(entries, chunk = 500)
    if (node.type === 'AssignmentPattern' && node.left.type === 'Identifier' && /batch|chunk|size/i.test(node.left.name) && unwrap(node.right).type === 'NumericLiteral') {
      out.batchSizes.push({ name: node.left.name, value: unwrap(node.right).value, ...at });
    }

    if (node.type === 'ForStatement' && node.update?.type === 'AssignmentExpression' && node.update.operator === '+=') {
      const step = unwrap(node.update.right);
      if (step.type === 'NumericLiteral') out.batchSizes.push({ name: 'loop step', value: step.value, ...at });
    }

    if (node.type === 'StringLiteral' && /^(40001|OC000|OC001)$/.test(node.value)) {
      out.retry.sqlstates.push({ code: node.value, ...at });
      return;
    }

    if (node.type === 'BinaryExpression' && ['<', '<=', '>', '>='].includes(node.operator)) {
      const names = [node.left, node.right].map((s: N) => src(s));
      if (names.some((n) => /attempt|retr|tries|tried/i.test(n))) out.retry.boundedLoops.push({ line: line(node), ...at });
    }
  });
}

/** Removes TypeScript wrappers (`x as const`, `x!`, parentheses) around an expression. */
function unwrap(node: N): N {
  let n = node;
  while (n && ['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'ParenthesizedExpression', 'TSTypeAssertion'].includes(n.type)) n = n.expression;
  return n;
}

/** The text of a string literal or of a template literal without ${...}. */
function stringValue(node: N | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'StringLiteral') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis[0].value.cooked ?? n.quasis[0].value.raw;
  return undefined;
}

function flattenPlus(node: N): N[] {
  const n = unwrap(node);
  if (n.type === 'BinaryExpression' && n.operator === '+') return [...flattenPlus(n.left), ...flattenPlus(n.right)];
  return [n];
}

function returned(fn: N): N | undefined {
  if (fn.body.type !== 'BlockStatement') return fn.body;
  const ret = (fn.body.body as N[]).find((s) => s.type === 'ReturnStatement');
  return ret?.argument ?? undefined;
}

function pushBound(values: N, out: Analysis, src: (n: N) => string, line: (n: N) => number, at: { origin: string; step: number }): void {
  const v = unwrap(values);
  const items: N[] = v.type === 'ArrayExpression' ? (v.elements as N[]).filter(Boolean) : [v];
  for (const item of items) out.bound.push({ value: src(item), line: line(item), ...at });
}

/** Kinds of the parts given to build(): placeholder -> validator name. */
function partKinds(parts: N | undefined, safeName: (callee: N) => string | undefined): Map<string, string> {
  const kinds = new Map<string, string>();
  if (!parts) return kinds;
  const obj = unwrap(parts);
  if (obj.type !== 'ObjectExpression') return kinds;
  for (const p of obj.properties as N[]) {
    if (p.type !== 'ObjectProperty') continue;
    const key = p.key.name ?? p.key.value;
    const value = unwrap(p.value);
    const fn = value.type === 'CallExpression' ? safeName(value.callee) : undefined;
    if (key) kinds.set(key, fn ?? 'value');
  }
  return kinds;
}

/**
 * A build() template as parseable SQL: each {name} becomes something of the right grammatical
 * kind (a quoted name for ident, a keyword for keyword, a parameter for values).
 */
export function fillPlaceholders(template: string, kinds: Map<string, string>): string {
  let n = 0;
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string | undefined) => {
    if (!name) return whole[0]!;
    const kind = kinds.get(name);
    if (kind === 'ident') return `"${name}"`;
    if (kind === 'keyword') return 'ASC';
    if (kind === 'integer') return '1';
    return `$${++n}`;
  });
}

/** `?` and `:name` placeholders (other drivers) become `$n` so the PostgreSQL parser reads them. */
export function normalisePlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      out += c;
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '?') {
      out += `$${++n}`;
    } else if (c === '%' && sql[i + 1] === 's') {
      out += `$${++n}`;
      i++;
    } else if (c === ':' && sql[i + 1] !== ':' && sql[i - 1] !== ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      out += `$${++n}`;
      i += name.length;
    } else {
      out += c;
    }
  }
  return out;
}
