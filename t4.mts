import { PGlite } from '@electric-sql/pglite';
const t = performance.now();
const db = await PGlite.create({ dataDir: '/tmp/lp/d3', username: 'admin', postgresqlconf: ["default_transaction_isolation = 'repeatable read'"] } as any);
console.log('boot', performance.now() - t);
console.log((await db.query(`SELECT current_user, current_setting('default_transaction_isolation') i, current_setting('transaction_isolation') ti`)).rows);
await db.query(`RESET ALL`);
console.log((await db.query(`SELECT current_user, current_setting('default_transaction_isolation') i`)).rows);
