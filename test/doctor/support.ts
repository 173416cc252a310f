// Isolated machines for the doctor: a fresh HOME, a PATH made of chosen tools, no AWS variables
// from the test runner, and EC2 instance metadata disabled the way the SDK itself honours it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSSOTokenFilepath } from '@smithy/core/config';

export function tempDir(prefix = 'dsql-doctor-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const which = (name: string): string => execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();

/** The directory of the real psql (the one the tests run against). */
export const REAL_PSQL_DIR = dirname(which('psql'));

/**
 * A bin directory with node and dirname (what a command's sh prelude needs) and nothing else,
 * plus any stub scripts given (name -> sh body).
 */
export function binDir(stubs: Record<string, string> = {}): string {
  const dir = tempDir('dsql-doctor-bin-');
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync(which('dirname'), join(dir, 'dirname'));
  for (const [name, body] of Object.entries(stubs)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

export interface Machine {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Writes a file under HOME (creating folders). */
  write(rel: string, text: string): string;
}

export function machine(path: string, extra: NodeJS.ProcessEnv = {}): Machine {
  const home = tempDir('dsql-doctor-home-');
  return {
    home,
    env: { PATH: path, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...extra },
    write(rel, text) {
      const file = join(home, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
}

/** A PATH with the real psql and the system tools (/usr/bin holds node here too). */
export function systemPath(): string {
  return [...new Set([REAL_PSQL_DIR, dirname(process.execPath), '/usr/bin', '/bin'])].join(':');
}

const SDK_PROBE = fileURLToPath(new URL('./sdk-access-key.mjs', import.meta.url));

/**
 * Which access key the real AWS SDK provider chain picks in this environment (it signs a DSQL
 * token offline and reads the key id back from it), or the error it gives.
 */
export function sdkAccessKey(env: NodeJS.ProcessEnv): { accessKeyId?: string; error?: string } {
  // stderr ignored: the SDK warns there when AWS_PROFILE and environment keys are both set.
  const out = execFileSync(process.execPath, [SDK_PROBE], { env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as { accessKeyId?: string; error?: string };
}

/** The SSO token cache file for a session name, as the SDK names it (it reads HOME from process.env). */
export function ssoCachePath(home: string, key: string): string {
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    return getSSOTokenFilepath(key);
  } finally {
    process.env.HOME = saved;
  }
}
