// Human-readable output of the cluster commands (the --json output is the ClusterView itself).
import { parseClusterArn } from '../aws/ids.js';
import type { ClusterView } from './backend.js';
import { peerArns } from './lifecycle.js';

/** Local clusters (the embedded local DSQL) carry the account number 000000000000 in their ARN. */
export function isLocalCluster(c: ClusterView): boolean {
  return parseClusterArn(c.arn)?.account === '000000000000';
}

/** The commands a user or agent runs next, as copy-paste lines. */
export function connectHints(c: ClusterView): string[] {
  if (isLocalCluster(c)) {
    return [`scripts/psql-connect.ts --local ${c.identifier}`, `scripts/local-dsql.ts serve --cluster ${c.identifier}   # a server for apps`];
  }
  const at = `--region ${c.region}`;
  const info = `scripts/cluster-info.ts ${c.identifier} ${at}`;
  switch (c.status) {
    case 'ACTIVE':
    case 'IDLE':
      return [`scripts/psql-connect.ts --cluster ${c.identifier} ${at} --admin`, info];
    case 'PENDING_SETUP':
      return c.multiRegionProperties?.witnessRegion
        ? [`scripts/create-cluster.ts --region <another Region> --peer ${c.arn} --created-by <ID>   # completes the multi-Region pair`]
        : [`${info}   # not ready yet`];
    case 'PENDING_DELETE':
      return peerArns(c).map((arn) => {
        const peer = parseClusterArn(arn);
        return peer ? `scripts/delete-cluster.ts ${peer.id} --region ${peer.region}   # delete the peer too; then both go` : arn;
      });
    case 'DELETING':
    case 'DELETED':
      return [];
    default:
      return [`${info}   # check again until ACTIVE`];
  }
}


function tagText(tags: Record<string, string>): string {
  const entries = Object.entries(tags);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '(none)';
}

/** Aligned "Label: value" lines describing one cluster. */
export function describeCluster(c: ClusterView): string[] {
  const rows: [string, string][] = [
    ['Identifier', c.identifier],
    ['ARN', c.arn],
    ['Status', c.status],
    ['Endpoint', c.endpoint],
    ['Region', c.region],
  ];
  if (c.creationTime) rows.push(['Created', c.creationTime]);
  rows.push(['Deletion protection', c.deletionProtectionEnabled ? 'on' : 'off'], ['Tags', tagText(c.tags)]);
  if (c.multiRegionProperties) {
    rows.push(['Witness Region', c.multiRegionProperties.witnessRegion ?? '(none)']);
    const others = peerArns(c);
    rows.push(['Peers', others.length ? others.join(', ') : '(none yet)']);
  }
  if (c.encryptionDetails) {
    const e = c.encryptionDetails;
    rows.push(['Encryption', `${e.encryptionType} (${e.encryptionStatus})${e.kmsKeyArn ? ` ${e.kmsKeyArn}` : ''}`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`);
}

/** A table of clusters, one per line, columns padded to fit. */
export function clusterTable(clusters: readonly ClusterView[]): string[] {
  const header = ['IDENTIFIER', 'STATUS', 'CREATED', 'PROTECTED', 'CREATED_BY', 'ENDPOINT'];
  const rows = clusters.map((c) => [
    c.identifier,
    c.status,
    c.creationTime.replace(/\.\d+Z$/, 'Z'),
    c.deletionProtectionEnabled ? 'yes' : 'no',
    c.tags.created_by ?? '-',
    c.endpoint,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
