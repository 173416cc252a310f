#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// validate-handoff: read the requirements.json that aws-database-selection hands over, check it
// against schemas/requirements.schema.json, and print the acknowledgment and the scope verdict.
import { defineCommand, UserError } from './lib/cli/index.js';

export const EXIT_OUT_OF_SCOPE = 3;

export const command = defineCommand({
  name: 'scripts/validate-handoff.ts',
  summary: 'validate a requirements.json handoff artifact, acknowledge it and check its scope',
  usage: ['[--json] PATH'],
  options: {
    json: { type: 'boolean', description: 'print the whole report as JSON on stdout' },
  },
  positionals: [{ name: 'PATH', description: 'the artifact, e.g. aws_dbs_requirements/<id>/requirements.json (- for stdin)', required: true }],
  notes: [
    'The schema is schemas/requirements.schema.json (draft 2020-12), documented in\nreferences/handoff.md. Fields the schema does not name are ignored and listed.',
    'A file that cannot be read, is over 1 MiB, is not JSON or breaks the schema is not\nused: every error is listed with its JSON pointer, and the skill continues without it.',
  ],
  examples: [
    { note: 'the artifact named in the conversation', command: 'scripts/validate-handoff.ts aws_dbs_requirements/7f3a/requirements.json' },
    { note: 'machine-readable report', command: 'scripts/validate-handoff.ts --json aws_dbs_requirements/7f3a/requirements.json' },
  ],
  exitCodes: {
    1: 'the artifact is not usable (unreadable, too large, not JSON, or schema errors); continue without it',
    [EXIT_OUT_OF_SCOPE]: 'valid, but out of scope for Aurora DSQL (the report names the alternative)',
  },
  async run({ options, positionals, io, json }) {
    const { validateHandoff } = await import('./lib/handoff/index.js');
    const { renderReport } = await import('./lib/handoff/render.js');
    const report = await validateHandoff(positionals[0]!, io.stdin);
    if (options.json) json(report);
    else io.stdout.write(renderReport(report));
    if (!report.usable) throw new UserError(`${report.message}; the skill continues without the artifact`);
    return report.scope.verdict === 'in_scope' ? 0 : EXIT_OUT_OF_SCOPE;
  },
});
