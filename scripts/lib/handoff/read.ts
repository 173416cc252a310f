// Reads a requirements artifact: bounded in size, UTF-8, JSON. Every way it can fail becomes
// an ArtifactProblem with a plain message, never an exception, because the skill's answer to
// a bad artifact is always the same: say so and carry on without it.
import { open, type FileHandle } from 'node:fs/promises';

/** A requirements artifact is a few kilobytes; anything past this is not one. */
export const MAX_ARTIFACT_BYTES = 1024 * 1024;

export type ProblemKind = 'unreadable' | 'too_large' | 'not_utf8' | 'not_json';

export interface ArtifactProblem {
  kind: ProblemKind;
  message: string;
  /** 1-based position of a JSON syntax error, when the parser reports one. */
  line?: number;
  column?: number;
}

export type ReadResult = { ok: true; data: unknown; bytes: number } | { ok: false; problem: ArtifactProblem };

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

const tooLarge = (size: string, limit: number): ArtifactProblem => ({
  kind: 'too_large',
  message: `is ${size}; a requirements artifact is at most ${formatSize(limit)}`,
});

const REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable (permission denied)',
  EPERM: 'is not readable (permission denied)',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'is not a file (a parent is not a directory)',
  ELOOP: 'is a symbolic link loop',
  ENAMETOOLONG: 'is too long a path',
};

function unreadable(error: unknown): ArtifactProblem {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return { kind: 'unreadable', message: REASONS[code] ?? `cannot be read (${code || String(error)})` };
}

/** Collects at most limit + 1 bytes, so a file that grows or a pipe without end stays bounded. */
async function collect(chunks: AsyncIterable<Buffer | string>, limit: number): Promise<Buffer | ArtifactProblem> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    parts.push(bytes);
    total += bytes.length;
    if (total > limit) return tooLarge(`more than ${formatSize(limit)}`, limit);
  }
  return Buffer.concat(parts, total);
}

async function readBytes(path: string, limit: number, stdin: NodeJS.ReadableStream): Promise<Buffer | ArtifactProblem> {
  if (path === '-') {
    try {
      return await collect(stdin as AsyncIterable<Buffer | string>, limit);
    } catch (error) {
      return unreadable(error);
    }
  }
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    return unreadable(error);
  }
  try {
    const stat = await file.stat();
    if (stat.isDirectory()) return { kind: 'unreadable', message: REASONS.EISDIR! };
    // Check the size first so a 5 MB file is refused without reading it.
    if (stat.isFile() && stat.size > limit) return tooLarge(formatSize(stat.size), limit);
    return await collect(file.createReadStream({ autoClose: false }), limit);
  } catch (error) {
    return unreadable(error);
  } finally {
    await file.close();
  }
}

/** Turns V8's "... at position N" into a line and column of the text. */
function syntaxProblem(error: Error, text: string): ArtifactProblem {
  const detail = error.message.replace(/\s*\(line \d+ column \d+\)$/, '');
  const at = /at position (\d+)/.exec(detail);
  if (!at) return { kind: 'not_json', message: `is not valid JSON: ${detail}` };
  const offset = Number(at[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const what = detail.replace(/ in JSON at position \d+.*$/, '');
  return { kind: 'not_json', message: `is not valid JSON: ${what} at line ${line}, column ${column}`, line, column };
}

export async function readArtifact(path: string, stdin: NodeJS.ReadableStream = process.stdin, limit = MAX_ARTIFACT_BYTES): Promise<ReadResult> {
  const bytes = await readBytes(path, limit, stdin);
  if (!Buffer.isBuffer(bytes)) return { ok: false, problem: bytes };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: { kind: 'not_utf8', message: 'is not UTF-8 text' } };
  }
  // TextDecoder already dropped a leading byte-order mark.
  if (text.trim() === '') return { ok: false, problem: { kind: 'not_json', message: 'is empty' } };
  try {
    return { ok: true, data: JSON.parse(text) as unknown, bytes: bytes.length };
  } catch (error) {
    return { ok: false, problem: syntaxProblem(error as Error, text) };
  }
}
