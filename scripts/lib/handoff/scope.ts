// The scope verdict: explicit rules over a schema-valid artifact. A rule that fires makes the
// artifact out of scope and names where to go instead; notes never change the verdict.
// The rules are documented, in this order, in references/handoff.md.
import { RULES } from '../rules/table/index.js';
import { joinWords } from './acknowledge.js';
import type { Engine, Requirements } from './artifact.js';

export interface Suggestion {
  service: string;
  /** The sibling agent skill to hand over to (AWS agent toolkit database skills). */
  skill: string;
}

export interface ScopeReason {
  rule: RuleId;
  message: string;
  /** Pointers to the fields that made the rule fire. */
  evidence: string[];
  suggestion: Suggestion;
}

export interface ScopeNote {
  message: string;
  evidence: string[];
}

export interface ScopeVerdict {
  verdict: 'in_scope' | 'out_of_scope';
  reasons: ScopeReason[];
  /** The first reason's suggestion (rules are ordered by how decisive they are). */
  suggestion: Suggestion | null;
  notes: ScopeNote[];
}

/** The rules, in the order they run (and are documented). */
export const RULE_IDS = ['non-postgresql-engine', 'postgresql-features', 'non-relational-workload', 'no-dsql-differentiator'] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SELECTION: Suggestion = { service: 'a different AWS database (repeat the selection)', skill: 'aws-database-selection' };
export const AURORA_POSTGRESQL: Suggestion = { service: 'Amazon Aurora PostgreSQL-Compatible Edition', skill: 'amazon-aurora-postgresql' };

const RDS: Record<Exclude<Engine, 'postgresql'>, Suggestion> = {
  mysql: { service: 'Amazon RDS for MySQL', skill: 'rds-oss' },
  mariadb: { service: 'Amazon RDS for MariaDB', skill: 'rds-oss' },
  oracle: { service: 'Amazon RDS for Oracle', skill: 'rds-oracle' },
  sqlserver: { service: 'Amazon RDS for SQL Server', skill: 'rds-sqlserver' },
  db2: { service: 'Amazon RDS for Db2', skill: 'rds-db2' },
  other: SELECTION,
};

/** Shapes Aurora DSQL serves: relational transactions with SQL. */
const RELATIONAL = new Set(['relational_oltp', 'multi_tenant_saas', 'ledger']);

/** Where each non-relational shape usually goes. */
const SHAPE_HOME: Record<string, string> = {
  key_value: 'Amazon DynamoDB',
  document: 'Amazon DocumentDB or Amazon DynamoDB',
  graph: 'Amazon Neptune',
  time_series: 'Amazon Timestream',
  analytics: 'Amazon Redshift',
  full_text_search: 'Amazon OpenSearch Service',
  vector_search: 'Aurora PostgreSQL with pgvector, or Amazon OpenSearch Service',
  geospatial: 'Aurora PostgreSQL with PostGIS',
  caching: 'Amazon ElastiCache',
  wide_column: 'Amazon Keyspaces',
};

/**
 * Hard-constraint kinds that rest on a PostgreSQL feature, with the entries of the DSQL rules
 * table that say whether DSQL refuses it. The table is the one source of DSQL behaviour: when
 * DSQL gains a feature and its rule changes, the scope check follows.
 */
export const POSTGRESQL_FEATURES: Record<string, { name: string; rules: string[] }> = {
  postgresql_extensions: { name: 'PostgreSQL extensions', rules: ['unsupported_create_extension'] },
  triggers: { name: 'triggers', rules: ['unsupported_create_trigger'] },
  stored_procedures: { name: 'stored procedures', rules: ['plpgsql'] },
};

/** The rules-table entries by which DSQL refuses this feature (none: DSQL has it). */
function refusedBy(kind: string): string[] {
  return (POSTGRESQL_FEATURES[kind]?.rules ?? []).filter((id) => RULES.some((r) => r.id === id && r.status === 'refused'));
}

