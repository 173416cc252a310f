// The code analyses on tricky inputs: what a word search would get wrong, the parsers get right.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Facts } from '../../evals/lib/analyze.js';
import { parseSql } from '../../scripts/lib/sql/parser.js';
import { loadParsers } from '../../evals/lib/parsers.js';
import { PREDICATES, predicate } from '../../evals/lib/sql-facts.js';
import { parsePlain } from '../../evals/lib/transcript.js';

beforeAll(async () => {
  await loadParsers();
});

const block = (lang: string, code: string) => '```' + lang + '\n' + code + '\n```\n';
const facts = (lang: string, code: string): Promise<Facts> => analyze(parsePlain(block(lang, code)));
const kinds = (f: Facts) => f.constructions.map((c) => c.kind);

describe('TypeScript (Babel parser)', () => {
  it('flags interpolation into SQL but not a template that only numbers placeholders', async () => {
    expect(kinds(await facts('ts', "const q = `SELECT * FROM t WHERE id = '${id}'`;"))).toEqual(['unsafe']);
    const placeholders = await facts('ts', 'const q = `INSERT INTO t (a, b) VALUES ${rows.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2})`).join(", ")}`;\nawait pool.query(q, rows.flat());');
    expect(kinds(placeholders)).toEqual(['bound']);
  });

  it('accepts joined placeholder lists and joined build() results, as the skill batch-insert pattern writes them', async () => {
    const pushed = await facts('ts', "const values: string[] = [];\nchunk.forEach((e, k) => { values.push(`($${2 * k + 1}, $${2 * k + 2})`); params.push(e.a, e.b); });\nawait client.query(`INSERT INTO t (a, b) VALUES ${values.join(', ')}`, params);");
    expect(kinds(pushed)).toEqual(['bound']);
    const built = await facts('ts', "import { build, regex, UUID } from './safe_query.ts';\nconst rows = entries.map((e) => build('({id})', { id: regex(e.id, UUID) }));\nconst sql = `INSERT INTO t (id) VALUES ${rows.join(', ')};`;");
    expect(kinds(built)).toEqual(['builder', 'builder']);
    const named = await facts('ts', "const rows = slice.map((_, i) => `($${i + 1})`).join(', ');\nawait client.query(`INSERT INTO t (a) VALUES ${rows}`, params);");
    expect(kinds(named)).toEqual(['bound']);
    // The same shapes with raw values are still interpolation.
    expect(kinds(await facts('ts', "const rows = slice.map((t) => `('${t.a}')`).join(', ');\nawait client.query(`INSERT INTO t (a) VALUES ${rows}`);"))).toEqual(['unsafe']);
    const raw = await facts('ts', "const values = [];\nfor (const e of entries) values.push(`('${e.a}')`);\nawait client.query(`INSERT INTO t (a) VALUES ${values.join(', ')}`);");
    expect(kinds(raw)).toEqual(['unsafe']);
  });

  it('treats interpolated constants as fixed text and concatenated variables as unsafe', async () => {
    expect(kinds(await facts('ts', "const TABLE = 'orders';\nconst q = `SELECT * FROM ${TABLE}`;"))).toEqual([]);
    expect(kinds(await facts('ts', "const q = 'SELECT * FROM t WHERE a = ' + a;"))).toEqual(['unsafe']);
    expect(kinds(await facts('ts', "let sql = 'SELECT * FROM t';\nsql += where;"))).toEqual(['unsafe']);
    expect(kinds(await facts('ts', "const q = format('SELECT * FROM t WHERE a = %s', a);"))).toEqual(['unsafe']);
  });

  it('reads code, not comments or prose: a commented-out template and the word build() do not count', async () => {
    const f = await facts('ts', "// const q = `SELECT * FROM t WHERE id = ${id}`;\nconst note = 'we should build() this';\nawait pool.query('SELECT 1');");
    expect(kinds(f)).toEqual(['static']);
  });

  it('recognises safe_query build() and its validators, with the placeholder each fills', async () => {
    const f = await facts('ts', "import { build, ident, keyword } from './scripts/safe_query.ts';\nconst q = build('SELECT * FROM t ORDER BY {col} {dir}', { col: ident(sortCol), dir: keyword(sortDir, ['ASC', 'DESC']) });");
    expect(kinds(f)).toEqual(['builder']);
    expect(f.validators.map((v) => [v.fn, v.value, v.placeholder])).toEqual([
      ['ident', 'sortCol', 'col'],
      ['keyword', 'sortDir', 'dir'],
    ]);
    // The template parses with the placeholders filled by kind (a quoted name, a keyword).
    expect(f.parsedSql[0]!.error).toBeUndefined();
    expect(f.parsedSql[0]!.source.sql).toBe('SELECT * FROM t ORDER BY "col" ASC');
  });

  it('a template literal handed to build() is still interpolation', async () => {
    expect(kinds(await facts('ts', "import { build } from '../safe_query.js';\nbuild(`SELECT * FROM t WHERE a = ${a}`, {});"))).toEqual(['unsafe']);
  });

  it('knows driver binding: query(text, values), query({ text, values }) and tagged templates', async () => {
    const f = await facts('ts', "await pool.query('SELECT * FROM t WHERE a = $1', [tenant]);\nawait c.query({ text: 'SELECT * FROM t WHERE b = $1', values: [b] });\nawait sql`SELECT * FROM t WHERE c = ${c}`;\nconst r = String.raw`SELECT * FROM t WHERE d = ${d}`;");
    expect(kinds(f)).toEqual(['bound', 'bound', 'bound', 'unsafe']);
    expect(f.bound.map((b) => b.value)).toEqual(['tenant', 'b', 'c']);
  });

  it('finds retry facts and batch sizes', async () => {
    const defaults = await facts('ts', 'export function insertStatements(entries: Entry[], chunk = 500): string[] { return []; }');
    expect(defaults.batchSizes.map((b) => [b.name, b.value])).toEqual([['chunk', 500]]);
    const f = await facts('ts', "const BATCH_SIZE = 500;\nfor (let attempt = 1; attempt <= 5; attempt++) {\n  try { await run(); break; } catch (e) { if (e.code !== '40001') throw e; await sleep(Math.random() * 100); }\n}");
    expect(f.batchSizes.map((b) => b.value)).toEqual([500]);
    expect(f.retry.sqlstates.map((s) => s.code)).toEqual(['40001']);
    expect(f.retry.boundedLoops.length).toBeGreaterThan(0);
    expect(f.retry.delays.map((d) => d.how)).toEqual(['sleep()']);
    expect(f.retry.jitter.length).toBe(1);
  });
});

