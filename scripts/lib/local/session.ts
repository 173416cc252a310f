// One client connection to the local DSQL, after authentication: every protocol message
// goes through here on its way to PGlite and back.
//
// How a refusal works: the statement is never run. Instead PGlite is made to fail at that
// point (a DO block that raises, or a Parse of text that cannot parse), and the error it
// answers with is replaced by DSQL's. So PostgreSQL's own machinery gives the exact
// aftermath: an explicit transaction becomes aborted (25P02 after, COMMIT answers
// ROLLBACK), an implicit one is rolled back, and an extended-protocol pipeline skips to Sync.
//
// What else the session does:
// - renames prepared statements and portals per connection (c<id>_<name>), since all
//   connections share PGlite's one backend;
// - tracks the transaction (explicit or implicit) for the rules that look at the
//   statements before (one DDL, no DDL+DML) and for the age limit;
// - turns DSQL's own statements into PGlite ones (CREATE INDEX ASYNC, ALTER TABLE ASYNC
//   ... VALIDATE CONSTRAINT, DEALLOCATE ALL) and fixes their command tags;
// - answers COPY ... FROM STDIN itself and hands the data to PGlite in one go, because
//   PGlite's backend cannot wait for CopyData;
// - holds the engine lock for a whole transaction and gives it back when idle.
import { randomBytes } from 'node:crypto';
import type { Statement } from '../sql/parser.js';
import { SqlSyntaxError } from '../sql/parser.js';
import { ident, literal } from '../sql/safe.js';
import type { Engine, Setting } from './engine.js';
import { LockTimeout } from './engine-lock.js';
import type { Policy, Refusal, TransactionRules } from './policy.js';
import {
  FLUSH,
  MSG,
  ProtocolViolation,
  SYNC,
  eachMessage,
  readBind,
  readErrorFields,
  readExecute,
  readParse,
  readQuery,
  readTarget,
  trailingStatus,
  writeBind,
  writeCommandComplete,
  writeCopyInResponse,
  writeError,
  writeExecute,
  writeParse,
  writeQuery,
  writeReadyForQuery,
  writeTarget,
  type ErrorFields,
  type TxStatus,
} from './wire.js';

/** What the server shares with every session. */
export interface SessionHost {
  engine: Engine;
  policy: Policy;
  /** Parses SQL (cached by text); a syntax error comes back as the value. */
  parse(text: string): Statement[] | SqlSyntaxError;
  /** How long a connection waits for another one's transaction before 40001 (0: forever). */
  lockWaitMs: number;
}

/** How the server runs a statement when it is not passed through as written. */
type Special = 'asyncIndex' | 'asyncValidate' | 'copyIn' | 'deallocateAll';

interface Prepared {
  stmt: Statement;
  special?: Special;
  /** The command tag the client should see instead of PGlite's. */
  tag?: string;
}

interface CopyIn {
  sql: string;
  chunks: Buffer[];
  bytes: number;
}

/**
 * The COPY data a connection may send: PGlite takes it in one piece, so the server holds it
 * in memory. Over three times DSQL's 10 MiB transaction size limit, no text or binary form
 * of rows DSQL would accept is that long, so what is refused here DSQL refuses too.
 */
const COPY_MAX_BYTES = 32 * 1024 * 1024;

// Errors raised inside the server's own SQL functions carry a CONTEXT line naming them;
// DSQL's errors have none, so those fields are dropped.
const INTERNAL_CONTEXT = /sys\.local_|sys\.wait_for_job/;

const markerBase = `dsql_local_refusal_${randomBytes(4).toString('hex')}`;
let markerCount = 0;
let sessionCount = 0;

// Errors about prepared statements and portals name them; PGlite knows them renamed.
const NAMES_IN_MESSAGE = new Set(['26000', '42P05', '34000', '42P03']);

/** Pending answer fixes for one round trip to PGlite. */
class Rewrite {
  /** This connection's prefix for statement and portal names, taken out of messages. */
  readonly prefix: string;
  /** Marker text in a forced error -> the error to answer instead. */
  readonly markers = new Map<string, ErrorFields>();
  /** Command tags to use instead of PGlite's, in completion order (undefined: keep). */
  readonly tags: (string | undefined)[] = [];

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  refuse(refusal: ErrorFields): string {
    const marker = `${markerBase}_${++markerCount}`;
    this.markers.set(marker, refusal);
    return marker;
  }

