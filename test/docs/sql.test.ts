// SQL in the docs: every ```sql block parses with the real PostgreSQL parser (with DSQL's
// ASYNC), and lints clean with dsql-lint, except counter-examples. A counter-example is marked
// visibly by its first line, `-- counter-example: <rule id>`, and must produce that finding.
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/sql/parser.js';
import { runScript } from '../support/run.js';
import { codeBlocks, skillDocs } from './support.js';

const MARKER = /^--\s*counter-example:\s*([a-z0-9_]+)/;

const blocks = skillDocs().flatMap((d) => codeBlocks(d).filter((b) => b.lang === 'sql'));
const good = blocks.filter((b) => !MARKER.test(b.code));
const counter = blocks.filter((b) => MARKER.test(b.code));
const where = (b: { file: string; line: number }) => `${b.file}:${b.line}`;

describe('SQL blocks', () => {
  it('there are both kinds', () => {
    expect(good.length).toBeGreaterThan(40);
    expect(counter.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((b) => [where(b), b] as const))('%s parses', async (_, block) => {
    const statements = await parse(block.code);
    expect(statements.length).toBeGreaterThan(0);
  });
});

interface LintJson {
  files: { diagnostics: { rule: string; line: number; message: string }[] }[];
}

async function lint(sql: string): Promise<{ code: number | null; rules: string[]; raw: string }> {
  const r = await runScript('dsql-lint.ts', ['--format', 'json', '-'], { input: sql });
  let rules: string[] = [];
  try {
    rules = (JSON.parse(r.stdout) as LintJson).files.flatMap((f) => f.diagnostics.map((d) => `${d.rule}@${d.line}: ${d.message}`));
  } catch {
    // Leave rules empty; the assertion shows the raw output.
  }
  return { code: r.code, rules, raw: r.stdout + r.stderr };
}

describe('SQL blocks and dsql-lint', () => {
  it.each(good.map((b) => [where(b), b] as const))('%s lints clean', async (_, block) => {
    const result = await lint(block.code);
    expect(result.rules).toEqual([]);
    expect(result.code, result.raw).toBe(0);
  });

  it.each(counter.map((b) => [where(b), b] as const))('%s is refused for the rule it names', async (_, block) => {
    const rule = MARKER.exec(block.code)![1]!;
    const result = await lint(block.code);
    expect(result.code).not.toBe(0);
    expect(result.rules.map((r) => r.split('@')[0])).toContain(rule);
  });
});
