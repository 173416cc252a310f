// Transactions, SET and the session (research §2.7, §3, §4.3, §4.4). The entries are also
// exported by name (TRANSACTION_RULES) so a server raises them without restating the text.
import type { Rule } from '../types.js';
import { limit, refused, SRC } from './common.js';

const multipleDdl = refused({
  id: 'multi_ddl_transaction',
  summary: 'a transaction holds at most one DDL statement',
  detects: 'a second DDL statement (see classify) in one transaction: an explicit block, or several statements sent as one query',
  message: 'multiple ddl statements not supported in a transaction',
  scope: 'transaction',
  suggestion: 'run each DDL statement in its own transaction (or autocommit)',
  fix: { tier: 'fixed_with_warning', does: 'splits the block so each DDL statement runs in its own transaction, each ending as the block did: the block is no longer atomic' },
  source: SRC.goldenTransaction,
});

const ddlDmlMixed = refused({
  id: 'mixed_ddl_dml_transaction',
  summary: 'DDL and DML cannot share a transaction',
  detects: 'DML after DDL, or DDL after DML, in one transaction (SELECT counts as neither)',
  message: 'ddl and dml are not supported in the same transaction',
  scope: 'transaction',
  suggestion: 'commit the DDL first, then run the DML in its own transaction',
  fix: { tier: 'fixed_with_warning', does: 'splits the block so DDL and DML run in separate transactions: the block is no longer atomic' },
  source: SRC.goldenTransaction,
});

const isolation = refused({
  id: 'transaction_isolation',
  summary: 'the only isolation level is REPEATABLE READ',
  detects: 'TransactionStmt BEGIN/START with transaction_isolation other than repeatable read',
  message: 'Unsupported isolation level: {level}',
  scope: 'transaction',
  fix: { tier: 'fixed_with_warning', does: 'changes the level to REPEATABLE READ (snapshot isolation; conflicts fail at COMMIT with 40001)' },
  source: SRC.goldenIsolation,
});

const setTransaction = refused({
  id: 'set_transaction',
  summary: 'SET TRANSACTION and SET SESSION CHARACTERISTICS are refused, whatever they set',
  detects: 'VariableSetStmt{kind: VAR_SET_MULTI, name: TRANSACTION | SESSION CHARACTERISTICS}',
  message: 'setting configuration parameter "TRANSACTION" not supported',
  scope: 'transaction',
  suggestion: 'BEGIN [ISOLATION LEVEL REPEATABLE READ] [READ ONLY] sets the transaction mode',
  source: SRC.goldenIsolation,
});

const setParameter = refused({
  id: 'set_parameter',
  summary: 'only a few parameters can be SET (application_name, client_encoding, DateStyle, extra_float_digits, IntervalStyle, TimeZone, search_path, role, enable_*, disable_sync_create_index, dsql.enable_batched_nestloop)',
  detects: 'VariableSetStmt (SET, SET LOCAL) or set_config() with a name outside SET_ALLOWLIST',
  message: 'setting configuration parameter "{name}" not supported',
  scope: 'statement',
  suggestion: 'remove it; enforce timeouts on the client side',
  fix: { tier: 'fixed_with_warning', does: 'removes the SET statement (pg_dump headers): check nothing relied on the setting' },
  source: SRC.goldenIsolation,
});

const savepoint = refused({
  id: 'unsupported_savepoint',
  summary: 'savepoints (SAVEPOINT, RELEASE, ROLLBACK TO) are not supported',
  detects: 'TransactionStmt{kind: TRANS_STMT_SAVEPOINT | TRANS_STMT_RELEASE | TRANS_STMT_ROLLBACK_TO}',
  message: 'unsupported transaction statement: {statement}',
  scope: 'transaction',
  suggestion: 'split the work into separate transactions',
  source: SRC.goldenTransaction,
});

const rowLimit = limit({
  id: 'transaction_row_limit',
  summary: 'a transaction modifies at most 3,000 rows',
  detects: 'INSERT ... VALUES lists with more than 3,000 rows, alone or added up in one transaction (a server counts rows as they change)',
  message: 'transaction row limit exceeded',
  scope: 'transaction',
  suggestion: 'batch the writes: at most 3,000 rows per transaction',
  source: SRC.goldenTransaction,
});

const sizeLimit = limit({
  id: 'transaction_size_limit',
  summary: 'a transaction modifies at most 10 MiB of data (checked at COMMIT)',
  detects: 'runtime only: bytes written by the transaction',
  message: 'transaction size limit 10mb exceeded',
  scope: 'transaction',
  lint: false,
  suggestion: 'write smaller batches',
  source: SRC.quotas,
});

const ageLimit = limit({
  id: 'transaction_age_limit',
  summary: 'a transaction lives at most 300 seconds',
  detects: 'runtime only: time since BEGIN, checked at the next statement or COMMIT',
  message: 'transaction age limit of 300s exceeded',
  scope: 'transaction',
  lint: false,
  suggestion: 'keep transactions short; never wait for user input or async jobs inside one',
  source: SRC.quotas,
});

