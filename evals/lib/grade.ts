// Grades one transcript against one case and returns skill-creator's grading.json shape:
// expectations[{text, passed, evidence}] (plus our id and grader), summary{passed, failed,
// total, pass_rate}, execution_metrics. Results are bound to expectation ids, so a grader
// can never report a result for an expectation that does not exist or skip one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type Facts } from './analyze.js';
import { FILES_DIR, type Expectation, type FunctionalCase } from './cases.js';
import { runCheck, type Verdict } from './checks.js';
import { judge, type JudgeFn } from './judge.js';
import { toolCallCounts, toolSteps, type Transcript } from './transcript.js';

export interface ExpectationResult {
  id: string;
  text: string;
  grader: Expectation['grader'];
  passed: boolean;
  evidence: string;
}

export interface Grading {
  case_id: string;
  expectations: ExpectationResult[];
  summary: { passed: number; failed: number; total: number; pass_rate: number };
  execution_metrics: {
    tool_calls: Record<string, number>;
    total_tool_calls: number;
    total_steps: number;
    errors_encountered: number;
    output_chars: number;
    transcript_chars: number;
  };
  timing?: { executor_duration_seconds?: number; grader_duration_seconds: number; total_duration_seconds?: number };
  transcript_format: Transcript['format'];
}

export interface GradeOptions {
  /** The judge for an llm_judge expectation, by expectation id (undefined: none, which fails closed). */
  judgeFor?: (expectationId: string) => JudgeFn | undefined;
}

/** Judge answers recorded in a fixture, keyed by expectation id. A missing answer fails closed. */
export function recordedJudge(answers: Record<string, string> | undefined): (id: string) => JudgeFn | undefined {
  return (id) => (answers && id in answers ? async () => answers[id]! : undefined);
}

/** A case's input files, as the agent finds them in its working directory. */
export function caseFiles(c: FunctionalCase): { path: string; content: string }[] {
  return (c.files ?? []).map((file) => ({ path: file, content: readFileSync(join(FILES_DIR, file), 'utf8') }));
}

export async function gradeCase(c: FunctionalCase, t: Transcript, opts: GradeOptions = {}, facts?: Facts): Promise<Grading> {
  const started = performance.now();
  const f = facts ?? (await analyze(t, caseFiles(c)));
  const results: ExpectationResult[] = [];
  for (const e of c.expectations) {
    let verdict: Verdict;
    try {
      verdict = e.check.kind === 'judge' ? await judge(opts.judgeFor?.(e.id), c.prompt, e.text, e.check.rubric, t) : runCheck(e.check, f);
    } catch (error) {
      // A grader bug must not read as a pass.
      verdict = { passed: false, evidence: `grader error: ${(error as Error).message}` };
    }
    results.push({ id: e.id, text: e.text, grader: e.grader, ...verdict });
  }
  const passed = results.filter((r) => r.passed).length;
  const tools = toolSteps(t);
  return {
    case_id: c.id,
    expectations: results,
    summary: { passed, failed: results.length - passed, total: results.length, pass_rate: results.length ? passed / results.length : 0 },
    execution_metrics: {
      tool_calls: toolCallCounts(t),
      total_tool_calls: tools.length,
      total_steps: t.steps.length,
      errors_encountered: tools.filter((s) => s.result?.isError).length + (t.meta.isError ? 1 : 0),
      output_chars: t.finalText.length,
      transcript_chars: t.chars,
    },
    timing: {
      grader_duration_seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      ...(t.meta.durationMs !== undefined ? { executor_duration_seconds: t.meta.durationMs / 1000 } : {}),
    },
    transcript_format: t.format,
  };
}

/**
 * Did the agent use the skill? A Skill tool call for aurora-dsql, a read of its SKILL.md, or a
 * run of one of its scripts from the installed skill folder all count. Claude Code's own
 * skill-creator counts a Skill or Read call the same way.
 */
export async function triggered(t: Transcript): Promise<{ triggered: boolean; evidence: string }> {
  const f = await analyze(t);
  const used = f.skillsUsed.find((s) => /(^|:)aurora-dsql$/.test(s.name));
  if (used) return { triggered: true, evidence: `Skill tool: ${used.name} (step ${used.step + 1})` };
  const read = f.reads.find((r) => /(^|\/)aurora-dsql\/(SKILL\.md|references\/)/.test(r.path));
  if (read) return { triggered: true, evidence: `read ${read.path} (step ${read.step + 1})` };
  const ran = f.invocations.find((i) => i.executed && i.isScript && /aurora-dsql\/scripts\//.test(i.text));
  if (ran) return { triggered: true, evidence: `ran ${ran.text.slice(0, 80)} (step ${ran.step + 1})` };
  return { triggered: false, evidence: t.format === 'plain' ? 'a plain answer cannot show a skill load' : `no Skill call, SKILL.md read or skill script among ${toolSteps(t).length} tool call(s)` };
}
