import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defineCommand, parseArgs, runCommand, UsageError, UserError, registerSecret, type Io } from '../../scripts/lib/cli/index.js';

const options = {
  region: { type: 'string', value: 'R', description: 'region', env: 'AWS_REGION' },
  tag: { type: 'string', multiple: true, description: 'tag' },
  json: { type: 'boolean', description: 'json' },
  timeout: { type: 'integer', min: 1, max: 3600, description: 'seconds' },
  format: { type: 'string', choices: ['text', 'json'], description: 'format' },
  command: { type: 'string', short: 'c', value: 'SQL', description: 'sql' },
} as const;
const positionals = [{ name: 'ID', description: 'id' }];

const usage = (argv: string[]) => {
  try {
    parseArgs(options, positionals, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('parseArgs', () => {
  it('reads long, long=value, short, repeatable, boolean and positional arguments', () => {
    const p = parseArgs(options, positionals, ['--region', 'eu-west-1', '--tag=a=b', '--tag', 'c', '--json', '-c', 'SELECT 1', 'abc', '--timeout', '30']);
    expect(p.options).toMatchObject({ region: 'eu-west-1', tag: ['a=b', 'c'], json: true, command: 'SELECT 1', timeout: 30 });
    expect(p.positionals).toEqual(['abc']);
    expect(p.help).toBe(false);
  });
  it('fills defaults from the environment, false for booleans and [] for repeatables', () => {
    const p = parseArgs(options, positionals, [], { AWS_REGION: 'ap-south-1' });
    expect(p.options).toMatchObject({ region: 'ap-south-1', json: false, tag: [] });
    expect(p.options.timeout).toBeUndefined();
  });
  it('accepts values that merely start with a dash, and everything after --', () => {
    expect(parseArgs(options, positionals, ['-c', '-- a comment\nSELECT 1']).options.command).toBe('-- a comment\nSELECT 1');
    expect(parseArgs(options, positionals, ['--', '--json']).positionals).toEqual(['--json']);
  });
  it('names the flag in every usage error', () => {
    expect(usage(['--nope'])).toBe('unknown option --nope (see --help)');
    expect(usage(['--nope=1'])).toBe('unknown option --nope (see --help)');
    expect(usage(['-z'])).toBe('unknown option -z (see --help)');
    expect(usage(['--region'])).toBe('--region needs a value (R)');
    expect(usage(['--region', '--json'])).toBe('--region needs a value (R)');
    expect(usage(['-c'])).toBe('-c needs a value (SQL)');
    expect(usage(['--json=yes'])).toBe('--json takes no value');
    expect(usage(['--timeout', 'ten'])).toBe('--timeout needs a whole number, got "ten"');
    expect(usage(['--timeout', '0'])).toBe('--timeout must be at least 1, got 0');
    expect(usage(['--timeout', '99999'])).toBe('--timeout must be at most 3600, got 99999');
    expect(usage(['--format', 'xml'])).toBe('--format must be one of text, json; got "xml"');
    expect(usage(['--region', 'a', '--region', 'b'])).toBe('--region given more than once');
    expect(usage(['a', 'b'])).toBe('unexpected argument "b" (see --help)');
  });
  it('reports a missing required positional', () => {
    expect(() => parseArgs({}, [{ name: 'FILE', description: 'f', required: true }], [])).toThrow('missing FILE (see --help)');
  });
});

function memoryIo(): Io & { output: () => { stdout: string; stderr: string } } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { stdout, stderr, stdin: new PassThrough(), env: {}, output: () => ({ stdout: out, stderr: err }) };
}

describe('runCommand', () => {
  const make = (run: () => unknown) =>
    defineCommand({ name: 'scripts/demo.ts', summary: 'demo', usage: ['[--json]'], options: { json: { type: 'boolean', description: 'json' } }, examples: [{ command: 'scripts/demo.ts' }], exitCodes: { 1: 'failed' }, run: run as () => void });

  it('turns expected failures into one redacted line and their exit code', async () => {
    registerSecret('SECRET-TOKEN-123456');
    const io = memoryIo();
    const code = await runCommand(make(() => { throw new UserError('bad thing\nwith SECRET-TOKEN-123456 inside', { exitCode: 3, hint: 'try this' }); }), [], io);
    expect(code).toBe(3);
    expect(io.output().stderr).toBe('demo.ts: bad thing with [redacted] inside; try this\n');
  });
  it('shows a stack trace and exit 70 for bugs', async () => {
    const io = memoryIo();
    const code = await runCommand(make(() => { throw new TypeError('oops'); }), [], io);
    expect(code).toBe(70);
    expect(io.output().stderr).toMatch(/^demo\.ts: internal error \(a bug; please report it\):\nTypeError: oops\n\s+at /);
  });
  it('prints help with usage, options, examples and exit codes', async () => {
    const io = memoryIo();
    expect(await runCommand(make(() => 0), ['--help'], io)).toBe(0);
    const help = io.output().stdout;
    for (const part of ['scripts/demo.ts - demo', 'Usage:', '--json', 'Examples:', 'Exit codes:', '2  usage error']) expect(help).toContain(part);
  });
});