const waitForJobInTransaction = refused({
  id: 'wait_for_job_in_transaction',
  summary: 'CALL sys.wait_for_job must run outside a transaction block',
  detects: 'CallStmt sys.wait_for_job inside BEGIN ... COMMIT',
  message: 'sys.wait_for_job cannot be called inside a transaction block',
  messageVerified: false,
  scope: 'transaction',
  suggestion: 'COMMIT first, then CALL sys.wait_for_job(job_id)',
  source: 'https://github.com/awslabs/aurora-dsql-tools/blob/104908e/flyway/README.md',
});

const dataConflict = refused({
  id: 'occ_data_conflict',
  summary: 'optimistic concurrency: a write-write conflict fails the later COMMIT (retry the whole transaction)',
  detects: 'runtime only: another transaction committed a change to a row this one wrote or locked FOR UPDATE',
  sqlstate: '40001',
  message: 'change conflicts with another transaction, please retry: (OC000)',
  scope: 'transaction',
  lint: false,
  suggestion: 'retry the whole transaction on SQLSTATE 40001 with backoff and jitter',
  source: SRC.concurrency,
});

const schemaConflict = refused({
  id: 'occ_schema_conflict',
  summary: 'optimistic concurrency: the catalog changed since the session cached it (retry)',
  detects: 'runtime only: DDL, GRANT/REVOKE or an async job finished elsewhere in the cluster',
  sqlstate: '40001',
  message: 'schema has been updated by another transaction, please retry: (OC001)',
  scope: 'transaction',
  lint: false,
  suggestion: 'retry the whole transaction on SQLSTATE 40001',
  source: SRC.concurrency,
});

/** The transaction-level behaviour, by name, for a server to raise. */
export const TRANSACTION_RULES = {
  multipleDdl,
  ddlDmlMixed,
  isolation,
  setTransaction,
  setParameter,
  savepoint,
  rowLimit,
  sizeLimit,
  ageLimit,
  waitForJobInTransaction,
  dataConflict,
  schemaConflict,
} as const;

/** Rows a transaction may insert, update or delete. */
export const TRANSACTION_ROW_LIMIT = 3000;
/** Bytes a transaction may modify. */
export const TRANSACTION_SIZE_LIMIT_BYTES = 10 * 1024 * 1024;
/** Seconds a transaction may stay open. */
export const TRANSACTION_AGE_LIMIT_SECONDS = 300;

/**
 * Parameters SET may change (lower case). Names starting with `enable_` (planner switches)
 * are allowed too; see isSetAllowed. disable_sync_create_index is DSQL's own, and so is
 * dsql.enable_batched_nestloop (the batched nested-loop join switch, release notes 2026-09-11).
 */
export const SET_ALLOWLIST: readonly string[] = [
  'application_name',
  'client_encoding',
  'datestyle',
  'extra_float_digits',
  'intervalstyle',
  'timezone',
  'search_path',
  'role',
  'disable_sync_create_index',
  'dsql.enable_batched_nestloop',
];

/** Whether DSQL lets SET change this parameter (case-insensitive). */
export function isSetAllowed(name: string): boolean {
  const lower = name.toLowerCase();
  return SET_ALLOWLIST.includes(lower) || lower.startsWith('enable_');
}

const session: Rule[] = [
  limit({
    id: 'connection_limit',
    summary: 'a cluster accepts at most 10,000 connections',
    detects: 'runtime only',
    sqlstate: '53300',
    message: 'Unable to accept connection, too many open connections.',
    scope: 'session',
    lint: false,
    source: SRC.quotas,
  }),
  limit({
    id: 'connection_rate_limit',
    summary: 'new connections: 100 per second sustained, bursts of 1,000',
    detects: 'runtime only',
    sqlstate: '53400',
    message: 'Unable to accept connection, rate exceeded.',
    scope: 'session',
    lint: false,
    source: SRC.quotas,
  }),
  {
    ...limit({
      id: 'connection_age_limit',
      summary: 'a connection is closed after 60 minutes (no error is sent)',
      detects: 'runtime only',
      message: '',
      scope: 'session',
      lint: false,
      source: SRC.quotas,
    }),
    sqlstate: null,
    message: null,
  },
  limit({
    id: 'query_temp_space_limit',
    summary: 'a query may use at most 128 MiB of temporary space',
    detects: 'runtime only',
    message: 'query requires more than allowed temp space of 131072 KB to execute',
    scope: 'statement',
    lint: false,
    source: SRC.limits,
  }),
  limit({
    id: 'row_size_limit',
    summary: 'a row holds at most 2 MiB, a column value at most 1 MiB',
    detects: 'runtime only',
    message: 'maximum row size exceeded',
    scope: 'statement',
    lint: false,
    source: SRC.quotas,
  }),
];

export const TRANSACTION_TABLE: Rule[] = [...Object.values(TRANSACTION_RULES), ...session];