  /** Applies the fixes and cleans internal error context; returns the buffer unchanged if nothing applies. */
  apply(buf: Uint8Array): Uint8Array {
    let parts: Uint8Array[] | undefined;
    let copied = 0;
    let completion = 0;
    const replace = (start: number, end: number, with_: Uint8Array | undefined) => {
      parts ??= [];
      parts.push(buf.subarray(copied, start));
      if (with_) parts.push(with_);
      copied = end;
    };
    eachMessage(buf, (type, start, end) => {
      if (type === MSG.commandComplete || type === MSG.portalSuspended || type === MSG.emptyQuery) {
        const tag = this.tags[completion++];
        if (tag !== undefined && type === MSG.commandComplete) replace(start, end, writeCommandComplete(tag));
      } else if (type === MSG.error || type === MSG.notice) {
        const fields = readErrorFields(buf.subarray(start, end));
        const message = fields.get('M') ?? '';
        let instead: ErrorFields | undefined;
        if (type === MSG.error) for (const [marker, refusal] of this.markers) if (message.includes(marker)) instead = refusal;
        if (instead) {
          replace(start, end, writeError(instead));
        } else if (NAMES_IN_MESSAGE.has(fields.get('C') ?? '') && message.includes(`"${this.prefix}`)) {
          replace(start, end, writeError({ severity: 'ERROR', code: fields.get('C')!, message: message.replaceAll(`"${this.prefix}`, '"') }));
        } else if (INTERNAL_CONTEXT.test(fields.get('W') ?? '')) {
          replace(
            start,
            end,
            writeError(
              {
                severity: fields.get('V') as ErrorFields['severity'],
                code: fields.get('C') ?? 'XX000',
                message,
                detail: fields.get('D'),
                hint: fields.get('H'),
              },
              type,
            ),
          );
        }
      }
    });
    if (!parts) return buf;
    parts.push(buf.subarray(copied));
    return Buffer.concat(parts);
  }
}

/** The statement's text with DSQL's ASYNC keyword taken out (CREATE INDEX ASYNC, ALTER TABLE ASYNC). */
function withoutAsync(stmt: Statement): string {
  const words = stmt.tokens.filter((t) => !t.comment).slice(0, 5);
  const asyncToken = words.find((t) => t.type === 'IDENT' && t.text.toLowerCase() === 'async');
  if (!asyncToken) return stmt.text;
  const from = asyncToken.start - stmt.start;
  return stmt.text.slice(0, from) + ' '.repeat(asyncToken.end - asyncToken.start) + stmt.text.slice(asyncToken.end - stmt.start);
}

interface RangeVar {
  schemaname?: string;
  relname: string;
}

function specialOf(stmt: Statement): Special | undefined {
  const node = stmt.node as Record<string, unknown>;
  switch (stmt.kind) {
    case 'IndexStmt':
      return stmt.async ? 'asyncIndex' : undefined;
    case 'AlterTableStmt':
      return stmt.async ? 'asyncValidate' : undefined;
    case 'CopyStmt':
      return node.is_from && !node.filename && !node.is_program ? 'copyIn' : undefined;
    case 'DeallocateStmt':
      return node.isall ? 'deallocateAll' : undefined;
    default:
      return undefined;
  }
}

/** The SQL PGlite runs for a DSQL-only statement, and the command tag the client should see. */
function engineForm(stmt: Statement, special: Special | undefined): { sql: string; tag?: string } {
  switch (special) {
    case 'asyncIndex':
      return { sql: `SELECT sys.local_run_async('INDEX_BUILD', ${literal(withoutAsync(stmt))}, NULL, NULL) AS job_id`, tag: 'CREATE INDEX' };
    case 'asyncValidate': {
      const node = stmt.node as { relation?: RangeVar; cmds?: { AlterTableCmd?: { subtype?: string; name?: string } }[] };
      const cmd = node.cmds?.length === 1 ? node.cmds[0]!.AlterTableCmd : undefined;
      if (!node.relation || cmd?.subtype !== 'AT_ValidateConstraint' || !cmd.name) return { sql: withoutAsync(stmt) };
      const rel = node.relation.schemaname ? ident(node.relation.schemaname, node.relation.relname) : ident(node.relation.relname);
      return {
        sql: `SELECT sys.local_run_async('VALIDATE_CONSTRAINT', ${literal(withoutAsync(stmt))}, ${literal(rel.sql)}, ${literal(cmd.name)}) AS job_id`,
        tag: 'ALTER TABLE',
      };
    }
    case 'deallocateAll':
      // Deallocating is done by the session for this connection only; PGlite runs a no-op.
      return { sql: 'DO $dsql_local$BEGIN END$dsql_local$', tag: 'DEALLOCATE ALL' };
    default:
      return { sql: stmt.text };
  }
}

