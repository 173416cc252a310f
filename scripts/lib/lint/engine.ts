// lintSql: every DSQL rule over one SQL text, with what --fix does about each finding,
// and the fixed SQL. The command (scripts/dsql-lint.ts) only reads files and prints.
import { checkStatement, makeFinding, TRANSACTION_ROW_LIMIT, TransactionTracker, type Finding, type Severity } from '../rules/index.js';
import { lineIndex, loadParser, type Statement } from '../sql/parser.js';
import type { FixStatus, Outcome } from './fix/model.js';
import { planFixes } from './fix/plan.js';
import { parseSource } from './source.js';

export type { FixStatus, Outcome };

export interface Diagnostic {
  rule: string;
  severity: Severity;
  sqlstate: string;
  message: string;
  suggestion?: string;
  /** 1-based line and column of the offending part. */
  line: number;
  column: number;
  /** Character offset in the input. */
  offset: number;
  /** The statement, whitespace collapsed, cut at 80 characters. */
  statementPreview: string;
  /** What --fix does (or did) about it. */
  fix: Outcome;
}

export interface LintOptions {
  /** Treat the input as one transaction (psql --single-transaction, migration runners). */
  singleTransaction?: boolean;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** The input with every fix applied (equal to the input when nothing changed). */
  fixedSql: string;
  changed: boolean;
  /** Comments inside a rewritten statement were not kept. */
  commentsLost: boolean;
  /** Statements parsed from the input. */
  statements: number;
  /** Statements in the fixed SQL. */
  fixedStatements: number;
}

const PREVIEW = 80;

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW)}…` : flat;
}

export async function lintSql(sql: string, options: LintOptions = {}): Promise<LintResult> {
  await loadParser();
  // A byte order mark is not SQL; a space in its place keeps every offset (the fixed output keeps the mark).
  const source = parseSource(sql.charCodeAt(0) === 0xfeff ? ` ${sql.slice(1)}` : sql);
  const { statements } = source;
  const tracker = new TransactionTracker({ singleTransaction: options.singleTransaction });
  const previous: Statement[] = [];
  const copyRows = new Map(source.copies.map((c) => [c.statementStart, c.rows]));
  const findings: Finding[][] = statements.map((stmt) => {
    const found = [...checkStatement(stmt, { previous }), ...tracker.check(stmt)];
    const rows = stmt.kind === 'CopyStmt' ? copyRows.get(stmt.start) : undefined;
    if (rows !== undefined && rows > TRANSACTION_ROW_LIMIT) found.push(makeFinding('transaction_row_limit', {}, stmt.start));
    previous.push(stmt);
    return found.sort((a, b) => (a.offset ?? stmt.start) - (b.offset ?? stmt.start));
  });

  const plan = planFixes(sql, statements, findings, options);
  const at = lineIndex(sql);
  const diagnostic = (f: Finding, offset: number, text: string, fix: Outcome): Diagnostic => ({
    rule: f.rule,
    severity: f.severity,
    sqlstate: f.sqlstate,
    message: f.message,
    ...(f.suggestion ? { suggestion: f.suggestion } : {}),
    ...at(offset),
    offset,
    statementPreview: preview(text),
    fix,
  });
  const diagnostics: Diagnostic[] = [];
  statements.forEach((stmt, i) => {
    for (const f of findings[i]!) diagnostics.push(diagnostic(f, f.offset ?? stmt.start, stmt.text, plan.outcomes.get(f) ?? { status: 'unfixable' }));
  });
  for (const p of source.problems) {
    const f = makeFinding('parse_error', { message: p.message }, p.offset);
    diagnostics.push(diagnostic(f, p.offset, sql.slice(p.start, p.end).replace(/;\s*$/, ''), { status: 'unfixable' }));
  }
  diagnostics.sort((a, b) => a.offset - b.offset);
  return {
    diagnostics,
    fixedSql: plan.sql,
    changed: plan.changed,
    commentsLost: plan.commentsLost,
    statements: statements.length,
    fixedStatements: plan.statements,
  };
}
