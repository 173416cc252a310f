// psql's version. DSQL routes connections by the TLS server name (SNI), which libpq sends
// from version 14 on, so an older psql cannot reach a cluster and is refused up front.
import { spawnSync } from 'node:child_process';
import { UserError } from '../cli/errors.js';

export const MIN_PSQL_MAJOR = 14;

export interface PsqlVersion {
  major: number;
  minor: number;
  /** The full `psql --version` line. */
  text: string;
}

const INSTALL_HINT = 'install the PostgreSQL client 14 or newer (Debian/Ubuntu: apt-get install postgresql-client; Fedora/Amazon Linux: dnf install postgresql; macOS: brew install libpq)';

/** Parse `psql --version` output, e.g. "psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
export function parsePsqlVersion(output: string): PsqlVersion | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), text: output.trim().split('\n')[0]! };
}

/** Run `psql --version` (psql from PATH unless `bin` is given); refuse a missing or too-old psql. */
export function checkPsql(bin = 'psql', env: NodeJS.ProcessEnv = process.env): PsqlVersion {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env, timeout: 10_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`psql not found on PATH`, { hint: INSTALL_HINT });
    throw new UserError(`cannot run psql --version: ${code ?? r.error.message}`);
  }
  const version = parsePsqlVersion(r.stdout ?? '');
  if (!version) throw new UserError(`cannot tell the psql version from ${JSON.stringify((r.stdout || r.stderr || '').trim().slice(0, 80))}`);
  if (version.major < MIN_PSQL_MAJOR) {
    throw new UserError(`psql ${version.major}.${version.minor} is too old: DSQL needs psql ${MIN_PSQL_MAJOR} or newer (older libpq sends no TLS server name)`, {
      hint: INSTALL_HINT,
    });
  }
  return version;
}
