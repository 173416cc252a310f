// pg-gateway reads and writes web streams. Node's own adapter (Duplex.toWeb) turns a
// client that resets its connection into a stream error, which pg-gateway prints to
// stderr, and it copies through more layers than needed. This bridge ends the stream
// quietly when the client goes away and resolves writes as soon as the socket takes them
// (waiting for 'drain' only under backpressure).
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

export interface WebDuplex {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export interface SocketStreams extends WebDuplex {
  /** Stops reading the socket: another layer (TLS) reads it from now on. */
  release(): void;
}

export function socketStreams(socket: Socket): SocketStreams {
  let done = false;
  let onData: ((chunk: Buffer) => void) | undefined;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = () => {
        if (done) return;
        done = true;
        try {
          controller.close();
        } catch {
          // Already closed or cancelled by the reader (the TLS layer does this).
        }
      };
      onData = (chunk: Buffer) => {
        if (done) return;
        // A fresh array: pg-gateway reads message lengths from chunk.buffer at offset 0.
        try {
          controller.enqueue(new Uint8Array(chunk));
        } catch {
          done = true;
          return;
        }
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      };
      socket.on('data', onData);
      socket.on('end', finish);
      socket.on('close', finish);
      socket.on('error', finish);
    },
    pull() {
      socket.resume();
    },
    cancel() {
      done = true;
      socket.destroy();
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (chunk.length === 0 || socket.destroyed) return;
      if (socket.write(chunk)) return;
      return new Promise<void>((resolve) => {
        const go = () => {
          socket.off('drain', go);
          socket.off('close', go);
          resolve();
        };
        socket.on('drain', go);
        socket.on('close', go);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (socket.destroyed) resolve();
        else socket.end(() => resolve());
      });
    },
    abort() {
      socket.destroy();
    },
  });
  const release = () => {
    done = true;
    if (onData) socket.off('data', onData);
  };
  return { readable, writable, release };
}

/**
 * pg-gateway's TLS upgrade (its `upgradeTls` adapter), done on the socket itself. pg-gateway's
 * own upgrade runs TLS over the web streams, and when a handshake fails (a client that does
 * not trust the CA) its error path aborts a stream the TLS layer holds: an unhandled
 * rejection that ended the whole server.
 */
export async function upgradeToTls(socket: Socket, plain: SocketStreams, secureContext: SecureContext): Promise<{ duplex: WebDuplex; tlsInfo: { serverName?: string } }> {
  plain.release();
  const secure = new TLSSocket(socket, { isServer: true, secureContext });
  secure.on('error', () => socket.destroy());
  try {
    await once(secure, 'secure');
  } catch {
    // The client has its TLS alert. pg-gateway prints any error but an abort, and then
    // aborts the plain streams, which closes the socket.
    throw Object.assign(new Error('TLS handshake failed'), { code: 'ABORT_ERR' });
  }
  return { duplex: socketStreams(secure), tlsInfo: { serverName: typeof secure.servername === 'string' ? secure.servername : undefined } };
}
