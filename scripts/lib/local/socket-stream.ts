// pg-gateway reads and writes web streams. Node's own adapter (Duplex.toWeb) turns a
// client that resets its connection into a stream error, which pg-gateway prints to
// stderr, and it copies through more layers than needed. This bridge ends the stream
// quietly when the client goes away and resolves writes as soon as the socket takes them
// (waiting for 'drain' only under backpressure).
import type { Socket } from 'node:net';

export interface WebDuplex {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export function socketStreams(socket: Socket): WebDuplex {
  let done = false;
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
      socket.on('data', (chunk: Buffer) => {
        if (done) return;
        // A fresh array: pg-gateway reads message lengths from chunk.buffer at offset 0.
        try {
          controller.enqueue(new Uint8Array(chunk));
        } catch {
          done = true;
          return;
        }
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
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
  return { readable, writable };
}
