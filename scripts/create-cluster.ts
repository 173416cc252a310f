#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// create-cluster: one CreateCluster call with every tag in it, then wait until ACTIVE.
import { defineCommand, EXIT, UsageError } from './lib/cli/index.js';
import { checkRegion } from './lib/aws/region.js';
import { checkClusterArn } from './lib/aws/ids.js';
import { creationTags } from './lib/aws/tags.js';
import { createCluster, type CreateResult } from './lib/cluster/lifecycle.js';
import { DEFAULT_TIMEOUT_SECONDS, EXIT_TIMEOUT, openBackend, targetOptions, timeoutOption } from './lib/cluster/options.js';
import { startProgress } from './lib/cluster/progress.js';
import { connectHints, describeCluster } from './lib/cluster/render.js';

export const command = defineCommand({
  name: 'scripts/create-cluster.ts',
  summary: 'create an Aurora DSQL cluster (tagged with who made it) and wait until it is ACTIVE',
  usage: [
    '--created-by ID [--tags K=V,K2=V2] [--tag K=V ...] [--no-deletion-protection] [--kms-key KEY] [--no-wait] [--timeout SECONDS] [--region R] [--json]',
    '--created-by ID --witness-region W [--region R]          (first cluster of a multi-Region pair)',
    '--created-by ID --peer ARN [--witness-region W] [--region R2]   (second cluster: completes the pair)',
  ],
  options: {
    'created-by': { type: 'string', value: 'ID', description: 'who makes the cluster, e.g. the agent or model id; stored as tag created_by (required)' },
    tags: { type: 'string', multiple: true, value: 'K=V,K2=V2', description: 'tags, comma-separated; a value may contain =' },
    tag: { type: 'string', multiple: true, value: 'K=V', description: 'one tag per flag (the value is everything after the first =)' },
    'no-deletion-protection': { type: 'boolean', description: 'create without deletion protection (it is on by default)' },
    'witness-region': { type: 'string', value: 'REGION', description: 'make a multi-Region cluster with this witness Region' },
    peer: { type: 'string', value: 'ARN', description: 'pair with this PENDING_SETUP cluster in another Region (multi-Region)' },
    'kms-key': { type: 'string', value: 'KEY', description: 'customer managed KMS key (ARN, id or alias) for encryption at rest' },
    'no-wait': { type: 'boolean', description: 'return right after CreateCluster instead of waiting for ACTIVE' },
    ...timeoutOption,
    ...targetOptions,
  },
  notes: [
    'Tags follow the DSQL API rules, checked before the call: at most 50, keys 1-128 and values\n' +
      '0-256 characters of letters, digits, spaces and _ . : / = + - @ (no commas), no aws: prefix.',
    'Deletion protection is on by default: delete-cluster --disable-deletion-protection lifts it.',
    'Multi-Region: create the first cluster with --witness-region W (it stays PENDING_SETUP), then\n' +
      'create the second in another Region with --peer <ARN of the first>. The second command pairs\n' +
      'both (UpdateCluster on the first) and waits until both are ACTIVE. Both clusters share W.',
    'Progress goes to stderr (a spinner on a terminal, plain lines otherwise); the result to stdout.',
  ],
  examples: [
    { note: 'a single-Region cluster, waiting until ACTIVE', command: 'scripts/create-cluster.ts --created-by claude-code --tags env=dev,team=data --region us-east-1' },
    { note: 'one tag per flag, e.g. a value with spaces', command: "scripts/create-cluster.ts --created-by claude-code --tag 'purpose=load test' --tag owner=data-team" },
    { note: 'multi-Region, step 1 (prints the ARN)', command: 'scripts/create-cluster.ts --created-by claude-code --region us-east-1 --witness-region us-west-2' },
    {
      note: 'multi-Region, step 2: pairs with the first and waits for both',
      command: 'scripts/create-cluster.ts --created-by claude-code --region us-east-2 --peer arn:aws:dsql:us-east-1:111122223333:cluster/abcdefghijklmnopqrstuvwxyz',
    },
  ],
  exitCodes: { 1: 'AWS refused or failed the request, or the cluster FAILED', [EXIT_TIMEOUT]: 'created, but --timeout ran out before it was ACTIVE' },
  async run(ctx) {
    const { options, io, out, json, note } = ctx;
    // Everything checkable is checked before any call goes out.
    const tags = creationTags(options['created-by'], options.tags, options.tag);
    const witnessRegion = options['witness-region'] ? checkRegion(options['witness-region'], '--witness-region') : undefined;
    if (options.peer) checkClusterArn(options.peer, '--peer');
    if (options['no-wait'] && options.timeout !== undefined) throw new UsageError('--timeout has no effect with --no-wait');

    const backend = await openBackend(ctx, options);
    const progress = options['no-wait'] ? undefined : startProgress(io.stderr, `waiting for the cluster to become ACTIVE`);
    let result: CreateResult;
    try {
      result = await createCluster(
        backend,
        { tags, deletionProtection: !options['no-deletion-protection'], witnessRegion, peerArn: options.peer, kmsKey: options['kms-key'] },
        { wait: !options['no-wait'], timeoutSeconds: options.timeout ?? DEFAULT_TIMEOUT_SECONDS, onStatus: (id, s) => progress?.set(id, s) },
      );
    } finally {
      progress?.stop();
    }

    const next = connectHints(result.cluster);
    if (options.json) {
      json({ ...result, next });
    } else {
      out(`Created cluster ${result.cluster.identifier}${result.peer ? ` and paired it with ${result.peer.identifier}` : ''}`);
      for (const line of describeCluster(result.cluster)) out(`  ${line}`);
      if (result.peer) {
        out(`Peer cluster ${result.peer.identifier}`);
        for (const line of describeCluster(result.peer)) out(`  ${line}`);
      }
      out('Next:');
      for (const line of next) out(`  ${line}`);
    }

    const c = result.cluster;
    switch (result.wait) {
      case 'pending-setup':
        note(`cluster ${c.identifier} is PENDING_SETUP until a cluster in another Region pairs with it (--peer ${c.arn})`);
        return EXIT.ok;
      case 'skipped':
        note(`not waiting (--no-wait): cluster-info ${c.identifier} --region ${c.region} shows when it is ACTIVE`);
        return EXIT.ok;
      case 'timeout':
        note(`still ${c.status} after ${result.seconds} s (--timeout); creation continues in AWS: cluster-info ${c.identifier} --region ${c.region}`);
        return EXIT_TIMEOUT;
      case 'stopped': {
        const stuck = [c, result.peer].filter((x) => x && x.status !== 'ACTIVE' && x.status !== 'IDLE');
        note(stuck.map((x) => `cluster ${x!.identifier} ended up ${x!.status} instead of ACTIVE`).join('; ') || 'the peer cluster no longer exists');
        return EXIT.failure;
      }
      default:
        // A local cluster whose server is not running shows IDLE, as a DSQL cluster scaled to zero does.
        note(`${c.status === 'IDLE' ? 'ready (IDLE until something connects)' : c.status} after ${result.seconds} s`);
        return EXIT.ok;
    }
  },
});
