// Runs cases with a real agent CLI, with and without the skill, several times each, and writes
// skill-creator's files: eval-<id>/<configuration>/run-<k>/{transcript, grading.json,
// timing.json}, benchmark.json, triggers.json (run_eval's shape) and summary.md.
//
// Each run gets a fresh working directory holding the case's files. With the skill, the bundle
// is linked in as .claude/skills/aurora-dsql (only what an agent may load: SKILL.md, references,
// scripts, schemas and what the scripts need to run; never evals/). AWS credentials are removed
// from the agent's environment, so a run cannot touch a real account.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FILES_DIR, ROOT_DIR, type FunctionalCase, type TriggerCase } from './cases.js';
import { gradeCase, triggered, type Grading } from './grade.js';
import type { JudgeFn } from './judge.js';
import { parseTranscript, TranscriptError, type Transcript } from './transcript.js';

export type Configuration = 'with_skill' | 'without_skill';
export const CONFIGURATIONS: Configuration[] = ['with_skill', 'without_skill'];

/** What an agent may load from the bundle (relative to the repository root). */
const SKILL_PARTS = ['SKILL.md', 'references', 'scripts', 'schemas', 'package.json', 'node_modules', 'dist', 'LICENSE'];
export const SKILL_DIR_IN_WORKDIR = join('.claude', 'skills', 'aurora-dsql');

const AWS_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

export function agentEnv(base: NodeJS.ProcessEnv, skillDir: string | undefined, configuration: Configuration): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const k of AWS_SECRETS) delete env[k];
  return {
    ...env,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    EVAL_CONFIGURATION: configuration,
    // For agents other than Claude Code: where the skill is, empty without it.
    EVAL_SKILL_DIR: skillDir ?? '',
  };
}

/** A fresh working directory with the case's files and, for with_skill, the skill bundle. */
export function prepareWorkdir(files: string[], configuration: Configuration, root = ROOT_DIR): { dir: string; skillDir?: string } {
  const dir = mkdtempSync(join(tmpdir(), `dsql-eval-${configuration}-`));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(FILES_DIR, file), join(dir, file));
  }
  if (configuration === 'without_skill') return { dir };
  const skillDir = join(dir, SKILL_DIR_IN_WORKDIR);
  mkdirSync(skillDir, { recursive: true });
  for (const part of SKILL_PARTS) if (existsSync(join(root, part))) symlinkSync(join(root, part), join(skillDir, part));
  return { dir, skillDir };
}

export interface AgentResult {
  stdout: string;
  stderr: string;
  code: number | null;
  durationMs: number;
  timedOut: boolean;
}

/** Runs the agent command through sh in `cwd`, with the prompt on stdin. */
export function runAgent(command: string, prompt: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<AgentResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      // The agent and everything it started (its own process group).
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, durationMs: performance.now() - started, timedOut });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(prompt);
  });
}

/** Turns an agent's output into a transcript; an empty or broken output is an infrastructure error. */
export function transcriptOf(result: AgentResult): { transcript?: Transcript; error?: string } {
  if (result.timedOut) return { error: 'agent timed out' };
  if (!result.stdout.trim()) return { error: `agent printed nothing (exit ${result.code}): ${result.stderr.trim().split('\n').pop() ?? ''}` };
  try {
    return { transcript: parseTranscript(result.stdout) };
  } catch (error) {
    if (error instanceof TranscriptError) return { error: `agent output is not a transcript: ${error.message}` };
    throw error;
  }
}

export interface RunRecord {
  caseId: string;
  configuration: Configuration;
  run: number;
  grading?: Grading;
  error?: string;
  durationMs: number;
  tokens: number;
  model?: string;
}

/** A failed run still gets a grading.json: every expectation failed, with the reason. */
export function failedGrading(c: FunctionalCase, reason: string): Grading {
  return {
    case_id: c.id,
    expectations: c.expectations.map((e) => ({ id: e.id, text: e.text, grader: e.grader, passed: false, evidence: `not graded: ${reason}` })),
    summary: { passed: 0, failed: c.expectations.length, total: c.expectations.length, pass_rate: 0 },
    execution_metrics: { tool_calls: {}, total_tool_calls: 0, total_steps: 0, errors_encountered: 1, output_chars: 0, transcript_chars: 0 },
    transcript_format: 'plain',
  };
}

export interface RunOptions {
  agent: string;
  runs: number;
  out: string;
  timeoutMs: number;
  judge?: JudgeFn;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  keepWorkdirs?: boolean;
}

export async function runCase(c: FunctionalCase, configuration: Configuration, run: number, opts: RunOptions): Promise<RunRecord> {
  const { dir, skillDir } = prepareWorkdir(c.files ?? [], configuration);
  const runDir = join(opts.out, `eval-${c.id}`, configuration, `run-${run}`);
  mkdirSync(runDir, { recursive: true });
  try {
    const result = await runAgent(opts.agent, c.prompt, dir, agentEnv(opts.env ?? process.env, skillDir, configuration), opts.timeoutMs);
    const { transcript, error } = transcriptOf(result);
    writeFileSync(join(runDir, transcript?.format === 'stream-json' ? 'transcript.jsonl' : 'transcript.md'), result.stdout);
    if (result.stderr) writeFileSync(join(runDir, 'agent-stderr.txt'), result.stderr);
    const grading = transcript ? await gradeCase(c, transcript, { judgeFor: () => opts.judge }) : failedGrading(c, error!);
    if (grading.timing) grading.timing.total_duration_seconds = Number((result.durationMs / 1000).toFixed(3));
    const tokens = (transcript?.meta.inputTokens ?? 0) + (transcript?.meta.outputTokens ?? 0);
    writeFileSync(join(runDir, 'grading.json'), JSON.stringify(grading, null, 2) + '\n');
    writeFileSync(join(runDir, 'timing.json'), JSON.stringify({ total_tokens: tokens, duration_ms: Math.round(result.durationMs) }, null, 2) + '\n');
    return { caseId: c.id, configuration, run, grading, error, durationMs: result.durationMs, tokens, model: transcript?.meta.model };
  } finally {
    if (!opts.keepWorkdirs) rmSync(dir, { recursive: true, force: true });
  }
}

export interface TriggerResult {
  query: string;
  should_trigger: boolean;
  trigger_rate: number;
  triggers: number;
  runs: number;
  pass: boolean;
  errors: number;
}

/** Runs one trigger query `runs` times with the skill installed; passes when the load rate is on the right side of 0.5. */
export async function runTrigger(c: TriggerCase, opts: RunOptions): Promise<TriggerResult> {
  let triggers = 0;
  let errors = 0;
  for (let run = 1; run <= opts.runs; run++) {
    const { dir, skillDir } = prepareWorkdir([], 'with_skill');
    try {
      const result = await runAgent(opts.agent, c.query, dir, agentEnv(opts.env ?? process.env, skillDir, 'with_skill'), opts.timeoutMs);
      const { transcript } = transcriptOf(result);
      if (!transcript) errors++;
      else if ((await triggered(transcript)).triggered) triggers++;
    } finally {
      if (!opts.keepWorkdirs) rmSync(dir, { recursive: true, force: true });
    }
  }
  const rate = opts.runs ? triggers / opts.runs : 0;
  return { query: c.query, should_trigger: c.should_trigger, trigger_rate: rate, triggers, runs: opts.runs, pass: rate >= 0.5 === c.should_trigger, errors };
}
