// The artifact's shape as TypeScript sees it once the schema has accepted it, and the checks
// that JSON Schema cannot express (they refer to several fields at once).
import type { SchemaIssue } from './validate.js';

export type Need = 'required' | 'preferred' | 'not_needed' | 'unknown';
export type Engine = 'postgresql' | 'mysql' | 'mariadb' | 'oracle' | 'sqlserver' | 'db2' | 'other';

export interface DominantShape {
  shape: string;
  share_pct?: number;
  detail?: string;
}

export interface HardConstraint {
  kind: string;
  statement: string;
  engine?: Engine;
  items?: string[];
}

export interface MigrationContext {
  kind: 'new_build' | 'migration' | 'modernization';
  source_engine?: Engine;
  source_version?: string;
  data_size_gb?: number;
  features_in_use?: string[];
  notes?: string;
}

export interface Requirements {
  schema_version: string;
  artifact_id?: string;
  created_at?: string;
  produced_by?: { skill: string; version?: string };
  summary?: string;
  workload_primaries: {
    dominant_shapes: DominantShape[];
    access_patterns?: string[];
    read_pct?: number;
    multi_tenant?: boolean;
    tenant_count?: number;
  };
  hard_constraints: HardConstraint[];
  migration_context: MigrationContext;
  regions?: { primary: string; additional?: string[] };
  scale?: {
    peak_reads_per_sec?: number;
    peak_writes_per_sec?: number;
    storage_gb?: number;
    max_connections?: number;
    largest_transaction_rows?: number;
  };
  consistency?: { multi_region_strong?: Need; notes?: string };
  operations?: { serverless?: Need; notes?: string };
}

/** Cross-field rules of schema 1.x, run only on an artifact the schema accepted. */
export function consistencyIssues(req: Requirements): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const issue = (pointer: string, message: string) => issues.push({ pointer, message, keyword: 'consistency' });

  const shapes = req.workload_primaries.dominant_shapes;
  const firstIndex = new Map<string, number>();
  shapes.forEach((s, i) => {
    const first = firstIndex.get(s.shape);
    if (first === undefined) firstIndex.set(s.shape, i);
    else issue(`/workload_primaries/dominant_shapes/${i}/shape`, `repeats the shape ${JSON.stringify(s.shape)} of item ${first}`);
  });
  const total = shapes.reduce((sum, s) => sum + (s.share_pct ?? 0), 0);
  // A little slack for thirds written as 33.3.
  if (total > 100.5) issue('/workload_primaries/dominant_shapes', `share_pct values add up to ${Math.round(total * 10) / 10}; they must add up to at most 100`);

  const regions = req.regions;
  const again = regions?.additional?.indexOf(regions.primary) ?? -1;
  if (again >= 0) issue(`/regions/additional/${again}`, `repeats the primary Region ${JSON.stringify(regions!.primary)}`);
  return issues;
}
