// Runs a command the way a user does: its scripts/*.ts file as an executable, from a
// working directory outside the skill (the command contract says any directory works).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const scriptPath = (name: string): string => join(ROOT, 'scripts', name);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

let elsewhere: string | undefined;
/** A scratch directory that is not the skill folder, used as the default working directory. */
export function outsideDir(): string {
  return (elsewhere ??= mkdtempSync(join(tmpdir(), 'dsql-skill-cwd-')));
}

export function runScript(name: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess(scriptPath(name), args, options);
}

/** Runs any program to the end the same way (input on stdin, output collected, killed after the timeout). */
export function runProcess(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? outsideDir(),
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command may exit without reading its input; that is not an error of the test runner.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
