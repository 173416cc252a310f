// An independent check of a DSQL IAM token (a SigV4-presigned GET URL without its scheme):
// recomputes the signature with node:crypto from the secret key, so a test proves the token
// is genuinely signed with the planted credentials, not just shaped like one.
import { createHash, createHmac } from 'node:crypto';

export interface TokenParts {
  host: string;
  action: string;
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  expires: number;
  amzDate: string;
  securityToken?: string;
  signature: string;
}

const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function parseToken(token: string): TokenParts {
  const slash = token.indexOf('/?');
  if (slash < 0) throw new Error('token is not host/?query');
  const query = new URLSearchParams(token.slice(slash + 2));
  const credential = (query.get('X-Amz-Credential') ?? '').split('/');
  return {
    host: token.slice(0, slash),
    action: query.get('Action') ?? '',
    accessKeyId: credential[0] ?? '',
    date: credential[1] ?? '',
    region: credential[2] ?? '',
    service: credential[3] ?? '',
    expires: Number(query.get('X-Amz-Expires')),
    amzDate: query.get('X-Amz-Date') ?? '',
    securityToken: query.get('X-Amz-Security-Token') ?? undefined,
    signature: query.get('X-Amz-Signature') ?? '',
  };
}

/** True when the token's X-Amz-Signature is the SigV4 signature of its own request under `secretAccessKey`. */
export function signatureIsValid(token: string, secretAccessKey: string): boolean {
  const parts = parseToken(token);
  const query = new URLSearchParams(token.slice(token.indexOf('/?') + 2));
  const canonicalQuery = [...query.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const emptyHash = createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${parts.host}`, '', 'host', emptyHash].join('\n');
  const scope = `${parts.date}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', parts.amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secretAccessKey}`).update(parts.date).digest();
  for (const part of [parts.region, parts.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex') === parts.signature;
}
