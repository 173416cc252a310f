// The baseline for bench/local.ts: PGlite behind the plain pglite-socket server (no rules,
// no renaming), in memory. Prints {"port": N} once listening; stops on SIGTERM.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
await server.start();
const conn = server.getServerConn();
console.log(JSON.stringify({ port: Number(conn.slice(conn.lastIndexOf(':') + 1)) }));
process.once('SIGTERM', async () => {
  await server.stop();
  await db.close();
  process.exit(0);
});
