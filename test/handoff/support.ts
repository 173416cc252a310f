// Artifacts for the handoff tests: the documented example, and variants of it written to
// temporary files (each test states the one change it makes).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Requirements } from '../../scripts/lib/handoff/artifact.js';

export const EXAMPLE_PATH = fileURLToPath(new URL('./fixtures/requirements.example.json', import.meta.url));

export function example(): Requirements {
  return JSON.parse(readFileSync(EXAMPLE_PATH, 'utf8')) as Requirements;
}

let dir: string | undefined;
let count = 0;
export function scratch(): string {
  return (dir ??= mkdtempSync(join(tmpdir(), 'dsql-handoff-')));
}

/** Writes text (or a value as JSON) to a new file and returns its path. */
export function writeArtifact(content: unknown, name = `artifact-${++count}.json`): string {
  const path = join(scratch(), name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The example with one change applied. */
export function variant(change: (req: Requirements & Record<string, unknown>) => void): Requirements {
  const req = example() as Requirements & Record<string, unknown>;
  change(req);
  return req;
}
