// Schema validation of a parsed artifact with ajv: every error as a JSON pointer and a plain
// sentence, plus the unknown fields that the schema allows but this skill does not read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsMod from 'ajv-formats';
import { skillRoot } from '../doctor/skill-root.js';

const addFormats = addFormatsMod.default;

export const SCHEMA_FILE = 'schemas/requirements.schema.json';

export interface SchemaIssue {
  /** RFC 6901 pointer into the artifact; "" is the whole document. */
  pointer: string;
  message: string;
  /** The JSON Schema keyword that failed (or "consistency" for the checks beyond the schema). */
  keyword: string;
}

type JsonSchema = Record<string, unknown>;

export function loadSchema(): JsonSchema {
  return JSON.parse(readFileSync(join(skillRoot(), SCHEMA_FILE), 'utf8')) as JsonSchema;
}

/**
 * The same schema with every object closed (additionalProperties: false). Run after the real
 * schema passes, its only errors are the fields the artifact has but the schema does not name.
 */
export function closedVariant(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedVariant);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    // "properties" and "$defs" map names to schemas: close the schemas, never read a name as a keyword.
    out[key] = key === 'properties' || key === '$defs'
      ? Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, closedVariant(v)]))
      : closedVariant(value);
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function compile(schema: unknown): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });
  addFormats(ajv);
  // Our own annotation: the plain sentence to show when a value fails this subschema.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv.compile(schema as JsonSchema);
}

export interface Validator {
  schema: JsonSchema;
  validate(data: unknown): SchemaIssue[];
  unknownFields(data: unknown): SchemaIssue[];
}

export function createValidator(schema: JsonSchema = loadSchema()): Validator {
  const open = compile(schema);
  let closed: ValidateFunction | undefined;
  return {
    schema,
    validate(data) {
      return open(data) ? [] : describeErrors(open.errors ?? []);
    },
    unknownFields(data) {
      closed ??= compile(closedVariant(schema));
      if (closed(data)) return [];
      return (closed.errors ?? [])
        .filter((e) => e.keyword === 'additionalProperties')
        .map((e) => ({
          pointer: `${e.instancePath}/${escapePointer(String(e.params.additionalProperty))}`,
          message: 'is not a field of this schema; ignored',
          keyword: 'additionalProperties',
        }));
    },
  };
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A short rendering of the offending value for "got ..." (values can be long). */
function shown(value: unknown): string {
  const type = jsonType(value);
  if (type === 'object') return 'an object';
  if (type === 'array') return `an array of ${(value as unknown[]).length}`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  'date-time': 'a date-time such as "2026-11-26T09:30:00Z"',
};

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function plainMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const got = `; got ${shown(e.data)}`;
  const custom = (e.parentSchema as JsonSchema | undefined)?.errorMessage;
  if (typeof custom === 'string' && ['pattern', 'type', 'format'].includes(e.keyword)) return `${custom}${got}`;
  switch (e.keyword) {
    case 'type': {
      const want = String(p.type).split(',');
      return `must be ${want.map(article).join(' or ')}${got}`;
    }
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}${got}`;
    case 'format':
      return `must be ${FORMAT_EXAMPLES[String(p.format)] ?? `a valid ${String(p.format)}`}${got}`;
    case 'pattern':
      return `must match the pattern ${String(p.pattern)}${got}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}${got}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters long (it has ${(e.data as string).length})`;
    case 'minItems':
      return p.limit === 1 ? 'must have at least one item' : `must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items (it has ${(e.data as unknown[]).length})`;
    case 'uniqueItems':
      return `must not repeat a value (items ${String(p.j)} and ${String(p.i)} are the same)`;
    default:
      return e.message ?? `fails the schema keyword ${e.keyword}`;
  }
}

/** ajv errors to issues: pointers at the field in question, no duplicates, no wrapper noise. */
export function describeErrors(errors: readonly ErrorObject[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // "if" only says the "then" branch failed; that branch's own error is reported too.
    if (e.keyword === 'if') continue;
    const issue: SchemaIssue = e.keyword === 'required'
      ? {
          pointer: `${e.instancePath}/${escapePointer(String(e.params.missingProperty))}`,
          message: e.schemaPath.includes('/then/') ? `is required here (${thenReason(e)})` : 'is required but missing',
          keyword: 'required',
        }
      : { pointer: e.instancePath, message: plainMessage(e), keyword: e.keyword };
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** Why a conditional field is required: the "if" that selected the branch names the trigger. */
function thenReason(e: ErrorObject): string {
  const data = e.data as Record<string, unknown> | undefined;
  const kind = data?.kind;
  return typeof kind === 'string' ? `kind is ${JSON.stringify(kind)}` : 'conditional';
}
