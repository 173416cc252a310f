#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// delete-cluster: confirm, lift deletion protection only when asked to, delete, wait until gone.
import { defineCommand, EXIT, UsageError, UserError } from './lib/cli/index.js';
import { checkClusterId } from './lib/aws/ids.js';
import { canPrompt, confirmByTyping } from './lib/cluster/confirm.js';
import { executeDelete, planDelete, type DeleteStep } from './lib/cluster/lifecycle.js';
import { DEFAULT_TIMEOUT_SECONDS, EXIT_TIMEOUT, openBackend, targetOptions, timeoutOption } from './lib/cluster/options.js';
import { startProgress } from './lib/cluster/progress.js';
import { connectHints } from './lib/cluster/render.js';

const STEP_TEXT: Record<DeleteStep, string> = {
  'disable-deletion-protection': 'turn deletion protection off (UpdateCluster)',
  delete: 'delete the cluster (DeleteCluster)',
  wait: 'wait until the cluster is gone',
};

export const command = defineCommand({
  name: 'scripts/delete-cluster.ts',
  summary: 'delete an Aurora DSQL cluster after confirmation, and wait until it is gone',
  usage: ['CLUSTER_ID [--force] [--disable-deletion-protection] [--no-wait] [--dry-run] [--timeout SECONDS] [--region R] [--json]'],
  positionals: [{ name: 'CLUSTER_ID', description: 'cluster identifier (lower-case letters and digits)', required: true }],
  options: {
    force: { type: 'boolean', description: 'delete without asking (required when there is no terminal to ask on)' },
    'disable-deletion-protection': { type: 'boolean', description: 'if deletion protection is on, turn it off first (UpdateCluster), then delete' },
    'dry-run': { type: 'boolean', description: 'show what would happen; change nothing' },
    'no-wait': { type: 'boolean', description: 'return once deletion has started instead of waiting until the cluster is gone' },
    ...timeoutOption,
    ...targetOptions,
  },
  notes: [
    'On a terminal you confirm by typing the cluster identifier. Without a terminal (scripts,\nagents) the command refuses unless --force is given.',
    'A cluster with deletion protection on is refused unless --disable-deletion-protection is given.',
    'A multi-Region cluster stays PENDING_DELETE until its peer is deleted too; the command names the peer.',
  ],
  examples: [
    { note: 'see what would happen', command: 'scripts/delete-cluster.ts abcdefghijklmnopqrstuvwxyz --dry-run' },
    { note: 'from a script or an agent', command: 'scripts/delete-cluster.ts abcdefghijklmnopqrstuvwxyz --force --disable-deletion-protection --region us-east-1' },
  ],
  exitCodes: {
    1: 'refused (protection on, no confirmation, identifier mistyped), no such cluster, or AWS refused or failed',
    [EXIT_TIMEOUT]: 'deletion started, but --timeout ran out before the cluster was gone',
  },
  async run(ctx) {
    const { options, positionals, io, out, json, note } = ctx;
    const id = checkClusterId(positionals[0]!, 'CLUSTER_ID');
    if (options['no-wait'] && options.timeout !== undefined) throw new UsageError('--timeout has no effect with --no-wait');

    const backend = await openBackend(ctx, options);
    const plan = await planDelete(backend, id, { disableDeletionProtection: options['disable-deletion-protection'], wait: !options['no-wait'] });
    const { cluster } = plan;

    if (options['dry-run']) {
      if (options.json) return void json({ dryRun: true, ...plan });
      out(`Dry run: cluster ${id} (${cluster.status}, ${cluster.region}, deletion protection ${cluster.deletionProtectionEnabled ? 'on' : 'off'})`);
      if (plan.alreadyDeleting) out(`  it is already being deleted (${cluster.status})`);
      plan.steps.forEach((step, i) => out(`  ${i + 1}. would ${STEP_TEXT[step]}`));
      out('Nothing was changed.');
      return;
    }

    if (plan.steps.includes('delete') && !options.force) {
      if (!canPrompt(io)) {
        throw new UserError(`refusing to delete cluster ${id} without confirmation (no terminal to ask on): add --force once you are sure it is the right cluster`);
      }
      const tags = Object.entries(cluster.tags).map(([k, v]) => `${k}=${v}`).join(', ');
      io.stderr.write(`This permanently deletes cluster ${id} in ${cluster.region} (${cluster.status}${tags ? `; ${tags}` : ''}) and all its data.\n`);
      if (!(await confirmByTyping(io, 'Type the cluster identifier to confirm: ', id))) {
        throw new UserError('cancelled: the identifier did not match; nothing was deleted');
      }
    }

    const progress = startProgress(io.stderr, 'waiting for the cluster to be deleted');
    let result;
    try {
      result = await executeDelete(backend, plan, { timeoutSeconds: options.timeout ?? DEFAULT_TIMEOUT_SECONDS, onStatus: (label, s) => progress.set(label, s) });
    } finally {
      progress.stop();
    }

    const peerHints = connectHints({ ...cluster, status: 'PENDING_DELETE' });
    if (options.json) {
      json({ dryRun: false, ...result, ...(result.outcome === 'pending-delete' ? { next: peerHints } : {}) });
    } else if (result.outcome === 'deleted') {
      out(`Deleted cluster ${id} (${result.seconds} s)`);
    } else if (result.outcome === 'pending-delete') {
      out(`Cluster ${id} is PENDING_DELETE: it is deleted together with its multi-Region peer. Delete the peer too:`);
      for (const line of peerHints) out(`  ${line}`);
    } else {
      out(`Deletion of cluster ${id} started (${result.status}); scripts/cluster-info.ts ${id} --region ${cluster.region} shows its progress`);
    }
    if (result.outcome === 'timeout') {
      note(`still ${result.status} after ${result.seconds} s (--timeout); deletion continues in AWS`);
      return EXIT_TIMEOUT;
    }
    return EXIT.ok;
  },
});
