// Commands in the docs. Every `scripts/<name>.ts ...` written in SKILL.md, references/ or
// README.md names a script that exists and uses only flags its --help lists; every command is in
// SKILL.md's Commands table; references/scripts-guide.md documents, in each command's section,
// every flag, exit code and environment variable its --help lists; and the guide's offline tour
// runs as written.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, runScript } from '../support/run.js';
import { allDocs, codeBlocks, invocations, ROOT, skillDocs } from './support.js';

const calls = allDocs().flatMap(invocations);
const scripts = readdirSync(join(ROOT, 'scripts'))
  .filter((f) => f.endsWith('.ts'))
  .sort();
const guide = readFileSync(join(ROOT, 'references', 'scripts-guide.md'), 'utf8');
const skill = readFileSync(join(ROOT, 'SKILL.md'), 'utf8');

/** Every command's --help, read once. */
const helps = new Map<string, string>();
beforeAll(async () => {
  await Promise.all(
    scripts.map(async (s) => {
      const r = await runScript(s, ['--help']);
      expect(r.code, `${s} --help`).toBe(0);
      helps.set(s, r.stdout);
    }),
  );
}, 120_000);

/** Long and short flag names listed anywhere in a command's --help. */
function helpFlags(help: string): Set<string> {
  const flags = new Set(['help', 'h']);
  for (const m of help.matchAll(/(?:^|[\s,[(|])--?([A-Za-z][A-Za-z0-9-]*)/g)) flags.add(m[1]!);
  return flags;
}

/** The long flags of a command's Options section. */
function optionFlags(help: string): string[] {
  const options = help.slice(help.indexOf('\nOptions:\n'), help.indexOf('\n\n', help.indexOf('\nOptions:\n') + 1));
  return [...options.matchAll(/^\s+(?:-[A-Za-z], )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!).filter((f) => f !== 'help');
}

/** The codes of a command's "Exit codes:" list. */
function exitCodes(help: string): string[] {
  const list = help.slice(help.indexOf('\nExit codes:\n'));
  return [...list.matchAll(/^\s+(\d+)\s/gm)].map((m) => m[1]!);
}

/** Environment variables a command's --help names ($CLUSTER, PGHOSTADDR, DSQL_LOCAL_HOME, ...). */
function envVars(full: string): string[] {
  // Shell variables in the examples ($TENANT, $SQL) are the example's, not the command's.
  const help = full.slice(0, full.indexOf('\nExamples:\n') >= 0 ? full.indexOf('\nExamples:\n') : undefined);
  const names = new Set<string>();
  for (const m of help.matchAll(/\$([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
  for (const m of help.matchAll(/\b((?:PG|AWS_|DSQL_)[A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * A command's section of the scripts guide: the section whose heading is the command's name,
 * plus the introduction of the section it sits in (shared flags of a family of commands).
 */
function guideSection(command: string): string {
  const lines = guide.split('\n');
  const headings = lines.flatMap((l, i) => {
    const m = /^(#{2,4}) (.+)$/.exec(l);
    return m ? [{ i, level: m[1]!.length, text: m[2]!.trim() }] : [];
  });
  const own = headings.findIndex((h) => h.text === command || h.text === `\`${command}\``);
  if (own < 0) return '';
  const h = headings[own]!;
  const end = headings.slice(own + 1).find((x) => x.level <= h.level)?.i ?? lines.length;
  let text = lines.slice(h.i, end).join('\n');
  const parent = headings.slice(0, own).reverse().find((x) => x.level < h.level);
  if (parent) {
    const firstChild = headings.find((x) => x.i > parent.i)!;
    text = lines.slice(parent.i, firstChild.i).join('\n') + '\n' + text;
  }
  return text;
}

const name = (script: string) => script.replace(/\.ts$/, '');

describe('commands named in the docs', () => {
  it('are written somewhere (the check sees them)', () => {
    expect(calls.length).toBeGreaterThan(40);
    expect(calls.map((c) => c.script)).toContain('safe_query.ts');
  });

  it('name scripts that exist', () => {
    expect([...new Set(calls.map((c) => c.script))].filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it.each(scripts.map((s) => [s] as const))('%s: every flag written in the docs is in its --help', (script) => {
    const known = helpFlags(helps.get(script)!);
    const unknown = calls
      .filter((c) => c.script === script)
      .flatMap((c) => c.flags.filter((f) => !known.has(f)).map((f) => `${c.file}: --${f} in "${c.text}"`));
    expect(unknown).toEqual([]);
  });
});

describe('every command is documented', () => {
  const table = skill.slice(skill.indexOf('\n## Commands\n'), skill.indexOf('\n## Quick start\n'));

  it.each(scripts.map((s) => [s] as const))('%s: SKILL.md Commands table has a row for it', (script) => {
    expect(table).toMatch(new RegExp(`^\\| \`scripts/${script.replace('.', '\\.')}[ \`]`, 'm'));
  });

  it.each(scripts.map((s) => [s] as const))('%s: scripts-guide.md documents every flag of its --help', (script) => {
    const section = guideSection(name(script));
    expect(section, `a "${name(script)}" heading in scripts-guide.md`).not.toBe('');
    const flags = optionFlags(helps.get(script)!);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((f) => !new RegExp(`--${f}(?![a-z0-9-])`).test(section))).toEqual([]);
  });

  it.each(scripts.map((s) => [s] as const))('%s: scripts-guide.md gives exactly the exit codes of its --help', (script) => {
    const section = guideSection(name(script));
    // One paragraph per command starts with "Exit codes:" and names each code in backticks; 70
    // (a bug, with a stack trace) is stated once for all commands at the top of the guide.
    const at = section.indexOf('Exit codes:');
    expect(at, `an "Exit codes:" paragraph in the ${name(script)} section`).toBeGreaterThanOrEqual(0);
    const paragraph = section.slice(at).split(/\n\s*\n/)[0]!;
    const documented = new Set([...paragraph.matchAll(/`(\d+)`/g)].map((m) => m[1]!));
    const wanted = new Set(exitCodes(helps.get(script)!).filter((c) => c !== '70'));
    documented.delete('70');
    expect([...documented].sort()).toEqual([...wanted].sort());
  });

  it('the shared exit code 70 is stated once for every command', () => {
    expect(guide).toMatch(/`70`/);
  });

  it.each(scripts.map((s) => [s] as const))('%s: scripts-guide.md names every environment variable of its --help', (script) => {
    const table = guide.slice(guide.indexOf('\n## Environment variables\n'));
    expect(envVars(helps.get(script)!).filter((v) => !table.includes(`\`${v}\``))).toEqual([]);
  });
});

/** Shell blocks marked `<!-- checked: runs offline -->`: each must run as written, without AWS. */
const offline = skillDocs().flatMap((doc) => {
  const blocks = codeBlocks(doc);
  const lines = doc.text.split('\n');
  return blocks.filter((b) => lines.slice(0, b.line - 1).reverse().find((l) => l.trim() !== '' && !l.startsWith('```'))?.trim() === '<!-- checked: runs offline -->');
});

describe('examples marked to run offline', () => {
  let cwd = '';
  beforeAll(() => {
    // A scratch directory with scripts/ pointing into the skill, so `scripts/...` works as written
    // and whatever the example writes stays out of the checkout.
    cwd = mkdtempSync(join(tmpdir(), 'dsql-docs-run-'));
    symlinkSync(join(ROOT, 'scripts'), join(cwd, 'scripts'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('there is at least one, covering every command', () => {
    expect(offline.length).toBeGreaterThan(0);
    const covered = new Set(offline.flatMap((b) => [...b.code.matchAll(/scripts\/([a-z_-]+\.ts)/g)].map((m) => m[1]!)));
    expect(scripts.filter((s) => !covered.has(s))).toEqual([]);
  });

  it.each(offline.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs with exit 0', async (_, block) => {
    const home = mkdtempSync(join(tmpdir(), 'dsql-docs-home-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, DSQL_LOCAL_HOME: home };
      // No AWS: the example must not need credentials or a Region.
      for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
      const r = await runProcess('sh', ['-eu', '-c', block.code], { cwd, env, timeoutMs: 240_000 });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
});
