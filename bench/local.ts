// Round-trip latency through the local DSQL, next to PGlite behind the plain pglite-socket
// server and a real PostgreSQL 15 on loopback; then start-up time and memory.
//   npm run bench:local [-- QUERIES RUNS]
// Each server runs in its own process; this process is the client (node-postgres). For each
// target: 1,000 warm-up queries (the WebAssembly engines warm up slowly), then RUNS runs of QUERIES sequential queries each, for
// `SELECT 1` (simple protocol) and `SELECT $1::int` (extended: Parse/Bind/Describe/Execute/Sync).
// Reported: the median over runs of each run's median latency, and ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPg15 } from '../test/support/pg15.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const QUERIES = Number(process.argv[2] ?? 2000);
const RUNS = Number(process.argv[3] ?? 5);
const WARMUP = 1000;

interface Target {
  name: string;
  port: number;
  pid?: number;
  stop(): Promise<void>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Spawns a server that prints one JSON line with its port; resolves once it has. */
function spawnServer(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Target & { ready: Record<string, unknown>; startMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child: ChildProcess = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      const ready = JSON.parse(line) as Record<string, unknown>;
      resolve({
        name,
        port: Number(ready.port),
        pid: child.pid,
        ready,
        startMs: performance.now() - started,
        stop: () =>
          new Promise((r) => {
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
}

/** PostgreSQL 15 from the test harness; plain TCP on 127.0.0.1 (no TLS), like the other targets. */
async function startPostgres(): Promise<Target> {
  const pg15 = await startPg15({ hba: ['host all all 127.0.0.1/32 trust'] });
  return { name: 'PostgreSQL 15', port: pg15.port, stop: () => pg15.stop() };
}

async function latencies(port: number, query: pg.QueryConfig | string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'admin', database: 'postgres', password: 'x' });
  await client.connect();
  for (let i = 0; i < WARMUP; i++) await client.query(query);
  const medians: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const times = new Float64Array(QUERIES);
    for (let i = 0; i < QUERIES; i++) {
      const t = process.hrtime.bigint();
      await client.query(query);
      times[i] = Number(process.hrtime.bigint() - t) / 1000;
    }
    medians.push(median([...times]));
  }
  await client.end();
  return median(medians);
}

function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

const simple = 'SELECT 1';
const extended: pg.QueryConfig = { text: 'SELECT $1::int', values: [1] };
const localCmd = join(root, 'scripts', 'local-dsql.ts');

console.log(`${QUERIES} sequential queries x ${RUNS} runs after ${WARMUP} warm-up; median of run medians, microseconds`);
const rows: { name: string; simple: number; extended: number; rss?: number }[] = [];
const targets: (() => Promise<Target>)[] = [
  () => spawnServer('local DSQL', localCmd, ['serve', '--memory', '--json']),
  () => spawnServer('pglite-socket', process.execPath, ['--import', 'tsx', join(root, 'bench', 'pglite-socket-server.ts')]),
  startPostgres,
];
for (const start of targets) {
  const target = await start();
  try {
    const s = await latencies(target.port, simple);
    const e = await latencies(target.port, extended);
    rows.push({ name: target.name, simple: s, extended: e, rss: rssMb(target.pid) });
  } finally {
    await target.stop();
  }
}
const base = rows.find((r) => r.name === 'pglite-socket')!;
const pg15 = rows.find((r) => r.name === 'PostgreSQL 15')!;
console.log(`${'target'.padEnd(16)} ${'SELECT 1'.padStart(10)} ${'SELECT $1'.padStart(10)}  vs pglite-socket    vs PostgreSQL 15   RSS`);
for (const r of rows) {
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
  console.log(
    `${r.name.padEnd(16)} ${r.simple.toFixed(0).padStart(10)} ${r.extended.toFixed(0).padStart(10)}  ${ratio(r.simple, base.simple).padStart(6)} ${ratio(r.extended, base.extended).padStart(6)}     ${ratio(r.simple, pg15.simple).padStart(6)} ${ratio(r.extended, pg15.extended).padStart(6)}   ${r.rss ? `${r.rss} MB` : '-'}`,
  );
}

// Start-up: a new data directory (from the cached template), the same directory again, in memory.
const dataDir = join(mkdtempSync(join(tmpdir(), 'bench-local-')), 'data');
console.log('\nlocal DSQL start-up (spawn to ready line; engine = PGlite open + DSQL objects)');
for (const [label, args] of [
  ['new data dir', ['serve', '--data', dataDir, '--json']],
  ['existing data dir', ['serve', '--data', dataDir, '--json']],
  ['in memory', ['serve', '--memory', '--json']],
] as const) {
  const t = await spawnServer('local DSQL', localCmd, [...args]);
  const engine = t.ready.engine as { startMs: number };
  console.log(`${label.padEnd(18)} ${t.startMs.toFixed(0).padStart(6)} ms (engine ${engine.startMs} ms)  RSS ${rssMb(t.pid)} MB`);
  await t.stop();
}
rmSync(dataDir, { recursive: true, force: true });
