// TLS material for the local DSQL: a private certificate authority and a server
// certificate for the cluster's DSQL-style host name (<id>.dsql.<region>.on.aws, plus
// localhost and 127.0.0.1), so clients can connect with sslmode=verify-full and the CA
// file, exactly as they would to DSQL with the Amazon root CA.
//
// Certificates are written with a small DER encoder (X.509 v3, ECDSA P-256 / SHA-256);
// Node's crypto makes the keys and signatures. No openssl binary, no extra package.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';

// ---- DER ----------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const seq = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octets = (b: Buffer) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      chunk.unshift((v % 128) | (chunk.length ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
};

const name = (cn: string) => seq(set(seq(oid(OID.organization), utf8('aurora-dsql local'))), set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function keyId(spki: Buffer): Buffer {
  // The SHA-1 of the public key bits (RFC 5280 4.2.1.2, method 1); the key is the last BIT STRING.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

interface CertInput {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signer: KeyObject;
  issuerKeyId: Buffer;
  ca: boolean;
  hosts?: string[];
  ips?: string[];
  days: number;
}

function certificate(c: CertInput): string {
  const spki = c.publicKey.export({ type: 'spki', format: 'der' });
  const algorithm = seq(oid(OID.ecdsaSha256));
  const now = Date.now();
  const san = seq(
    ...(c.hosts ?? []).map((h) => tlv(0x82, Buffer.from(h, 'ascii'))),
    ...(c.ips ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  );
  const extensions = [
    extension(OID.basicConstraints, true, c.ca ? seq(bool(true), tlv(0x02, Buffer.from([0]))) : seq()),
    // keyCertSign + cRLSign for the CA; digitalSignature for the server.
    extension(OID.keyUsage, true, c.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyId, false, octets(keyId(spki))),
    extension(OID.authorityKeyId, false, seq(tlv(0x80, c.issuerKeyId))),
    ...(c.ca ? [] : [extension(OID.subjectAltName, false, san), extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth)))]),
  ];
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(c.issuer),
    seq(time(new Date(now - 3600_000)), time(new Date(now + c.days * 86_400_000))),
    name(c.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: c.signer, dsaEncoding: 'der' });
  const der = seq(tbs, algorithm, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

// ---- files ---------------------------------------------------------------------------

export interface TlsFiles {
  dir: string;
  /** The CA certificate clients trust (sslrootcert). */
  ca: string;
  cert: string;
  key: string;
  /** Host names in the server certificate. */
  hosts: string[];
}

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

/**
 * The CA and server certificate in `dir`, made on first use. The server certificate is
 * made again when the wanted host names change or the CA did not sign it (the CA, which
 * clients trust, is kept while its key is there).
 */
export function ensureTlsFiles(dir: string, hosts: string[]): TlsFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { dir, ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), hosts };
  const caKeyFile = join(dir, 'ca.key');
  let caKey: KeyObject;
  if (existsSync(files.ca) && existsSync(caKeyFile)) {
    caKey = createPrivateKey(readFileSync(caKeyFile));
  } else {
    const pair = keyPair();
    caKey = pair.privateKey;
    const id = keyId(pair.publicKey.export({ type: 'spki', format: 'der' }));
    const ca = certificate({ subject: 'aurora-dsql local CA', issuer: 'aurora-dsql local CA', publicKey: pair.publicKey, signer: caKey, issuerKeyId: id, ca: true, days: 3650 });
    writeFileSync(caKeyFile, caKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(files.ca, ca);
  }
  const caCert = new X509Certificate(readFileSync(files.ca));
  if (existsSync(files.key) && servesHosts(files.cert, caCert, hosts)) return files;
  const caKeyId = keyId(caCert.publicKey.export({ type: 'spki', format: 'der' }));
  const pair = keyPair();
  const cert = certificate({
    subject: hosts[0]!,
    issuer: 'aurora-dsql local CA',
    publicKey: pair.publicKey,
    signer: caKey,
    issuerKeyId: caKeyId,
    ca: false,
    hosts: [...hosts, 'localhost'],
    ips: ['127.0.0.1'],
    days: 825,
  });
  writeFileSync(files.key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(files.cert, cert);
  return files;
}

function servesHosts(certFile: string, ca: X509Certificate, hosts: string[]): boolean {
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    if (!cert.verify(ca.publicKey) || Date.parse(cert.validTo) < Date.now() + 86_400_000) return false;
    return hosts.every((h) => cert.checkHost(h) !== undefined);
  } catch {
    return false;
  }
}
