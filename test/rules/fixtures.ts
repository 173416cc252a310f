// One positive fixture (the rule must fire) and one near miss (it must not) for every rule
// the linter detects, plus examples of everything DSQL accepts. Each entry is a whole input:
// input-level and transaction rules need the statements around them.
export interface RuleFixture {
  bad: string[];
  good: string[];
}

const many = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join(';\n');
const columns = (n: number, type = 'int'): string => Array.from({ length: n }, (_, i) => `c${i} ${type}`).join(', ');
const values = (n: number): string => Array.from({ length: n }, (_, i) => `(${i})`).join(', ');

export const FIXTURES: Record<string, RuleFixture> = {
  truncate: { bad: ['TRUNCATE orders', 'TRUNCATE TABLE a, b CASCADE'], good: ["SELECT 'TRUNCATE orders'", "INSERT INTO log (note) VALUES ('TRUNCATE t')"] },
  unsupported_create_extension: { bad: ['CREATE EXTENSION IF NOT EXISTS pgcrypto', 'DROP EXTENSION pgcrypto'], good: ['SELECT gen_random_uuid()'] },
  unsupported_load: { bad: ["LOAD 'auto_explain'"], good: ["SELECT 'LOAD x'"] },
  unsupported_create_trigger: { bad: ['CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()'], good: ['ALTER TABLE t DISABLE TRIGGER ALL'] },
  unsupported_drop_trigger: { bad: ['DROP TRIGGER trg ON t'], good: ['DROP TRIGGER IF EXISTS trg ON t'] },
  unsupported_event_trigger: { bad: ['CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()', 'DROP EVENT TRIGGER e'], good: ['DROP EVENT TRIGGER IF EXISTS e'] },
  unsupported_rule: { bad: ['CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING'], good: ['CREATE VIEW r AS SELECT 1 AS x'] },
  unsupported_create_database: { bad: ['CREATE DATABASE app', 'DROP DATABASE app'], good: ['CREATE SCHEMA app'] },
  unsupported_create_tablespace: { bad: ["CREATE TABLESPACE fast LOCATION '/ssd'"], good: ['CREATE TABLE tablespace_usage (id bigint PRIMARY KEY)'] },
  create_table_as: { bad: ['CREATE TABLE t2 AS SELECT * FROM t', 'SELECT * INTO t2 FROM t'], good: ['CREATE TABLE t2 (LIKE t)', 'INSERT INTO t2 SELECT * FROM t'] },
  unsupported_materialized_view: {
    bad: ['CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x', 'REFRESH MATERIALIZED VIEW mv', 'DROP MATERIALIZED VIEW mv'],
    good: ['CREATE VIEW mv AS SELECT 1 AS x', 'DROP VIEW mv'],
  },
  unsupported_create_type: { bad: ["CREATE TYPE mood AS ENUM ('sad', 'ok')", 'CREATE TYPE shell'], good: ["CREATE DOMAIN mood AS text CHECK (VALUE IN ('sad', 'ok'))"] },
  unsupported_composite_type: { bad: ['CREATE TYPE pair AS (a int, b int)'], good: ['CREATE TABLE pair (a int, b int)'] },
  unsupported_range_type: { bad: ['CREATE TYPE r AS RANGE (subtype = int4)'], good: ['CREATE TABLE r (lo int, hi int)'] },
  unsupported_alter_type: { bad: ["ALTER TYPE mood ADD VALUE 'happy'", 'ALTER TYPE pair ADD ATTRIBUTE c int', 'ALTER TYPE mood OWNER TO bob'], good: ['ALTER DOMAIN mood SET DEFAULT 1'] },
  unsupported_rename_type: { bad: ['ALTER TYPE mood RENAME TO feeling'], good: ['ALTER TABLE mood RENAME TO feeling'] },
  unsupported_drop_type: { bad: ['DROP TYPE mood'], good: ['DROP DOMAIN mood', 'DROP TABLE type'] },
  unsupported_alter_domain: { bad: ['ALTER DOMAIN d SET NOT NULL', 'ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0)'], good: ['ALTER DOMAIN d DROP NOT NULL', 'ALTER DOMAIN d SET DEFAULT 0'] },
  unsupported_drop_domain_cascade: { bad: ['DROP DOMAIN d CASCADE'], good: ['DROP DOMAIN d'] },
  unsupported_create_function_non_sql: {
    bad: ["CREATE FUNCTION g() RETURNS int AS 'x' LANGUAGE c", 'CREATE PROCEDURE p() LANGUAGE plpython3u AS $$ pass $$'],
    good: ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$', 'CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$'],
  },
  unsupported_alter_function_property: { bad: ['ALTER FUNCTION f() IMMUTABLE', 'ALTER FUNCTION f() SET search_path = public'], good: ['ALTER FUNCTION f() RENAME TO g', 'ALTER FUNCTION f() OWNER TO bob'] },
  unsupported_row_level_security: { bad: ['CREATE POLICY p ON t USING (true)', 'DROP POLICY p ON t'], good: ['GRANT SELECT ON t TO reader'] },
  unsupported_replication: { bad: ['CREATE PUBLICATION pub FOR ALL TABLES', "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION pub"], good: ['CREATE TABLE publication (id bigint PRIMARY KEY)'] },
  unsupported_foreign_data: {
    bad: ['CREATE FOREIGN TABLE ft (id int) SERVER s', 'CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw', 'IMPORT FOREIGN SCHEMA x FROM SERVER s INTO y'],
    good: ['CREATE TABLE ft (id int)'],
  },
  unsupported_vacuum: { bad: ['VACUUM t', 'VACUUM (FULL) t'], good: ['ANALYZE t'] },
  unsupported_maintenance: { bad: ['REINDEX TABLE t', 'CLUSTER t USING i', 'CHECKPOINT'], good: ['ANALYZE t'] },
  unsupported_alter_system: { bad: ["ALTER SYSTEM SET work_mem = '4MB'"], good: ["SET application_name = 'alter system'"] },
  unsupported_listen: { bad: ['LISTEN chan', 'UNLISTEN *'], good: ["SELECT 'LISTEN chan'"] },
  unsupported_notify: { bad: ['NOTIFY chan'], good: ["SELECT 'NOTIFY chan'"] },
  unsupported_lock_table: { bad: ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE'], good: ['SELECT * FROM t WHERE id = 1 FOR UPDATE'] },
  unsupported_merge: { bad: ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE'], good: ['INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO NOTHING'] },
  unsupported_cursor: { bad: ['DECLARE c CURSOR FOR SELECT 1', 'FETCH 10 FROM c', 'CLOSE c'], good: ['SELECT * FROM t WHERE id > 10 ORDER BY id LIMIT 10'] },
  unsupported_prepare: { bad: ['PREPARE q AS SELECT 1', 'EXECUTE q'], good: ["SELECT 'PREPARE q'"] },
  unsupported_deallocate: { bad: ['DEALLOCATE q', 'DEALLOCATE PREPARE q'], good: ['DEALLOCATE ALL', 'DEALLOCATE PREPARE ALL'] },
  unsupported_discard: { bad: ['DISCARD ALL', 'DISCARD PLANS'], good: ["SELECT 'DISCARD ALL'"] },
  unsupported_copy_file: { bad: ["COPY t FROM '/tmp/t.csv'", "COPY t TO PROGRAM 'gzip > /tmp/t.gz'"], good: ['COPY t FROM STDIN', 'COPY (SELECT 1) TO STDOUT'] },
  unsupported_alter_role: {
    bad: ["ALTER ROLE app WITH PASSWORD 'x'", 'ALTER ROLE app SET search_path = app', 'ALTER USER app RENAME TO app2', 'ALTER USER app RESET ALL'],
    good: ['ALTER ROLE app RENAME TO app2', 'ALTER ROLE app RESET ALL', 'CREATE ROLE app WITH LOGIN'],
  },
  unsupported_default_privileges: { bad: ['ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader'], good: ['GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader'] },
  unsupported_two_phase_commit: { bad: ["PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'"], good: ['BEGIN; SELECT 1; COMMIT'] },
  show_unsupported_parameter: { bad: ['SHOW lc_collate', 'SHOW LC_CTYPE'], good: ['SHOW search_path', 'SHOW transaction_isolation'] },
  locking_clause: { bad: ['SELECT * FROM t FOR SHARE', 'SELECT * FROM t FOR NO KEY UPDATE'], good: ['SELECT * FROM t FOR UPDATE', 'SELECT * FROM t FOR KEY SHARE', 'SELECT share FROM t'] },
  tablesample: { bad: ['SELECT * FROM t TABLESAMPLE SYSTEM (10)', 'SELECT * FROM (SELECT * FROM t TABLESAMPLE BERNOULLI (1)) s'], good: ['SELECT * FROM t WHERE random() < 0.1', 'SELECT tablesample FROM t'] },
  advisory_lock: { bad: ['SELECT pg_advisory_lock(1)', 'SELECT pg_try_advisory_xact_lock(42)'], good: ['SELECT my_advisory_lock(1)', 'SELECT app.pg_advisory_lock(1)'] },
  full_text_search: {
    bad: ["SELECT to_tsvector('english', body) FROM docs", "SELECT * FROM docs WHERE body @@ websearch_to_tsquery('x')"],
    good: ["SELECT * FROM docs WHERE body ILIKE '%x%'", "SELECT 'to_tsvector(x)'"],
  },
  geometric_function: { bad: ['SELECT circle(point(0, 0), 1)', 'SELECT box(1, 2)'], good: ['SELECT area FROM boxes', 'SELECT app.circle(1)', 'SELECT "Box"(1)'] },
  unsupported_function: { bad: ["SELECT pg_notify('chan', 'x')", 'SELECT lastval()', "SELECT lo_import('/tmp/x')"], good: ["SELECT currval('s')", "SELECT nextval('s')"] },

  temp_table: { bad: ['CREATE TEMP TABLE t (id int)', 'CREATE TEMPORARY TABLE t (id int)'], good: ['CREATE TABLE temporary_x (temp int, temporary_y text)'] },
  unlogged_table: { bad: ['CREATE UNLOGGED TABLE t (id int)'], good: ['CREATE TABLE unlogged_events (id bigint PRIMARY KEY)'] },
  temp_view: { bad: ['CREATE TEMP VIEW v AS SELECT 1 AS x'], good: ['CREATE VIEW temp_v AS SELECT 1 AS x'] },
  temp_sequence: { bad: ['CREATE TEMP SEQUENCE s CACHE 1'], good: ['CREATE SEQUENCE temp_s CACHE 1'] },
  partition_by: { bad: ['CREATE TABLE m (id int, at date) PARTITION BY RANGE (at)'], good: ['CREATE TABLE m (id int, partition_key date)'] },
  unsupported_partition_of: { bad: ["CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"], good: ['CREATE TABLE m1 (partition_of text)'] },
  inherits: { bad: ['CREATE TABLE child (x int) INHERITS (parent)'], good: ['CREATE TABLE child (inherits int)'] },
  tablespace: { bad: ['CREATE TABLE t (id int) TABLESPACE fast', 'CREATE INDEX ASYNC i ON t (id) TABLESPACE fast'], good: ['CREATE TABLE t (tablespace text)'] },
  storage_parameters: { bad: ['CREATE TABLE t (id int) WITH (fillfactor = 70)', 'CREATE INDEX ASYNC i ON t (id) WITH (fillfactor = 70)'], good: ['CREATE TABLE t (id int) WITHOUT OIDS'] },
  on_commit: { bad: ['CREATE TEMP TABLE t (id int) ON COMMIT DROP'], good: ['CREATE TABLE on_commit (id int)'] },
  table_access_method: { bad: ['CREATE TABLE t (id int) USING heap'], good: ['CREATE TABLE t (id int)'] },
  serial_type: {
    bad: ['CREATE TABLE t (id serial PRIMARY KEY)', 'CREATE TABLE t (id bigserial)', 'CREATE TABLE t (id smallserial)', 'ALTER TABLE t ADD COLUMN id serial4'],
    good: ['CREATE TABLE t (serial_number int, serial text)', 'CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY (CACHE 1))'],
  },
  array_type: { bad: ['CREATE TABLE t (tags text[])', 'CREATE TABLE t (m int[][])', 'ALTER TABLE t ADD COLUMN tags varchar(10)[]'], good: ["SELECT ARRAY[1, 2]", "SELECT string_to_array('a,b', ',')", 'CREATE TABLE t (tags jsonb)'] },
  unsupported_type: {
    bad: ['CREATE TABLE t (price money)', 'CREATE TABLE t (ip inet)', 'CREATE TABLE t (p point)', 'CREATE TABLE t (b bit(3), v bit varying(5))', 'CREATE TABLE t (r tstzrange)', 'ALTER TABLE t ADD COLUMN doc xml'],
    // Quoted mixed-case names are other types (domains, say): "Money" is not money.
    good: ["SELECT '127.0.0.1'::inet", 'CREATE TABLE t (inet_address text, money_cents bigint)', 'CREATE TABLE t (price "Money", at "Point")'],
  },
  extension_type: { bad: ['CREATE TABLE t (email citext)', 'CREATE TABLE t (attrs hstore)', 'CREATE TABLE t (embedding vector(3))'], good: ['CREATE TABLE t (citext text, vector jsonb)'] },
  identity_type: {
    bad: ['CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (CACHE 1))', 'CREATE TABLE t (id smallint GENERATED BY DEFAULT AS IDENTITY (CACHE 65536))'],
    good: ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1))', 'CREATE TABLE t (id int8 GENERATED BY DEFAULT AS IDENTITY (CACHE 70000))'],
  },
  identity_cache_missing: {
    bad: ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY)', 'CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 10))', 'ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY'],
    good: ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1))', 'ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (CACHE 65536)'],
  },
  identity_cache: {
    bad: ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 10))', 'ALTER TABLE t ALTER COLUMN id SET CACHE 100'],
    good: ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 65536))', 'ALTER TABLE t ALTER COLUMN id SET CACHE 1'],
  },
  collation: { bad: ['CREATE TABLE t (name text COLLATE "de_DE")', 'CREATE TABLE t (name text COLLATE "C")'], good: ['SELECT name FROM t ORDER BY name', 'CREATE TABLE t (collation text)'] },
  exclusion_constraint: { bad: ['CREATE TABLE t (r int, EXCLUDE USING btree (r WITH =))'], good: ['CREATE TABLE t (r int, UNIQUE (r))'] },
  char_length_limit: { bad: ['CREATE TABLE t (code char(5000))'], good: ['CREATE TABLE t (code char(4096))'] },
  varchar_length_limit: { bad: ['CREATE TABLE t (body varchar(70000))'], good: ['CREATE TABLE t (body varchar(65535))'] },
  numeric_precision_limit: { bad: ['CREATE TABLE t (n numeric(1001, 2))'], good: ['CREATE TABLE t (n numeric(1000, 2))'] },
  numeric_unconstrained: { bad: ['CREATE TABLE t (amount numeric)', 'CREATE TABLE t (amount decimal)'], good: ['CREATE TABLE t (amount numeric(19, 4))', "SELECT 1.5::numeric"] },
  column_count_limit: {
    bad: [`CREATE TABLE wide (${columns(256)})`, `CREATE TABLE wide (${columns(255)});\nALTER TABLE wide ADD COLUMN extra int`],
    good: [`CREATE TABLE wide (${columns(255)})`],
  },
  add_column_constraint: {
    bad: ['ALTER TABLE t ADD COLUMN n int NOT NULL', "ALTER TABLE t ADD COLUMN s text DEFAULT 'x'", 'ALTER TABLE t ADD COLUMN c int CHECK (c > 0)', 'ALTER TABLE t ADD COLUMN u int UNIQUE', 'ALTER TABLE t ADD COLUMN r bigint REFERENCES p (id)'],
    good: ['ALTER TABLE t ADD COLUMN n int', "ALTER TABLE t ALTER COLUMN s SET DEFAULT 'x'"],
  },
  alter_column_type: { bad: ['ALTER TABLE t ALTER COLUMN n TYPE bigint', 'ALTER TABLE t ALTER n SET DATA TYPE text'], good: ['ALTER TABLE t RENAME COLUMN type TO kind'] },
  set_not_null: { bad: ['ALTER TABLE t ALTER COLUMN n SET NOT NULL'], good: ['ALTER TABLE t ALTER COLUMN n DROP NOT NULL'] },
  set_statistics: { bad: ['ALTER TABLE t ALTER COLUMN n SET STATISTICS 100'], good: ['ANALYZE t'] },
  set_compression: { bad: ['ALTER TABLE ONLY t ALTER COLUMN body SET COMPRESSION pglz'], good: ['ALTER TABLE t ALTER COLUMN body SET STORAGE PLAIN'] },
  add_primary_key: { bad: ['ALTER TABLE t ADD PRIMARY KEY (id)', 'ALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id)'], good: ['ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx'] },
  add_unique: { bad: ['ALTER TABLE t ADD CONSTRAINT u UNIQUE (email)'], good: ['ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_email_idx'] },
  add_check_without_not_valid: { bad: ['ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0)', 'ALTER TABLE t ADD CHECK (n > 0)'], good: ['ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0) NOT VALID'] },
  add_foreign_key_without_not_valid: {
    bad: ['ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)', 'ALTER TABLE o ADD FOREIGN KEY (u) REFERENCES users'],
    good: ['ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID'],
  },
  validate_constraint_async: { bad: ['ALTER TABLE t VALIDATE CONSTRAINT c'], good: ['ALTER TABLE ASYNC t VALIDATE CONSTRAINT c', 'ALTER TABLE ASYNC async VALIDATE CONSTRAINT c'] },
  drop_primary_key: {
    bad: ['CREATE TABLE t (id bigint PRIMARY KEY, n int);\nALTER TABLE t DROP CONSTRAINT t_pkey', 'CREATE TABLE t (id bigint, CONSTRAINT pk PRIMARY KEY (id));\nALTER TABLE t DROP CONSTRAINT pk'],
    good: ['CREATE TABLE t (id bigint PRIMARY KEY, n int CONSTRAINT n_pos CHECK (n > 0));\nALTER TABLE t DROP CONSTRAINT n_pos'],
  },
  drop_primary_key_column: {
    bad: ['CREATE TABLE t (id bigint PRIMARY KEY, n int);\nALTER TABLE t DROP COLUMN id', 'CREATE TABLE a.t (id bigint PRIMARY KEY);\nCREATE TABLE b.t (k bigint PRIMARY KEY, id int);\nALTER TABLE a.t DROP COLUMN id'],
    good: ['CREATE TABLE t (id bigint PRIMARY KEY, n int);\nALTER TABLE t DROP COLUMN n', 'CREATE TABLE a.t (id bigint PRIMARY KEY);\nCREATE TABLE b.t (k bigint PRIMARY KEY, id int);\nALTER TABLE b.t DROP COLUMN id'],
  },
  unsupported_alter_table_action: {
    bad: ['ALTER TABLE t ENABLE ROW LEVEL SECURITY', 'ALTER TABLE t REPLICA IDENTITY FULL', 'ALTER TABLE t SET (fillfactor = 50)', 'ALTER TABLE t SET UNLOGGED', "ALTER TABLE m ATTACH PARTITION m1 FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"],
    good: ['ALTER TABLE t ENABLE TRIGGER ALL', 'ALTER TABLE t OWNER TO app', 'ALTER TABLE t SET SCHEMA app'],
  },

  index_async: { bad: ['CREATE INDEX i ON t (a)', 'CREATE UNIQUE INDEX i ON t (a)'], good: ['CREATE INDEX ASYNC i ON t (a)', 'CREATE UNIQUE INDEX ASYNC IF NOT EXISTS i ON t (a)', 'CREATE INDEX ASYNC async ON t (a)'] },
  index_concurrently: { bad: ['CREATE INDEX CONCURRENTLY i ON t (a)'], good: ['CREATE INDEX ASYNC concurrently_idx ON t (a)'] },
  index_using: {
    bad: ['CREATE INDEX ASYNC i ON t USING btree (a)', 'CREATE INDEX ASYNC i ON t USING gin (doc)'],
    good: ['CREATE INDEX ASYNC i ON t (a) WHERE a IN (SELECT x FROM u JOIN v USING (x))', 'CREATE INDEX ASYNC using_idx ON t (a)'],
  },
  index_sort_order: { bad: ['CREATE INDEX ASYNC i ON t (a DESC)', 'CREATE INDEX ASYNC i ON t (a ASC, b)'], good: ['CREATE INDEX ASYNC i ON t (a NULLS FIRST, b NULLS LAST)', 'SELECT * FROM t ORDER BY a DESC'] },
  index_opclass: { bad: ['CREATE INDEX ASYNC i ON t (name text_pattern_ops)'], good: ['CREATE INDEX ASYNC i ON t (lower(name))'] },
  index_key_columns: {
    bad: ['CREATE INDEX ASYNC i ON t (a, b, c, d, e, f, g, h, i)', 'CREATE TABLE t (a int, b int, c int, d int, e int, f int, g int, h int, i int, PRIMARY KEY (a, b, c, d, e, f, g, h, i))'],
    good: ['CREATE INDEX ASYNC i ON t (a, b, c, d, e, f, g, h) INCLUDE (i, j)'],
  },
  index_key_type: {
    bad: ['CREATE TABLE t (doc jsonb PRIMARY KEY)', 'CREATE TABLE t (id bigint PRIMARY KEY, doc jsonb);\nCREATE INDEX ASYNC i ON t (doc)', 'CREATE TABLE t (d interval, UNIQUE (d))'],
    good: ["CREATE TABLE t (id bigint PRIMARY KEY, doc jsonb);\nCREATE INDEX ASYNC i ON t ((doc->>'id'))", 'CREATE TABLE t (json_data text PRIMARY KEY)'],
  },
  index_count_limit: {
    bad: [`CREATE TABLE t (id bigint PRIMARY KEY, ${columns(30)});\n${many(24, (i) => `CREATE INDEX ASYNC i${i} ON t (c${i})`)}`],
    good: [
      `CREATE TABLE t (id bigint PRIMARY KEY, ${columns(30)});\n${many(23, (i) => `CREATE INDEX ASYNC i${i} ON t (c${i})`)};\nDROP INDEX i0;\nCREATE INDEX ASYNC again ON t (c0)`,
      // Tables of the same name in two schemas are two tables.
      `CREATE TABLE a.t (id bigint PRIMARY KEY, ${columns(30)});\nCREATE TABLE b.t (id bigint PRIMARY KEY, ${columns(30)});\n${many(30, (i) => `CREATE INDEX ASYNC i${i} ON ${'ab'[i % 2]}.t (c${i})`)}`,
    ],
  },
  key_size_limit: { bad: ['CREATE TABLE t (k varchar(2001) PRIMARY KEY)', 'CREATE TABLE t (a varchar(1500), b varchar(1000), PRIMARY KEY (a, b))'], good: ['CREATE TABLE t (k varchar(2000) PRIMARY KEY)'] },
  sequence_cache_missing: { bad: ['CREATE SEQUENCE s', 'CREATE SEQUENCE s START 10 INCREMENT 5'], good: ['CREATE SEQUENCE s CACHE 1', 'CREATE SEQUENCE s CACHE 65536'] },
  sequence_cache: { bad: ['CREATE SEQUENCE s CACHE 20', 'ALTER SEQUENCE s CACHE 2'], good: ['ALTER SEQUENCE s CACHE 65536', 'ALTER SEQUENCE s RESTART WITH 1'] },
  sequence_type: { bad: ['CREATE SEQUENCE s AS integer CACHE 1', 'CREATE SEQUENCE s AS smallint CACHE 1'], good: ['CREATE SEQUENCE s AS bigint CACHE 1'] },
  table_count_limit: { bad: [many(1001, (i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY)`)], good: [many(1000, (i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY)`)] },
  sequence_count_limit: { bad: [many(5001, (i) => `CREATE SEQUENCE s${i} CACHE 1`)], good: [many(5000, (i) => `CREATE SEQUENCE s${i} CACHE 1`)] },
  view_count_limit: { bad: [many(5001, (i) => `CREATE VIEW v${i} AS SELECT 1 AS x`)], good: [many(5000, (i) => `CREATE VIEW v${i} AS SELECT 1 AS x`)] },
  schema_count_limit: { bad: [many(11, (i) => `CREATE SCHEMA s${i}`)], good: [many(10, (i) => `CREATE SCHEMA s${i}`)] },

  multi_ddl_transaction: {
    bad: ['BEGIN;\nCREATE TABLE a (id bigint PRIMARY KEY);\nCREATE INDEX ASYNC a_i ON a (id);\nCOMMIT'],
    good: ['CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE INDEX ASYNC a_i ON a (id)', 'BEGIN;\nCREATE TABLE a (id bigint PRIMARY KEY);\nCOMMIT;\nBEGIN;\nCREATE INDEX ASYNC a_i ON a (id);\nCOMMIT'],
  },
  mixed_ddl_dml_transaction: {
    bad: ['BEGIN;\nINSERT INTO a VALUES (1);\nALTER TABLE a ADD COLUMN n int;\nCOMMIT', 'START TRANSACTION;\nCREATE TABLE a (id bigint PRIMARY KEY);\nDELETE FROM a;\nCOMMIT'],
    good: ['BEGIN;\nCREATE TABLE a (id bigint PRIMARY KEY);\nSELECT * FROM a;\nCOMMIT', 'BEGIN;\nINSERT INTO a VALUES (1);\nUPDATE a SET id = 2;\nCOMMIT'],
  },
  transaction_isolation: {
    bad: ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'START TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY'],
    good: ['BEGIN ISOLATION LEVEL REPEATABLE READ', 'BEGIN READ ONLY'],
  },
  set_transaction: { bad: ['SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY'], good: ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'] },
  set_parameter: {
    bad: ['SET statement_timeout = 0', 'SET LOCAL lock_timeout = 0', 'SET default_transaction_isolation = serializable', "SELECT set_config('statement_timeout', '0', false)"],
    good: ['SET search_path = app, public', "SET TIME ZONE 'UTC'", 'SET enable_seqscan = off', "SELECT set_config('search_path', '', false)", 'RESET statement_timeout'],
  },
  unsupported_savepoint: { bad: ['SAVEPOINT a', 'RELEASE SAVEPOINT a', 'ROLLBACK TO SAVEPOINT a'], good: ['ROLLBACK', 'COMMIT'] },
  transaction_row_limit: {
    bad: [`INSERT INTO t (id) VALUES ${values(3001)}`, `BEGIN;\nINSERT INTO t (id) VALUES ${values(2000)};\nINSERT INTO t (id) VALUES ${values(1001)};\nCOMMIT`],
    good: [`INSERT INTO t (id) VALUES ${values(3000)}`, `INSERT INTO t (id) VALUES ${values(2000)};\nINSERT INTO t (id) VALUES ${values(2000)}`],
  },
  wait_for_job_in_transaction: {
    bad: ["BEGIN;\nCALL sys.wait_for_job('qfzv5uemkrg2lbczil2fim3o2q');\nCOMMIT"],
    good: ["CREATE INDEX ASYNC i ON t (a);\nCALL sys.wait_for_job('qfzv5uemkrg2lbczil2fim3o2q')"],
  },
  parse_error: { bad: ['SELEC 1', 'CREATE TABLE t (id int,)'], good: ['SELECT 1'] },
};

