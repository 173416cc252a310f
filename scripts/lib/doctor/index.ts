// Workflow 0: everything the skill needs on this machine, checked without network calls.
// Only Node built-ins are imported up front, so the doctor runs even when node_modules is
// missing (that is one of the things it reports).
import { resolveRegion } from '../aws/region.js';
import { UserError } from '../cli/errors.js';
import { check, type Check, type Finding, type Mode } from './check.js';
import { detectCredentials, homeDir, loadSharedFiles } from './credentials.js';
import { checkBuild, checkDependencies, checkNode, installCommand, readManifest } from './install.js';
import { platformFamily } from './platform.js';
import { checkPsql, checkTls, inspectPsql } from './psql.js';
import { skillRoot } from './skill-root.js';

export type { Check, Mode };

export interface DoctorOptions {
  mode: Mode;
  env: NodeJS.ProcessEnv;
  profile?: string;
  region?: string;
  root?: string;
  nodeVersion?: string;
}

export interface DoctorReport {
  mode: Mode;
  ok: boolean;
  /** Ids of the required checks that failed. */
  failed: string[];
  checks: Check[];
}

function missingSdk(root: string): Finding {
  return { status: 'fail', summary: 'cannot check: the AWS SDK is not installed (see dependencies)', fix: installCommand(root), data: {} };
}

async function credentialsFinding(opts: DoctorOptions, root: string): Promise<Finding> {
  let files;
  try {
    files = await loadSharedFiles(opts.env);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return missingSdk(root);
    throw error;
  }
  return detectCredentials({ env: opts.env, profile: opts.profile, home: homeDir(opts.env), files });
}

async function regionFinding(opts: DoctorOptions, root: string): Promise<Finding> {
  try {
    const { region, source } = await resolveRegion({ flag: opts.region, profile: opts.profile, env: opts.env });
    if (source === 'default') {
      return {
        status: 'warn',
        summary: `no Region configured: commands use ${region}`,
        fix: 'export AWS_REGION=<the Region of your clusters> (or pass --region to each command)',
        data: { region, source },
      };
    }
    return { status: 'ok', summary: `${region} (from ${source === 'flag' ? '--region' : source})`, data: { region, source } };
  } catch (error) {
    if (error instanceof UserError) {
      return { status: 'fail', summary: error.message, fix: 'set it to a Region name such as us-east-1', data: { region: null } };
    }
    // The profile's Region is read with the SDK's loader, which may not be installed.
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return missingSdk(root);
    throw error;
  }
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const root = opts.root ?? skillRoot();
  const manifest = readManifest(root);
  const family = platformFamily();
  const cluster = opts.mode === 'cluster';

  const psql = await inspectPsql(opts.env);
  const checks: Check[] = [
    check('node', true, checkNode(opts.nodeVersion ?? process.versions.node, manifest.engines?.node)),
    check('dependencies', true, checkDependencies(root, manifest)),
    // Commands run without dist/ (through tsx), only slower: never required.
    check('build', false, checkBuild(root, manifest)),
    check('psql', true, checkPsql(psql, opts.mode, family)),
    check('tls', cluster, checkTls(psql, opts.env, family)),
    check('credentials', cluster, await credentialsFinding(opts, root)),
    check('region', cluster, await regionFinding(opts, root)),
  ];
  const failed = checks.filter((c) => c.required && c.status === 'fail').map((c) => c.id);
  return { mode: opts.mode, ok: failed.length === 0, failed, checks };
}

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
const AWS_ONLY = new Set(['tls', 'credentials', 'region']);

export function renderDoctor(report: DoctorReport): string {
  const local = report.mode === 'local';
  const lines = [`aurora-dsql doctor: checking for ${local ? '--local (the embedded local DSQL, no AWS)' : 'Aurora DSQL clusters on AWS'}`, ''];
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const indent = ' '.repeat(width + 8);
  for (const c of report.checks) {
    // In --local mode the AWS checks still run, for information, but cannot fail the run.
    const label = !c.required && c.status === 'fail' ? 'skip' : LABEL[c.status];
    const why = c.required || c.status === 'ok' ? '' : local && AWS_ONLY.has(c.id) ? ' (not needed for --local)' : ' (optional)';
    lines.push(`${label}  ${c.id.padEnd(width)}  ${c.summary}${why}`);
    for (const d of c.details) lines.push(`${indent}- ${d}`);
    if (c.fix && c.status !== 'ok') lines.push(`${indent}fix: ${c.fix}`);
  }
  lines.push('');
  lines.push(report.ok ? `Ready: everything ${local ? '--local' : 'cluster work'} needs is present.` : `Not ready: ${report.failed.join(', ')} failed (see the fix lines above).`);
  return lines.join('\n') + '\n';
}
