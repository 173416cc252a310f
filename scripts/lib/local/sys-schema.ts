// The SQL objects the local DSQL adds to PGlite, created (or replaced) at every start so an
// existing data directory picks up changes:
//
// - sys.jobs (a view, as on DSQL) over sys.local_jobs, and the procedure sys.wait_for_job;
// - sys.local_job_id(uuid): DSQL's 26-character job id, a UUID in lower-case base32;
// - sys.local_run_async(...): runs the DDL of CREATE INDEX ASYNC / ALTER TABLE ASYNC ...
//   VALIDATE CONSTRAINT and records its job, returning the job id;
// - the transaction row limit: a row trigger on every user table counts modified rows in a
//   transaction-local setting and raises DSQL's error on the row that crosses the limit, so
//   PostgreSQL itself fails the statement (autocommit, COPY and multi-statement queries
//   alike). An event trigger adds it to each new table. The triggers are marked internal so
//   psql's \d, information_schema and pg_dump do not show them.
//
// Texts that are DSQL's (error messages, SQLSTATEs, the limit) come in from the rules table.

export interface SysTexts {
  rowLimit: { limit: number; sqlstate: string; message: string };
  badJobId: { sqlstate: string; message: string };
}

/** Name of the hidden row-counting trigger on user tables. */
export const ROW_TRIGGER = 'dsql_local_row_limit';
/** The transaction-local setting that holds the count. */
const COUNTER = 'dsql_local.rows_modified';

/**
 * A standard string literal for text placed inside the dollar-quoted function bodies below.
 * The values come from the rules table; a '$' could end a body early, so it is refused.
 */
function str(value: string): string {
  if (/[$\0]/.test(value)) throw new Error(`unexpected character in ${JSON.stringify(value)}`);
  return `'${value.replaceAll("'", "''")}'`;
}

function sqlstate(code: string): string {
  if (!/^[0-9A-Z]{5}$/.test(code)) throw new Error(`not a SQLSTATE: ${JSON.stringify(code)}`);
  return str(code);
}

