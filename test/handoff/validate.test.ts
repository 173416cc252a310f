import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { validateHandoff, type HandoffReport } from '../../scripts/lib/handoff/index.js';
import { EXAMPLE_PATH, example, variant, writeArtifact } from './support.js';

type Usable = Extract<HandoffReport, { usable: true }>;
type Unusable = Extract<HandoffReport, { usable: false }>;

async function usable(content: unknown): Promise<Usable> {
  const report = await validateHandoff(writeArtifact(content));
  if (!report.usable) throw new Error(`expected a usable artifact, got ${JSON.stringify(report.errors)}`);
  return report;
}

async function unusable(content: unknown): Promise<Unusable> {
  const report = await validateHandoff(writeArtifact(content));
  expect(report.usable).toBe(false);
  return report as Unusable;
}

const pointers = (r: Unusable) => r.errors.map((e) => e.pointer);

describe('the documented example', () => {
  it('is valid, in scope, and acknowledged with its own facts', async () => {
    const report = await validateHandoff(EXAMPLE_PATH);
    expect(report.usable).toBe(true);
    const r = report as Usable;
    const req = example();
    expect(r.schema_version).toBe(req.schema_version);
    expect(r.ignored_fields).toEqual([]);
    expect(r.scope).toMatchObject({ verdict: 'in_scope', reasons: [], suggestion: null });
    expect(r.acknowledgment.dominant_shapes).toEqual(req.workload_primaries.dominant_shapes);
    expect(r.acknowledgment.hard_constraints.map((c) => c.statement)).toEqual(req.hard_constraints.map((c) => c.statement));
    expect(r.acknowledgment.migration_context).toEqual(req.migration_context);
    expect(r.acknowledgment.regions).toEqual([req.regions!.primary, ...req.regions!.additional!]);
    // One or two bold sentences, each citing the facts.
    const sentences = r.acknowledgment.text.match(/\*\*[^*]+\*\*/g) ?? [];
    expect(sentences.length).toBeGreaterThanOrEqual(1);
    expect(sentences.length).toBeLessThanOrEqual(2);
    for (const s of req.workload_primaries.dominant_shapes) expect(r.acknowledgment.text).toContain(`\`${s.shape}\``);
    expect(r.acknowledgment.text).toContain(`\`${req.migration_context.source_engine}\``);
    expect(r.acknowledgment.text).toContain(req.hard_constraints[0]!.statement.replace(/\.$/, ''));
  });

  it('gets notes for its minor shape, its triggers and its MySQL source', async () => {
    const r = (await validateHandoff(EXAMPLE_PATH)) as Usable;
    const evidence = r.scope.notes.flatMap((n) => n.evidence);
    expect(evidence).toContain('/workload_primaries/dominant_shapes/2/shape'); // full_text_search
    expect(evidence).toContain(`/migration_context/features_in_use/${example().migration_context.features_in_use!.indexOf('triggers')}`);
    expect(r.scope.notes.find((n) => n.evidence.includes('/migration_context/source_engine'))?.message).toMatch(/MySQL-to-DSQL/);
  });
});

