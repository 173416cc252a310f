// Local clusters as folders, and the pieces the server is built from that need no engine:
// the data-directory lock, the engine lock, the parse cache, the wire helpers.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir, openDataDir, readLock } from '../../scripts/lib/local/datadir.js';
import { EngineLock, LockTimeout } from '../../scripts/lib/local/engine-lock.js';
import {
  createLocalCluster,
  defaultLocalCluster,
  deleteLocalCluster,
  findLocalCluster,
  listLocalClusters,
  localHome,
  setLocalDeletionProtection,
} from '../../scripts/lib/local/registry.js';
import { cachedParser } from '../../scripts/lib/local/server.js';
import { loadParser } from '../../scripts/lib/sql/parser.js';
import { eachMessage, readErrorFields, trailingStatus, writeCommandComplete, writeError, writeReadyForQuery } from '../../scripts/lib/local/wire.js';

const freshEnv = () => ({ DSQL_LOCAL_HOME: mkdtempSync(join(tmpdir(), 'dsql-registry-')) });

describe('local clusters', () => {
  it('live under $DSQL_LOCAL_HOME and look like real clusters', () => {
    const env = freshEnv();
    expect(localHome(env)).toBe(env.DSQL_LOCAL_HOME);
    const c = createLocalCluster({ region: 'eu-central-1', tags: { team: 'data' } }, env);
    expect(c.view).toMatchObject({
      region: 'eu-central-1',
      status: 'IDLE',
      deletionProtectionEnabled: false,
      tags: { team: 'data' },
      multiRegionProperties: null,
      encryptionDetails: null,
    });
    expect(c.view.identifier).toMatch(/^[a-z2-7]{26}$/);
    expect(c.view.endpoint).toBe(`${c.view.identifier}.dsql.eu-central-1.on.aws`);
    expect(c.view.arn).toBe(`arn:aws:dsql:eu-central-1:000000000000:cluster/${c.view.identifier}`);
    expect(Date.parse(c.view.creationTime)).not.toBeNaN();
    expect(listLocalClusters(env).map((x) => x.view.identifier)).toEqual([c.view.identifier]);
  });

  it('are ACTIVE while a server holds them, and cannot be deleted then', () => {
    const env = freshEnv();
    const c = createLocalCluster({ region: 'us-east-1' }, env);
    const lock = lockDataDir(c.dir);
    lock.update({ port: 4321 });
    expect(findLocalCluster(c.view.identifier, env)).toMatchObject({ view: { status: 'ACTIVE' }, server: { pid: process.pid, port: 4321 } });
    expect(() => deleteLocalCluster(c.view.identifier, env)).toThrow(/in use by a local DSQL server \(pid \d+\); stop it first/);
    lock.release();
    expect(findLocalCluster(c.view.identifier, env)?.view.status).toBe('IDLE');
  });

  it('honour deletion protection, and delete everything otherwise', () => {
    const env = freshEnv();
    const c = createLocalCluster({ region: 'us-east-1', deletionProtection: true }, env);
    writeFileSync(join(c.dir, 'marker'), 'data');
    expect(() => deleteLocalCluster(c.view.identifier, env)).toThrow(/deletion protection on/);
    expect(setLocalDeletionProtection(c.view.identifier, false, env).view.deletionProtectionEnabled).toBe(false);
    expect(deleteLocalCluster(c.view.identifier, env).identifier).toBe(c.view.identifier);
    expect(existsSync(c.dir)).toBe(false);
    expect(listLocalClusters(env)).toEqual([]);
    expect(() => deleteLocalCluster(c.view.identifier, env)).toThrow(/no local cluster/);
  });

  it('have a default cluster, made once and found again', () => {
    const env = freshEnv();
    const first = defaultLocalCluster('us-east-1', env);
    expect(first.view.tags).toEqual({ Name: 'default' });
    expect(defaultLocalCluster('us-east-1', env).view.identifier).toBe(first.view.identifier);
    deleteLocalCluster(first.view.identifier, env);
    expect(defaultLocalCluster('us-east-1', env).view.identifier).not.toBe(first.view.identifier);
  });

  it('ignore identifiers that could escape the home folder', () => {
    const env = freshEnv();
    expect(findLocalCluster('../etc', env)).toBeUndefined();
    expect(findLocalCluster('', env)).toBeUndefined();
  });
});