function transactionKind(stmt: Statement): 'begin' | 'end' | undefined {
  if (stmt.kind !== 'TransactionStmt') return undefined;
  const kind = (stmt.node as { kind?: string }).kind;
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') return 'begin';
  if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE') return 'end';
  return undefined;
}

const EMPTY = new Uint8Array(0);

/** SQL that makes PGlite fail with `marker` as the message, at this point of a query. */
const raiser = (marker: string) => `DO $dsql_local$BEGIN RAISE EXCEPTION '%', '${marker}'; END$dsql_local$`;

/** The statements before a statement that starts a transaction (shared, never grown). */
const NONE: readonly Statement[] = Object.freeze([]);

export class Session {
  readonly id = ++sessionCount;
  /** Transaction status from the last ReadyForQuery PGlite sent this connection. */
  status: TxStatus = 'I';
  /** A statement that ends the transaction is queued since that ReadyForQuery. */
  private ending = false;
  private readonly prefix = `c${this.id}_`;
  private readonly prepared = new Map<string, Prepared>();
  private readonly portals = new Map<string, { prepared?: Prepared; executed: boolean }>();
  private readonly named = new Set<string>();

  // The current transaction, as far as the rules need it.
  private previous: Statement[] = [];
  private explicitSince: number | undefined;
  private tx: TransactionRules;

  // The extended-protocol pipeline being collected until Sync or Flush.
  private pending: Buffer[] = [];
  private rewrite: Rewrite;
  /** A refusal is queued: PGlite will skip the rest of the pipeline, so later checks are moot. */
  private pipelineFailed = false;
  /** The server answered an error itself (lock timeout): drop messages until Sync. */
  private skipping = false;
  /** Messages were run without a Sync; PGlite is mid-pipeline. */
  private unsynced = false;
  /** Output already produced for this pipeline (by an early run) but not yet sent. */
  private held: Uint8Array[] = [];
  private copy: CopyIn | undefined;
  private closed = false;
  /** This connection's session-level settings (SET), as it last left them. */
  private settings: readonly Setting[];
  /** A SET ran since then: read the settings back when the connection goes idle. */
  private settingsChanged = false;

  private readonly host: SessionHost;

  /** `settings`: what the client asked for at connection start (allowed parameters only). */
  constructor(host: SessionHost, settings: readonly Setting[] = []) {
    this.host = host;
    this.settings = settings;
    this.tx = host.policy.transaction();
    this.rewrite = new Rewrite(this.prefix);
  }

  /** Handles one frontend message; returns the bytes to send back (possibly none). */
  async handle(msg: Uint8Array): Promise<Uint8Array> {
    const type = msg[0]!;
    if (this.copy) return this.copyMessage(type, msg);
    switch (type) {
      case MSG.query:
        return this.query(msg, readQuery(msg));
      case MSG.parse:
        return this.parseMessage(msg);
      case MSG.bind:
        return this.bindMessage(msg);
      case MSG.describe:
      case MSG.close:
        return this.targetMessage(type, msg);
      case MSG.execute:
        return this.executeMessage(msg);
      case MSG.sync:
        return this.syncMessage();
      case MSG.flush:
        return this.flushMessage();
      case MSG.copyData:
      case MSG.copyDone:
      case MSG.copyFail:
        // Stray copy messages outside COPY mode are ignored, as PostgreSQL does.
        return EMPTY;
      case MSG.functionCall:
        // The fast-path interface (libpq's large-object calls): nothing DSQL offers uses it.
        return Buffer.concat([writeError({ code: '0A000', message: 'the fast-path function call interface is not supported' }), writeReadyForQuery(this.status)]);
      default:
        throw new ProtocolViolation(`invalid frontend message type ${type}`);
    }
  }

  // ---- simple query ---------------------------------------------------------------------

