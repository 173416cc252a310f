// The rules table as Markdown, for references/dsql-lint.md (a test keeps the two equal).
import { RULES } from './table/index.js';
import type { Rule } from './types.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** The date, linked to where the behaviour is documented or recorded. */
const since = (r: Rule): string => `[${r.since}](${r.source})`;

function message(r: Rule): string {
  if (r.message === null) return '—';
  return `\`${cell(r.message)}\`${r.messageVerified ? '' : ' (unverified)'}`;
}

function fix(r: Rule): string {
  if (!r.fix) return '—';
  return r.fix.tier === 'fixed' ? 'FIXED' : 'WARNING';
}

/** Markdown tables of every rule: what the linter flags, runtime-only limits, and what DSQL accepts. */
export function rulesMarkdown(): string {
  const flagged = RULES.filter((r) => r.status !== 'supported' && r.lint);
  const runtime = RULES.filter((r) => r.status !== 'supported' && !r.lint);
  const accepted = RULES.filter((r) => r.status === 'supported');
  const lines: string[] = [];
  lines.push('| rule | what | SQLSTATE | DSQL says | --fix | since |', '|---|---|---|---|---|---|');
  for (const r of flagged) {
    lines.push(`| \`${r.id}\` | ${cell(r.summary)}${r.severity === 'warning' ? ' (warning)' : ''} | ${r.sqlstate ?? '—'} | ${message(r)} | ${fix(r)} | ${since(r)} |`);
  }
  lines.push('', 'Only a running server sees these (the local DSQL server raises them; the linter cannot):', '');
  lines.push('| rule | what | SQLSTATE | DSQL says | since |', '|---|---|---|---|---|');
  for (const r of runtime) lines.push(`| \`${r.id}\` | ${cell(r.summary)} | ${r.sqlstate ?? '—'} | ${message(r)} | ${since(r)} |`);
  lines.push('', 'DSQL accepts these (older tools and docs may say otherwise); the linter never flags them:', '');
  lines.push('| behaviour | what | since |', '|---|---|---|');
  for (const r of accepted) lines.push(`| \`${r.id}\` | ${cell(r.summary)} | ${since(r)} |`);
  return lines.join('\n');
}
