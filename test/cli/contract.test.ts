// The command contract, checked on every command under scripts/ (new ones included automatically).
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outsideDir, ROOT, runScript } from '../support/run.js';
import { spawnSync } from 'node:child_process';

const commands = readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.ts')).sort();

const PRELUDE = `#!/bin/sh
':' //; case $0 in */*) d=\${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
`;

describe.each(commands)('%s', (script) => {
  it('starts with the shared launcher prelude and is executable', () => {
    const path = join(ROOT, 'scripts', script);
    expect(readFileSync(path, 'utf8').startsWith(PRELUDE)).toBe(true);
    expect(statSync(path).mode & 0o111).toBe(0o111);
  });

  it('prints help with examples and exits 0, from another directory', async () => {
    const r = await runScript(script, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`scripts/${script}`);
    expect(r.stdout).toContain('Usage:');
    expect(r.stdout).toContain('Examples:');
    expect(r.stderr).toBe('');
    expect((await runScript(script, ['-h'])).stdout).toBe(r.stdout);
  });

  it('rejects an unknown flag with one line naming it, exit 2', async () => {
    const r = await runScript(script, ['--no-such-flag-xyz']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--no-such-flag-xyz');
  });
});

describe('launcher', () => {
  it('runs a command by a relative path from another directory', () => {
    const cwd = outsideDir();
    const r = spawnSync(relative(cwd, join(ROOT, 'scripts', 'safe_query.ts')), ['-t', 'SELECT {n}', '--integer', 'n=7'], { cwd, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('SELECT 7\n');
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    // 300 KB of output: far more than a pipe buffers, so the write fails with EPIPE.
    const template = join(mkdtempSync(join(tmpdir(), 'dsql-epipe-')), 'big.sql');
    writeFileSync(template, `SELECT ${'x, '.repeat(100_000)}{n}`);
    const r = spawnSync('sh', ['-c', `"$0" --template-file "$1" --integer n=1 | head -c 6`, join(ROOT, 'scripts', 'safe_query.ts'), template], { cwd: outsideDir(), encoding: 'utf8' });
    expect(r.stdout).toBe('SELECT');
    expect(r.stderr).toBe('');
  });

  it('falls back to the TypeScript source through tsx when there is no build', () => {
    // A copy of the skill without dist/: the launcher must compile on the fly, still from any directory.
    const copy = mkdtempSync(join(tmpdir(), 'dsql-skill-copy-'));
    cpSync(join(ROOT, 'scripts'), join(copy, 'scripts'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const r = spawnSync(join(copy, 'scripts', 'safe_query.ts'), ['-t', 'SELECT {n}', '--integer', 'n=-7'], { cwd: outsideDir(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('SELECT -7\n');
  });
});
