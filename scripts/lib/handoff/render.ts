// Text form of a handoff report, in Markdown primitives only (bold labels, backticks for paths
// and values, bullet lists), the output convention of the handoff protocol.
import { migrationText, shapeText } from './acknowledge.js';
import type { HandoffReport } from './index.js';
import type { SchemaIssue } from './validate.js';

const code = (value: string): string => `\`${value}\``;
const pointer = (p: string): string => (p === '' ? 'the document' : code(p));

function issueLines(issues: SchemaIssue[], total: number): string[] {
  const lines = issues.map((i) => `- ${pointer(i.pointer)}: ${i.message}`);
  if (total > issues.length) lines.push(`- and ${total - issues.length} more`);
  return lines;
}

export function renderReport(report: HandoffReport): string {
  const lines: string[] = [];
  if (!report.usable) {
    lines.push(`**Requirements artifact:** not usable: ${report.message.replace(report.path, code(report.path))}.`);
    // A JSON syntax error's position is already in the message.
    if (report.problem === 'schema') lines.push(...issueLines(report.errors, report.error_count));
    lines.push('', `**Next:** ${report.next}.`);
    return lines.join('\n') + '\n';
  }

  const ack = report.acknowledgment;
  const m = ack.migration_context;
  lines.push(`**Requirements artifact:** ${code(report.path)} (schema ${report.schema_version}) is valid.`, '');
  lines.push(`**Acknowledge:** ${ack.text}`, '');
  lines.push('**Facts**');
  lines.push(`- **Dominant shapes:** ${ack.dominant_shapes.map((s) => shapeText(s) + (s.detail ? `: ${s.detail}` : '')).join('; ')}`);
  if (ack.hard_constraints.length === 0) lines.push('- **Hard constraints:** none stated');
  else lines.push('- **Hard constraints:**', ...ack.hard_constraints.map((c) => `  - ${code(c.kind)}: ${c.statement}`));
  const features = m.features_in_use?.length ? `; features in use: ${m.features_in_use.map(code).join(', ')}` : '';
  lines.push(`- **Migration context:** ${migrationText(m)}${features}`);
  if (ack.regions.length) lines.push(`- **Regions:** ${ack.regions.map(code).join(', ')}`);
  if (ack.multi_region_strong_consistency) lines.push(`- **Multi-Region strong consistency:** ${code(ack.multi_region_strong_consistency)}`);
  if (ack.serverless) lines.push(`- **Serverless operation:** ${code(ack.serverless)}`);

  const scope = report.scope;
  lines.push('', `**Scope:** ${scope.verdict === 'in_scope' ? 'in scope' : 'out of scope'} for Aurora DSQL.`);
  for (const r of scope.reasons) lines.push(`- ${code(r.rule)}: ${r.message} (${r.evidence.map(code).join(', ')})`);
  if (scope.suggestion) lines.push(`- **Suggest:** ${scope.suggestion.service} (skill ${code(scope.suggestion.skill)})`);
  if (scope.notes.length) {
    lines.push('', '**Notes**');
    for (const n of scope.notes) lines.push(`- ${n.message}${n.evidence.length ? ` (${n.evidence.map(code).join(', ')})` : ''}`);
  }
  if (report.ignored_fields.length) {
    lines.push('', `**Ignored fields** (not in schema ${report.schema_version}): ${report.ignored_fields.map((f) => code(f.pointer)).join(', ')}`);
  }
  lines.push('', `**Next:** ${report.next}.`);
  return lines.join('\n') + '\n';
}
