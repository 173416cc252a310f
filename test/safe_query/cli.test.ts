// The command-line form of safe_query, for shell scripts that cannot import TypeScript.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../../scripts/lib/sql/parser.js';
import { runScript } from '../support/run.js';

beforeAll(loadParser);
const dir = mkdtempSync(join(tmpdir(), 'safe-query-cli-'));

describe('safe_query command line', () => {
  it('builds a query from typed parts', async () => {
    const r = await runScript('safe_query.ts', [
      '-t', 'SELECT * FROM {t} WHERE tenant_id = {tid} AND day >= {d} ORDER BY {col} {dir} LIMIT {n}',
      '--ident', 't=sales.orders', '--regex', 'tid=TENANT_SLUG:acme-corp', '--regex', 'd=ISO_DATE:2024-02-29',
      '--ident', 'col=created_at', '--keyword', 'dir=DESC', '--allowed', 'dir=ASC,DESC', '--integer', 'n=50',
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`SELECT * FROM "sales"."orders" WHERE tenant_id = 'acme-corp' AND day >= '2024-02-29' ORDER BY "created_at" DESC LIMIT 50\n`);
    expect(parseSql(r.stdout)).toHaveLength(1);
  });

  it('takes free text from the environment, a file or stdin, verbatim', async () => {
    const text = "it's; DROP TABLE t; -- $$ \\ \n second line";
    const file = join(dir, 'note.txt');
    writeFileSync(file, text);
    const env = { ...process.env, NOTE: text };
    for (const args of [['--literal-env', 'b=NOTE'], ['--literal-file', `b=${file}`], ['--literal-file', 'b=-']]) {
      const r = await runScript('safe_query.ts', ['-t', 'INSERT INTO notes (body) VALUES ({b})', ...args], { env, input: text });
      expect(r.code).toBe(0);
      const [stmt] = parseSql(r.stdout);
      const value = (stmt!.node as any).selectStmt.SelectStmt.valuesLists[0].List.items[0].A_Const.sval.sval;
      expect(value).toBe(text);
    }
  });

  it('reads the template from a file and writes owner-only output for psql-connect -f', async () => {
    const template = join(dir, 'q.sql');
    writeFileSync(template, 'SELECT {{"a": 1}} AS j, {x}');
    const out = join(dir, 'out.sql');
    const r = await runScript('safe_query.ts', ['--template-file', template, '--allow', 'x=on', '--allowed', 'x=on,off', '-o', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ sql: `SELECT {"a": 1} AS j, 'on'`, output: out });
    expect(readFileSync(out, 'utf8')).toBe(`SELECT {"a": 1} AS j, 'on'\n`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('takes an allowed value with commas whole through --allowed-value', async () => {
    const ok = await runScript('safe_query.ts', ['-t', 'SELECT {x}', '--allow', 'x=a,b', '--allowed-value', 'x=a,b', '--allowed', 'x=c']);
    expect(ok).toMatchObject({ code: 0, stdout: "SELECT 'a,b'\n" });
    const split = await runScript('safe_query.ts', ['-t', 'SELECT {x}', '--allow', 'x=a,b', '--allowed', 'x=a,b']);
    expect(split.code).toBe(1); // --allowed splits at commas: "a" and "b", not "a,b"
  });

  it('refuses a bad value with one line, exit 1, nothing on stdout', async () => {
    const cases: [string[], string][] = [
      [['-t', 'SELECT {x}', '--regex', "x=UUID:1' OR '1'='1"], `safe_query.ts: x does not match`],
      [['-t', 'SELECT {x}', '--ident', 'x=users; DROP TABLE t'], 'safe_query.ts: invalid identifier'],
      [['-t', 'SELECT {x}', '--integer', 'x=1e3'], 'safe_query.ts: x is not a decimal integer: "1e3"'],
      [['-t', 'SELECT {x}', '--keyword', 'x=desc', '--allowed', 'x=ASC,DESC'], 'safe_query.ts: x is not an allowed keyword: "desc"'],
      [['-t', 'SELECT {x}, {y}', '--integer', 'x=1'], 'safe_query.ts: template and parts differ: missing y'],
      [['-t', 'SELECT {x}', '--literal-env', 'x=UNSET_VARIABLE_FOR_TEST'], 'safe_query.ts: environment variable UNSET_VARIABLE_FOR_TEST (for x) is not set'],
      [['--template-file', join(dir, 'missing.sql')], `safe_query.ts: cannot read ${join(dir, 'missing.sql')}: ENOENT`],
    ];
    for (const [args, message] of cases) {
      const r = await runScript('safe_query.ts', args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2); // one line plus the final newline
      expect(r.stderr).toContain(message);
    }
  });

  it('rejects bad usage with exit 2', async () => {
    const cases: [string[], string][] = [
      [[], 'give exactly one of --template and --template-file'],
      [['-t', 'x', '--template-file', 'y'], 'give exactly one of --template and --template-file'],
      [['-t', 'SELECT {x}', '--ident', 'noequals'], '--ident needs NAME=VALUE, got "noequals"'],
      [['-t', 'SELECT {x}', '--regex', 'x=EMAIL:a@b'], '--regex x needs PATTERN:VALUE with PATTERN one of TENANT_SLUG, UUID, INT, ISO_DATE'],
      [['-t', 'SELECT {x}', '--allow', 'x=a'], '--allow x=... needs --allowed x=A,B,... (or --allowed-value x=V)'],
      [['-t', 'SELECT {x}', '--integer', 'x=1', '--integer', 'x=2'], 'placeholder x given more than once'],
    ];
    for (const [args, message] of cases) {
      const r = await runScript('safe_query.ts', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
