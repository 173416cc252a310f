// The command's output: the JSON document (schemas/dsql-lint-output.schema.json), the
// text lines on stderr, the summary and the exit code. Kept apart from the command so
// tests and other tools can produce the same shapes.
import type { Diagnostic } from './engine.js';

export const SCHEMA_VERSION = 1;

export type Mode = 'lint' | 'fix';

export interface FileReport {
  file: string;
  diagnostics: Diagnostic[];
  /** Why the file could not be read or its output written. */
  error?: string;
  outputFile?: string;
  /** Fixed SQL returned in the JSON (stdin in fix mode). */
  fixedSql?: string;
  /** Fix mode: the fixed output holds no statement at all. */
  empty?: boolean;
  commentsLost?: boolean;
}

export interface Summary {
  errors: number;
  warnings: number;
  fixed: number;
}

/**
 * Lint mode counts findings by severity (errors: DSQL refuses; warnings: DSQL runs it
 * differently). Fix mode counts what the fix did (errors: unfixable). Files that could
 * not be read or written count as errors in both.
 */
export function summarize(files: readonly FileReport[], mode: Mode): Summary {
  const s: Summary = { errors: 0, warnings: 0, fixed: 0 };
  for (const f of files) {
    if (f.error) s.errors++;
    for (const d of f.diagnostics) {
      if (mode === 'lint') {
        if (d.severity === 'error') s.errors++;
        else s.warnings++;
      } else if (d.fix.status === 'unfixable') s.errors++;
      else if (d.fix.status === 'fixed_with_warning') s.warnings++;
      else s.fixed++;
    }
  }
  return s;
}

/** 0 clean; 1 findings (lint) or unfixable findings / file errors (fix); 3 fixed with warnings. */
export function exitCode(files: readonly FileReport[], mode: Mode): number {
  const s = summarize(files, mode);
  if (mode === 'lint') return s.errors + s.warnings > 0 ? 1 : 0;
  if (s.errors > 0) return 1;
  return s.warnings > 0 ? 3 : 0;
}

export function jsonReport(files: readonly FileReport[], mode: Mode): unknown {
  return {
    schema_version: SCHEMA_VERSION,
    mode,
    files: files.map((f) => ({
      file: f.file,
      diagnostics: f.diagnostics.map((d) => ({
        rule: d.rule,
        severity: d.severity,
        sqlstate: d.sqlstate,
        line: d.line,
        column: d.column,
        message: d.message,
        suggestion: d.suggestion ?? null,
        fix_result: d.fix.detail === undefined ? { status: d.fix.status } : { status: d.fix.status, detail: d.fix.detail },
        statement_preview: d.statementPreview,
      })),
      error: f.error ?? null,
      output_file: f.outputFile ?? null,
      fixed_sql: f.fixedSql ?? null,
    })),
    summary: summarize(files, mode),
  };
}

const LABEL: Record<string, string> = { fixed: 'FIXED', fixed_with_warning: 'WARNING', unfixable: 'ERROR' };

/** Text lines for stderr. */
export function textReport(files: readonly FileReport[], mode: Mode): string[] {
  const lines: string[] = [];
  let commentsLost = false;
  for (const f of files) {
    if (f.error) {
      lines.push(`${f.file}: ERROR — ${f.error}`);
      continue;
    }
    for (const d of f.diagnostics) {
      const where = `${f.file}:${d.line}:${d.column}:`;
      if (mode === 'lint') {
        lines.push(`${where} ${d.severity.toUpperCase()} ${d.rule} — ${d.message} [${d.sqlstate}]`);
        if (d.suggestion) lines.push(`  → ${d.suggestion}`);
        if (d.fix.status !== 'unfixable' && d.fix.detail) lines.push(`  --fix: ${d.fix.detail}`);
      } else if (d.fix.status === 'unfixable') {
        lines.push(`${where} ERROR ${d.rule} — ${d.message} [${d.sqlstate}]`);
        if (d.fix.detail) lines.push(`  ! ${d.fix.detail}`);
        if (d.suggestion) lines.push(`  → ${d.suggestion}`);
      } else {
        lines.push(`${where} ${LABEL[d.fix.status]} ${d.rule} — ${d.fix.detail ?? d.message}`);
      }
      lines.push(`  | ${d.statementPreview}`);
    }
    if (mode === 'fix') {
      commentsLost ||= f.commentsLost === true;
      const unfixable = f.diagnostics.filter((d) => d.fix.status === 'unfixable').length;
      const warnings = f.diagnostics.filter((d) => d.fix.status === 'fixed_with_warning').length;
      const target = f.outputFile ?? 'stdout';
      if (f.empty) lines.push(`Fixed output is empty — all statements were removed: ${target}`);
      else if (unfixable > 0) lines.push(`Partial fix written to: ${target} (${unfixable} unfixable error(s) remain)`);
      else if (warnings > 0) lines.push(`Fixed output written to: ${target} (${warnings} warning(s) — review recommended)`);
      else lines.push(`Fixed output written to: ${target}`);
    }
  }
  if (commentsLost) lines.push('Note: comments inside rewritten statements were not kept (comments elsewhere were).');
  const s = summarize(files, mode);
  if (mode === 'lint') {
    const issues = s.errors + s.warnings;
    lines.push(issues === 0 ? 'All statements compatible with DSQL.' : `${issues} issue(s) found (${s.errors} error(s), ${s.warnings} warning(s)).`);
  } else if (s.errors > 0) {
    const bad = files.filter((f) => f.error || f.diagnostics.some((d) => d.fix.status === 'unfixable')).length;
    lines.push(`Fix complete: ${bad} file(s) had unfixable errors and require manual review.`);
  } else {
    lines.push(`Fix complete: ${s.fixed} fixed, ${s.warnings} fixed with warning(s).`);
  }
  return lines;
}
