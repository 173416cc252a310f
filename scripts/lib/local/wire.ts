// The PostgreSQL v3 wire protocol, as far as the local DSQL front needs it: reading the
// frontend messages it inspects or renames, writing the backend messages it answers with
// itself, and walking a backend response to rewrite some of its messages.
// Format reference: PostgreSQL docs, "Message Formats" (protocol 3.0).

/** A backend or frontend message type byte as a character code. */
export const MSG = {
  // frontend
  query: 0x51, // Q
  parse: 0x50, // P
  bind: 0x42, // B
  describe: 0x44, // D
  execute: 0x45, // E
  close: 0x43, // C
  sync: 0x53, // S
  flush: 0x48, // H
  terminate: 0x58, // X
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyFail: 0x66, // f
  functionCall: 0x46, // F
  // backend
  error: 0x45, // E
  notice: 0x4e, // N
  commandComplete: 0x43, // C
  readyForQuery: 0x5a, // Z
  rowDescription: 0x54, // T
  dataRow: 0x44, // D
  emptyQuery: 0x49, // I
  portalSuspended: 0x73, // s
  copyInResponse: 0x47, // G
  parameterStatus: 0x53, // S
  backendKeyData: 0x4b, // K
} as const;

export type TxStatus = 'I' | 'T' | 'E';

const utf8 = new TextDecoder();

/** The client broke the protocol; the connection ends with a FATAL error, as PostgreSQL ends it. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

/** Reads NUL-terminated strings and integers from one message (type byte at offset 0). */
export class MessageReader {
  private offset = 5;
  private readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end === -1) throw new ProtocolViolation('invalid string in message');
    const text = utf8.decode(this.buf.subarray(this.offset, end));
    this.offset = end + 1;
    return text;
  }

  byte(): number {
    return this.buf[this.offset++]!;
  }

  int16(): number {
    const v = (this.buf[this.offset]! << 8) | this.buf[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  int32(): number {
    const b = this.buf;
    const o = this.offset;
    this.offset += 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }

  /** The bytes after the current position, up to the end of the message. */
  rest(): Uint8Array {
    return this.buf.subarray(this.offset);
  }
}

/** Builds one message: type byte, length, body. */
export class MessageWriter {
  private parts: Buffer[] = [];
  private size = 0;

  cstring(text: string): this {
    const b = Buffer.from(text + '\0', 'utf8');
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  bytes(data: Uint8Array): this {
    const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  byte(v: number): this {
    return this.bytes(Uint8Array.of(v));
  }

  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    return this.bytes(b);
  }

  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v | 0);
    return this.bytes(b);
  }

  finish(type: number): Buffer {
    const head = Buffer.allocUnsafe(5);
    head[0] = type;
    head.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([head, ...this.parts], this.size + 5);
  }
}

// ---- frontend messages the front reads -------------------------------------------------

export interface ParseMessage {
  name: string;
  text: string;
  /** Everything after the query text (parameter type count and OIDs), kept verbatim. */
  paramTypes: Uint8Array;
}

export function readParse(msg: Uint8Array): ParseMessage {
  const r = new MessageReader(msg);
  const name = r.cstring();
  const text = r.cstring();
  return { name, text, paramTypes: r.rest() };
}

export function writeParse(name: string, text: string, paramTypes: Uint8Array = Uint8Array.of(0, 0)): Buffer {
  return new MessageWriter().cstring(name).cstring(text).bytes(paramTypes).finish(MSG.parse);
}

export interface BindMessage {
  portal: string;
  statement: string;
  /** Formats, parameter values and result formats, kept verbatim. */
  rest: Uint8Array;
}

export function readBind(msg: Uint8Array): BindMessage {
  const r = new MessageReader(msg);
  const portal = r.cstring();
  const statement = r.cstring();
  return { portal, statement, rest: r.rest() };
}

export function writeBind(b: BindMessage): Buffer {
  return new MessageWriter().cstring(b.portal).cstring(b.statement).bytes(b.rest).finish(MSG.bind);
}

/** Describe and Close: a kind byte ('S' statement or 'P' portal) and a name. */
export interface TargetMessage {
  kind: 'S' | 'P';
  name: string;
}

export function readTarget(msg: Uint8Array): TargetMessage {
  const r = new MessageReader(msg);
  const kind = String.fromCharCode(r.byte()) as 'S' | 'P';
  return { kind, name: r.cstring() };
}