describe('data directory lock', () => {
  it('lets one process hold a directory and takes over a lock left by a dead process', () => {
    const dir = openDataDir(join(mkdtempSync(join(tmpdir(), 'dsql-lock-')), 'd'), { region: 'us-east-1' }).root;
    const lock = lockDataDir(dir);
    expect(readLock(dir)?.pid).toBe(process.pid);
    lock.release();
    expect(readLock(dir)).toBeUndefined();
    // A pid that is not running (the lock of a killed server).
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: 'then' }));
    expect(readLock(dir)).toBeUndefined();
    const again = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')).pid).toBe(process.pid);
    again.release();
  });
});

describe('engine lock', () => {
  it('serves waiters in order and times a waiter out', async () => {
    const lock = new EngineLock();
    const [a, b, c] = [{}, {}, {}];
    expect(lock.acquire(a)).toBeUndefined();
    expect(lock.acquire(a)).toBeUndefined(); // re-entrant for the holder
    const order: string[] = [];
    const bWaits = lock.acquire(b)!.then(() => order.push('b'));
    const cWaits = lock.acquire(c, 20)!.then(
      () => order.push('c'),
      (error: unknown) => order.push(error instanceof LockTimeout ? 'c timed out' : 'c failed'),
    );
    await cWaits;
    lock.release(a);
    await bWaits;
    expect(order).toEqual(['c timed out', 'b']);
    expect(lock.holder).toBe(b);
    lock.cancel(c);
    lock.release(b);
    expect(lock.holder).toBeUndefined();
  });
});

describe('parse cache', () => {
  it('keeps statements a client repeats, not the large one-off ones (a batch INSERT of 3,000 rows)', async () => {
    await loadParser();
    const parse = cachedParser();
    const small = 'SELECT * FROM orders WHERE id = $1';
    expect(parse(small)).toBe(parse(small));
    const rows = Array.from({ length: 3000 }, (_, i) => `(${i}, 'customer ${i}', 'a note long enough to matter')`).join(', ');
    const batch = `INSERT INTO orders VALUES ${rows}`;
    expect(parse(batch)).not.toBe(parse(batch));
    expect(parse(batch)).toEqual(parse(batch));
  });
});

describe('wire helpers', () => {
  it('walk, read and write backend messages', () => {
    const buf = Buffer.concat([writeError({ code: '0A000', message: 'nope', detail: 'why' }), writeCommandComplete('SELECT 1'), writeReadyForQuery('T')]);
    const types: string[] = [];
    eachMessage(buf, (type) => types.push(String.fromCharCode(type)));
    expect(types).toEqual(['E', 'C', 'Z']);
    const fields = readErrorFields(buf);
    expect(Object.fromEntries(fields)).toEqual({ S: 'ERROR', V: 'ERROR', C: '0A000', M: 'nope', D: 'why' });
    expect(trailingStatus(buf)).toBe('T');
    expect(trailingStatus(writeCommandComplete('X'))).toBeUndefined();
  });
});

describe('the data-directory lock', () => {
  it('is not held by another process that got the same pid later (after a reboot)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsql-lock-'));
    const lock = lockDataDir(dir);
    const info = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8'));
    expect(readLock(dir)?.pid).toBe(process.pid);
    // The same pid with another start time: a different process, so the lock is stale.
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ ...info, procStart: '1' }));
    expect(readLock(dir)).toBeUndefined();
    lockDataDir(dir).release(); // taken over, then given back
    lock.release();
  });
});