describe('Python (tree-sitter)', () => {
  it('flags f-strings, % and .format() on SQL, and concatenation; not an f-string that is not SQL', async () => {
    const f = await facts('python', [
      "cur.execute(f\"SELECT * FROM t WHERE a = '{a}'\")",
      "q = \"SELECT * FROM t WHERE a = '%s'\" % a",
      "q = \"SELECT * FROM t WHERE a = {}\".format(a)",
      "q = \"SELECT * FROM t WHERE a = \" + a",
      "log.info(f\"loaded {n} rows\")",
    ].join('\n'));
    expect(f.constructions.map((c) => c.how)).toEqual(['f-string interpolating values into SQL', '% formatting of SQL text', '.format() on SQL text', 'string concatenation into SQL']);
  });

  it('knows bound parameters and psycopg composition', async () => {
    const f = await facts('python', "cur.execute(\"SELECT * FROM t WHERE a = %s AND b = %s\", (a, b))\nq = sql.SQL(\"SELECT * FROM {}\").format(sql.Identifier(table))");
    expect(kinds(f)).toEqual(['bound', 'bound']);
    expect(f.bound.map((b) => b.value)).toEqual(['a', 'b']);
    expect(f.parsedSql[0]!.source.sql).toBe('SELECT * FROM t WHERE a = $1 AND b = $2');
  });
});

