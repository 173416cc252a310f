// Plan and apply fixes over a whole input. Unchanged statements keep their exact text
// (comments included), and so does everything between statements; changed statements
// are rendered from their fixed trees. Explicit blocks that break the one-DDL or the
// DDL/DML rule are split into several transactions.
import type { CreateStmt } from '@pgsql/types';
import { relationKey } from '../../rules/ast.js';
import { classifyNode, type Finding } from '../../rules/index.js';
import { skipSpaceAndComments, type Statement } from '../../sql/parser.js';
import { FIXERS, unfixable, type PlanContext } from './fixers.js';
import { findSerialIdioms, foldSerialIdiom } from './idioms.js';
import { StatementFix, type Outcome, type Unit } from './model.js';
import { renderStatement } from './sqlgen.js';

export interface FixPlan {
  outcomes: Map<Finding, Outcome>;
  /** The fixed SQL. */
  sql: string;
  /** Some changed statement had comments inside, which the rendering does not keep. */
  commentsLost: boolean;
  /** Any statement was changed, removed or added. */
  changed: boolean;
  /** Statements in the fixed SQL. */
  statements: number;
}

export interface PlanOptions {
  /** The input is run as one transaction: blocks cannot be split. */
  singleTransaction?: boolean;
}

const RENDER_FAILED = 'the fixed statement could not be rendered faithfully; fix it by hand';
const SEQUENCE_RULES = new Set(['sequence_type', 'sequence_cache', 'sequence_cache_missing']);

/** Where the statement's own `;` ends (after any comments before it), or its end when it has none. */
function terminatorEnd(text: string, from: number): number {
  const i = skipSpaceAndComments(text, from);
  return text[i] === ';' ? i + 1 : from;
}

function applyFixes(statements: readonly Statement[], findings: readonly Finding[][], disabled: ReadonlySet<number>) {
  const fxs = statements.map((s) => new StatementFix(s));
  const outcomes = new Map<Finding, Outcome>();
  const contributors = new Map<StatementFix, Set<number>>();
  const idioms = findSerialIdioms(statements);
  const ctx: PlanContext = { tables: new Map(), changed: [] };
  const touch = (fx: StatementFix, by: number) => {
    const set = contributors.get(fx) ?? new Set();
    set.add(by);
    contributors.set(fx, set);
  };

  fxs.forEach((fx, i) => {
    const groups = new Map<string, Finding[]>();
    for (const f of findings[i] ?? []) groups.set(f.rule, [...(groups.get(f.rule) ?? []), f]);
    for (const [rule, group] of groups) {
      let result: Outcome | Outcome[];
      const idiom = SEQUENCE_RULES.has(rule) ? idioms.get(i) : undefined;
      if (disabled.has(i)) result = unfixable(RENDER_FAILED);
      else if (idiom && !disabled.has(idiom.table)) {
        const folded = fxs[i]!.dropped ? { status: 'fixed_with_warning' as const } : foldSerialIdiom(idiom, fxs);
        result = folded ?? FIXERS[rule]!(fx, group, ctx);
        if (folded) touch(fxs[idiom.table]!, i);
      } else {
        const fixer = FIXERS[rule];
        result = fixer ? fixer(fx, group, ctx) : unfixable();
        for (const target of ctx.changed.splice(0)) touch(target, i);
      }
      group.forEach((f, k) => outcomes.set(f, Array.isArray(result) ? (result[k] ?? unfixable()) : result));
    }
    if (fx.modified || fx.dropped || fx.after.length) touch(fx, i);
    if (fx.stmt.kind === 'CreateStmt' && !disabled.has(i)) {
      const key = relationKey((fx.stmt.node as CreateStmt).relation);
      if (key) ctx.tables.set(key, fx);
    }
  });
  return { fxs, outcomes, contributors };
}

interface Rendered {
  units: Unit[];
  failed: Set<number>;
}

