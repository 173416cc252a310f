// benchmark.json in skill-creator's shape (runs[] with `configuration`, run_summary with
// mean/stddev/min/max per configuration and a signed delta), and a short Markdown summary.
import type { Configuration, RunRecord, TriggerResult } from './runner.js';

interface Stat {
  mean: number;
  stddev: number;
  min: number;
  max: number;
}

function stat(values: number[]): Stat {
  if (values.length === 0) return { mean: 0, stddev: 0, min: 0, max: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  const round = (n: number) => Number(n.toFixed(4));
  return { mean: round(mean), stddev: round(Math.sqrt(variance)), min: round(Math.min(...values)), max: round(Math.max(...values)) };
}

const signed = (n: number, digits: number) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

export interface BenchmarkMeta {
  skillPath: string;
  agent: string;
  judge: string;
  runsPerConfiguration: number;
  caseIds: string[];
}

export function benchmark(records: RunRecord[], meta: BenchmarkMeta) {
  const runs = records.map((r) => ({
    eval_id: r.caseId,
    eval_name: r.caseId,
    configuration: r.configuration,
    run_number: r.run,
    result: {
      pass_rate: r.grading?.summary.pass_rate ?? 0,
      passed: r.grading?.summary.passed ?? 0,
      failed: r.grading?.summary.failed ?? 0,
      total: r.grading?.summary.total ?? 0,
      time_seconds: Number((r.durationMs / 1000).toFixed(3)),
      tokens: r.tokens,
      tool_calls: r.grading?.execution_metrics.total_tool_calls ?? 0,
      errors: r.grading?.execution_metrics.errors_encountered ?? 0,
    },
    expectations: (r.grading?.expectations ?? []).map(({ text, passed, evidence }) => ({ text, passed, evidence })),
    notes: r.error ? [r.error] : [],
  }));
  const summaryOf = (c: Configuration) => {
    const mine = runs.filter((r) => r.configuration === c);
    return {
      pass_rate: stat(mine.map((r) => r.result.pass_rate)),
      time_seconds: stat(mine.map((r) => r.result.time_seconds)),
      tokens: stat(mine.map((r) => r.result.tokens)),
    };
  };
  const withSkill = summaryOf('with_skill');
  const withoutSkill = summaryOf('without_skill');
  const infraErrors = records.filter((r) => r.error).length;
  const models = [...new Set(records.map((r) => r.model).filter(Boolean))];
  return {
    metadata: {
      skill_name: 'aurora-dsql',
      skill_path: meta.skillPath,
      executor_model: models.join(', ') || meta.agent,
      analyzer_model: meta.judge,
      timestamp: new Date().toISOString(),
      evals_run: meta.caseIds,
      runs_per_configuration: meta.runsPerConfiguration,
    },
    runs,
    run_summary: {
      with_skill: withSkill,
      without_skill: withoutSkill,
      delta: {
        pass_rate: signed(withSkill.pass_rate.mean - withoutSkill.pass_rate.mean, 2),
        time_seconds: signed(withSkill.time_seconds.mean - withoutSkill.time_seconds.mean, 1),
        tokens: signed(withSkill.tokens.mean - withoutSkill.tokens.mean, 0),
      },
    },
    notes: infraErrors ? [`${infraErrors} run(s) produced no usable transcript; their expectations count as failed`] : [],
  };
}

export function summaryMarkdown(records: RunRecord[], triggers: TriggerResult[], meta: BenchmarkMeta): string {
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  const rate = (id: string, c: Configuration) => {
    const mine = records.filter((r) => r.caseId === id && r.configuration === c);
    if (mine.length === 0) return undefined;
    return mine.reduce((a, r) => a + (r.grading?.summary.pass_rate ?? 0), 0) / mine.length;
  };
  const lines = [
    '# aurora-dsql behaviour evals',
    '',
    `- **Agent**: \`${meta.agent}\``,
    `- **Judge**: \`${meta.judge}\``,
    `- **Runs**: ${meta.runsPerConfiguration} per case and configuration`,
    '',
  ];
  if (records.length) {
    lines.push('| Case | With skill | Without skill | Delta |', '| --- | --- | --- | --- |');
    let sumWith = 0;
    let sumWithout = 0;
    for (const id of meta.caseIds) {
      const w = rate(id, 'with_skill') ?? 0;
      const wo = rate(id, 'without_skill') ?? 0;
      sumWith += w;
      sumWithout += wo;
      lines.push(`| \`${id}\` | ${pct(w)} | ${pct(wo)} | ${signed((w - wo) * 100, 0)} pts |`);
    }
    const n = meta.caseIds.length || 1;
    lines.push(`| **All** | **${pct(sumWith / n)}** | **${pct(sumWithout / n)}** | **${signed(((sumWith - sumWithout) / n) * 100, 0)} pts** |`, '');
    const errors = records.filter((r) => r.error);
    if (errors.length) lines.push(`${errors.length} run(s) failed before grading (counted as failed): ${[...new Set(errors.map((e) => e.error))].slice(0, 3).join('; ')}`, '');
  }
  if (triggers.length) {
    const passed = triggers.filter((t) => t.pass).length;
    lines.push(`**Trigger cases**: ${passed} of ${triggers.length} passed.`, '');
    const failed = triggers.filter((t) => !t.pass);
    if (failed.length) {
      lines.push('| Query | Should load | Load rate |', '| --- | --- | --- |');
      for (const t of failed) lines.push(`| ${t.query.replace(/\|/g, '\\|').slice(0, 90)} | ${t.should_trigger ? 'yes' : 'no'} | ${pct(t.trigger_rate)} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}
