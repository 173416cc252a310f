// Phase 2: catalog evidence for the tables a query touches (references/query-plan/catalog-queries.md):
// the planner's row estimate (pg_class.reltuples) next to a real count(*) when the table is small
// enough to count, pg_stats for the columns in predicates and joins, and the indexes (pg_indexes,
// with pg_index.indisvalid, since DSQL builds indexes asynchronously).
import { tableOfColumn, type QueryShape, type TableRef } from './query.js';
import { readOnly, run, StatementError, type SqlSession } from './session.js';

export interface ColumnStats {
  column: string;
  nullFrac: number | null;
  /** Negative: a fraction of the row count (−1 = all distinct). */
  nDistinct: number | null;
  /** The most common values as the catalog prints them (text), and their frequencies. */
  mostCommonValues: string | null;
  mostCommonFreqs: number[] | null;
  correlation: number | null;
}

export interface IndexInfo {
  name: string;
  definition: string;
  valid: boolean;
  primary: boolean;
}

export interface TableEvidence {
  /** How the query names it. */
  refs: string[];
  schema: string;
  name: string;
  /** `table`, `view`, `materialized view`, ... */
  kind: string;
  /** The planner's row estimate; null when the table was never analyzed (reltuples −1). */
  reltuples: number | null;
  relpages: number | null;
  /** A real count(*), when counted. */
  count?: number;
  /** Why there is no count (too large, a view, or the error). */
  countNote?: string;
  columns: string[];
  /** Columns of this table used in predicates, joins, grouping or ordering. */
  predicateColumns: string[];
  stats: ColumnStats[];
  /** Predicate columns with no pg_stats row: never analyzed. */
  unanalyzedColumns: string[];
  indexes: IndexInfo[];
  /** |reltuples − count| ÷ count, when both are known. */
  staleness?: number;
}

export interface Evidence {
  tables: TableEvidence[];
  /** Tables named in the query that the catalog does not know (CTEs are excluded earlier). */
  unresolved: string[];
}

export interface EvidenceOptions {
  /** Count a table only when reltuples is at most this (default 5,000,000); 0 never counts. */
  countLimit?: number;
}

export const DEFAULT_COUNT_LIMIT = 5_000_000;
/** Statistics are stale when reltuples is off from the count by more than this share. */
export const STALE_SHARE = 0.2;

