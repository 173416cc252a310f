// Reading inputs and writing fixed output for dsql-lint.
import { closeSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, parse, resolve } from 'node:path';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode UTF-8 strictly; undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function readInput(path: string): { text?: string; error?: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? String(error)})` };
  }
  const text = decodeUtf8(bytes);
  return text === undefined ? { error: 'file contained non-UTF-8 bytes' } : { text };
}

export async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Where --fix writes for an input file: <stem>-fixed<ext> beside it. */
export function defaultOutputPath(input: string): string {
  const p = parse(input);
  return join(p.dir, `${p.name}-fixed${p.ext}`);
}

function same(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

/** Write via a temporary file and rename, so a reader never sees half a file. */
export function writeAtomically(path: string, text: string, input?: string): string | undefined {
  if (input !== undefined && same(path, input)) return 'the output path is the input file; choose another with -o';
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return undefined;
  } catch (error) {
    rmSync(tmp, { force: true });
    return `cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}
