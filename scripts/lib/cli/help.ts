// Renders --help from a command spec: usage, options, notes, examples, exit codes.
import type { CommandSpec, OptionSpec, OptionsSpec } from './spec.js';

function optionLabel(key: string, spec: OptionSpec): string {
  const long = `--${key}${spec.type === 'boolean' ? '' : ` ${spec.value ?? (spec.type === 'integer' ? 'N' : 'VALUE')}`}`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
}

function optionText(spec: OptionSpec): string {
  const extra: string[] = [];
  if (spec.choices) extra.push(`one of: ${spec.choices.join(', ')}`);
  if (spec.multiple) extra.push('repeatable');
  if (spec.env) extra.push(`default: $${spec.env}`);
  return extra.length ? `${spec.description} (${extra.join('; ')})` : spec.description;
}

export function renderHelp<O extends OptionsSpec>(spec: CommandSpec<O>): string {
  const lines: string[] = [];
  lines.push(`${spec.name} - ${spec.summary}`, '', 'Usage:');
  for (const u of spec.usage) lines.push(`  ${spec.name} ${u}`.trimEnd());

  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    const width = Math.max(...spec.positionals.map((p) => p.name.length));
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}  ${p.description}`);
  }

  const entries = Object.entries(spec.options).filter(([, o]) => !o.hidden);
  const labels = entries.map(([k, o]) => optionLabel(k, o));
  labels.push('-h, --help');
  const width = Math.max(...labels.map((l) => l.length));
  lines.push('', 'Options:');
  entries.forEach(([, o], i) => lines.push(`  ${labels[i]!.padEnd(width)}  ${optionText(o)}`));
  lines.push(`  ${'-h, --help'.padEnd(width)}  Show this help and exit`);

  for (const note of spec.notes ?? []) lines.push('', ...note.split('\n'));

  lines.push('', 'Examples:');
  for (const ex of spec.examples) {
    if (ex.note) lines.push(`  # ${ex.note}`);
    lines.push(`  ${ex.command}`);
  }

  const codes: Record<number, string> = { 0: 'success', ...spec.exitCodes, 2: 'usage error (bad flag or value)', 70: 'internal error (a bug: the message has a stack trace)' };
  lines.push('', 'Exit codes:');
  for (const code of Object.keys(codes).map(Number).sort((a, b) => a - b)) lines.push(`  ${code}  ${codes[code]}`);
  return lines.join('\n') + '\n';
}
