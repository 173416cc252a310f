// npm run evals -- [grade] ...: the behaviour evals' command line.
//
//   npm run evals                               grade the fixtures; then run the cases with
//                                               claude if it is on PATH, else say so (exit 0)
//   npm run evals -- --agent '<command>'        run every case with that agent CLI
//   npm run evals -- grade --case ID --transcript FILE [--json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineCommand, runCommand, UsageError, UserError } from '../scripts/lib/cli/index.js';
import { benchmark, summaryMarkdown, type BenchmarkMeta } from './lib/benchmark.js';
import { crossCheck, EVALS_DIR, findCase, functionalCases, loadSuites, missingNames, ROOT_DIR, triggerSuites, type Suite } from './lib/cases.js';
import { gradeFixtures } from './lib/fixtures.js';
import { gradeCase, recordedJudge, triggered, type ExpectationResult } from './lib/grade.js';
import { commandJudge, type JudgeFn } from './lib/judge.js';
import { CONFIGURATIONS, runCase, runTrigger, type RunRecord, type TriggerResult } from './lib/runner.js';
import { parseTranscript, TranscriptError } from './lib/transcript.js';

/** `--agent claude` means this command: Claude Code printing its stream-json transcript. */
export const CLAUDE_AGENT = 'claude -p --output-format stream-json --verbose --max-turns 20 --allowedTools "Bash Read Write Edit Glob Grep Skill"';
/** The default judge with Claude Code: one turn, a JSON envelope whose `result` is the answer. */
export const CLAUDE_JUDGE = 'claude -p --output-format json --max-turns 1';

function onPath(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function readJudgeAnswers(path: string): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read judge answers ${path}: ${(error as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'string')) {
    throw new UserError(`${path} must be a JSON object of expectation id -> raw judge answer text`);
  }
  return data as Record<string, string>;
}