export function writeTarget(type: number, t: TargetMessage): Buffer {
  return new MessageWriter().byte(t.kind.charCodeAt(0)).cstring(t.name).finish(type);
}

export function readExecute(msg: Uint8Array): { portal: string; maxRows: number } {
  const r = new MessageReader(msg);
  return { portal: r.cstring(), maxRows: r.int32() };
}

export function writeExecute(portal: string, maxRows: number): Buffer {
  return new MessageWriter().cstring(portal).int32(maxRows).finish(MSG.execute);
}

export function readQuery(msg: Uint8Array): string {
  return new MessageReader(msg).cstring();
}

export function writeQuery(text: string): Buffer {
  return new MessageWriter().cstring(text).finish(MSG.query);
}

export const SYNC = Buffer.from([MSG.sync, 0, 0, 0, 4]);
export const FLUSH = Buffer.from([MSG.flush, 0, 0, 0, 4]);

// ---- backend messages the front writes -------------------------------------------------

/** Fields of an ErrorResponse or NoticeResponse (the ones clients show). */
export interface ErrorFields {
  severity?: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text, as PostgreSQL reports it. */
  position?: number;
}

export function writeError(e: ErrorFields, type: number = MSG.error): Buffer {
  const severity = e.severity ?? 'ERROR';
  const w = new MessageWriter();
  w.byte(0x53).cstring(severity); // S: localized severity
  w.byte(0x56).cstring(severity); // V: severity, never localized
  w.byte(0x43).cstring(e.code); // C
  w.byte(0x4d).cstring(e.message); // M
  if (e.detail !== undefined) w.byte(0x44).cstring(e.detail); // D
  if (e.hint !== undefined) w.byte(0x48).cstring(e.hint); // H
  if (e.position !== undefined) w.byte(0x50).cstring(String(e.position)); // P
  w.byte(0);
  return w.finish(type);
}

/** The fields of an ErrorResponse or NoticeResponse, by field code (C, M, D, ...). */
export function readErrorFields(msg: Uint8Array): Map<string, string> {
  const fields = new Map<string, string>();
  let i = 5;
  while (i < msg.length && msg[i] !== 0) {
    const code = String.fromCharCode(msg[i]!);
    const end = msg.indexOf(0, i + 1);
    if (end === -1) break;
    fields.set(code, utf8.decode(msg.subarray(i + 1, end)));
    i = end + 1;
  }
  return fields;
}

export function writeCommandComplete(tag: string): Buffer {
  return new MessageWriter().cstring(tag).finish(MSG.commandComplete);
}

export function writeReadyForQuery(status: TxStatus): Buffer {
  return Buffer.from([MSG.readyForQuery, 0, 0, 0, 5, status.charCodeAt(0)]);
}

export function writeParameterStatus(name: string, value: string): Buffer {
  return new MessageWriter().cstring(name).cstring(value).finish(MSG.parameterStatus);
}

export function writeBackendKeyData(pid: number, key: number): Buffer {
  return new MessageWriter().int32(pid).int32(key).finish(MSG.backendKeyData);
}

/** CopyInResponse: overall format (0 text, 1 binary) and one format per column. */
export function writeCopyInResponse(binary: boolean, columns: number): Buffer {
  const w = new MessageWriter().byte(binary ? 1 : 0).int16(columns);
  for (let i = 0; i < columns; i++) w.int16(binary ? 1 : 0);
  return w.finish(MSG.copyInResponse);
}

// ---- walking a backend response --------------------------------------------------------

/** Calls `visit` for each message in a buffer of complete messages (a plain loop: this runs on every answer). */
export function eachMessage(buf: Uint8Array, visit: (type: number, start: number, end: number) => void): void {
  let i = 0;
  while (i + 5 <= buf.length) {
    const end = i + 1 + (((buf[i + 1]! << 24) | (buf[i + 2]! << 16) | (buf[i + 3]! << 8) | buf[i + 4]!) >>> 0);
    visit(buf[i]!, i, end);
    i = end;
  }
}

/** The transaction status of the ReadyForQuery that ends a response, if it ends with one. */
export function trailingStatus(buf: Uint8Array): TxStatus | undefined {
  const n = buf.length;
  if (n < 6 || buf[n - 6] !== MSG.readyForQuery || buf[n - 5] !== 0 || buf[n - 4] !== 0 || buf[n - 3] !== 0 || buf[n - 2] !== 5) {
    return undefined;
  }
  return String.fromCharCode(buf[n - 1]!) as TxStatus;
}
