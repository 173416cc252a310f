// Turning a rule into a finding: DSQL's message with its placeholders filled.
import type { Statement } from '../sql/parser.js';
import { charOffset } from './ast.js';
import { ruleById } from './table/index.js';
import type { Finding, Rule } from './types.js';

export type MessageParams = Readonly<Record<string, string | number>>;

/** Fill {name} placeholders; an unknown placeholder stays as written. */
export function formatMessage(template: string, params: MessageParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A finding for `rule` (or its id), e.g. for a server raising a transaction rule. */
export function makeFinding(rule: Rule | string, params: MessageParams = {}, offset?: number): Finding {
  const r = typeof rule === 'string' ? ruleById(rule) : rule;
  if (r.severity === null || r.sqlstate === null || r.message === null) throw new Error(`rule ${r.id} reports nothing`);
  const finding: Finding = { rule: r.id, severity: r.severity, sqlstate: r.sqlstate, message: formatMessage(r.message, params) };
  if (r.suggestion) finding.suggestion = r.suggestion;
  if (offset !== undefined) finding.offset = offset;
  return finding;
}

/** Collects the findings of one statement. */
export class Findings {
  readonly list: Finding[] = [];
  readonly stmt: Statement;

  constructor(stmt: Statement) {
    this.stmt = stmt;
  }

  /** Report `ruleId`; `location` is a parse-tree byte location (statement start when absent). */
  add(ruleId: string, params?: MessageParams, location?: number): void {
    this.list.push(makeFinding(ruleId, params, charOffset(this.stmt, location)));
  }

  /** Report at a character offset already in input coordinates (e.g. a token's start). */
  addAt(ruleId: string, params: MessageParams | undefined, offset: number): void {
    this.list.push(makeFinding(ruleId, params, offset));
  }
}
