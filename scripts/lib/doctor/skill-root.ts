// The skill folder (the one holding package.json), found from this module's own location so
// that it is the same whether the code runs from scripts/ (tsx) or from dist/bin/ (built).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'aurora-dsql';

let cached: string | undefined;

export function skillRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return (cached = dir);
      } catch {
        // An unreadable package.json is not ours; keep climbing.
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${PACKAGE_NAME} skill folder above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
