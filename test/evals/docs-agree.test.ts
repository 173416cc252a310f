// The skill's own documents and the graders agree: no code the skill shows an agent builds SQL
// in a way the safe-SQL graders would fail. A block whose first line is a comment containing
// `counter-example` is exempt (it shows what not to do).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../evals/lib/analyze.js';
import { fencedBlocks, langOfTag } from '../../evals/lib/code.js';
import { loadParsers } from '../../evals/lib/parsers.js';
import { parsePlain } from '../../evals/lib/transcript.js';
import { ROOT } from '../support/run.js';

const docs = [join(ROOT, 'SKILL.md'), ...readdirSync(join(ROOT, 'references'), { recursive: true }).map(String).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'references', f))];

beforeAll(async () => {
  await loadParsers();
});

describe('code in SKILL.md and references/ passes the safe-SQL graders', () => {
  it.each(docs.map((d) => [relative(ROOT, d), d] as const))('%s', async (_, path) => {
    const blocks = fencedBlocks(readFileSync(path, 'utf8')).filter(
      (b) => ['ts', 'python', 'shell'].includes(langOfTag(b.tag)) && !/^\s*(\/\/|#|--).*counter-example/.test(b.text.split('\n')[0] ?? ''),
    );
    const unsafe: string[] = [];
    for (const b of blocks) {
      const f = await analyze(parsePlain('```' + b.tag + '\n' + b.text + '\n```'));
      for (const c of f.constructions.filter((x) => x.kind === 'unsafe')) unsafe.push(`block at line ${b.line}, code line ${c.line}: ${c.how}: ${c.snippet}`);
    }
    expect(unsafe).toEqual([]);
  });

  it('found the Workflow 4a examples to check', () => {
    const skill = readFileSync(join(ROOT, 'SKILL.md'), 'utf8');
    expect(fencedBlocks(skill).filter((b) => /safe_query/.test(b.text)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('the passing fixtures use only commands and flags the scripts have', () => {
  it('every flag of every script call in a passing fixture is listed in that script\'s --help', async () => {
    const { loadSuites, functionalCases } = await import('../../evals/lib/cases.js');
    const { loadFixture } = await import('../../evals/lib/fixtures.js');
    const { runScript } = await import('../support/run.js');
    const { existsSync } = await import('node:fs');
    const helpFlags = new Map<string, Set<string>>();
    const problems: string[] = [];
    let checked = 0;
    for (const c of functionalCases(loadSuites())) {
      for (const fx of c.fixtures.filter((x) => !x.fails?.length)) {
        const f = await analyze(loadFixture(fx.transcript));
        for (const inv of f.invocations.filter((i) => i.isScript)) {
          expect(existsSync(join(ROOT, 'scripts', `${inv.program}.ts`)), `${fx.transcript}: scripts/${inv.program}.ts exists`).toBe(true);
          if (!helpFlags.has(inv.program)) {
            const help = await runScript(`${inv.program}.ts`, ['--help']);
            expect(help.code, `${inv.program} --help`).toBe(0);
            helpFlags.set(inv.program, new Set(help.stdout.match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? []));
          }
          for (const flag of inv.flags.keys()) {
            checked++;
            if (!helpFlags.get(inv.program)!.has(flag)) problems.push(`${fx.transcript}: ${inv.program} ${flag}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  }, 120_000);

  it('the handoff artifacts are what their cases say: in scope (exit 0), out of scope (3), unusable (1)', async () => {
    const { runScript } = await import('../support/run.js');
    const expected: Record<string, number> = { 'r-7f3a': 0, 'r-9c21': 3, 'r-0bad': 1 };
    for (const [id, code] of Object.entries(expected)) {
      const r = await runScript('validate-handoff.ts', ['--json', join(ROOT, 'evals', 'files', 'aws_dbs_requirements', id, 'requirements.json')]);
      expect(r.code, `${id}: ${r.stderr}`).toBe(code);
    }
  }, 60_000);
});