  private async query(msg: Uint8Array, text: string): Promise<Uint8Array> {
    const taking = this.takeEngine();
    const refused = taking && (await taking);
    if (refused) return refused;
    const parsed = this.host.parse(text);
    // Syntax errors and empty queries: PGlite answers exactly as PostgreSQL. So it does in an
    // aborted transaction (25P02), unless the query starts by ending it: what follows is checked.
    if (parsed instanceof SqlSyntaxError || parsed.length === 0 || (this.aborted && transactionKind(parsed[0]!) !== 'end')) {
      return this.run(msg, new Rewrite(this.prefix));
    }

    const rewrite = new Rewrite(this.prefix);
    let sql = '';
    let copied = 0;
    if (parsed.length > 1) this.tx.beginImplicit();
    for (const stmt of parsed) {
      const special = specialOf(stmt);
      const refusal = this.refusalFor(stmt);
      if (refusal) {
        sql += text.slice(copied, stmt.start) + ';' + raiser(rewrite.refuse(refusal));
        return this.run(writeQuery(sql), rewrite);
      }
      if (special === 'copyIn') {
        if (parsed.length > 1) {
          return this.refuseNow({ code: '0A000', message: 'the local DSQL runs COPY ... FROM STDIN only as the only statement of a query' });
        }
        return this.startCopy(stmt);
      }
      if (special === 'deallocateAll') await this.deallocateAll();
      const form = engineForm(stmt, special);
      rewrite.tags.push(form.tag);
      sql += text.slice(copied, stmt.start) + form.sql;
      copied = stmt.end;
      this.track(stmt);
    }
    sql += text.slice(copied);
    if (parsed.length > 1) this.tx.endImplicit();
    // Unchanged text: the client's own message goes to PGlite as it came.
    return this.run(sql === text ? msg : writeQuery(sql), rewrite);
  }

  /** Answers an error for the current query as if PGlite had raised it there. */
  private refuseNow(refusal: ErrorFields): Promise<Uint8Array> {
    const rewrite = new Rewrite(this.prefix);
    return this.run(writeQuery(raiser(rewrite.refuse(refusal))), rewrite);
  }

  // ---- extended protocol ----------------------------------------------------------------

  private rename(name: string): string {
    return name === '' ? '' : this.prefix + name;
  }

  private parseMessage(msg: Uint8Array): Uint8Array {
    if (this.skipping) return EMPTY;
    const p = readParse(msg);
    const parsed = this.host.parse(p.text);
    if (parsed instanceof SqlSyntaxError || parsed.length !== 1) {
      // PGlite reports the syntax error, or that a prepared statement holds one command.
      this.pending.push(writeParse(this.rename(p.name), p.text, p.paramTypes));
      this.prepared.delete(p.name);
    } else {
      const stmt = parsed[0]!;
      const special = specialOf(stmt);
      const refusal = this.host.policy.statement(stmt, NONE);
      if (refusal) {
        // A statement DSQL refuses fails at Parse: PGlite gets text that cannot parse.
        this.pending.push(writeParse('dsql_local_refused', this.rewrite.refuse(refusal)));
        this.pipelineFailed = true;
        this.prepared.delete(p.name);
      } else if (special === 'copyIn') {
        this.pending.push(writeParse('dsql_local_refused', this.rewrite.refuse({ code: '0A000', message: 'the local DSQL runs COPY ... FROM STDIN only through the simple query protocol' })));
        this.pipelineFailed = true;
        this.prepared.delete(p.name);
      } else {
        const form = engineForm(stmt, special);
        this.pending.push(writeParse(this.rename(p.name), form.sql, p.paramTypes));
        this.prepared.set(p.name, { stmt, special, tag: form.tag });
        if (p.name !== '') this.named.add(p.name);
      }
    }
    return EMPTY;
  }

  private bindMessage(msg: Uint8Array): Uint8Array {
    if (this.skipping) return EMPTY;
    const b = readBind(msg);
    this.portals.set(b.portal, { prepared: this.prepared.get(b.statement), executed: false });
    this.pending.push(writeBind({ portal: this.rename(b.portal), statement: this.rename(b.statement), rest: b.rest }));
    return EMPTY;
  }

  private targetMessage(type: number, msg: Uint8Array): Uint8Array {
    if (this.skipping) return EMPTY;
    const t = readTarget(msg);
    if (type === MSG.close) {
      if (t.kind === 'S') {
        this.prepared.delete(t.name);
        this.named.delete(t.name);
      } else {
        this.portals.delete(t.name);
      }
    }
    this.pending.push(writeTarget(type, { kind: t.kind, name: this.rename(t.name) }));
    return EMPTY;
  }

