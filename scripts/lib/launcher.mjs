// Starts a command from any working directory. Each scripts/*.ts begins with a two-line sh
// prelude that execs `node scripts/lib/launcher.mjs <that file> <args>`.
//
// Plain Node runs the command's prebuilt module dist/bin/<name>.js (made by `npm ci` /
// `npm run build`) when the build is at least as new as every source file; otherwise the
// TypeScript source runs through tsx, resolved from the skill's own node_modules, not the
// caller's directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// A reader that stops early (`... | head -1`) is not an error: stop quietly, as Unix tools do.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  process.stderr.write('launcher.mjs: run a command through its scripts/*.ts file\n');
  process.exit(2);
}
const entry = resolve(entryArg);
const built = join(root, 'dist', 'bin', `${basename(entry, '.ts')}.js`);

function newestSource() {
  let newest = 0;
  for (const file of readdirSync(join(root, 'scripts'), { recursive: true })) {
    if (String(file).endsWith('.ts')) newest = Math.max(newest, statSync(join(root, 'scripts', String(file))).mtimeMs);
  }
  return newest;
}

function buildIsFresh() {
  try {
    const info = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8'));
    statSync(built);
    // A second of slack: copying the folder (cp -p, archives) can round file times.
    return info.sourceMtimeMs + 1000 >= newestSource();
  } catch {
    return false;
  }
}

async function fromSource() {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(`${basename(entry)}: dependencies are not installed; run \`npm ci\` in ${root}\n`);
    process.exit(1);
  }
  tsx.register();
  const [{ command }, { runCommand }] = await Promise.all([
    import(pathToFileURL(entry).href),
    import(pathToFileURL(join(root, 'scripts', 'lib', 'cli', 'run.ts')).href),
  ]);
  return { command, runCommand };
}

const { command, runCommand } = buildIsFresh() ? await import(pathToFileURL(built).href) : await fromSource();
if (!command) {
  process.stderr.write(`launcher.mjs: ${entryArg} exports no command\n`);
  process.exit(70);
}
process.exitCode = await runCommand(command, args);