function render(text: string, fxs: readonly StatementFix[], contributors: Map<StatementFix, Set<number>>): Rendered {
  const units: Unit[] = [];
  const failed = new Set<number>();
  let pos = 0;
  for (const fx of fxs) {
    const { stmt } = fx;
    let end = terminatorEnd(text, stmt.end);
    const leading = text.slice(pos, stmt.start);
    // A removed statement that had its line to itself takes the line break with it.
    if (fx.dropped && /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', stmt.start - 1) + 1, stmt.start))) {
      const lineEnd = /[ \t]*\r?\n/y;
      lineEnd.lastIndex = end;
      if (lineEnd.test(text)) end = lineEnd.lastIndex;
    }
    pos = end;
    const cls = classifyNode(stmt.kind, fx.read());
    const txn = stmt.kind === 'TransactionStmt' ? TXN[String(stmt.node.kind)] : undefined;
    const chain = txn !== undefined && stmt.node.chain === true;
    if (fx.dropped) {
      units.push({ leading, terminator: '', source: stmt.index });
    } else {
      let own = stmt.text;
      if (fx.modified) {
        const sql = renderStatement(fx.ast, fx.async);
        if (sql === undefined) for (const i of contributors.get(fx) ?? [stmt.index]) failed.add(i);
        own = sql ?? stmt.text;
      }
      units.push({ leading, text: own, terminator: text.slice(stmt.end, end), cls, txn, chain, source: stmt.index });
    }
    for (const extra of fx.after) {
      const sql = renderStatement(extra.ast, extra.async);
      if (sql === undefined) for (const i of contributors.get(fx) ?? [stmt.index]) failed.add(i);
      const kind = Object.keys(extra.ast)[0]!;
      units.push({ leading: '\n', text: sql ?? '', terminator: ';', cls: classifyNode(kind, (extra.ast as unknown as Record<string, Record<string, unknown>>)[kind]!) });
    }
  }
  units.push({ leading: text.slice(pos), terminator: '' });
  return { units, failed };
}

/** Transaction statements that start or end a block (as the transaction rules count them). */
const TXN: Readonly<Record<string, Unit['txn']>> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_PREPARE: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
};

/** How the block open after units[from] ends: a rolled-back block must not have pieces that commit. */
function blockEnd(units: readonly Unit[], from: number): string {
  const end = units.find((u, i) => i > from && u.text !== undefined && (u.txn === 'commit' || u.txn === 'rollback'));
  return end?.txn === 'rollback' ? 'ROLLBACK' : 'COMMIT';
}

/** Give every DDL statement of a block its own transaction, and keep DML apart from DDL. */
function splitBlocks(units: Unit[]): Unit[] {
  const out: Unit[] = [];
  let begin: string | undefined;
  let end = 'COMMIT';
  let ddl = 0;
  let dml = 0;
  units.forEach((u, i) => {
    if (u.text !== undefined && u.txn === 'begin' && begin === undefined) {
      begin = u.text;
      end = blockEnd(units, i);
      ddl = dml = 0;
    } else if (u.text !== undefined && (u.txn === 'commit' || u.txn === 'rollback')) {
      // AND CHAIN opens the next block at once, with the same characteristics.
      if (u.chain && begin !== undefined) end = blockEnd(units, i);
      else begin = undefined;
      ddl = dml = 0;
    } else if (u.text !== undefined && begin !== undefined && (u.cls === 'ddl' || u.cls === 'dml')) {
      const clash = u.cls === 'ddl' ? ddl > 0 || dml > 0 : ddl > 0;
      if (clash) {
        out.push({ leading: '\n', text: end, terminator: ';' }, { leading: '\n', text: begin, terminator: ';' });
        ddl = dml = 0;
      }
      if (u.cls === 'ddl') ddl++;
      else dml++;
    }
    out.push(u);
  });
  return out;
}

function join(units: readonly Unit[]): string {
  let last = -1;
  units.forEach((u, i) => {
    if (u.text !== undefined) last = i;
  });
  const parts: string[] = [];
  units.forEach((u, i) => {
    parts.push(u.leading);
    if (u.text === undefined) return;
    parts.push(u.text);
    // A statement that ended the input without ';' needs one once something follows it.
    parts.push(i < last && !u.terminator.includes(';') ? `${u.terminator};` : u.terminator);
  });
  return parts.join('');
}

export function planFixes(text: string, statements: readonly Statement[], findings: readonly Finding[][], options: PlanOptions = {}): FixPlan {
  const disabled = new Set<number>();
  for (let round = 0; ; round++) {
    const { fxs, outcomes, contributors } = applyFixes(statements, findings, disabled);
    const { units, failed } = render(text, fxs, contributors);
    const fresh = [...failed].filter((i) => !disabled.has(i));
    if (fresh.length > 0 && round < 10) {
      for (const i of fresh) disabled.add(i);
      continue;
    }
    if (options.singleTransaction) {
      for (const [f, o] of outcomes) {
        if (f.rule === 'multi_ddl_transaction' || f.rule === 'mixed_ddl_dml_transaction') {
          if (o.status !== 'unfixable') outcomes.set(f, unfixable('the whole input runs as one transaction; split it into several files or runs'));
        }
      }
    }
    const finalUnits = options.singleTransaction ? units : splitBlocks(units);
    const sql = join(finalUnits);
    return {
      outcomes,
      sql,
      commentsLost: fxs.some((fx) => fx.modified && !fx.dropped && fx.stmt.tokens.some((t) => t.comment)),
      changed: sql !== text,
      statements: finalUnits.filter((u) => u.text !== undefined).length,
    };
  }
}
