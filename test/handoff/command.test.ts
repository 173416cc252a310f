// validate-handoff as a user runs it: exit codes, stdout report, one line on stderr.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outsideDir, runScript, scriptPath, type RunResult } from '../support/run.js';
import { EXAMPLE_PATH, scratch, variant, writeArtifact } from './support.js';

const run = (args: string[], input?: string) => runScript('validate-handoff.ts', args, { input });

/** A shell pipeline, for input that must arrive through a real pipe. */
function shell(command: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd: outsideDir(), encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe('validate-handoff.ts', () => {
  it('in scope: exit 0, the acknowledgment and the verdict in Markdown', async () => {
    const r = await run([EXAMPLE_PATH]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`**Requirements artifact:** \`${EXAMPLE_PATH}\` (schema 1.0) is valid.`);
    expect(r.stdout).toMatch(/^\*\*Acknowledge:\*\* \*\*The requirements describe a `multi_tenant_saas` \(60%\)/m);
    expect(r.stdout).toContain('**Scope:** in scope for Aurora DSQL.');
    // Markdown primitives only: no box drawing.
    expect(r.stdout).not.toMatch(/[\u2500-\u257f]/);
  });

  it('out of scope: exit 3 with the reason and the suggestion', async () => {
    const path = writeArtifact(variant((req) => void req.hard_constraints.push({ kind: 'postgresql_extensions', statement: 'PostGIS queries.', items: ['postgis'] })));
    const r = await run([path]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('**Scope:** out of scope for Aurora DSQL.');
    expect(r.stdout).toMatch(/- `postgresql-features`: hard constraints require PostgreSQL extensions \(postgis\).*\(`\/hard_constraints\/2`\)/);
    expect(r.stdout).toContain('- **Suggest:** Amazon Aurora PostgreSQL-Compatible Edition (skill `amazon-aurora-postgresql`)');
  });

  it('--json carries the same report for every outcome', async () => {
    const inScope = await run(['--json', EXAMPLE_PATH]);
    expect(JSON.parse(inScope.stdout)).toMatchObject({ usable: true, scope: { verdict: 'in_scope' } });
    const out = await run(['--json', writeArtifact(variant((req) => void (req.workload_primaries.dominant_shapes = [{ shape: 'caching' }])))]);
    expect(out.code).toBe(3);
    expect(JSON.parse(out.stdout)).toMatchObject({ usable: true, scope: { verdict: 'out_of_scope', suggestion: { skill: 'aws-database-selection' } } });
    const bad = await run(['--json', writeArtifact('{"schema_version": 1}')]);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report).toMatchObject({ usable: false, problem: 'schema', error_count: 4 });
    expect(report.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/hard_constraints', '/migration_context', '/schema_version', '/workload_primaries']);
  });

  it('schema errors: exit 1, each error with its pointer on stdout, one line on stderr', async () => {
    const path = writeArtifact(variant((req) => {
      (req.workload_primaries.dominant_shapes[1] as unknown as Record<string, unknown>).share_pct = 'most';
      delete (req as Partial<typeof req>).migration_context;
    }));
    const r = await run([path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('- `/workload_primaries/dominant_shapes/1/share_pct`: must be a number; got "most"');
    expect(r.stdout).toContain('- `/migration_context`: is required but missing');
    expect(r.stdout).toMatch(/\*\*Next:\*\* tell the user the artifact could not be used and continue without it\./);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `validate-handoff.ts: ${path} does not match the requirements schema (2 errors); the skill continues without the artifact`,
    ]);
  });

  it('malformed JSON: exit 1 with the position', async () => {
    const r = await run([writeArtifact('{"schema_version": "1.0" "workload_primaries": {}}')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not valid JSON: .* at line 1, column 26; the skill continues without the artifact\n$/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a 5 MB file is refused by its size', async () => {
    const path = join(scratch(), 'huge.json');
    // Valid JSON, so only the size can be the reason.
    writeFileSync(path, JSON.stringify({ ...variant(() => {}), summary: 'x'.repeat(5 * 1024 * 1024) }));
    const r = await run(['--json', path]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ usable: false, problem: 'too_large', message: `${path} is 5.0 MiB; a requirements artifact is at most 1.0 MiB` });
    expect(r.stderr).toMatch(/is 5\.0 MiB; .* the skill continues without the artifact\n$/);
  });

  it('a path that does not exist: exit 1, one line, no stack trace', async () => {
    const r = await run(['aws_dbs_requirements/missing/requirements.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('validate-handoff.ts: aws_dbs_requirements/missing/requirements.json does not exist; the skill continues without the artifact\n');
    expect(r.stdout).toContain('**Requirements artifact:** not usable: `aws_dbs_requirements/missing/requirements.json` does not exist.');
  });

  it('reads stdin for -', async () => {
    const r = await run(['--json', '-'], readFileSync(EXAMPLE_PATH, 'utf8'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ path: '-', usable: true });
  });

  it('stdin over the size limit is refused without reading it all', async () => {
    // A real pipe from head: the command stops reading at the limit, head gets SIGPIPE.
    const piped = await shell(`head -c 2097152 /dev/zero | "${scriptPath('validate-handoff.ts')}" -`);
    expect(piped.code).toBe(1);
    expect(piped.stderr).toBe('validate-handoff.ts: - is more than 1.0 MiB; a requirements artifact is at most 1.0 MiB; the skill continues without the artifact\n');
  });

  it('usage: no PATH or an unknown flag is exit 2', async () => {
    const none = await run([]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toBe('validate-handoff.ts: missing PATH (see --help)\n');
    const flag = await run(['--strict', EXAMPLE_PATH]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('validate-handoff.ts: unknown option --strict (see --help)\n');
  });

  it('--help documents the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}1 {2}the artifact is not usable/m);
    expect(r.stdout).toMatch(/^ {2}3 {2}valid, but out of scope/m);
  });
});