describe('scope rules: each one alone makes a valid artifact out of scope', () => {
  const cases: { name: string; change: Parameters<typeof variant>[0]; rule: string; skill: string; evidence: string[] }[] = [
    {
      name: 'PostgreSQL extensions as a hard constraint',
      change: (r) => void r.hard_constraints.push({ kind: 'postgresql_extensions', statement: 'Similarity search with pgvector.', items: ['pgvector'] }),
      rule: 'postgresql-features',
      skill: 'amazon-aurora-postgresql',
      evidence: ['/hard_constraints/2'],
    },
    {
      name: 'triggers as a hard constraint',
      change: (r) => void r.hard_constraints.push({ kind: 'triggers', statement: 'Audit triggers must stay in the database.' }),
      rule: 'postgresql-features',
      skill: 'amazon-aurora-postgresql',
      evidence: ['/hard_constraints/2'],
    },
    {
      name: 'triggers as a hard constraint',
      change: (r) => void r.hard_constraints.unshift({ kind: 'triggers', statement: 'Audit triggers stay.' }),
      rule: 'postgresql-features',
      skill: 'amazon-aurora-postgresql',
      evidence: ['/hard_constraints/0'],
    },
    {
      name: 'an Oracle engine requirement',
      change: (r) => void r.hard_constraints.push({ kind: 'engine', engine: 'oracle', statement: 'The vendor package only supports Oracle.' }),
      rule: 'non-postgresql-engine',
      skill: 'rds-oracle',
      evidence: ['/hard_constraints/2'],
    },
    {
      name: 'a MySQL engine requirement',
      change: (r) => void r.hard_constraints.push({ kind: 'engine', engine: 'mysql', statement: 'Stay on MySQL.' }),
      rule: 'non-postgresql-engine',
      skill: 'rds-oss',
      evidence: ['/hard_constraints/2'],
    },
    {
      name: 'a SQL Server engine requirement',
      change: (r) => void r.hard_constraints.push({ kind: 'engine', engine: 'sqlserver', statement: 'Stay on SQL Server.' }),
      rule: 'non-postgresql-engine',
      skill: 'rds-sqlserver',
      evidence: ['/hard_constraints/2'],
    },
    {
      name: 'no relational shape',
      change: (r) => void (r.workload_primaries.dominant_shapes = [{ shape: 'key_value', share_pct: 70 }, { shape: 'graph', share_pct: 30 }]),
      rule: 'non-relational-workload',
      skill: 'aws-database-selection',
      evidence: ['/workload_primaries/dominant_shapes/0/shape', '/workload_primaries/dominant_shapes/1/shape'],
    },
    {
      name: 'neither multi-Region strong consistency nor serverless needed',
      change: (r) => {
        r.consistency = { multi_region_strong: 'not_needed' };
        r.operations = { serverless: 'not_needed' };
      },
      rule: 'no-dsql-differentiator',
      skill: 'aws-database-selection',
      evidence: ['/consistency/multi_region_strong', '/operations/serverless'],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const r = await usable(variant(c.change));
      expect(r.scope.verdict).toBe('out_of_scope');
      expect(r.scope.reasons.map((x) => x.rule)).toEqual([c.rule]);
      expect(r.scope.reasons[0]!.evidence).toEqual(c.evidence);
      expect(r.scope.suggestion?.skill).toBe(c.skill);
      expect(r.next).toMatch(/ask the user/);
    });
  }

  it('a PostgreSQL engine requirement is in scope', async () => {
    const r = await usable(variant((req) => void req.hard_constraints.push({ kind: 'engine', engine: 'postgresql', statement: 'Must speak PostgreSQL.' })));
    expect(r.scope.verdict).toBe('in_scope');
  });

  it('only one of the two DSQL reasons ruled out is still in scope', async () => {
    const r = await usable(variant((req) => void (req.consistency = { multi_region_strong: 'not_needed' })));
    expect(r.scope.verdict).toBe('in_scope');
  });

  it('neither reason stated is in scope, with a note to confirm', async () => {
    const r = await usable(variant((req) => {
      delete req.consistency;
      req.operations = { serverless: 'unknown' };
    }));
    expect(r.scope.verdict).toBe('in_scope');
    expect(r.scope.notes.map((n) => n.message).join('\n')).toMatch(/confirm with the user/);
  });

  it('lists every rule that fires, the engine rule first', async () => {
    const r = await usable(variant((req) => {
      req.hard_constraints.push({ kind: 'triggers', statement: 'Keep triggers.' }, { kind: 'engine', engine: 'db2', statement: 'Stay on Db2.' });
      req.workload_primaries.dominant_shapes = [{ shape: 'time_series' }];
    }));
    expect(r.scope.reasons.map((x) => x.rule)).toEqual(['non-postgresql-engine', 'postgresql-features', 'non-relational-workload']);
    expect(r.scope.suggestion?.skill).toBe('rds-db2');
  });

  it('a trigger in use but not required is a note, not a verdict; stored procedures (PL/pgSQL) need none', async () => {
    const r = await usable(variant((req) => void (req.migration_context.features_in_use = ['triggers', 'stored_procedures'])));
    expect(r.scope.verdict).toBe('in_scope');
    const moves = r.scope.notes.filter((n) => /moves into the application/.test(n.message));
    expect(moves.map((n) => n.evidence)).toEqual([['/migration_context/features_in_use/0']]);
  });

  it('a shape "other" alone is not judged out of scope', async () => {
    const r = await usable(variant((req) => void (req.workload_primaries.dominant_shapes = [{ shape: 'other', detail: 'event sourcing' }])));
    expect(r.scope.verdict).toBe('in_scope');
    expect(r.scope.notes.some((n) => n.evidence.includes('/workload_primaries/dominant_shapes/0/shape'))).toBe(true);
  });
});