describe('shell (tree-sitter)', () => {
  it('a variable inside double-quoted SQL is unsafe; in single quotes or a quoted heredoc it is literal text', async () => {
    expect(kinds(await facts('sh', `scripts/psql-connect.ts -c "SELECT * FROM t WHERE a = '$A'"`))).toEqual(['unsafe']);
    expect(kinds(await facts('sh', `scripts/psql-connect.ts -c 'SELECT * FROM t WHERE a = $1'`))).toEqual(['static']);
    expect(kinds(await facts('sh', `psql <<'SQL'\nSELECT * FROM t WHERE a = '$A';\nSQL`))).toEqual([]);
    expect(kinds(await facts('sh', `psql <<SQL\nSELECT * FROM t WHERE a = '$A';\nSQL`))).toEqual(['unsafe']);
  });

  it('follows SQL built by safe_query through a variable and a file', async () => {
    const f = await facts('sh', [
      `SQL=$(scripts/safe_query.ts -t 'SELECT * FROM t WHERE tenant_id = {tid}' --regex tid=TENANT_SLUG:"$TENANT")`,
      `scripts/psql-connect.ts --cluster abc --read-only -c "$SQL"`,
      `NOTE="$2" node scripts/safe_query.ts -t 'INSERT INTO n (b) VALUES ({b})' --literal-env b=NOTE -o /tmp/n.sql`,
      `npx tsx scripts/psql-connect.ts --cluster=abc -f /tmp/n.sql`,
    ].join('\n'));
    expect(kinds(f)).toEqual(['builder', 'builder']);
    expect(f.validators.map((v) => [v.fn, v.value, v.arg])).toEqual([
      ['regex', '$TENANT', 'TENANT_SLUG'],
      ['literal', 'NOTE', undefined],
    ]);
    const psql = f.invocations.filter((i) => i.program === 'psql-connect');
    expect(psql.map((i) => [i.flags.get('--cluster'), i.flags.get('--read-only')])).toEqual([
      [['abc'], [true]],
      [['abc'], undefined],
    ]);
    // The -f file's SQL is known from safe_query -o.
    expect(f.sql.filter((s) => s.sink === 'executed').map((s) => s.sql)).toEqual(['INSERT INTO n (b) VALUES ($1)']);
  });

  it('reads a file written by a heredoc when it is run with -f, and records cat as a read', async () => {
    const f = await facts('sh', `cat references/input-validation.md\ncat > m.sql <<'EOF'\nBEGIN;\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCOMMIT;\nEOF\nscripts/psql-connect.ts --admin -f m.sql`);
    expect(f.reads.map((r) => r.path)).toEqual(['references/input-validation.md']);
    const executed = f.parsedSql.find((p) => p.source.sink === 'executed')!;
    const shared = predicate('ddl_sharing_transaction');
    expect(executed.statements.filter(({ stmt, ctx }) => shared.pred.test(stmt, ctx)).map(({ stmt }) => stmt.text)).toEqual(['CREATE TABLE b (id int)']);
  });

  it('stores long and short spellings of a flag under one name', async () => {
    const f = await facts('sh', `scripts/psql-connect.ts --cluster abc -U app_reader --read-only --command 'SELECT 1'\nscripts/psql-connect.ts abc --admin --file=m.sql`);
    expect(f.invocations.map((i) => Object.fromEntries(i.flags))).toEqual([
      { '--cluster': ['abc'], '--user': ['app_reader'], '--read-only': [true], '-c': ['SELECT 1'] },
      { '--admin': [true], '-f': ['m.sql'] },
    ]);
  });

  it('sees the program behind env assignments and a pipeline', async () => {
    const f = await facts('sh', `PGPASSWORD=$(aws dsql generate-db-connect-admin-auth-token --hostname h) psql "host=h" -c 'SELECT 1' | tee out.txt`);
    expect(f.invocations.map((i) => i.program)).toEqual(['psql', 'aws', 'tee']);
    expect(Object.keys(f.invocations[0]!.env)).toEqual(['PGPASSWORD']);
  });
});

