// The skill's own installation: Node.js version, the npm dependencies resolvable from the
// skill folder (not from the caller's directory), and the compiled dist/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compareVersions, type Finding } from './check.js';

interface Manifest {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

export function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
}

/** The lowest version a ">=X.Y.Z" engines range allows (the only form this package uses). */
export function minimumNode(range: string | undefined): string {
  return /^\s*>=\s*v?([0-9]+(?:\.[0-9]+){0,2})\s*$/.exec(range ?? '')?.[1] ?? '20.18';
}

export function checkNode(version: string, range: string | undefined): Finding {
  const min = minimumNode(range);
  const data = { version, minimum: min };
  if (compareVersions(version, min) >= 0) return { status: 'ok', summary: `Node.js ${version} (needs ${min} or newer)`, data };
  return {
    status: 'fail',
    summary: `Node.js ${version} is older than ${min}`,
    fix: `install Node.js ${min.split('.')[0]} LTS or newer (for example \`nvm install ${min.split('.')[0]}\`), then run \`npm ci\` again in the skill folder`,
    data,
  };
}

/**
 * Whether an installed version satisfies the package.json range, for the forms npm writes
 * (^x.y.z, ~x.y.z, x.y.z). Other forms count as satisfied: presence is what matters most.
 */
export function satisfies(version: string, range: string): boolean {
  const m = /^([\^~]?)([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(range.trim());
  const v = /^([0-9]+)\.([0-9]+)\.([0-9]+)/.exec(version);
  if (!m || !v) return true;
  const want = [Number(m[2]), Number(m[3]), Number(m[4])];
  const have = [Number(v[1]), Number(v[2]), Number(v[3])];
  const cmp = compareVersions(have.join('.'), want.join('.'));
  if (cmp < 0) return false;
  if (m[1] === '') return cmp === 0;
  if (m[1] === '~') return have[0] === want[0] && have[1] === want[1];
  // Caret: the left-most non-zero part is fixed.
  if (want[0] !== 0) return have[0] === want[0];
  if (want[1] !== 0) return have[0] === 0 && have[1] === want[1];
  return have[0] === 0 && have[1] === 0 && have[2] === want[2];
}

/** Where Node finds a package when imported from the skill folder: node_modules upwards. */
function installedVersion(root: string, name: string): string | undefined {
  const lookup = createRequire(join(root, 'package.json')).resolve.paths(name) ?? [];
  for (const dir of lookup) {
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A path as one shell word: bare when it is plain, single-quoted otherwise. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function installCommand(root: string): string {
  return `cd ${shellWord(root)} && ${existsSync(join(root, 'package-lock.json')) ? 'npm ci' : 'npm install'}`;
}

export function checkDependencies(root: string, manifest: Manifest): Finding {
  const wanted = Object.entries(manifest.dependencies ?? {});
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const [name, range] of wanted) {
    const version = installedVersion(root, name);
    if (version === undefined) missing.push(name);
    else if (!satisfies(version, range)) mismatched.push(`${name} ${version} (wants ${range})`);
  }
  const data = { root, packages: wanted.length, missing, mismatched };
  if (!missing.length && !mismatched.length) {
    return { status: 'ok', summary: `all ${wanted.length} packages installed for ${root}`, data };
  }
  const problems = [
    ...(missing.length ? [`missing: ${missing.join(', ')}`] : []),
    ...(mismatched.length ? [`wrong version: ${mismatched.join(', ')}`] : []),
  ];
  return { status: 'fail', summary: `skill dependencies not installed (${problems.join('; ')})`, fix: installCommand(root), data };
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const file of readdirSync(dir, { recursive: true })) {
    if (String(file).endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, String(file))).mtimeMs);
  }
  return newest;
}

/** dist/ is what the launcher runs on plain Node; without it commands still run, through tsx. */
export function checkBuild(root: string, manifest: Manifest): Finding {
  const fix = `cd ${shellWord(root)} && ${manifest.scripts?.build ? 'npm run build' : 'node tools/build.mjs'}`;
  let info: { sourceMtimeMs?: number };
  try {
    info = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8')) as typeof info;
  } catch {
    return { status: 'warn', summary: 'dist/ is not built: commands compile TypeScript on every start (slower)', fix, data: { built: false } };
  }
  if ((info.sourceMtimeMs ?? 0) < newestSource(join(root, 'scripts'))) {
    return { status: 'warn', summary: 'dist/ is older than scripts/: commands compile TypeScript on every start (slower)', fix, data: { built: true, fresh: false } };
  }
  return { status: 'ok', summary: 'dist/ is built and current', data: { built: true, fresh: true } };
}
