// npm run evals as a user runs it: a real process, real files, exit codes.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runProcess, type RunResult } from '../support/run.js';

const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const FIX = join(ROOT, 'evals', 'fixtures');

function evals(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  // PATH without any agent CLI unless a test adds one.
  return runProcess(process.execPath, [TSX, join(ROOT, 'evals', 'cli.ts'), ...args], {
    cwd: mkdtempSync(join(tmpdir(), 'evals-cli-')),
    env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME, ...env },
    timeoutMs: 120_000,
  });
}

describe('npm run evals -- grade', { timeout: 120_000 }, () => {
  it('prints each expectation with its evidence; exit 0 when all pass', async () => {
    const r = await evals(['grade', '--case', 'adhoc-count-query', '--transcript', join(FIX, 'cluster/adhoc-count-query.pass.jsonl')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^PASS /gm)).toHaveLength(5);
    expect(r.stdout).toMatch(/5\/5 expectations passed \(stream-json transcript\)/);
  });

  it('exit 1 when one fails, with --json in the grading.json shape', async () => {
    const r = await evals(['grade', '--case', 'adhoc-count-query', '--transcript', join(FIX, 'cluster/adhoc-count-query.writable.jsonl'), '--json']);
    expect(r.code).toBe(1);
    const g = JSON.parse(r.stdout);
    expect(g.summary).toEqual({ passed: 4, failed: 1, total: 5, pass_rate: 0.8 });
    expect(g.expectations.find((e: { id: string }) => e.id === 'read-only')).toMatchObject({ passed: false, text: 'Runs the read query with --read-only' });
    expect(g.execution_metrics).toMatchObject({ tool_calls: { Skill: 1, Bash: 1 }, total_tool_calls: 2 });
  });

  it('grades a plain answer and a trigger case, and uses recorded judge answers', async () => {
    const plain = await evals(['grade', '--case', 'tenant-from-request', '--transcript', join(FIX, 'safe-sql/tenant-from-request.plain.md')]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/FAIL {2}reads-input-validation.*\n.*plain answer has no tool calls/);
    const trig = await evals(['grade', '--case', 'n-dynamodb-gsi', '--transcript', join(FIX, 'trigger/no-tools.jsonl')]);
    expect(trig).toMatchObject({ code: 0 });
    expect(trig.stdout).toMatch(/^PASS {2}skill not loaded/);
    const answers = join(mkdtempSync(join(tmpdir(), 'judge-')), 'answers.json');
    writeFileSync(answers, JSON.stringify({ asks: '{"passed": true, "evidence": "asked"}' }));
    const judged = await evals(['grade', '--case', 'delete-needs-confirmation', '--transcript', join(FIX, 'cluster/delete-needs-confirmation.pass.jsonl'), '--judge-answers', answers]);
    expect(judged.code).toBe(0);
    // Without any judge the llm_judge expectation fails closed.
    const unjudged = await evals(['grade', '--case', 'delete-needs-confirmation', '--transcript', join(FIX, 'cluster/delete-needs-confirmation.pass.jsonl')]);
    expect(unjudged.code).toBe(1);
    expect(unjudged.stdout).toMatch(/FAIL {2}asks .*\n.*no judge available/);
  });

  it('bad input: one line on stderr, exit 2 for usage and 1 for a missing case or file', async () => {
    const usage = await evals(['grade', '--case', 'adhoc-count-query']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect((await evals(['grade', '--case', 'no-such', '--transcript', join(FIX, 'trigger/no-tools.jsonl')])).code).toBe(1);
    const missing = await evals(['grade', '--case', 'adhoc-count-query', '--transcript', '/nonexistent.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\.jsonl: ENOENT/);
    expect((await evals(['frobnicate'])).code).toBe(2);
  });
});

describe('npm run evals (suite)', { timeout: 120_000 }, () => {
  it('without an agent CLI: grades the fixtures, says so, exit 0', async () => {
    const r = await evals([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/fixtures: \d+ transcript gradings, \d+ expectation results, 0 not as declared/);
    expect(r.stderr).toMatch(/no agent CLI found/);
  });

  it('with an agent: runs each case with and without the skill and writes the skill-creator files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'evals-out-'));
    // A stand-in agent that replays recorded transcripts: the good one only when the skill is
    // installed (and evals/ is not), AWS credentials are gone, and the case's files are present.
    const agent = [
      'cat > /dev/null;',
      'if [ "$EVAL_CONFIGURATION" = with_skill ] && [ -e "$EVAL_SKILL_DIR/scripts" ] && [ ! -e "$EVAL_SKILL_DIR/evals" ] && [ -z "$AWS_ACCESS_KEY_ID" ] && [ -f schema.sql ];',
      `then cat ${FIX}/cluster/local-without-aws.pass.jsonl; else cat ${FIX}/cluster/local-without-aws.docker.jsonl; fi`,
    ].join(' ');
    const r = await evals(['--agent', agent, '--cases', 'local-without-aws,t-local-try,n-neptune', '--runs', '2', '--out', out], { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12' });
    expect(r.stderr).toMatch(/running 1 case\(s\) x 2 configurations x 2 run\(s\) and 2 trigger case\(s\)/);
    expect(r.code).toBe(0);
    for (const config of ['with_skill', 'without_skill']) {
      for (const run of ['run-1', 'run-2']) {
        const dir = join(out, 'eval-local-without-aws', config, run);
        expect(readdirSync(dir).sort()).toEqual(['grading.json', 'timing.json', 'transcript.jsonl']);
        const g = JSON.parse(readFileSync(join(dir, 'grading.json'), 'utf8'));
        expect(g.summary.pass_rate).toBe(config === 'with_skill' ? 1 : 0);
      }
    }
    const b = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8'));
    expect(b.metadata).toMatchObject({ skill_name: 'aurora-dsql', runs_per_configuration: 2, evals_run: ['local-without-aws'] });
    expect(b.runs).toHaveLength(4);
    expect(b.runs[0]).toMatchObject({ eval_id: 'local-without-aws', configuration: 'with_skill', run_number: 1 });
    expect(b.run_summary.with_skill.pass_rate).toEqual({ mean: 1, stddev: 0, min: 1, max: 1 });
    expect(b.run_summary.delta.pass_rate).toBe('+1.00');
    const triggers = JSON.parse(readFileSync(join(out, 'triggers.json'), 'utf8'));
    // The replayed transcript loads the skill's scripts, so the positive case passes and the near miss fails.
    expect(triggers.summary).toEqual({ total: 2, passed: 1, failed: 1 });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| `local-without-aws` \| 100% \| 0% \| \+100 pts \|/);
  });

  it('an explicit agent that prints nothing is an error (exit 1); an unusable result never passes', async () => {
    const r = await evals(['--agent', 'cat > /dev/null; exit 0', '--cases', 'create-cluster', '--runs', '1', '--out', mkdtempSync(join(tmpdir(), 'evals-out-'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not produce a transcript on its first run \(agent printed nothing/);
  });

  it('unknown case ids are a usage error', async () => {
    const r = await evals(['--agent', 'true', '--cases', 'nope', '--out', join(tmpdir(), 'unused')]);
    expect(r.code).toBe(2);
    expect(existsSync(join(tmpdir(), 'unused', 'benchmark.json'))).toBe(false);
  });
});