export function scopeCheck(req: Requirements): ScopeVerdict {
  const reasons: ScopeReason[] = [];
  const notes: ScopeNote[] = [];
  const constraints = req.hard_constraints.map((c, i) => ({ c, at: `/hard_constraints/${i}` }));

  // 1. The application must stay on an engine that is not PostgreSQL.
  for (const { c, at } of constraints) {
    if (c.kind !== 'engine' || !c.engine || c.engine === 'postgresql') continue;
    const suggestion = RDS[c.engine];
    reasons.push({
      rule: 'non-postgresql-engine',
      message: `a hard constraint requires the ${c.engine} engine ("${c.statement}"); Aurora DSQL is PostgreSQL-compatible only`,
      evidence: [at],
      suggestion,
    });
  }

  // 2. PostgreSQL features DSQL does not have, required outright.
  const pgOnly = constraints.filter(({ c }) => refusedBy(c.kind).length > 0);
  if (pgOnly.length) {
    const named = pgOnly.map(({ c }) => {
      const name = POSTGRESQL_FEATURES[c.kind]!.name;
      return c.kind === 'postgresql_extensions' && c.items?.length ? `${name} (${c.items.join(', ')})` : name;
    });
    const rules = [...new Set(pgOnly.flatMap(({ c }) => refusedBy(c.kind)))];
    reasons.push({
      rule: 'postgresql-features',
      message: `hard constraints require ${joinWords([...new Set(named)])}, which Aurora DSQL refuses (rules ${rules.join(', ')}) and Aurora PostgreSQL supports`,
      evidence: pgOnly.map(({ at }) => at),
      suggestion: AURORA_POSTGRESQL,
    });
  }

  for (const { c, at } of constraints.filter(({ c }) => c.kind in POSTGRESQL_FEATURES && refusedBy(c.kind).length === 0)) {
    notes.push({ message: `the DSQL rules table no longer lists ${POSTGRESQL_FEATURES[c.kind]!.name} as refused, so this constraint does not rule Aurora DSQL out`, evidence: [at] });
  }

  // 3. Nothing relational among the dominant shapes.
  const shapes = req.workload_primaries.dominant_shapes.map((s, i) => ({ s: s.shape, at: `/workload_primaries/dominant_shapes/${i}/shape` }));
  const relational = shapes.filter(({ s }) => RELATIONAL.has(s));
  const foreign = shapes.filter(({ s }) => s in SHAPE_HOME);
  if (relational.length === 0 && foreign.length === shapes.length) {
    reasons.push({
      rule: 'non-relational-workload',
      message: `no dominant shape is relational (${foreign.map(({ s }) => `${s}: ${SHAPE_HOME[s]}`).join('; ')})`,
      evidence: foreign.map(({ at }) => at),
      suggestion: SELECTION,
    });
  } else {
    for (const { s, at } of foreign) notes.push({ message: `the ${s} part of the workload is usually served by ${SHAPE_HOME[s]}, not by Aurora DSQL`, evidence: [at] });
  }
  for (const { at } of shapes.filter(({ s }) => s === 'other')) {
    notes.push({ message: 'a dominant shape is "other"; read its detail, the scope check cannot judge it', evidence: [at] });
  }

  // 4. Neither of the things DSQL is chosen for is wanted.
  const strong = req.consistency?.multi_region_strong;
  const serverless = req.operations?.serverless;
  if (strong === 'not_needed' && serverless === 'not_needed') {
    reasons.push({
      rule: 'no-dsql-differentiator',
      message: 'the artifact says neither multi-Region strong consistency nor serverless operation is needed, which are the reasons to pick Aurora DSQL',
      evidence: ['/consistency/multi_region_strong', '/operations/serverless'],
      suggestion: SELECTION,
    });
  } else if (!isWanted(strong) && !isWanted(serverless)) {
    notes.push({
      message: 'the artifact does not say that multi-Region strong consistency or serverless operation is wanted; confirm with the user if the choice of Aurora DSQL rests on it',
      evidence: [
        ...(strong === undefined ? [] : ['/consistency/multi_region_strong']),
        ...(serverless === undefined ? [] : ['/operations/serverless']),
      ],
    });
  }

  notes.push(...migrationNotes(req));
  return { verdict: reasons.length ? 'out_of_scope' : 'in_scope', reasons, suggestion: reasons[0]?.suggestion ?? null, notes };
}

const isWanted = (need: string | undefined): boolean => need === 'required' || need === 'preferred';

function migrationNotes(req: Requirements): ScopeNote[] {
  const notes: ScopeNote[] = [];
  const m = req.migration_context;
  const hard = new Set(req.hard_constraints.map((c) => c.kind));
  (m.features_in_use ?? []).forEach((feature, i) => {
    if (refusedBy(feature).length && !hard.has(feature)) {
      notes.push({
        message: `the existing application uses ${POSTGRESQL_FEATURES[feature]!.name}, which Aurora DSQL does not have; that logic moves into the application (not a hard constraint, so still in scope)`,
        evidence: [`/migration_context/features_in_use/${i}`],
      });
    }
  });
  if (m.kind !== 'new_build' && m.source_engine) {
    const at = ['/migration_context/source_engine'];
    if (m.source_engine === 'mysql' || m.source_engine === 'mariadb') {
      notes.push({ message: `the source is ${m.source_engine}: this skill's MySQL-to-DSQL migration workflow applies`, evidence: at });
    } else if (m.source_engine !== 'postgresql') {
      notes.push({ message: `the source is ${m.source_engine}: this skill's migration guidance covers MySQL and PostgreSQL sources, so plan the schema conversion separately`, evidence: at });
    }
  }
  return notes;
}
