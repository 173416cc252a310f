// Compile scripts/ to dist/ once before the tests, so commands spawned by tests run the
// current code on plain Node (the launcher would fall back to tsx otherwise, slower).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../tools/build.mjs', import.meta.url))], { stdio: 'inherit' });
}