describe('SQL predicates (libpg-query, with DSQL ASYNC)', () => {
  const cases: [string, string, string[]][] = [
    ['create_index_async', 'CREATE INDEX ASYNC i ON t (a)', ['CREATE INDEX i ON t (a)']],
    ['create_index_sync', 'CREATE INDEX async_idx ON t (a)', ['CREATE UNIQUE INDEX ASYNC i ON t (a)']],
    ['serial_column', 'CREATE TABLE t (id bigserial PRIMARY KEY)', ['CREATE TABLE t (serial_number text)']],
    ['identity_cache_invalid', 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY)', ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 65536))', 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1))']],
    ['column_type:jsonb', 'ALTER TABLE u ADD COLUMN p jsonb', ['ALTER TABLE u ADD COLUMN json_data text']],
    ['fk_not_valid', 'ALTER TABLE o ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES c (id) NOT VALID', ['ALTER TABLE o ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES c (id)']],
    ['validate_async', 'ALTER TABLE ASYNC o VALIDATE CONSTRAINT f', ['ALTER TABLE o VALIDATE CONSTRAINT f']],
    ['alter_column_type', 'ALTER TABLE u ALTER COLUMN age TYPE bigint', ['ALTER TABLE u RENAME COLUMN age TO years']],
    ['add_column_with_constraint', 'ALTER TABLE t ADD COLUMN p int DEFAULT 0', ['ALTER TABLE t ADD COLUMN p int']],
    ['mutating', 'EXPLAIN ANALYZE UPDATE t SET a = 1', ['EXPLAIN UPDATE t SET a = 1', "SELECT 'UPDATE t SET a = 1'"]],
    ['update_batched:3000', 'UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a IS NULL LIMIT 1000)', ['UPDATE t SET a = 1 WHERE a IS NULL', 'UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t LIMIT 5000)']],
    ['update_batched', 'UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE tenant_id = $1 AND a IS NULL LIMIT $2)', ['UPDATE t SET a = 1 WHERE tenant_id = $1']],
    ['insert_select_unbatched:3000', 'INSERT INTO n SELECT * FROM o', ['INSERT INTO n SELECT * FROM o WHERE id > $1 ORDER BY id LIMIT 1000', 'INSERT INTO n VALUES (1)']],
    ['where_has:tenant_id', "SELECT * FROM o WHERE tenant_id = $1 AND a = 2", ["SELECT * FROM o WHERE note = 'tenant_id'"]],
    ['without_where_on:tenant_id', 'UPDATE o SET a = 1 WHERE id = $1', ['UPDATE o SET a = 1 WHERE tenant_id = $1 AND id = $2', 'SELECT 1']],
    ['table_without_column:tenant_id', 'CREATE TABLE p (id uuid)', ['CREATE TABLE p (tenant_id text, id uuid)']],
    ['set_planner_setting', 'SET LOCAL enable_nestloop = off', ["SET search_path = 'public'"]],
    ['drop_table', 'DROP TABLE users', ['DROP INDEX users_idx']],
  ];
  it.each(cases)('%s', (spec, yes, nos) => {
    const { pred, arg } = predicate(spec);
    const hit = (sql: string) => parseSql(sql).some((s) => pred.test(s, { inBlock: false, ddl: 0, dml: 0 }, arg));
    expect(hit(yes), yes).toBe(true);
    for (const no of nos) expect(hit(no), no).toBe(false);
  });

  it('every predicate has a description, and unknown names are refused', () => {
    for (const [name, p] of Object.entries(PREDICATES)) expect(p.describe, name).not.toBe('');
    expect(() => predicate('no_such_thing')).toThrow(/unknown SQL predicate/);
  });
});
