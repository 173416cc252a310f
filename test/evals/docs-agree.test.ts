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