  private async executeMessage(msg: Uint8Array): Promise<Uint8Array> {
    if (this.skipping) return EMPTY;
    const e = readExecute(msg);
    const portal = this.portals.get(e.portal);
    const prepared = portal?.prepared;
    if (portal && prepared && !portal.executed && !this.pipelineFailed && (!this.aborted || transactionKind(prepared.stmt) === 'end')) {
      portal.executed = true;
      this.tx.beginImplicit();
      const refusal = this.refusalFor(prepared.stmt, true);
      if (refusal) {
        this.pending.push(writeParse('dsql_local_refused', this.rewrite.refuse(refusal)));
        this.pipelineFailed = true;
        return EMPTY;
      }
      if (prepared.special === 'deallocateAll') {
        // Run what is queued so far, then close this connection's statements, then the no-op.
        try {
          await this.runEarly();
        } catch (error) {
          if (!(error instanceof LockTimeout)) throw error;
          this.dropPipeline();
          this.skipping = true;
          return writeError(this.host.policy.conflict);
        }
        await this.deallocateAll();
      }
      this.rewrite.tags.push(prepared.tag);
      this.track(prepared.stmt);
    } else {
      this.rewrite.tags.push(undefined);
    }
    this.pending.push(writeExecute(this.rename(e.portal), e.maxRows));
    return EMPTY;
  }

  private async syncMessage(): Promise<Uint8Array> {
    if (this.skipping) {
      this.skipping = false;
      return writeReadyForQuery(this.status);
    }
    this.pending.push(SYNC);
    this.tx.endImplicit();
    const batch = Buffer.concat(this.pending);
    const rewrite = this.rewrite;
    this.resetPipeline();
    const taking = this.takeEngine();
    const refused = taking && (await taking);
    if (refused) {
      this.dropPipeline();
      return refused;
    }
    const held = this.held;
    this.held = [];
    this.unsynced = false;
    const out = await this.run(batch, rewrite);
    return held.length ? Buffer.concat([...held, out]) : out;
  }

  private async flushMessage(): Promise<Uint8Array> {
    if (this.skipping || this.pending.length === 0) {
      const held = this.held;
      this.held = [];
      return held.length ? Buffer.concat(held) : EMPTY;
    }
    this.pending.push(FLUSH);
    try {
      await this.runEarly();
    } catch (error) {
      if (error instanceof LockTimeout) {
        this.dropPipeline();
        this.skipping = true;
        return writeError(this.host.policy.conflict);
      }
      throw error;
    }
    const held = this.held;
    this.held = [];
    return Buffer.concat(held);
  }

  /** Sends what is queued to PGlite without a Sync and keeps the answer for later. */
  private async runEarly(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = Buffer.concat(this.pending);
    this.pending = [];
    await this.acquire();
    this.unsynced = true;
    // The tag list stays with the pipeline; only completions so far are consumed here.
    const rewrite = this.rewrite;
    const done = new Rewrite(this.prefix);
    for (const [k, v] of rewrite.markers) done.markers.set(k, v);
    const executes = countExecutes(batch);
    done.tags.push(...rewrite.tags.splice(0, executes));
    this.held.push(done.apply(await this.host.engine.exec(batch)));
  }

  private resetPipeline(): void {
    this.pending = [];
    this.ending = false;
    this.rewrite = new Rewrite(this.prefix);
    this.pipelineFailed = false;
  }

  /**
   * The pipeline waited too long for the engine and never ran: what its statements recorded
   * for the rules goes too. The connection was idle (otherwise it would hold the engine).
   */
  private dropPipeline(): void {
    this.resetPipeline();
    this.previous = [];
    this.explicitSince = undefined;
    this.settingsChanged = false;
    this.tx = this.host.policy.transaction();
    this.portals.clear();
  }

  // ---- COPY ... FROM STDIN --------------------------------------------------------------