/** Statements DSQL accepts, by the supported rule they illustrate: each must lint with no finding at all. */
export const ACCEPTED: Record<string, string[]> = {
  foreign_keys: [
    'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE)',
    'CREATE TABLE items (order_id bigint, n int, PRIMARY KEY (order_id, n), FOREIGN KEY (order_id) REFERENCES orders (id) MATCH FULL DEFERRABLE INITIALLY DEFERRED)',
  ],
  json_columns: ["CREATE TABLE events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), json_data json, payload jsonb DEFAULT '{}'::jsonb)"],
  identity_columns: ['CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY, serial_number text)'],
  sequences: ['CREATE SEQUENCE order_seq START WITH 1000 CACHE 65536', "SELECT nextval('order_seq'), currval('order_seq')", "SELECT setval('order_seq', 5000)"],
  add_generated_identity: ['ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (CACHE 1)', 'ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS'],
  expression_index: ["CREATE INDEX ASYNC users_email_lower ON users (lower(email))", "CREATE INDEX ASYNC ev_kind ON events ((payload->>'kind'))"],
  partial_index: ["CREATE INDEX ASYNC open_orders ON orders (user_id) WHERE status = 'open'"],
  index_options: [
    'CREATE UNIQUE INDEX ASYNC IF NOT EXISTS users_email ON users (email) INCLUDE (name) NULLS NOT DISTINCT',
    'CREATE INDEX ASYNC ON users (created_at NULLS FIRST)',
    'CREATE INDEX ASYNC async ON users (name)',
  ],
  alter_index_rename: ['ALTER INDEX users_email RENAME TO users_email_key'],
  drop_constraint: ['ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey', 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_check'],
  unique_using_index: ['ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email'],
  add_constraint_not_valid: [
    'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID',
    'ALTER TABLE ASYNC orders VALIDATE CONSTRAINT orders_total_check',
    'ALTER TABLE items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID',
  ],
  drop_column: ['ALTER TABLE users DROP COLUMN IF EXISTS nickname', 'ALTER TABLE users DROP COLUMN a, DROP COLUMN b'],
  set_storage: ['ALTER TABLE users ALTER COLUMN bio SET STORAGE PLAIN'],
  alter_table_basics: [
    'ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text',
    "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new'",
    'ALTER TABLE users ALTER COLUMN status DROP DEFAULT, ALTER COLUMN name DROP NOT NULL',
    'ALTER TABLE users RENAME COLUMN name TO full_name',
    'ALTER TABLE users RENAME CONSTRAINT a TO b',
    'ALTER TABLE users RENAME TO people',
    'ALTER TABLE users OWNER TO app',
    'ALTER TABLE users SET SCHEMA app',
    'ALTER TABLE users ALTER CONSTRAINT users_org_fk DEFERRABLE INITIALLY DEFERRED',
    'ALTER TABLE users ENABLE TRIGGER ALL',
    'ALTER TABLE users DISABLE TRIGGER USER',
  ],
  create_domain: ['CREATE DOMAIN email AS text CHECK (VALUE LIKE \'%@%\') NOT NULL DEFAULT \'\'', 'ALTER DOMAIN email DROP DEFAULT', 'ALTER DOMAIN email RENAME TO mail'],
  generated_stored_columns: ['CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED)', 'ALTER TABLE t ALTER COLUMN b DROP EXPRESSION IF EXISTS'],
  create_function_sql: [
    'CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$',
    'ALTER FUNCTION add(int, int) RENAME TO plus',
    'ALTER FUNCTION plus(int, int) SET SCHEMA app',
  ],
  plpgsql: [
    'CREATE FUNCTION bump(v integer) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN RETURN v + 1; END; $$',
    "CREATE PROCEDURE add_note(p_id uuid, p_body text) LANGUAGE plpgsql AS $$ BEGIN INSERT INTO notes VALUES (p_id, p_body); END; $$",
    "CALL add_note(gen_random_uuid(), 'hello')",
    'DO $$ BEGIN PERFORM 1; END $$',
  ],
  views: ['CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE active', 'ALTER VIEW active_users RENAME TO live_users', 'DROP VIEW IF EXISTS live_users'],
  analyze: ['ANALYZE users', 'ANALYZE'],
  copy_stdio: ['COPY users (id, email) FROM STDIN WITH (FORMAT csv)', 'COPY (SELECT * FROM users) TO STDOUT'],
  row_locking: ['SELECT * FROM accounts WHERE id = $1 FOR UPDATE', 'SELECT * FROM accounts WHERE id = 1 FOR UPDATE NOWAIT'],
  for_key_share: ['SELECT * FROM accounts WHERE id = 1 FOR KEY SHARE SKIP LOCKED', 'SELECT id FROM orgs WHERE id = $1 FOR KEY SHARE'],
  upsert: [
    'INSERT INTO counters (k, n) VALUES ($1, 1) ON CONFLICT (k) DO UPDATE SET n = counters.n + 1 RETURNING n',
    "INSERT INTO log (note) VALUES ('TRUNCATE is not supported; DROP TABLE instead') ON CONFLICT DO NOTHING",
    'UPDATE users SET temporary_x = 1 WHERE serial_number = 2',
    'DELETE FROM users WHERE json_data IS NULL',
    "WITH moved AS (DELETE FROM inbox WHERE id < 10 RETURNING *) INSERT INTO archive SELECT * FROM moved",
  ],
  transaction_modes: [
    'BEGIN',
    'BEGIN ISOLATION LEVEL REPEATABLE READ, READ WRITE',
    'START TRANSACTION READ ONLY',
    'COMMIT',
    'ROLLBACK',
    'BEGIN;\nCREATE TABLE a (id bigint PRIMARY KEY);\nCOMMIT;\nBEGIN;\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\nCOMMIT',
  ],
  set_allowlisted: ["SET search_path TO app, public", "SET application_name = 'worker'", "SET TIME ZONE 'UTC'", "SET NAMES 'UTF8'", 'SET datestyle = ISO', 'SET extra_float_digits = 3', 'SET ROLE app', 'RESET ALL', 'SHOW search_path'],
  deallocate_all: ['DEALLOCATE ALL', 'DEALLOCATE PREPARE ALL'],
  drop_trigger_if_exists: ['DROP TRIGGER IF EXISTS trg ON users CASCADE'],
  access_control: [
    'CREATE ROLE app WITH LOGIN',
    'GRANT SELECT, INSERT ON users TO app',
    'REVOKE INSERT ON users FROM app',
    'GRANT app TO admin',
    "COMMENT ON TABLE users IS 'TRUNCATE me never'",
    'CREATE SCHEMA IF NOT EXISTS app',
    'DROP ROLE IF EXISTS old_app',
  ],
  extended_statistics: ['CREATE STATISTICS users_stats (dependencies) ON org_id, email FROM users', 'ALTER STATISTICS users_stats SET STATISTICS 100', 'DROP STATISTICS IF EXISTS users_stats'],
  wait_for_job: ["CALL sys.wait_for_job('qfzv5uemkrg2lbczil2fim3o2q')", "SELECT job_id, status FROM sys.jobs WHERE status <> 'completed'"],
  runtime_types: [
    "SELECT '10.0.0.1'::inet << '10.0.0.0/8'::inet",
    'SELECT array_agg(id), unnest(ARRAY[1, 2]) FROM users GROUP BY org_id',
    "SELECT * FROM users WHERE id = ANY ('{1,2,3}'::bigint[])",
    "SELECT jsonb_build_object('a', 1) ->> 'a'",
  ],
};