export function sysSchemaSql(t: SysTexts): string {
  if (!Number.isSafeInteger(t.rowLimit.limit) || t.rowLimit.limit < 1) throw new Error(`bad row limit ${t.rowLimit.limit}`);
  const parts: Record<string, string> = {
    limit: String(t.rowLimit.limit),
    rowState: sqlstate(t.rowLimit.sqlstate),
    rowMessage: str(t.rowLimit.message),
    idState: sqlstate(t.badJobId.sqlstate),
    idMessage: str(t.badJobId.message),
    counter: str(COUNTER),
    trigger: str(ROW_TRIGGER),
  };
  return `
CREATE SCHEMA IF NOT EXISTS sys;

CREATE TABLE IF NOT EXISTS sys.local_jobs (
  job_id text PRIMARY KEY,
  status text NOT NULL,
  details text,
  job_type text NOT NULL,
  class_id oid,
  object_id oid,
  object_name text,
  start_time timestamptz NOT NULL,
  update_time timestamptz
);
COMMENT ON TABLE sys.local_jobs IS 'local DSQL: the jobs behind the sys.jobs view';

-- DSQL shows the object name while a job runs and keeps finished jobs for about 30 minutes.
CREATE OR REPLACE VIEW sys.jobs AS
  SELECT job_id, status, details, job_type, class_id, object_id,
         CASE WHEN status IN ('submitted', 'processing') THEN object_name END AS object_name,
         start_time, update_time
  FROM sys.local_jobs
  WHERE update_time IS NULL OR update_time > now() - interval '30 minutes';

CREATE OR REPLACE FUNCTION sys.local_job_id(u uuid) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
DECLARE
  raw bytea := uuid_send(u);
  alphabet text := 'abcdefghijklmnopqrstuvwxyz234567';
  acc int := 0;
  bits int := 0;
  id text := '';
BEGIN
  FOR i IN 0..15 LOOP
    acc := (acc << 8) | get_byte(raw, i);
    bits := bits + 8;
    WHILE bits >= 5 LOOP
      id := id || substr(alphabet, ((acc >> (bits - 5)) & 31) + 1, 1);
      bits := bits - 5;
    END LOOP;
    acc := acc & ((1 << bits) - 1);
  END LOOP;
  RETURN id || substr(alphabet, ((acc << (5 - bits)) & 31) + 1, 1);
END
$fn$;

CREATE OR REPLACE FUNCTION sys.local_run_async(kind text, ddl text, rel text, con text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  id text := sys.local_job_id(gen_random_uuid());
  st text := 'completed';
  det text;
  obj oid;
  objname text;
  cls oid;
BEGIN
  BEGIN
    EXECUTE ddl;
  EXCEPTION WHEN integrity_constraint_violation THEN
    -- DSQL reports a build that meets bad data as a failed job, not as an error.
    st := 'failed';
    det := SQLERRM;
  END;
  IF kind = 'INDEX_BUILD' THEN
    cls := 'pg_catalog.pg_class'::regclass;
    -- The index this transaction (or the subtransaction above) created: one DDL per
    -- transaction, so at most one; age() is 0 for this transaction, negative for its subtransactions.
    SELECT c.oid, n.nspname || '.' || c.relname INTO obj, objname
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('i', 'I') AND age(c.xmin) <= 0
    ORDER BY c.oid DESC LIMIT 1;
  ELSE
    cls := 'pg_catalog.pg_constraint'::regclass;
    SELECT c.oid, c.conname INTO obj, objname FROM pg_catalog.pg_constraint c
    WHERE c.conrelid = to_regclass(rel) AND c.conname = con;
  END IF;
  INSERT INTO sys.local_jobs (job_id, status, details, job_type, class_id, object_id, object_name, start_time, update_time)
  VALUES (id, st, det, kind, cls, obj, objname, now(), clock_timestamp());
  RETURN id;
END
$fn$;

CREATE OR REPLACE PROCEDURE sys.wait_for_job(job_id text, INOUT succeeded boolean DEFAULT NULL)
LANGUAGE plpgsql AS $fn$
DECLARE
  st text;
BEGIN
  -- A job id is a UUID in base32: 26 characters, the last one carrying 3 bits.
  IF job_id IS NULL OR job_id !~ '^[a-z2-7]{25}[aeimquy4]$' THEN
    RAISE EXCEPTION USING ERRCODE = {idState}, MESSAGE = {idMessage};
  END IF;
  SELECT j.status INTO st FROM sys.local_jobs j WHERE j.job_id = wait_for_job.job_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '42704', MESSAGE = format('job %s does not exist', job_id);
  END IF;
  succeeded := st = 'completed';
END
$fn$;

CREATE OR REPLACE FUNCTION sys.local_count_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  n bigint := coalesce(nullif(current_setting({counter}, true), ''), '0')::bigint + 1;
BEGIN
  IF n > {limit} THEN
    RAISE EXCEPTION USING ERRCODE = {rowState}, MESSAGE = {rowMessage};
  END IF;
  PERFORM set_config({counter}, n::text, true);
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION sys.local_add_row_trigger(rel regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = rel AND tgname = {trigger}) THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION sys.local_count_row()', {trigger}, rel);
  UPDATE pg_catalog.pg_trigger SET tgisinternal = true WHERE tgrelid = rel AND tgname = {trigger};
END
$fn$;

CREATE OR REPLACE FUNCTION sys.local_on_create_table() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands()
    WHERE object_type = 'table' AND schema_name IS DISTINCT FROM 'sys' LOOP
    PERFORM sys.local_add_row_trigger(cmd.objid::regclass);
  END LOOP;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'dsql_local_new_table') THEN
    CREATE EVENT TRIGGER dsql_local_new_table ON ddl_command_end
      WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION sys.local_on_create_table();
  END IF;
  -- Tables from before this version, or created while the trigger was missing.
  PERFORM sys.local_add_row_trigger(c.oid)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('sys', 'pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_%';
END
$do$;
`.replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => parts[name] ?? `{${name}}`);
}
