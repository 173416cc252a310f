// With --tls the local DSQL takes, as DSQL does, an IAM authentication token as the
// password: <host>/?Action=DbConnectAdmin&X-Amz-...&X-Amz-Signature=<hex>. It cannot verify
// the signature (no AWS), but it checks what a real cluster would reject before that:
// the shape, the action for the user, the host the token was made for, and expiry.
// The token itself is never logged or echoed.

export interface TokenContext {
  user: string;
  /** The host name the client connected to (TLS SNI), or the cluster endpoint. */
  host: string;
  now?: number;
}

/** Why the token would be refused, or undefined when it looks valid. */
export function checkToken(token: string, ctx: TokenContext): string | undefined {
  let url: URL;
  try {
    url = new URL(`https://${token}`);
  } catch {
    return 'not an IAM authentication token';
  }
  const p = url.searchParams;
  const action = p.get('Action');
  if (action !== 'DbConnect' && action !== 'DbConnectAdmin') return 'not an IAM authentication token for DSQL';
  if ((action === 'DbConnectAdmin') !== (ctx.user === 'admin')) return `a ${action} token cannot be used by user ${ctx.user}`;
  if (p.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !/^[0-9a-f]{64}$/.test(p.get('X-Amz-Signature') ?? '')) return 'token is not signed';
  if (url.hostname !== ctx.host.toLowerCase()) return 'token was made for another host';
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(p.get('X-Amz-Date') ?? '');
  const expires = Number(p.get('X-Amz-Expires'));
  if (!date || !Number.isFinite(expires)) return 'token has no validity period';
  const issued = Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!);
  if ((ctx.now ?? Date.now()) > issued + expires * 1000) return 'token has expired';
  return undefined;
}
