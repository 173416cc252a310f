#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// cluster-info: one GetCluster call, shown as text or JSON, with the commands to connect.
import { defineCommand } from './lib/cli/index.js';
import { checkClusterId } from './lib/aws/ids.js';
import { openBackend, targetOptions } from './lib/cluster/options.js';
import { connectHints, describeCluster } from './lib/cluster/render.js';

export const command = defineCommand({
  name: 'scripts/cluster-info.ts',
  summary: 'show one Aurora DSQL cluster: status, endpoint, creation time, protection, tags, multi-Region, encryption',
  usage: ['CLUSTER_ID [--region R] [--profile NAME] [--json]'],
  positionals: [{ name: 'CLUSTER_ID', description: 'cluster identifier (lower-case letters and digits)', required: true }],
  options: { ...targetOptions },
  notes: ['--json prints the cluster object: identifier, arn, region, status, endpoint, creationTime (ISO 8601),\ndeletionProtectionEnabled, tags, multiRegionProperties, encryptionDetails.'],
  examples: [
    { command: 'scripts/cluster-info.ts abcdefghijklmnopqrstuvwxyz --region us-east-1' },
    { note: 'just the endpoint, for a script', command: "scripts/cluster-info.ts abcdefghijklmnopqrstuvwxyz --json | node -p 'JSON.parse(require(\"fs\").readFileSync(0)).endpoint'" },
  ],
  exitCodes: { 1: 'no such cluster in the Region, or AWS refused or failed the request' },
  async run(ctx) {
    const { options, positionals, out, json } = ctx;
    const id = checkClusterId(positionals[0]!, 'CLUSTER_ID');
    const backend = await openBackend(ctx, options);
    const cluster = await backend.get(id);
    if (options.json) return void json(cluster);
    for (const line of describeCluster(cluster)) out(line);
    out('Next:');
    for (const line of connectHints(cluster)) out(`  ${line}`);
  },
});
