// references/dsql-lint.md lists every rule exactly as the table says. To refresh the list
// after changing the table: UPDATE_RULES_DOC=1 npx vitest run test/rules/docs.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { rulesMarkdown } from '../../scripts/lib/rules/markdown.js';
import { RULES } from '../../scripts/lib/rules/index.js';
import { ROOT } from '../support/run.js';

const path = join(ROOT, 'references', 'dsql-lint.md');
const START = '<!-- rules:start -->\n';
const END = '<!-- rules:end -->';

it('references/dsql-lint.md carries the generated rules list', () => {
  const doc = readFileSync(path, 'utf8');
  const from = doc.indexOf(START) + START.length;
  const to = doc.indexOf(END);
  expect(from).toBeGreaterThan(START.length);
  const wanted = `${rulesMarkdown()}\n`;
  if (process.env.UPDATE_RULES_DOC) writeFileSync(path, doc.slice(0, from) + wanted + doc.slice(to));
  else expect(doc.slice(from, to), 'run with UPDATE_RULES_DOC=1 to refresh').toBe(wanted);
});

it('names every rule id, and every SQLSTATE next to it', () => {
  const doc = readFileSync(path, 'utf8');
  for (const r of RULES) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${r.id}\` |`));
    expect(row, r.id).toBeDefined();
    if (r.sqlstate) expect(row).toContain(`| ${r.sqlstate} |`);
  }
});
