// Install commands for the machine the doctor runs on, so each fix is a command to run,
// not a list of possibilities.
import { readFileSync } from 'node:fs';

export type Family = 'debian' | 'fedora' | 'alpine' | 'arch' | 'suse' | 'macos' | 'windows' | 'unknown';

export function platformFamily(platform: NodeJS.Platform = process.platform, osRelease = '/etc/os-release'): Family {
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  let text = '';
  try {
    text = readFileSync(osRelease, 'utf8');
  } catch {
    return 'unknown';
  }
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
  const ids = `${field('ID')} ${field('ID_LIKE')}`.toLowerCase().split(/\s+/);
  if (ids.some((id) => id === 'debian' || id === 'ubuntu')) return 'debian';
  if (ids.some((id) => ['fedora', 'rhel', 'centos', 'amzn'].includes(id))) return 'fedora';
  if (ids.includes('alpine')) return 'alpine';
  if (ids.includes('arch')) return 'arch';
  if (ids.some((id) => id === 'suse' || id.startsWith('opensuse'))) return 'suse';
  return 'unknown';
}

const PSQL: Record<Family, string> = {
  debian: 'sudo apt-get install -y postgresql-client',
  fedora: 'sudo dnf install -y postgresql',
  alpine: 'apk add postgresql-client',
  arch: 'sudo pacman -S postgresql',
  suse: 'sudo zypper install postgresql',
  macos: 'brew install libpq && brew link --force libpq',
  windows: 'install the PostgreSQL command-line tools (the EDB installer, "Command Line Tools" component) and add its bin folder to PATH',
  unknown: "install the PostgreSQL client (psql) with your system's package manager",
};

/** How to get psql (version 14 or newer) onto PATH. */
export function psqlInstallFix(family: Family): string {
  const base = PSQL[family];
  // Distributions with an older default client get the newer one from the PostgreSQL project's repository.
  if (family === 'debian') return `${base} (on a release older than Debian 12 or Ubuntu 22.04, add the PostgreSQL project's apt repository (PGDG) and install postgresql-client-16)`;
  return base;
}

const CA: Record<Family, string> = {
  debian: 'sudo apt-get install -y ca-certificates',
  fedora: 'sudo dnf install -y ca-certificates',
  alpine: 'apk add ca-certificates',
  arch: 'sudo pacman -S ca-certificates',
  suse: 'sudo zypper install ca-certificates',
  macos: 'export PGSSLROOTCERT=/etc/ssl/cert.pem',
  windows: 'save the Amazon Trust Services root certificates as one PEM file and set the PGSSLROOTCERT environment variable to its path',
  unknown: "install your system's CA certificate bundle, or set PGSSLROOTCERT to a PEM file of trusted root certificates",
};

export function caBundleFix(family: Family): string {
  return CA[family];
}