function loadChecked(): Suite[] {
  let suites: Suite[];
  try {
    suites = loadSuites();
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const problems = crossCheck(suites);
  if (problems.length) throw new UserError(`evals/cases has ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`);
  return suites;
}

const line = (r: ExpectationResult) => `${r.passed ? 'PASS' : 'FAIL'}  ${r.id} (${r.grader}): ${r.text}\n      ${r.evidence}`;

export const command = defineCommand({
  name: 'evals/cli.ts',
  summary: 'grade agent transcripts against the behaviour eval cases, or run the cases with an agent CLI',
  usage: ['[--agent COMMAND] [--runs N] [--cases IDS] [--out DIR] [--judge COMMAND] [--fixtures-only]', 'grade --case ID --transcript FILE [--json] [--judge COMMAND | --judge-answers FILE]'],
  positionals: [{ name: 'grade', description: 'grade one transcript instead of running the suite' }],
  options: {
    case: { type: 'string', value: 'ID', description: 'the case to grade (grade)' },
    transcript: { type: 'string', value: 'FILE', description: "the transcript: Claude Code stream-json, or a plain final answer (grade)" },
    json: { type: 'boolean', description: 'print the grading as JSON (grade: grading.json shape)' },
    judge: { type: 'string', value: 'COMMAND', description: 'LLM judge: a shell command reading the prompt on stdin (default with claude: claude -p --output-format json --max-turns 1)' },
    'judge-answers': { type: 'string', value: 'FILE', description: 'recorded judge answers, {"expectation-id": "raw answer"} (grade)' },
    agent: { type: 'string', value: 'COMMAND', description: "agent CLI run through sh with the prompt on stdin; 'claude' is short for Claude Code with stream-json" },
    runs: { type: 'integer', value: 'N', min: 1, max: 20, description: 'runs per case and configuration (default 3)' },
    cases: { type: 'string', value: 'IDS', description: 'comma-separated case ids (functional or trigger) to run' },
    out: { type: 'string', value: 'DIR', description: 'where run results go (default evals/runs/<timestamp>)' },
    timeout: { type: 'integer', value: 'SECONDS', min: 10, description: 'per agent run (default 600)' },
    'no-triggers': { type: 'boolean', description: 'skip the trigger cases when running an agent' },
    'fixtures-only': { type: 'boolean', description: 'grade the fixtures and stop, even if an agent CLI is installed' },
    'keep-workdirs': { type: 'boolean', description: "keep each run's temporary working directory" },
  },
  notes: [
    'Without an agent, the hand-written fixtures are graded: each must pass or fail exactly the\nexpectations it declares. Exit 0 when they do.',
    'With an agent, each functional case runs with and without the skill (--runs times each) in a\nfresh temporary directory with AWS credentials removed; results go to --out as\neval-<id>/<configuration>/run-<k>/{transcript, grading.json, timing.json}, benchmark.json,\ntriggers.json and summary.md. An unparseable judge answer counts as a failed expectation.',
  ],
  examples: [
    { note: 'grade the fixtures (what CI does through vitest)', command: 'npm run evals -- --fixtures-only' },
    { note: 'grade one transcript', command: 'npm run evals -- grade --case tenant-from-request --transcript run.jsonl' },
    { note: 'run two cases once each with Claude Code', command: "npm run evals -- --agent claude --runs 1 --cases adhoc-count-query,create-cluster" },
  ],
  exitCodes: { 1: 'grade: an expectation failed; suite: a fixture graded differently from its declaration, or an explicit --agent could not run' },
  async run({ options, positionals, out, note, json }) {
    if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== 'grade')) {
      throw new UsageError(`unknown subcommand ${JSON.stringify(positionals.join(' '))} (only "grade")`);
    }
    const suites = loadChecked();
    const judgeCommand = options.judge ?? (onPath('claude') ? CLAUDE_JUDGE : undefined);

    if (positionals[0] === 'grade') {
      if (!options.case || !options.transcript) throw new UsageError('grade needs --case ID and --transcript FILE');
      let source: string;
      try {
        source = readFileSync(options.transcript, 'utf8');
      } catch (error) {
        throw new UserError(`cannot read ${options.transcript}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      let transcript;
      try {
        transcript = parseTranscript(source);
      } catch (error) {
        if (error instanceof TranscriptError) throw new UserError(`${options.transcript}: ${error.message}`);
        throw error;
      }
      const trigger = triggerSuites(suites).flatMap((s) => s.cases).find((c) => c.id === options.case);
      if (trigger) {
        const d = await triggered(transcript);
        const passed = d.triggered === trigger.should_trigger;
        if (options.json) json({ case_id: trigger.id, should_trigger: trigger.should_trigger, triggered: d.triggered, passed, evidence: d.evidence });
        else out(`${passed ? 'PASS' : 'FAIL'}  skill ${d.triggered ? 'loaded' : 'not loaded'} (should ${trigger.should_trigger ? '' : 'not '}load): ${d.evidence}`);
        return passed ? 0 : 1;
      }
      const c = findCase(suites, options.case);
      if (!c) throw new UserError(`no case ${options.case} (ids are in evals/cases/*.json)`);
      let judgeFor: (id: string) => JudgeFn | undefined;
      if (options['judge-answers']) judgeFor = recordedJudge(readJudgeAnswers(options['judge-answers']));
      else {
        const fn = judgeCommand ? commandJudge(judgeCommand) : undefined;
        judgeFor = () => fn;
      }
      const grading = await gradeCase(c, transcript, { judgeFor });
      if (options.json) json(grading);
      else {
        for (const r of grading.expectations) out(line(r));
        out(`${grading.summary.passed}/${grading.summary.total} expectations passed (${transcript.format} transcript)`);
      }
      return grading.summary.failed === 0 ? 0 : 1;
    }

    const wanted = options.cases ? new Set(options.cases.split(',').map((s) => s.trim())) : undefined;
    if (wanted) {
      const known = new Set([...functionalCases(suites).map((c) => c.id), ...triggerSuites(suites).flatMap((s) => s.cases.map((c) => c.id))]);
      const unknown = [...wanted].filter((id) => !known.has(id));
      if (unknown.length) throw new UsageError(`unknown case id(s): ${unknown.join(', ')}`);
    }

    // 1. The fixtures: every grader must pass and fail exactly where declared.
    const outcomes = await gradeFixtures(suites);
    const bad = outcomes.filter((o) => !o.ok);
    const graded = outcomes.reduce((n, o) => n + o.results.length, 0);
    note(`fixtures: ${outcomes.length} transcript gradings, ${graded} expectation results, ${bad.length} not as declared`);
    for (const o of bad) {
      for (const m of o.mismatches) note(`  ${o.caseId} ${o.fixture}: ${m.id} should ${m.expected} but did not: ${m.result.evidence}`);
    }
    const missing = missingNames(suites);
    if (missing.length) note(`the cases name ${missing.length} script(s)/reference(s) not in this checkout: ${missing.join(', ')}`);
    if (bad.length) return 1;
    if (options['fixtures-only']) return 0;

    // 2. A real agent, when there is one.
    let agent = options.agent;
    const explicit = agent !== undefined;
    if (agent === 'claude' || (!explicit && onPath('claude'))) agent = CLAUDE_AGENT;
    if (!agent) {
      note('no agent CLI found (claude is not on PATH; give --agent COMMAND for another): graded the fixtures only');
      return 0;
    }
    const cases = functionalCases(suites).filter((c) => !wanted || wanted.has(c.id));
    const triggers = options['no-triggers'] ? [] : triggerSuites(suites).flatMap((s) => s.cases).filter((c) => !wanted || wanted.has(c.id));
    const runs = options.runs ?? 3;
    const outDir = resolve(options.out ?? join(EVALS_DIR, 'runs', new Date().toISOString().replace(/[:.]/g, '-')));
    mkdirSync(outDir, { recursive: true });
    const judgeFn = judgeCommand ? commandJudge(judgeCommand) : undefined;
    if (!judgeFn) note('no judge (give --judge COMMAND): llm_judge expectations will fail closed');
    const runOpts = { agent, runs, out: outDir, timeoutMs: (options.timeout ?? 600) * 1000, judge: judgeFn, keepWorkdirs: options['keep-workdirs'] };
    note(`running ${cases.length} case(s) x ${CONFIGURATIONS.length} configurations x ${runs} run(s) and ${triggers.length} trigger case(s) x ${runs} with: ${agent}`);

    const records: RunRecord[] = [];
    for (const c of cases) {
      for (const configuration of CONFIGURATIONS) {
        for (let run = 1; run <= runs; run++) {
          const record = await runCase(c, configuration, run, runOpts);
          // The first run tells whether the agent works at all (installed, authorised).
          if (records.length === 0 && record.error) {
            const message = `the agent did not produce a transcript on its first run (${record.error})`;
            if (explicit) throw new UserError(message);
            note(`${message}; is it authorised? Graded the fixtures only`);
            return 0;
          }
          records.push(record);
          note(`  ${c.id} ${configuration} run ${run}: ${record.error ? `error: ${record.error}` : `${record.grading!.summary.passed}/${record.grading!.summary.total}`}`);
        }
      }
    }
    const triggerResults: TriggerResult[] = [];
    for (const t of triggers) {
      const r = await runTrigger(t, runOpts);
      triggerResults.push(r);
      note(`  trigger ${t.id}: loaded ${r.triggers}/${r.runs} (${r.pass ? 'pass' : 'FAIL'})`);
    }
    const meta: BenchmarkMeta = { skillPath: ROOT_DIR, agent, judge: judgeCommand ?? 'none', runsPerConfiguration: runs, caseIds: cases.map((c) => c.id) };
    writeFileSync(join(outDir, 'benchmark.json'), JSON.stringify(benchmark(records, meta), null, 2) + '\n');
    if (triggerResults.length) {
      const passed = triggerResults.filter((t) => t.pass).length;
      writeFileSync(
        join(outDir, 'triggers.json'),
        JSON.stringify({ skill_name: 'aurora-dsql', results: triggerResults, summary: { total: triggerResults.length, passed, failed: triggerResults.length - passed } }, null, 2) + '\n',
      );
    }
    const summary = summaryMarkdown(records, triggerResults, meta);
    writeFileSync(join(outDir, 'summary.md'), summary + '\n');
    out(summary);
    note(`results in ${outDir}`);
    return 0;
  },
});

// Run when executed directly (npm run evals), not when imported by tests.
if (process.argv[1] && resolve(process.argv[1]) === resolve(join(EVALS_DIR, 'cli.ts'))) {
  process.exitCode = await runCommand(command, process.argv.slice(2));
}
