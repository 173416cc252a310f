// The lint engine on whole inputs: positions, parse errors, psql scripts, ordering.
import { describe, expect, it } from 'vitest';
import { lintSql, preview } from '../../scripts/lib/lint/engine.js';

describe('lintSql', () => {
  it('reports line and column of the offending part, sorted by position', async () => {
    const sql = 'CREATE TABLE t (\n  id serial,\n  tags text[]\n);\nTRUNCATE t;';
    const { diagnostics } = await lintSql(sql);
    expect(diagnostics.map((d) => [d.rule, d.line, d.column])).toEqual([
      ['serial_type', 2, 6],
      ['array_type', 3, 8],
      ['truncate', 5, 1],
    ]);
    expect(diagnostics[0]!.statementPreview).toBe('CREATE TABLE t ( id serial, tags text[] )');
  });

  it('counts columns in characters after multi-byte text', async () => {
    const { diagnostics } = await lintSql("SELECT 'héllo wörld' AS x; CREATE TABLE t (ip inet)");
    expect(diagnostics[0]).toMatchObject({ rule: 'unsupported_type', line: 1, column: "SELECT 'héllo wörld' AS x; CREATE TABLE t (ip ".length + 1 });
  });

  it('reports a statement the parser refuses and still checks the others', async () => {
    const sql = 'CREATE TABLE a (id serial);\nCREATE TABLE b (id int,);\nSELEC 1;\nTRUNCATE a;';
    const { diagnostics, statements } = await lintSql(sql);
    expect(statements).toBe(2);
    expect(diagnostics.map((d) => [d.rule, d.line])).toEqual([
      ['serial_type', 1],
      ['parse_error', 2],
      ['parse_error', 3],
      ['truncate', 4],
    ]);
    expect(diagnostics[1]!.message).toMatch(/syntax error at or near "\)"/);
    expect(diagnostics[1]).toMatchObject({ sqlstate: '42601', fix: { status: 'unfixable' } });
  });

  it('gives one problem for an unterminated string and keeps what came before', async () => {
    const { diagnostics } = await lintSql("TRUNCATE a;\nSELECT 'never closed;\nTRUNCATE b;");
    expect(diagnostics.map((d) => d.rule)).toEqual(['truncate', 'parse_error']);
  });

  it('skips psql meta-commands and COPY data the way psql does', async () => {
    const sql = [
      '\\restrict abc',
      'SET client_encoding = \'UTF8\';',
      '\\connect postgres',
      'COPY public.t (id, note) FROM stdin;',
      "1\tit's; TRUNCATE x",
      '2\t\\N',
      '\\.',
      '',
      'TRUNCATE t;',
    ].join('\n');
    const { diagnostics, statements } = await lintSql(sql);
    expect(statements).toBe(3);
    expect(diagnostics.map((d) => [d.rule, d.line])).toEqual([['truncate', 9]]);
  });

  it("skips the data after psql's \\copy ... from stdin too, and checks what follows", async () => {
    const sql = ['\\copy t (a) from stdin', '1', 'it\'s; TRUNCATE x', '\\.', '\\copy t (a) FROM STDIN WITH (FORMAT csv)', '"x;y"', '\\.', 'TRUNCATE t;'].join('\n');
    const { diagnostics } = await lintSql(sql);
    expect(diagnostics.map((d) => [d.rule, d.line])).toEqual([['truncate', 8]]);
  });

  it('flags COPY data over the transaction row limit', async () => {
    const rows = Array.from({ length: 3001 }, (_, i) => `${i}`).join('\n');
    const { diagnostics } = await lintSql(`COPY t (id) FROM stdin;\n${rows}\n\\.\n`);
    expect(diagnostics.map((d) => d.rule)).toEqual(['transaction_row_limit']);
  });

  it('applies the transaction rules to the whole input with singleTransaction', async () => {
    const sql = 'CREATE TABLE a (id bigint PRIMARY KEY);\nINSERT INTO a VALUES (1);';
    expect((await lintSql(sql)).diagnostics).toEqual([]);
    const { diagnostics } = await lintSql(sql, { singleTransaction: true });
    expect(diagnostics.map((d) => [d.rule, d.fix.status])).toEqual([['mixed_ddl_dml_transaction', 'unfixable']]);
  });

  it('handles empty input, comments only and a byte order mark', async () => {
    expect((await lintSql('')).diagnostics).toEqual([]);
    expect((await lintSql('-- nothing here\n/* at all */')).diagnostics).toEqual([]);
    const { diagnostics } = await lintSql('\uFEFFTRUNCATE t;');
    expect(diagnostics.map((d) => [d.rule, d.column])).toEqual([['truncate', 2]]);
  });

  it('previews statements on one line, cut at 80 characters', () => {
    expect(preview('SELECT\n  1,\t2')).toBe('SELECT 1, 2');
    expect(preview(`SELECT ${'x'.repeat(100)}`)).toHaveLength(81);
  });
});
