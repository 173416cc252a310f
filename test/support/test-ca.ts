// A throwaway certificate authority for TLS tests, made with the openssl command line:
// a CA, a server certificate it signs for a DSQL-shaped host name (plus localhost and
// 127.0.0.1), and a second, unrelated CA that must not verify that server.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The host name the test server certificate names: the endpoint of cluster `abcdefghijklmnopqrstuvwxyz` in us-east-1. */
export const TEST_CLUSTER_ID = 'abcdefghijklmnopqrstuvwxyz';
export const TEST_REGION = 'us-east-1';
export const TEST_HOST = `${TEST_CLUSTER_ID}.dsql.${TEST_REGION}.on.aws`;

export interface TestCa {
  dir: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  /** PEM of a different CA (for "wrong CA" tests). */
  otherCaFile: string;
  certFile: string;
  keyFile: string;
  /** The names in the server certificate. */
  names: string[];
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function selfSignedCa(dir: string, name: string, subject: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

/** Make the CA, the server certificate for `host`, and the unrelated CA, all in `dir`. */
export function makeTestCa(dir: string, host = TEST_HOST): TestCa {
  const names = [host, 'localhost', '127.0.0.1'];
  selfSignedCa(dir, 'ca', '/CN=aurora-dsql test CA');
  selfSignedCa(dir, 'other-ca', '/CN=unrelated test CA');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${host}`, '-keyout', 'server.key', '-out', 'server.csr'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt'], dir);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    otherCaFile: join(dir, 'other-ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    names,
  };
}
