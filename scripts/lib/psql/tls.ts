// TLS settings for psql. DSQL needs TLS; verify-full (certificate chain and host name) is the
// default. libpq 16 understands sslrootcert=system, but psql 14 and 15 take only a file, so
// the system CA bundle is found as a file here and passed explicitly for every version.
import { accessSync, constants, statSync } from 'node:fs';
import { UserError } from '../cli/errors.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface TlsSettings {
  sslmode: SslMode;
  /** CA file, or 'system' (libpq 16+); absent when not verifying. */
  sslrootcert?: string;
  /** Where the root certificate came from, for messages. */
  source: 'PGSSLROOTCERT' | 'SSL_CERT_FILE' | 'system bundle' | 'libpq system' | 'none';
}

/** Where Linux distributions, macOS and the BSDs keep the PEM bundle of trusted roots. */
export const SYSTEM_CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Gentoo, Arch, Alpine
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // Fedora, RHEL 7+, Amazon Linux 2/2023
  '/etc/pki/tls/certs/ca-bundle.crt', // older RHEL, CentOS
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, FreeBSD, OpenBSD, Alpine
  '/opt/homebrew/etc/ca-certificates/cert.pem', // Homebrew on Apple silicon
  '/usr/local/etc/ca-certificates/cert.pem', // Homebrew on Intel
] as const;

export interface TlsInput {
  /** --skip-cert-verify: encrypt but do not verify (sslmode=require). */
  skipVerify?: boolean;
  env?: NodeJS.ProcessEnv;
  /** psql's major version; 16+ understands sslrootcert=system. */
  psqlMajor: number;
  /** Candidate bundle files, in order (for tests). */
  bundles?: readonly string[];
}

function readableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function resolveTls({ skipVerify = false, env = process.env, psqlMajor, bundles = SYSTEM_CA_BUNDLES }: TlsInput): TlsSettings {
  if (skipVerify) return { sslmode: 'require', source: 'none' };
  const systemBundle = (): string | undefined => bundles.find(readableFile);

  const fromEnv = env.PGSSLROOTCERT;
  if (fromEnv) {
    if (fromEnv === 'system') {
      if (psqlMajor >= 16) return { sslmode: 'verify-full', sslrootcert: 'system', source: 'libpq system' };
      const bundle = systemBundle();
      if (bundle) return { sslmode: 'verify-full', sslrootcert: bundle, source: 'system bundle' };
      throw noBundle(psqlMajor);
    }
    if (!readableFile(fromEnv)) throw new UserError(`PGSSLROOTCERT=${fromEnv} is not a readable file; point it at a PEM file of trusted root certificates, or unset it`);
    return { sslmode: 'verify-full', sslrootcert: fromEnv, source: 'PGSSLROOTCERT' };
  }
  // OpenSSL's own override of its default bundle.
  const sslCertFile = env.SSL_CERT_FILE;
  if (sslCertFile && readableFile(sslCertFile)) return { sslmode: 'verify-full', sslrootcert: sslCertFile, source: 'SSL_CERT_FILE' };
  const bundle = systemBundle();
  if (bundle) return { sslmode: 'verify-full', sslrootcert: bundle, source: 'system bundle' };
  if (psqlMajor >= 16) return { sslmode: 'verify-full', sslrootcert: 'system', source: 'libpq system' };
  throw noBundle(psqlMajor);
}

function noBundle(psqlMajor: number): UserError {
  return new UserError(`no system CA bundle found for TLS verify-full (psql ${psqlMajor} cannot use sslrootcert=system)`, {
    hint: 'set PGSSLROOTCERT to a PEM file of trusted roots (the Amazon Root CAs sign DSQL certificates), or pass --skip-cert-verify (not for production)',
  });
}
