// Helpers and sources shared by the table files. Each entry states DSQL's behaviour once;
// dates and sources come from ../shared/research/dsql-compat-and-lint.md.
import type { Rule } from '../types.js';

/** Aurora DSQL became generally available on this date: `since` for behaviour held since launch. */
export const GA = '2025-05-27';
/** Identity columns and sequences became available. */
export const SEQUENCES_GA = '2026-02-13';
/** Foreign key constraints became available. */
export const FOREIGN_KEYS_GA = '2026-08-27';
/**
 * PL/pgSQL (functions, procedures, CALL, DO) as documented by the AWS page "PL/pgSQL in Aurora
 * DSQL". No launch date was found; probes recorded on 2026-09-18 were still refused, so this is
 * the date the page was seen, a lower bound for when the behaviour holds.
 */
export const PLPGSQL_DOCUMENTED = '2026-11-26';

const DOCS = 'https://docs.aws.amazon.com/aurora-dsql/latest/userguide/';
/** Probes recorded against a real cluster in September 2026. */
const GOLDEN = 'https://github.com/Dreamescaper/dsql-emulator/blob/main/test/conformance/golden/';

export const SRC = {
  dataTypes: `${DOCS}working-with-postgresql-compatibility-supported-data-types.html`,
  quotas: `${DOCS}CHAP_quotas.html`,
  concurrency: `${DOCS}working-with-concurrency-control.html`,
  ddl: `${DOCS}working-with-ddl.html`,
  createTable: `${DOCS}create-table-syntax-support.html`,
  alterTable: `${DOCS}alter-table-syntax-support.html`,
  createIndex: `${DOCS}create-index-syntax-support.html`,
  createIndexAsync: `${DOCS}working-with-create-index-async.html`,
  createSequence: `${DOCS}create-sequence-syntax-support.html`,
  foreignKeys: `${DOCS}working-with-foreign-key-constraints.html`,
  sqlFeatures: `${DOCS}working-with-postgresql-compatibility-supported-sql-features.html`,
  unsupported: `${DOCS}working-with-postgresql-compatibility-unsupported-features.html`,
  plpgsql: `${DOCS}working-with-plpgsql.html`,
  releaseNotes: `${DOCS}release-notes.html`,
  docHistory: `${DOCS}doc-history.html`,
  createStatistics: `${DOCS}create-statistics-syntax-support.html`,
  loading: `${DOCS}loading-data.html`,
  knownIssues: `${DOCS}known-issues.html`,
  goldenUnsupported: `${GOLDEN}unsupported.json`,
  goldenTypes: `${GOLDEN}types.json`,
  goldenEnum: `${GOLDEN}enum.json`,
  goldenAlters: `${GOLDEN}alters.json`,
  goldenBacklog: `${GOLDEN}backlog.json`,
  goldenIndex: `${GOLDEN}index.json`,
  goldenQueries: `${GOLDEN}queries.json`,
  goldenOcc: `${GOLDEN}occ.json`,
  goldenIsolation: `${GOLDEN}isolation.json`,
  goldenTransaction: `${GOLDEN}transaction.json`,
  goldenSupported: `${GOLDEN}supported.json`,
  goldenEnvironment: `${GOLDEN}environment.json`,
  goldenMultiStatement: `${GOLDEN}multi_statement.json`,
  emulatorRules: 'https://github.com/Dreamescaper/dsql-emulator/blob/main/rules/dsql-2026.09.yaml',
  publicLint: 'https://github.com/awslabs/aurora-dsql-tools/blob/104908e/dsql-lint/src/rules/errors.rs',
  pgdumpProxy: 'https://github.com/awslabs/aurora-dsql-tools/blob/104908e/pgdump-proxy/README.md',
  limits: 'https://github.com/awslabs/agent-plugins/blob/main/plugins/databases-on-aws/skills/dsql/references/limits-and-error-codes.md',
  functions: 'https://github.com/awslabs/agent-plugins/blob/main/plugins/databases-on-aws/skills/dsql/references/pg-migrations/function-compatibility.md',
  typeMapping: 'https://github.com/awslabs/mcp/blob/main/src/aurora-dsql-mcp-server/skills/dsql-skill/references/pg-migrations/type-mapping.md',
  advisoryIssue: 'https://github.com/golang-migrate/migrate/issues/1289',
} as const;

type Draft = Omit<Rule, 'status' | 'scope' | 'sqlstate' | 'severity' | 'lint' | 'since' | 'messageVerified' | 'message'> &
  Partial<Pick<Rule, 'scope' | 'sqlstate' | 'lint' | 'since' | 'messageVerified'>> & { message: string };

/** A statement DSQL refuses: 0A000 unless said otherwise, message recorded unless said otherwise. */
export function refused(draft: Draft): Rule {
  return {
    status: 'refused',
    scope: 'statement',
    sqlstate: '0A000',
    severity: 'error',
    lint: true,
    since: GA,
    messageVerified: true,
    ...draft,
  };
}

/** A quota: the statement fails once it is crossed (54000 unless said otherwise). */
export function limit(draft: Draft): Rule {
  return { ...refused({ sqlstate: '54000', ...draft }), status: 'limit' };
}

/** DSQL runs it, differently from PostgreSQL: a warning whose text is ours. */
export function differs(draft: Draft): Rule {
  return { ...refused({ sqlstate: '01000', messageVerified: false, ...draft }), status: 'differs', severity: 'warning' };
}

/** DSQL accepts it: recorded so that no check flags it (the tests hold the linter to that). */
export function supported(draft: Omit<Rule, 'status' | 'sqlstate' | 'message' | 'messageVerified' | 'severity' | 'lint' | 'scope'>): Rule {
  return { status: 'supported', scope: 'statement', sqlstate: null, message: null, messageVerified: true, severity: null, lint: true, ...draft };
}
