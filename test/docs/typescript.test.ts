// TypeScript in the docs: every ```ts block compiles against the real packages (safe_query and
// the node-postgres DSQL connector), and the safe_query results the docs claim are what the
// code produces, through the API and through the command line.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as safe from '../../scripts/safe_query.js';
import { outsideDir } from '../support/run.js';
import { allDocs, codeBlocks, ROOT, skillDocs } from './support.js';

const run = promisify(execFile);

const tsBlocks = skillDocs().flatMap((d) => codeBlocks(d).filter((b) => b.lang === 'ts' || b.lang === 'typescript'));

// Blocks live under the repository so imports resolve against its node_modules.
const scratch = mkdtempSync(join(ROOT, 'tmp-docs-ts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('TypeScript blocks', () => {
  it('there are blocks to check, including safe_query and connector ones', () => {
    expect(tsBlocks.some((b) => b.code.includes('safe_query'))).toBe(true);
    expect(tsBlocks.some((b) => b.code.includes('@aws/aurora-dsql-node-postgres-connector'))).toBe(true);
  });

  it('every block type-checks as application code (strict TypeScript, NodeNext)', async () => {
    const names = tsBlocks.map((b, i) => {
      const name = `block${String(i).padStart(3, '0')}.ts`;
      // Docs import the skill's modules the way code in the skill folder does: ./scripts/....
      const code = b.code.replaceAll("'./scripts/", "'../scripts/");
      writeFileSync(join(scratch, name), `// ${b.file}:${b.line}\n${code}\nexport {};\n`);
      return name;
    });
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2024'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          isolatedModules: true,
        },
        files: names,
      }),
    );
    mkdirSync(scratch, { recursive: true });
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', scratch], { cwd: ROOT }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    // Map scratch file names back to the doc and line each block came from.
    const located = result.replace(/block(\d{3})\.ts\((\d+),(\d+)\)/g, (_, i: string, line: string) => {
      const b = tsBlocks[Number(i)]!;
      return `${b.file}:${b.line + Number(line) - 2}`;
    });
    expect(located).toBe('');
  }, 120_000);
});

/** The rows of the Markdown table that follows a `<!-- checked: NAME -->` marker. */
function checkedRows(name: string): { file: string; left: string; right: string }[] {
  const rows: { file: string; left: string; right: string }[] = [];
  for (const doc of allDocs()) {
    const at = doc.text.indexOf(`<!-- checked: ${name} -->`);
    if (at < 0) continue;
    const table = doc.text.slice(at).split('\n').slice(1);
    for (const line of table.slice(2)) {
      const m = /^\| `(.+)` \| (.+) \|$/.exec(line);
      if (!m) break;
      rows.push({ file: doc.path, left: m[1]!, right: m[2]! });
    }
  }
  return rows;
}

const TAG = /\$dq_[0-9a-f]{12}\$/g;

describe('safe_query results claimed in the docs', () => {
  const apiRows = checkedRows('safe_query api');
  const cliRows = checkedRows('safe_query cli');

  it('the docs carry both tables', () => {
    expect(apiRows.length).toBeGreaterThanOrEqual(8);
    expect(cliRows.length).toBeGreaterThanOrEqual(3);
  });

  it.each(apiRows.map((r) => [r.left, r] as const))('%s', (_, row) => {
    // The call is evaluated with the module's exports in scope (the `as never` cast is TypeScript only).
    const call = row.left.replace(/ as never/g, '');
    const evaluate = new Function(...Object.keys(safe), `return (${call});`) as (...a: unknown[]) => unknown;
    const claim = row.right.trim();
    if (claim.startsWith('throws')) {
      expect(() => evaluate(...Object.values(safe))).toThrow(safe.UnsafeSQLError);
      return;
    }
    const value = evaluate(...Object.values(safe));
    const text = typeof value === 'string' ? value : String(value);
    expect('`' + text.replace(TAG, '$dq_<tag>$') + '`').toBe(claim);
  });

  it.each(cliRows.map((r) => [r.left, r] as const))('%s', async (_, row) => {
    const shell = await run('sh', ['-c', row.left], { cwd: ROOT, env: { ...process.env } }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    const claim = row.right.trim();
    if (claim.startsWith('exit 1')) {
      expect(shell.code).toBe(1);
      expect(shell.stdout).toBe('');
      return;
    }
    expect(shell.code).toBe(0);
    expect('`' + shell.stdout.trim() + '`').toBe(claim);
  });

  it('runs from another working directory too', async () => {
    const r = await run(join(ROOT, 'scripts', 'safe_query.ts'), ['-t', 'SELECT {n}', '--integer', 'n=7'], { cwd: outsideDir() });
    expect(r.stdout.trim()).toBe('SELECT 7');
  });
});