  private async startCopy(stmt: Statement): Promise<Uint8Array> {
    const node = stmt.node as { relation?: RangeVar; attlist?: unknown[]; options?: { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }[] };
    const stdin = stmt.tokens.find((t) => t.keyword === 'STDIN');
    if (!stdin || !node.relation) return this.refuseNow({ code: '0A000', message: 'the local DSQL copies FROM STDIN into a table only' });
    const sql = stmt.text.slice(0, stdin.start - stmt.start) + "'/dev/blob'" + stmt.text.slice(stdin.end - stmt.start);
    const binary = (node.options ?? []).some((o) => o.DefElem?.defname === 'format' && o.DefElem.arg?.String?.sval === 'binary');
    let columns = node.attlist?.length ?? 0;
    if (columns === 0) {
      const rel = node.relation.schemaname ? ident(node.relation.schemaname, node.relation.relname) : ident(node.relation.relname);
      const rows = await this.host.engine.query<{ n: number | null }>(
        'SELECT (SELECT count(*)::int FROM pg_catalog.pg_attribute WHERE attrelid = c AND attnum > 0 AND NOT attisdropped) AS n FROM to_regclass($1) AS c',
        [rel.sql],
      );
      if (rows[0]?.n === null || rows[0]?.n === undefined) {
        // No such table: PGlite reports it, with an empty input.
        return this.run(writeQuery(sql), new Rewrite(this.prefix), new Blob([]));
      }
      columns = rows[0].n;
    }
    this.track(stmt);
    this.copy = { sql, chunks: [], bytes: 0 };
    return writeCopyInResponse(binary, columns);
  }

  private async copyMessage(type: number, msg: Uint8Array): Promise<Uint8Array> {
    const copy = this.copy!;
    if (type === MSG.copyData) {
      copy.bytes += msg.length - 5;
      // Past the limit the data is dropped as it comes; the refusal waits for CopyDone.
      if (copy.bytes > COPY_MAX_BYTES) copy.chunks = [];
      else copy.chunks.push(Buffer.from(msg.subarray(5)));
      return EMPTY;
    }
    if (type === MSG.sync || type === MSG.flush) return EMPTY;
    this.copy = undefined;
    if (type === MSG.copyDone) {
      if (copy.bytes > COPY_MAX_BYTES) return this.refuseNow(this.host.policy.sizeLimit);
      return this.run(writeQuery(copy.sql), new Rewrite(this.prefix), new Blob(copy.chunks));
    }
    if (type === MSG.copyFail) {
      const reason = readQuery(msg);
      return this.refuseNow({ code: '57014', message: `COPY from stdin failed: ${reason}` });
    }
    return this.refuseNow({ code: '08P01', message: `unexpected message type 0x${type.toString(16).padStart(2, '0')} during COPY from stdin` });
  }

  // ---- rules and transaction tracking ---------------------------------------------------

  /** The refusal DSQL would answer for this statement now, if any. */
  private refusalFor(stmt: Statement, parsedAlready = false): Refusal | undefined {
    // The end of an aborted transaction runs as written, whatever its age: PostgreSQL rolls it back.
    if (this.aborted) {
      this.tx.check(stmt);
      return undefined;
    }
    const policy = this.host.policy;
    // Past the age limit every statement but ROLLBACK fails (COMMIT too: DSQL rolls back).
    if (this.explicitSince !== undefined && (stmt.node as { kind?: string }).kind !== 'TRANS_STMT_ROLLBACK') {
      const age = (Date.now() - this.explicitSince) / 1000;
      if (age > policy.ageLimit.seconds) return policy.ageLimit.refusal;
    }
    // At Execute the statement was checked on its own at Parse; with earlier statements in
    // the transaction, the checks that count them run again.
    const alone = parsedAlready && this.previous.length === 0;
    return (alone ? undefined : policy.statement(stmt, this.previous.length === 0 ? NONE : this.previous)) ?? this.tx.check(stmt);
  }

  /** Records a statement that is about to run in the current transaction. */
  private track(stmt: Statement): void {
    if (stmt.kind === 'VariableSetStmt' || /set_config/i.test(stmt.text)) this.settingsChanged = true;
    const kind = transactionKind(stmt);
    if (kind === 'end') {
      this.previous = [];
      this.explicitSince = undefined;
      this.ending = true;
      return;
    }
    if (kind === 'begin' && this.explicitSince === undefined) this.explicitSince = Date.now();
    this.previous.push(stmt);
  }

  // ---- engine access --------------------------------------------------------------------

