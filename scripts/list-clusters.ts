#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// list-clusters: every page of ListClusters, then GetCluster per cluster (a few at a time)
// for status, creation time, endpoint and tags; filtered by tag and status.
import { defineCommand, UsageError } from './lib/cli/index.js';
import { parseTagFilters } from './lib/aws/tags.js';
import { CLUSTER_STATUSES } from './lib/cluster/backend.js';
import { listClusters } from './lib/cluster/lifecycle.js';
import { openBackend, targetOptions } from './lib/cluster/options.js';
import { clusterTable } from './lib/cluster/render.js';

function checkStatuses(raws: readonly string[]): string[] {
  return raws.flatMap((raw) => raw.split(',')).map((s) => {
    const status = s.trim().toUpperCase();
    if (!(CLUSTER_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${CLUSTER_STATUSES.join(', ')}; got ${JSON.stringify(s)}`);
    }
    return status;
  });
}

export const command = defineCommand({
  name: 'scripts/list-clusters.ts',
  summary: 'list the Aurora DSQL clusters of a Region with status, creation time and endpoint',
  usage: ['[--tag K=V ...] [--status S ...] [--region R] [--profile NAME] [--json]'],
  options: {
    tag: { type: 'string', multiple: true, value: 'K=V', description: 'only clusters with this tag (K alone: any value); all must match' },
    status: { type: 'string', multiple: true, value: 'STATUS', description: `only clusters in this status (any of; case-insensitive): ${CLUSTER_STATUSES.join(', ')}` },
    ...targetOptions,
  },
  notes: ['--json prints {"region": ..., "clusters": [...]} with the same cluster objects as cluster-info --json.'],
  examples: [
    { command: 'scripts/list-clusters.ts --region us-east-1' },
    { note: 'the clusters an agent made that are up', command: 'scripts/list-clusters.ts --tag created_by=claude-code --status active --json' },
  ],
  exitCodes: { 1: 'AWS refused or failed the request' },
  async run(ctx) {
    const { options, out, json, note } = ctx;
    const filter = { tags: parseTagFilters(options.tag), statuses: checkStatuses(options.status) };
    const backend = await openBackend(ctx, options);
    const clusters = await listClusters(backend, filter);
    if (options.json) return void json({ region: backend.region, clusters });
    const filtered = filter.tags.length || filter.statuses.length ? ' matching the filters' : '';
    if (clusters.length === 0) return void note(options.local ? `no local clusters${filtered}` : `no clusters${filtered} in ${backend.region}`);
    for (const line of clusterTable(clusters)) out(line);
    const plural = `${clusters.length} cluster${clusters.length === 1 ? '' : 's'}${filtered}`;
    note(options.local ? `${plural} (local); details: scripts/cluster-info.ts --local ID` : `${plural} in ${backend.region}; details: scripts/cluster-info.ts ID --region ${backend.region}`);
  },
});