describe('unusable artifacts: every error with its pointer', () => {
  it('wrong types', async () => {
    const r = await unusable(variant((req) => {
      (req.workload_primaries.dominant_shapes[0] as unknown as Record<string, unknown>).share_pct = '60%';
      (req.workload_primaries as Record<string, unknown>).multi_tenant = 'yes';
      (req.workload_primaries as Record<string, unknown>).tenant_count = 400.5;
      (req as Record<string, unknown>).hard_constraints = { kind: 'other' };
    }));
    expect(r.problem).toBe('schema');
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/workload_primaries/dominant_shapes/0/share_pct', keyword: 'type', message: 'must be a number; got "60%"' }),
        expect.objectContaining({ pointer: '/workload_primaries/multi_tenant', message: 'must be a boolean; got "yes"' }),
        expect.objectContaining({ pointer: '/workload_primaries/tenant_count', message: 'must be an integer; got 400.5' }),
        expect.objectContaining({ pointer: '/hard_constraints', message: 'must be an array; got an object' }),
      ]),
    );
    expect(r.error_count).toBe(4);
    expect(r.next).toMatch(/continue without it/);
  });

  it('missing required fields, pointing at the missing field itself', async () => {
    const r = await unusable(variant((req) => {
      delete (req as Partial<typeof req>).hard_constraints;
      delete (req.workload_primaries as Partial<typeof req.workload_primaries>).dominant_shapes;
      req.migration_context = { kind: 'migration' };
    }));
    expect(pointers(r).sort()).toEqual(['/hard_constraints', '/migration_context/source_engine', '/workload_primaries/dominant_shapes']);
    expect(r.errors.find((e) => e.pointer === '/migration_context/source_engine')?.message).toBe('is required here (kind is "migration")');
    expect(r.errors.find((e) => e.pointer === '/hard_constraints')?.message).toBe('is required but missing');
  });

  it('enum, pattern, format and range violations', async () => {
    const r = await unusable(variant((req) => {
      req.schema_version = '2.0';
      req.created_at = 'last Tuesday';
      req.regions = { primary: 'Frankfurt' };
      req.workload_primaries.dominant_shapes[0]!.shape = 'oltp';
      req.workload_primaries.read_pct = 120;
      req.hard_constraints[0]!.statement = '';
    }));
    const byPointer = Object.fromEntries(r.errors.map((e) => [e.pointer, e.message]));
    expect(byPointer['/schema_version']).toMatch(/^must be a 1\.x version .*; got "2\.0"$/);
    expect(byPointer['/created_at']).toMatch(/^must be a date-time .*; got "last Tuesday"$/);
    expect(byPointer['/regions/primary']).toMatch(/^must be an AWS Region name .*; got "Frankfurt"$/);
    expect(byPointer['/workload_primaries/dominant_shapes/0/shape']).toMatch(/^must be one of "relational_oltp", .*"other"; got "oltp"$/);
    expect(byPointer['/workload_primaries/read_pct']).toBe('must be <= 100; got 120');
    expect(byPointer['/hard_constraints/0/statement']).toBe('must not be empty');
    expect(r.error_count).toBe(6);
  });

  it('conditional requirements of hard constraints', async () => {
    const r = await unusable(variant((req) => void req.hard_constraints.push({ kind: 'engine', statement: 'x' }, { kind: 'postgresql_extensions', statement: 'y' })));
    expect(r.errors).toEqual([
      { pointer: '/hard_constraints/2/engine', message: 'is required here (kind is "engine")', keyword: 'required' },
      { pointer: '/hard_constraints/3/items', message: 'is required here (kind is "postgresql_extensions")', keyword: 'required' },
    ]);
  });

  it('cross-field checks: repeated shape, shares over 100, primary Region repeated', async () => {
    const r = await unusable(variant((req) => {
      req.workload_primaries.dominant_shapes.push({ shape: 'relational_oltp', share_pct: 30 });
      req.regions!.additional!.push('eu-west-1');
    }));
    expect(r.errors.map((e) => [e.pointer, e.keyword])).toEqual([
      ['/workload_primaries/dominant_shapes/3/shape', 'consistency'],
      ['/workload_primaries/dominant_shapes', 'consistency'],
      ['/regions/additional/1', 'consistency'],
    ]);
    expect(r.errors[1]!.message).toBe('share_pct values add up to 130; they must add up to at most 100');
  });

  it('a document that is not an object', async () => {
    for (const doc of ['[]', '"requirements"', 'null', '42']) {
      const r = await unusable(doc);
      expect(r.errors).toEqual([{ pointer: '', message: `must be an object; got ${doc === '[]' ? 'an array of 0' : doc}`, keyword: 'type' }]);
    }
  });

  it('lists at most 50 errors and counts them all', async () => {
    const r = await unusable(variant((req) => void (req.workload_primaries.access_patterns = Array.from({ length: 50 }, (_, i) => i) as unknown as string[])));
    expect(r.errors).toHaveLength(50);
    expect(r.error_count).toBe(50);
    const more = await unusable(variant((req) => {
      req.workload_primaries.access_patterns = Array.from({ length: 50 }, (_, i) => i) as unknown as string[];
      req.summary = 7 as unknown as string;
    }));
    expect(more.errors).toHaveLength(50);
    expect(more.error_count).toBe(51);
  });
});