  /**
   * Takes the engine for a query or a Sync. A client that waited too long gets DSQL's
   * retryable conflict error and ReadyForQuery (it was idle: nothing of its ran).
   */
  private takeEngine(): Promise<Uint8Array | undefined> | undefined {
    const waiting = this.acquire();
    if (!waiting) return undefined;
    return waiting.then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof LockTimeout) return Buffer.concat([writeError(this.host.policy.conflict), writeReadyForQuery(this.status)]);
        throw error;
      },
    );
  }

  /**
   * Takes the engine (waiting for another connection's transaction) with this connection's
   * settings in effect. Returns nothing when that needs no waiting (the common case: every
   * await costs a turn of the event loop on each query).
   */
  private acquire(): Promise<void> | undefined {
    const engine = this.host.engine;
    const wait = engine.lock.acquire(this, this.host.lockWaitMs);
    if (!wait && engine.settingsOwner === this) return undefined;
    return (async () => {
      if (wait) await wait;
      if (engine.settingsOwner === this) return;
      engine.settingsOwner = this;
      if (!sameSettings(engine.appliedSettings, this.settings)) await engine.applySettings(this.settings);
    })();
  }

  /** PGlite's transaction is aborted and nothing queued ends it: it answers 25P02 to anything else. */
  private get aborted(): boolean {
    return this.status === 'E' && !this.ending;
  }

  private get holdsEngine(): boolean {
    return this.host.engine.lock.holder === this;
  }

  /** Runs messages on PGlite, fixes the answer, follows the transaction status. */
  private async run(batch: Uint8Array, rewrite: Rewrite, blob?: Blob): Promise<Uint8Array> {
    const waiting = this.acquire();
    if (waiting) await waiting;
    const out = rewrite.apply(await this.host.engine.exec(batch, blob));
    const status = trailingStatus(out);
    if (status) {
      const settling = this.settle(status);
      if (settling) await settling;
    }
    return out;
  }

  /** Follows a ReadyForQuery status; gives the engine back once idle. */
  private settle(status: TxStatus): Promise<void> | undefined {
    this.status = status;
    this.ending = false;
    if (status !== 'I') return undefined;
    this.previous = [];
    this.explicitSince = undefined;
    this.tx = this.host.policy.transaction();
    this.portals.clear();
    if (this.unsynced || this.copy || this.pending.length > 0) return undefined;
    if (!this.settingsChanged) {
      this.host.engine.lock.release(this);
      return undefined;
    }
    // What the SETs left in effect (a rolled-back SET left nothing), to put back later.
    this.settingsChanged = false;
    return this.host.engine.currentSettings().then((settings) => {
      this.settings = settings;
      this.host.engine.appliedSettings = settings;
      this.host.engine.lock.release(this);
    });
  }

  /** DEALLOCATE ALL for this connection only: the other connections' statements stay. */
  private async deallocateAll(): Promise<void> {
    if (this.named.size === 0) return;
    const closes = [...this.named].map((name) => writeTarget(MSG.close, { kind: 'S', name: this.rename(name) }));
    this.named.clear();
    this.prepared.clear();
    await this.acquire();
    // Inside a pipeline the closes ride along (PGlite skips them after an error, as it
    // would skip the DEALLOCATE); otherwise they get their own Sync.
    await this.host.engine.exec(Buffer.concat(this.unsynced ? closes : [...closes, SYNC]));
  }

  /**
   * The client went away: finish what it left in PGlite (pipeline, transaction, prepared
   * statements) so the next connection finds a clean backend.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lock = this.host.engine.lock;
    lock.cancel(this);
    this.copy = undefined;
    if (!this.holdsEngine && this.named.size === 0) return;
    if (this.host.engine.broken) return;
    await lock.acquire(this);
    try {
      if (this.unsynced) this.status = trailingStatus(await this.host.engine.exec(SYNC)) ?? this.status;
      if (this.status !== 'I') await this.host.engine.exec(writeQuery('ROLLBACK'));
      const closes = [...this.named].map((name) => writeTarget(MSG.close, { kind: 'S', name: this.rename(name) }));
      if (closes.length) await this.host.engine.exec(Buffer.concat([...closes, SYNC]));
    } catch {
      // The engine failed; the server reports that elsewhere.
    } finally {
      this.unsynced = false;
      this.named.clear();
      lock.release(this);
    }
  }
}

function sameSettings(a: readonly Setting[], b: readonly Setting[]): boolean {
  return a.length === b.length && a.every(([name, value], i) => b[i]![0] === name && b[i]![1] === value);
}

function countExecutes(batch: Uint8Array): number {
  let n = 0;
  eachMessage(batch, (type) => {
    if (type === MSG.execute) n++;
  });
  return n;
}
