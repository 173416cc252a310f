// psql's version. DSQL routes connections by the TLS server name (SNI), which libpq sends
// from version 14 on, so an older psql cannot reach a cluster and is refused up front.
import { execFile, type ExecFileException } from 'node:child_process';
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
export async function checkPsql(bin = 'psql', env: NodeJS.ProcessEnv = process.env): Promise<PsqlVersion> {
  // Asynchronous, so a command can overlap it with other start-up work (psql is often a wrapper script).
  const { stdout, stderr, error } = await new Promise<{ stdout: string; stderr: string; error: ExecFileException | null }>((resolve) =>
    execFile(bin, ['--version'], { encoding: 'utf8', env, timeout: 10_000 }, (error, stdout, stderr) => resolve({ stdout, stderr, error })),
  );
  const version = parsePsqlVersion(stdout ?? '');
  if (!version) {
    if (error?.code === 'ENOENT') throw new UserError('psql not found on PATH', { hint: INSTALL_HINT });
    if (error) throw new UserError(`cannot run psql --version: ${error.code ?? error.message}`);
    throw new UserError(`cannot tell the psql version from ${JSON.stringify((stdout || stderr || '').trim().slice(0, 80))}`);
  }
  if (version.major < MIN_PSQL_MAJOR) {
    throw new UserError(`psql ${version.major}.${version.minor} is too old: DSQL needs psql ${MIN_PSQL_MAJOR} or newer (older libpq sends no TLS server name)`, {
      hint: INSTALL_HINT,
    });
  }
  return version;
}
