#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// safe_query: the safe SQL builder. Import it in TypeScript, or use the command line from shell scripts.
//
//   import { build, ident, regex, TENANT_SLUG } from './scripts/safe_query.ts';
//   const sql = build('SELECT * FROM {t} WHERE tenant_id = {tid}', { t: ident('orders'), tid: regex(req.tenant, TENANT_SLUG) });
import { readFileSync, writeFileSync } from 'node:fs';
import { defineCommand, UsageError, UserError } from './lib/cli/index.js';
import {
  allow,
  build,
  ident,
  integer,
  INT,
  ISO_DATE,
  keyword,
  literal,
  regex,
  TENANT_SLUG,
  UnsafeSQLError,
  UUID,
  type SqlFragment,
} from './lib/sql/safe.js';

export { allow, build, ident, integer, INT, ISO_DATE, keyword, literal, regex, TENANT_SLUG, UnsafeSQLError, UUID };
export type { SqlFragment };

const PATTERNS: Record<string, RegExp> = { TENANT_SLUG, UUID, INT, ISO_DATE };

/** Splits NAME=VALUE at the first '='. */
function pair(flag: string, raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} needs NAME=VALUE, got ${JSON.stringify(raw)}`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

export const command = defineCommand({
  name: 'scripts/safe_query.ts',
  summary: 'build one SQL text from a template and validated values (for shell scripts)',
  usage: ['(-t TEMPLATE | --template-file PATH) [PART ...] [-o PATH] [--json]'],
  options: {
    template: { type: 'string', short: 't', value: 'TEMPLATE', description: 'SQL with {name} placeholders; {{ and }} are literal braces' },
    'template-file': { type: 'string', value: 'PATH', description: 'read the template from a file (- for stdin)' },
    ident: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'table/column name, double-quoted; schema.table splits at the dot' },
    integer: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'whole number within BIGINT range, unquoted' },
    regex: { type: 'string', multiple: true, value: 'NAME=PATTERN:VALUE', description: 'value matching TENANT_SLUG, UUID, INT or ISO_DATE, quoted' },
    literal: { type: 'string', multiple: true, value: 'NAME=TEXT', description: 'free text, dollar-quoted with a random tag' },
    'literal-file': { type: 'string', multiple: true, value: 'NAME=PATH', description: 'free text read from a file (- for stdin), verbatim' },
    'literal-env': { type: 'string', multiple: true, value: 'NAME=VAR', description: 'free text from an environment variable (no shell quoting worries)' },
    allow: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'value from the set given by --allowed NAME=..., quoted' },
    keyword: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'keyword from the set given by --allowed NAME=..., unquoted' },
    allowed: { type: 'string', multiple: true, value: 'NAME=A,B', description: 'the allowed set for --allow/--keyword NAME, split at commas; repeat to add more' },
    'allowed-value': { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'add one allowed value for NAME, taken whole (for values that contain commas)' },
    output: { type: 'string', short: 'o', value: 'PATH', description: 'write the SQL to a file (for psql-connect -f) instead of stdout' },
    json: { type: 'boolean', description: 'print {"sql": ...} as JSON' },
  },
  notes: [
    'Each PART fills one {NAME} placeholder: --ident, --integer, --regex, --literal, --literal-file,\n--literal-env, --allow or --keyword (the last two with --allowed NAME=...).',
    'Every value goes through the same validators as the TypeScript API; a value that fails\nprints one line and exits 1, and nothing is printed on stdout.',
  ],
  examples: [
    {
      note: 'tenant-scoped query for psql-connect -c',
      command: `scripts/safe_query.ts -t 'SELECT * FROM {t} WHERE tenant_id = {tid}' --ident t=orders --regex tid=TENANT_SLUG:"$TENANT"`,
    },
    {
      note: 'caller-chosen sort column and direction',
      command: `scripts/safe_query.ts -t 'SELECT * FROM orders ORDER BY {col} {dir} LIMIT {n}' --ident col="$COL" --keyword dir="$DIR" --allowed dir=ASC,DESC --integer n=50`,
    },
    {
      note: 'free text from the environment into a file for psql-connect -f',
      command: `NOTE="it's; fine" scripts/safe_query.ts -t 'INSERT INTO notes (body) VALUES ({b})' --literal-env b=NOTE -o /tmp/insert.sql`,
    },
  ],
  exitCodes: { 1: 'a value failed validation, or a file could not be read' },
  run({ options, io, out, json }) {
    if ((options.template === undefined) === (options['template-file'] === undefined)) {
      throw new UsageError('give exactly one of --template and --template-file');
    }
    const readText = (path: string): string => {
      try {
        return readFileSync(path === '-' ? 0 : path, 'utf8');
      } catch (error) {
        throw new UserError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    };
    const template = options.template ?? readText(options['template-file']!);

    const allowed = new Map<string, string[]>();
    for (const raw of options.allowed) {
      const [name, list] = pair('--allowed', raw);
      allowed.set(name, [...(allowed.get(name) ?? []), ...list.split(',')]);
    }
    for (const raw of options['allowed-value']) {
      const [name, value] = pair('--allowed-value', raw);
      allowed.set(name, [...(allowed.get(name) ?? []), value]);
    }
    const setFor = (flag: string, name: string): string[] => {
      const set = allowed.get(name);
      if (!set) throw new UsageError(`${flag} ${name}=... needs --allowed ${name}=A,B,... (or --allowed-value ${name}=V)`);
      return set;
    };

    const parts: Record<string, SqlFragment> = {};
    const add = (flag: string, raws: string[], make: (name: string, value: string) => SqlFragment) => {
      for (const raw of raws) {
        const [name, value] = pair(flag, raw);
        if (name in parts) throw new UsageError(`placeholder ${name} given more than once`);
        parts[name] = make(name, value);
      }
    };
    try {
      add('--ident', options.ident, (_, v) => ident(...v.split('.')));
      add('--integer', options.integer, (name, v) => integer(v, { label: name }));
      add('--regex', options.regex, (name, v) => {
        const colon = v.indexOf(':');
        const pattern = PATTERNS[v.slice(0, colon)];
        if (colon < 0 || !pattern) throw new UsageError(`--regex ${name} needs PATTERN:VALUE with PATTERN one of ${Object.keys(PATTERNS).join(', ')}`);
        return regex(v.slice(colon + 1), pattern, { label: name });
      });
      add('--literal', options.literal, (name, v) => literal(v, { label: name }));
      add('--literal-file', options['literal-file'], (name, path) => literal(readText(path), { label: name }));
      add('--literal-env', options['literal-env'], (name, variable) => {
        const value = io.env[variable];
        if (value === undefined) throw new UserError(`environment variable ${variable} (for ${name}) is not set`);
        return literal(value, { label: name });
      });
      add('--allow', options.allow, (name, v) => allow(v, setFor('--allow', name), { label: name }));
      add('--keyword', options.keyword, (name, v) => keyword(v, setFor('--keyword', name), { label: name }));
      const sql = build(template, parts);
      if (options.output) {
        writeOutput(options.output, sql);
        if (options.json) json({ sql, output: options.output });
      } else if (options.json) json({ sql });
      else out(sql);
    } catch (error) {
      if (error instanceof UnsafeSQLError) throw new UserError(error.message);
      throw error;
    }
  },
});

function writeOutput(path: string, sql: string): void {
  try {
    // Owner-only: the SQL may hold user data.
    writeFileSync(path, sql.endsWith('\n') ? sql : sql + '\n', { mode: 0o600 });
  } catch (error) {
    throw new UserError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
