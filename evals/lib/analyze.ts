// Runs every language analysis over a transcript's code units, in transcript order.
import { analyzePython } from './analyze-python.js';
import { analyzeShell, type KnownFile } from './analyze-shell.js';
import { analyzeTs, safeNamesOf } from './analyze-ts.js';
import { codeUnits, writtenFiles, type CodeUnit } from './code.js';
import { emptyAnalysis, type Analysis } from './findings.js';
import { loadParsers } from './parsers.js';
import { parseSqlTexts, type ParsedSql } from './sql-facts.js';
import { toolSteps, type Transcript } from './transcript.js';

export interface Facts extends Analysis {
  transcript: Transcript;
  units: CodeUnit[];
  parsedSql: ParsedSql[];
  /** Skills invoked through the Skill tool. */
  skillsUsed: { name: string; step: number }[];
}

/**
 * @param given files that were in the agent's working directory before it started (a case's
 *   `files`), so `psql-connect -f given.sql` is judged on the real content.
 */
export async function analyze(t: Transcript, given: { path: string; content: string }[] = []): Promise<Facts> {
  await loadParsers();
  const out = emptyAnalysis();
  const units = codeUnits(t);
  const files: KnownFile[] = [...given.map((g) => ({ ...g, step: -1 })), ...writtenFiles(t)];
  const skillsUsed: Facts['skillsUsed'] = [];

  for (const step of toolSteps(t)) {
    if (step.name === 'Read' && typeof step.input.file_path === 'string') out.reads.push({ path: step.input.file_path, step: step.index, how: 'Read' });
    if (step.name === 'Skill') {
      const name = String(step.input.skill ?? step.input.command ?? step.input.name ?? '');
      skillsUsed.push({ name, step: step.index });
      // Loading a skill puts its SKILL.md in context.
      out.reads.push({ path: `${name.replace(/^.*:/, '')}/SKILL.md`, step: step.index, how: 'Skill' });
    }
  }

  const allText = [t.finalText, ...t.steps.map((s) => (s.kind === 'text' ? s.text : JSON.stringify(s.input)))].join('\n');
  const names = safeNamesOf(units.filter((u) => u.lang === 'ts'), /safe_query/.test(allText));
  for (const unit of units) {
    if (unit.lang === 'ts') analyzeTs(unit, names, out);
    else if (unit.lang === 'python') analyzePython(unit, out);
    else if (unit.lang === 'shell') analyzeShell(unit, files, out);
    else if (unit.lang === 'sql') out.sql.push({ sql: unit.text, sink: 'shown', ran: false, from: 'block', origin: unit.origin, step: unit.step });
  }
  return { ...out, transcript: t, units, parsedSql: parseSqlTexts(out.sql), skillsUsed };
}