/** A name as a quoted SQL identifier (catalog names may hold any character). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const RELKIND: Record<string, string> = { r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table' };

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function parseFreqs(v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(Number);
  const inner = String(v).replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}

async function resolveTable(session: SqlSession, t: TableRef) {
  const qualified = t.schema ? `${quoteIdent(t.schema)}.${quoteIdent(t.name)}` : quoteIdent(t.name);
  const rows = await run(
    session,
    `SELECT c.oid::text AS oid, n.nspname, c.relname, c.relkind::text AS relkind, c.reltuples::float8 AS reltuples, c.relpages::float8 AS relpages
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [qualified],
  );
  return rows[0];
}

/** Gathers the evidence for every table in the query, inside one read-only transaction (counts in their own). */
export async function gatherEvidence(session: SqlSession, shape: QueryShape, options: EvidenceOptions = {}): Promise<Evidence> {
  const countLimit = options.countLimit ?? DEFAULT_COUNT_LIMIT;
  const tables: TableEvidence[] = [];
  const unresolved: string[] = [];
  const byRef = new Map<string, TableEvidence>();

  await readOnly(session, async () => {
    for (const t of shape.tables) {
      const row = await resolveTable(session, t);
      if (!row) {
        unresolved.push(t.schema ? `${t.schema}.${t.name}` : t.name);
        continue;
      }
      const existing = tables.find((e) => e.schema === row.nspname && e.name === row.relname);
      if (existing) {
        if (!existing.refs.includes(t.ref)) existing.refs.push(t.ref);
        byRef.set(t.ref, existing);
        continue;
      }
      const oid = String(row.oid);
      const columns = (
        await run(session, `SELECT attname FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [oid])
      ).map((r) => String(r.attname));
      const indexes = (
        await run(
          session,
          `SELECT x.indexname, x.indexdef, i.indisvalid, i.indisprimary
             FROM pg_indexes x
             JOIN pg_namespace n ON n.nspname = x.schemaname
             JOIN pg_class c ON c.relname = x.indexname AND c.relnamespace = n.oid
             JOIN pg_index i ON i.indexrelid = c.oid
            WHERE x.schemaname = $1 AND x.tablename = $2
            ORDER BY x.indexname`,
          [row.nspname, row.relname],
        )
      ).map((r) => ({ name: String(r.indexname), definition: String(r.indexdef), valid: Boolean(r.indisvalid), primary: Boolean(r.indisprimary) }));
      const reltuples = num(row.reltuples);
      const ev: TableEvidence = {
        refs: [t.ref],
        schema: String(row.nspname),
        name: String(row.relname),
        kind: RELKIND[String(row.relkind)] ?? String(row.relkind),
        reltuples: reltuples !== null && reltuples < 0 ? null : reltuples,
        relpages: num(row.relpages),
        columns,
        predicateColumns: [],
        stats: [],
        unanalyzedColumns: [],
        indexes,
      };
      tables.push(ev);
      byRef.set(t.ref, ev);
    }

    // Which predicate columns belong to which table (unqualified ones by the catalog's column lists).
    for (const use of shape.columns) {
      const owner = tableOfColumn(use, shape.tables, (t) => byRef.get(t.ref)?.columns);
      const ev = owner && byRef.get(owner.ref);
      if (ev && ev.columns.includes(use.column) && !ev.predicateColumns.includes(use.column)) ev.predicateColumns.push(use.column);
    }
    for (const ev of tables) {
      if (ev.predicateColumns.length === 0) continue;
      const rows = await run(
        session,
        `SELECT attname, null_frac::float8 AS null_frac, n_distinct::float8 AS n_distinct,
                most_common_vals::text AS mcv, most_common_freqs::text AS mcf, correlation::float8 AS correlation
           FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = ANY($3::text[])`,
        [ev.schema, ev.name, ev.predicateColumns],
      );
      ev.stats = ev.predicateColumns
        .map((c) => rows.find((r) => r.attname === c))
        .filter((r): r is Record<string, unknown> => r !== undefined)
        .map((r) => ({
          column: String(r.attname),
          nullFrac: num(r.null_frac),
          nDistinct: num(r.n_distinct),
          mostCommonValues: r.mcv === null || r.mcv === undefined ? null : String(r.mcv),
          mostCommonFreqs: parseFreqs(r.mcf),
          correlation: num(r.correlation),
        }));
      ev.unanalyzedColumns = ev.predicateColumns.filter((c) => !rows.some((r) => r.attname === c));
    }
  });

  // count(*) where it can finish well inside DSQL's 5-minute transaction limit.
  for (const ev of tables) {
    if (ev.kind !== 'table') {
      ev.countNote = `not counted: a ${ev.kind}`;
      continue;
    }
    if (countLimit === 0) {
      ev.countNote = 'not counted (--count-limit 0)';
      continue;
    }
    if (ev.reltuples !== null && ev.reltuples > countLimit) {
      ev.countNote = `not counted: about ${Math.round(ev.reltuples).toLocaleString('en-US')} rows, over the count limit of ${countLimit.toLocaleString('en-US')}`;
      continue;
    }
    try {
      const rows = await readOnly(session, () => run(session, `SELECT count(*) AS n FROM ${quoteIdent(ev.schema)}.${quoteIdent(ev.name)}`));
      ev.count = Number(rows[0]!.n);
      if (ev.reltuples !== null && ev.count > 0) ev.staleness = Math.abs(ev.reltuples - ev.count) / ev.count;
      else if (ev.reltuples !== null && ev.count === 0 && ev.reltuples > 0) ev.staleness = 1;
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      ev.countNote = `count failed: ${error.server.message}`;
    }
  }
  return { tables, unresolved };
}

/** The evidence for the table a plan node names (`public.orders`, `orders`, or an alias). */
export function tableForRelation(evidence: Evidence, relation: string | undefined, alias?: string): TableEvidence | undefined {
  if (!relation && !alias) return undefined;
  const bare = relation?.split('.').pop()?.replace(/^"(.*)"$/, '$1');
  const schema = relation?.includes('.') ? relation.split('.')[0]!.replace(/^"(.*)"$/, '$1') : undefined;
  return (
    evidence.tables.find((t) => t.name === bare && (schema === undefined || t.schema === schema)) ??
    (alias ? evidence.tables.find((t) => t.refs.includes(alias)) : undefined)
  );
}
