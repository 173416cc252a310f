#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// doctor (Workflow 0): checks that this machine has what the skill needs, without network calls.
import { checkRegion } from './lib/aws/region.js';
import { defineCommand } from './lib/cli/index.js';

export const command = defineCommand({
  name: 'scripts/doctor.ts',
  summary: 'check Node.js, the skill install, psql, TLS roots, AWS credentials and Region (no network calls)',
  usage: ['[--local] [--profile NAME] [--region REGION] [--json]'],
  options: {
    local: { type: 'boolean', description: 'check only what the embedded local DSQL needs (no AWS)' },
    profile: { type: 'string', value: 'NAME', description: 'check this AWS profile instead of $AWS_PROFILE / default' },
    region: { type: 'string', value: 'REGION', description: 'check as if commands got --region REGION' },
    json: { type: 'boolean', description: 'print the report as JSON on stdout' },
  },
  notes: [
    'Checks: node (the version package.json asks for), dependencies (node_modules resolvable\nfrom the skill folder), build (dist/ current; optional), psql (on PATH, 14 or newer),\ntls (sslrootcert=system needs libpq 16; otherwise a CA bundle file), credentials (the\nsource the AWS SDK provider chain would use: environment, profile keys, SSO cache,\nassume-role, web identity, container, EC2 instance role), region.',
    'No network calls: SSO, STS, container and EC2 instance-metadata sources are recognised by\ntheir variables, files and cached tokens. Secrets are never printed. Each problem comes\nwith the exact fix.',
  ],
  examples: [
    { note: 'before working with clusters on AWS', command: 'scripts/doctor.ts' },
    { note: 'before using the local DSQL only', command: 'scripts/doctor.ts --local' },
    { note: 'a specific profile, as JSON', command: 'scripts/doctor.ts --profile dev --json' },
  ],
  exitCodes: { 1: 'something the chosen mode needs is missing (see the FAIL lines)' },
  async run({ options, io, json }) {
    if (options.region !== undefined) checkRegion(options.region);
    const { runDoctor, renderDoctor } = await import('./lib/doctor/index.js');
    const report = await runDoctor({ mode: options.local ? 'local' : 'cluster', env: io.env, profile: options.profile, region: options.region });
    if (options.json) json(report);
    else io.stdout.write(renderDoctor(report));
    return report.ok ? 0 : 1;
  },
});
