// Column types as DSQL sees them: the canonical name of a TypeName node, the name
// PostgreSQL displays (DSQL's messages use it: "datatype integer[] not supported"),
// and the lists the type rules consult.
import type { TypeName } from '@pgsql/types';
import { num, strings } from './ast.js';

/** format_type's names for catalog types that display differently. */
const DISPLAY: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  varbit: 'bit varying',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
};

export interface ColumnType {
  /** Canonical name, e.g. 'int4', 'varchar', 'serial', 'jsonb', 'my_domain' (case kept when it was quoted). */
  name: string;
  /** Schema written or implied (pg_catalog for SQL-standard keyword types). */
  schema?: string;
  /** Numeric type modifiers, e.g. [10, 2] for numeric(10,2); undefined entries are not literals. */
  mods: (number | undefined)[];
  array: boolean;
  /** The name as PostgreSQL displays it, with [] for arrays. */
  display: string;
  /** The name as written in the statement (last part), for "type x does not exist" messages. */
  written: string;
}

export function columnType(typeName: TypeName | undefined): ColumnType | undefined {
  if (!typeName?.names?.length) return undefined;
  const parts = strings(typeName.names);
  const last = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[0] : undefined;
  // The parser gives SQL's type keywords as pg_catalog names (integer -> pg_catalog.int4) and folds
  // other unquoted names to lower case; a quoted "Money" or "integer" is some other type.
  const name = last;
  const array = (typeName.arrayBounds?.length ?? 0) > 0;
  const base = schema === undefined || schema === 'pg_catalog' ? (DISPLAY[name] ?? name) : name;
  return {
    name,
    schema,
    mods: (typeName.typmods ?? []).map((m) => num(m)),
    array,
    display: array ? `${base}[]` : base,
    written: last,
  };
}

/** True when the type is the built-in one (written unqualified or in pg_catalog). */
export function isBuiltin(t: ColumnType): boolean {
  return t.schema === undefined || t.schema === 'pg_catalog';
}

export const SERIAL_TYPES: ReadonlySet<string> = new Set(['serial', 'serial4', 'serial2', 'serial8', 'smallserial', 'bigserial']);

/** Built-in types DSQL cannot store in a column (recorded or documented). */
export const UNSUPPORTED_COLUMN_TYPES: ReadonlySet<string> = new Set([
  'money', 'xml', 'inet', 'cidr', 'macaddr', 'macaddr8',
  'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle',
  'tsvector', 'tsquery',
  'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange',
  'int4multirange', 'int8multirange', 'nummultirange', 'tsmultirange', 'tstzmultirange', 'datemultirange',
  'bit', 'varbit', 'pg_lsn', 'txid_snapshot', 'pg_snapshot',
]);

/** Types that come only from extensions, which DSQL cannot install. */
export const EXTENSION_TYPES: ReadonlySet<string> = new Set([
  'citext', 'hstore', 'geometry', 'geography', 'box2d', 'box3d', 'raster',
  'vector', 'halfvec', 'sparsevec', 'ltree', 'lquery', 'ltxtquery', 'cube', 'seg',
  'isbn', 'isbn13', 'issn', 'issn13', 'ean13', 'upc', 'ismn', 'ismn13',
]);

/** Types DSQL stores but cannot use as a key (primary key, unique, index). */
export const NON_KEY_TYPES: ReadonlySet<string> = new Set(['bytea', 'interval', 'timetz', 'json', 'jsonb']);

/**
 * Declared maximum size in bytes of a key column, for the 2000-byte key rule, or
 * undefined when it has no declared bound (text, numeric...) or is fixed and small.
 */
export function declaredBytes(t: ColumnType): number {
  if ((t.name === 'varchar' || t.name === 'bpchar') && typeof t.mods[0] === 'number') return t.mods[0];
  const fixed: Record<string, number> = { int2: 2, int4: 4, int8: 8, float4: 4, float8: 8, bool: 1, uuid: 16, date: 4, time: 8, timestamp: 8, timestamptz: 8 };
  return fixed[t.name] ?? 0;
}
