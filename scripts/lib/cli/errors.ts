// Errors that a command expects and turns into one line on stderr plus an exit code.
// Anything else thrown inside a command is a bug: the runner prints its stack trace.

/** Exit codes shared by every command (a command may add its own, listed in its --help). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  bug: 70,
} as const;

/** An expected failure: a clear message and an exit code (1 unless said otherwise). */
export class UserError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
  }
}

/** Bad command line: unknown flag, missing or bad value. Always exit 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
    this.name = 'UsageError';
  }
}

// Secrets (IAM tokens) registered here are replaced in every line the runner prints,
// so an error that happens to echo one cannot leak it.
const secrets = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= 8) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}

/** Collapse a message to one line, the way every command reports errors. */
export function oneLine(text: string): string {
  return redact(text).replace(/\s*\n\s*/g, ' ').trim();
}