describe('unknown extra fields are ignored and listed', () => {
  it('at any depth, as pointers, without changing the verdict', async () => {
    const r = await usable(variant((req) => {
      req.x_parent_notes = 'from the interview';
      (req.migration_context as unknown as Record<string, unknown>).cutover_window = 'weekend';
      (req.hard_constraints[1] as unknown as Record<string, unknown>)['priority/level'] = 1;
    }));
    expect(r.scope.verdict).toBe('in_scope');
    expect(r.ignored_fields.map((f) => f.pointer).sort()).toEqual(['/hard_constraints/1/priority~1level', '/migration_context/cutover_window', '/x_parent_notes']);
  });

  it('a "$schema" member is part of the schema, not an unknown field', async () => {
    const r = await usable(variant((req) => void (req.$schema = 'schemas/requirements.schema.json')));
    expect(r.ignored_fields).toEqual([]);
  });
});

describe('files that cannot be used', () => {
  it('malformed JSON, with the line and column of the mistake', async () => {
    const text = '{\n  "schema_version": "1.0",\n  "hard_constraints": [],\n}\n';
    const r = await unusable(text);
    expect(r.problem).toBe('not_json');
    // The stray comma is on line 3; JSON.parse stops at the "}" on line 4, column 1.
    expect(r.message).toMatch(/is not valid JSON: .* at line 4, column 1$/);
    expect(r).toMatchObject({ line: 4, column: 1, errors: [], error_count: 0 });
  });

  it('an empty file', async () => {
    expect((await unusable('  \n')).message).toMatch(/is empty$/);
  });

  it('bytes that are not UTF-8', async () => {
    const path = writeArtifact('');
    writeFileSync(path, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    const r = (await validateHandoff(path)) as Unusable;
    expect(r).toMatchObject({ usable: false, problem: 'not_utf8' });
  });

  it('a UTF-8 byte-order mark is accepted', async () => {
    const path = writeArtifact('\ufeff' + JSON.stringify(example()));
    expect((await validateHandoff(path)).usable).toBe(true);
  });

  it('a path that does not exist', async () => {
    const r = (await validateHandoff('/nonexistent/aws_dbs_requirements/x/requirements.json')) as Unusable;
    expect(r).toMatchObject({ usable: false, problem: 'unreadable', errors: [], error_count: 0 });
    expect(r.message).toBe('/nonexistent/aws_dbs_requirements/x/requirements.json does not exist');
  });

  it('a directory', async () => {
    const r = (await validateHandoff(tmpdir())) as Unusable;
    expect(r).toMatchObject({ problem: 'unreadable' });
    expect(r.message).toMatch(/is a directory/);
  });
});
