// A tiny PostgreSQL wire-protocol stand-in that records what a client authenticates with.
// It accepts TLS (the test CA's certificate, so verify-full passes), asks for a cleartext
// password the way DSQL's IAM authentication does, records the startup parameters, the TLS
// server name and the password, and then answers every query with one row ("stand-in").
// `hold()` keeps the next client waiting after its password arrives, so a test can look at
// the client process (its argv) while it is connected.
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { TLSSocket } from 'node:tls';
import type { TestCa } from './test-ca.js';

export interface RecordedLogin {
  params: Record<string, string>;
  password: string;
  /** The TLS server name (SNI) the client sent. */
  servername: string | false;
}

export interface PasswordStandin {
  port: number;
  logins: RecordedLogin[];
  /** Delay the answer to the next password until the returned release function is called. */
  hold(): { release: () => void; arrived: Promise<RecordedLogin> };
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');

/** Reads length-prefixed messages from a stream; `startup` messages have no type byte. */
class Reader {
  private buffer = Buffer.alloc(0);
  private waiting?: () => void;
  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiting?.();
    });
  }
  private async need(n: number): Promise<void> {
    while (this.buffer.length < n) await new Promise<void>((r) => (this.waiting = r));
  }
  async startup(): Promise<Buffer> {
    await this.need(4);
    const len = this.buffer.readInt32BE(0);
    await this.need(len);
    const body = this.buffer.subarray(4, len);
    this.buffer = this.buffer.subarray(len);
    return body;
  }
  async typed(): Promise<{ type: string; body: Buffer }> {
    await this.need(5);
    const len = this.buffer.readInt32BE(1);
    await this.need(len + 1);
    const out = { type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, len + 1) };
    this.buffer = this.buffer.subarray(len + 1);
    return out;
  }
}

export async function startPasswordStandin(ca: TestCa): Promise<PasswordStandin> {
  const key = readFileSync(ca.keyFile);
  const cert = readFileSync(ca.certFile);
  const logins: RecordedLogin[] = [];
  let gate: { released: Promise<void>; arrived: (login: RecordedLogin) => void } | undefined;
  const sockets = new Set<Socket>();

  async function serve(raw: Socket): Promise<void> {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    // Before TLS the client sends an SSLRequest (or GSSENCRequest) with no type byte.
    const plain = new Reader(raw);
    for (;;) {
      const first = await plain.startup();
      const code = first.readInt32BE(0);
      if (code === GSSENC_REQUEST) {
        raw.write('N');
        continue;
      }
      if (code !== SSL_REQUEST) {
        raw.end(message('E', Buffer.concat([cstr('SFATAL'), cstr('C08P01'), cstr('Mstand-in requires TLS'), cstr('')])));
        return;
      }
      break;
    }
    raw.removeAllListeners('data');
    raw.write('S');
    const tls = new TLSSocket(raw, { isServer: true, key, cert });
    tls.on('error', () => {});
    const reader = new Reader(tls);
    const startup = await reader.startup();
    const params: Record<string, string> = {};
    const fields = startup.subarray(4).toString('utf8').split('\0');
    for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) params[fields[i]!] = fields[i + 1]!;

    tls.write(message('R', int32(3))); // AuthenticationCleartextPassword
    const reply = await reader.typed();
    if (reply.type !== 'p') return void tls.end();
    const login: RecordedLogin = { params, password: reply.body.toString('utf8').replace(/\0$/, ''), servername: tls.servername ?? false };
    logins.push(login);
    if (gate) {
      const g = gate;
      gate = undefined;
      g.arrived(login);
      await g.released;
    }

    const status = (name: string, value: string) => message('S', Buffer.concat([cstr(name), cstr(value)]));
    tls.write(
      Buffer.concat([
        message('R', int32(0)), // AuthenticationOk
        status('server_version', '15.0 (stand-in)'),
        status('server_encoding', 'UTF8'),
        status('client_encoding', 'UTF8'),
        status('standard_conforming_strings', 'on'),
        status('DateStyle', 'ISO, MDY'),
        status('integer_datetimes', 'on'),
        message('K', Buffer.concat([int32(1), int32(2)])),
        message('Z', Buffer.from('I')),
      ]),
    );
    for (;;) {
      const m = await reader.typed();
      if (m.type === 'X') return void tls.end();
      if (m.type !== 'Q') continue;
      // One text column "standin", one row: enough for psql to print a result.
      const column = Buffer.concat([cstr('standin'), int32(0), Buffer.from([0, 0]), int32(25), Buffer.from([255, 255]), int32(-1), Buffer.from([0, 0])]);
      const value = Buffer.from('stand-in');
      tls.write(
        Buffer.concat([
          message('T', Buffer.concat([Buffer.from([0, 1]), column])),
          message('D', Buffer.concat([Buffer.from([0, 1]), int32(value.length), value])),
          message('C', cstr('SELECT 1')),
          message('Z', Buffer.from('I')),
        ]),
      );
    }
  }

  const server: Server = createServer((socket) => void serve(socket).catch(() => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    logins,
    hold() {
      let release!: () => void;
      let arrive!: (login: RecordedLogin) => void;
      const released = new Promise<void>((r) => (release = r));
      const arrived = new Promise<RecordedLogin>((r) => (arrive = r));
      gate = { released, arrived: arrive };
      return { release, arrived };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
