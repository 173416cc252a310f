// Cluster identifiers and endpoints, checked before any call goes out.
import { UsageError } from '../cli/errors.js';

/** DSQL issues lower-case alphanumeric identifiers (26 characters today); accept that shape. */
export const CLUSTER_ID = /^[a-z0-9]{1,64}$/;

export function checkClusterId(id: string, from = 'cluster identifier'): string {
  const trimmed = id.trim();
  if (!CLUSTER_ID.test(trimmed)) {
    throw new UsageError(`${from} ${JSON.stringify(id)} is not a DSQL cluster identifier (lower-case letters and digits, e.g. abcdefghijklmnopqrstuvwxyz)`);
  }
  return trimmed;
}

/** The public endpoint of a cluster: <id>.dsql.<region>.on.aws */
export function clusterEndpoint(id: string, region: string): string {
  return `${id}.dsql.${region}.on.aws`;
}

/** The cluster id and region encoded in a DSQL endpoint host name, if it is one. */
export function parseEndpoint(host: string): { id: string; region: string } | undefined {
  const m = /^([a-z0-9]+)\.dsql[^.]*\.([a-z0-9-]+)\.on\.aws$/.exec(host);
  return m ? { id: m[1]!, region: m[2]! } : undefined;
}

/** A DSQL cluster ARN: arn:aws[-partition]:dsql:<region>:<account>:cluster/<id> */
const CLUSTER_ARN = /^arn:aws(?:-[a-z-]+)?:dsql:([a-z0-9-]{1,20}):([0-9]{12}):cluster\/([a-z0-9]{1,64})$/;

export function parseClusterArn(arn: string): { region: string; account: string; id: string } | undefined {
  const m = CLUSTER_ARN.exec(arn.trim());
  return m ? { region: m[1]!, account: m[2]!, id: m[3]! } : undefined;
}

export function checkClusterArn(arn: string, from = 'cluster ARN'): { region: string; account: string; id: string } {
  const parsed = parseClusterArn(arn);
  if (!parsed) throw new UsageError(`${from} ${JSON.stringify(arn)} is not a DSQL cluster ARN (arn:aws:dsql:REGION:ACCOUNT:cluster/ID)`);
  return parsed;
}
