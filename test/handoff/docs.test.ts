// references/handoff.md and schemas/requirements.schema.json agree with each other and with the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { validateHandoff } from '../../scripts/lib/handoff/index.js';
import { POSTGRESQL_FEATURES, RULE_IDS } from '../../scripts/lib/handoff/scope.js';
import { RULES } from '../../scripts/lib/rules/index.js';
import { loadSchema } from '../../scripts/lib/handoff/validate.js';
import { ROOT, runScript } from '../support/run.js';
import { EXAMPLE_PATH, example } from './support.js';

const doc = readFileSync(join(ROOT, 'references', 'handoff.md'), 'utf8');
const schema = loadSchema() as { $defs: Record<string, { enum?: string[] }>; properties: Record<string, { properties?: Record<string, { enum?: string[] }> }> };

describe('references/handoff.md', () => {
  it('shows the example fixture verbatim as its complete example', () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    expect(JSON.parse(blocks[0]!)).toEqual(example());
  });

  it('quotes the acknowledgment the command prints for that example', async () => {
    const report = await validateHandoff(EXAMPLE_PATH);
    if (!report.usable) throw new Error('example not usable');
    const quoted = [...doc.matchAll(/^> (.*)$/gm)].map((m) => m[1]).join(' ');
    expect(quoted).toBe(report.acknowledgment.text);
  });

  it('names every enumerated value of the schema', () => {
    const enums = [
      ...Object.values(schema.$defs).flatMap((d) => d.enum ?? []),
      ...(schema.properties.migration_context!.properties!.kind!.enum ?? []),
      ...((schema.$defs.hard_constraint as unknown as { properties: { kind: { enum: string[] } } }).properties.kind.enum),
    ];
    expect(enums.length).toBeGreaterThan(40);
    for (const value of enums) expect(doc, value).toContain(`\`${value}\``);
  });

  it('names the rules-table entries the PostgreSQL-features rule reads, which exist in the table', () => {
    for (const { rules } of Object.values(POSTGRESQL_FEATURES)) {
      for (const id of rules) {
        expect(RULES.map((r) => r.id), id).toContain(id);
        expect(doc).toContain(`\`${id}\``);
      }
    }
  });

  it('documents every scope rule, in the order they run', () => {
    const positions = RULE_IDS.map((id) => doc.indexOf(`| \`${id}\` |`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('lists the exit codes that --help lists', async () => {
    const help = (await runScript('validate-handoff.ts', ['--help'])).stdout;
    const codes = [...help.slice(help.indexOf('Exit codes:')).matchAll(/^ {2}([0-9]+) {2}/gm)].map((m) => m[1]);
    expect(codes).toEqual(expect.arrayContaining(['0', '1', '2', '3']));
    for (const code of codes) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});

describe('schemas/requirements.schema.json', () => {
  it('is a valid draft 2020-12 schema', () => {
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect((schema as unknown as Record<string, unknown>).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
