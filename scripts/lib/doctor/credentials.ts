// Which source the AWS SDK's default provider chain would take credentials from, found without
// a network call and without reading out a secret. The order mirrors the SDK's chain
// (@aws-sdk/credential-provider-node): environment (skipped when a profile is named), the
// profile in the shared files (assume-role, static keys, web identity, credential_process, SSO,
// console login), the web-identity variables, then the container endpoint or EC2 instance
// metadata. Sources that need a network call (STS, SSO, IMDS) are recognised by their markers:
// variables, files and cached tokens, and reported as such.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from './check.js';

export type Section = Record<string, string | undefined>;
export type IniFile = Record<string, Section>;

export interface SharedFiles {
  configPath: string;
  credentialsPath: string;
  /** Profiles by name ("profile x" already shortened to "x"), and "sso-session.NAME" sections. */
  config: IniFile;
  credentials: IniFile;
}

export interface CredentialInput {
  env: NodeJS.ProcessEnv;
  /** --profile, which like AWS_PROFILE makes the SDK skip environment keys. */
  profile?: string;
  home: string;
  files: SharedFiles;
  now?: Date;
  /** Directory holding the kernel's DMI/hypervisor files (/sys), for EC2 detection. */
  sysRoot?: string;
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function expandHome(path: string, home: string): string {
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** Reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) with the SDK's own parser. */
export async function loadSharedFiles(env: NodeJS.ProcessEnv): Promise<SharedFiles> {
  const home = homeDir(env);
  const configPath = expandHome(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'), home);
  const credentialsPath = expandHome(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'), home);
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ configFilepath: configPath, filepath: credentialsPath, ignoreCache: true });
  return { configPath, credentialsPath, config: configFile as IniFile, credentials: credentialsFile as IniFile };
}

/** Enough of an access key id to tell keys apart, never the secret. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? `${id.slice(0, 4)}…` : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/** AKIA: a long-term user key; ASIA: temporary, only valid with its session token. */
function keyKind(id: string): 'long-term' | 'temporary' | 'unknown' {
  if (id.startsWith('AKIA')) return 'long-term';
  if (id.startsWith('ASIA')) return 'temporary';
  return 'unknown';
}

/** Signs that this machine is an EC2 instance, read from local kernel files only. */
export function ec2Marker(sysRoot = '/sys'): string | undefined {
  const read = (rel: string) => {
    try {
      return readFileSync(join(sysRoot, rel), 'utf8').trim();
    } catch {
      return '';
    }
  };
  for (const rel of ['devices/virtual/dmi/id/sys_vendor', 'devices/virtual/dmi/id/board_vendor']) {
    if (read(rel) === 'Amazon EC2') return `${rel} is "Amazon EC2"`;
  }
  if (/^i-[0-9a-f]+$/.test(read('devices/virtual/dmi/id/board_asset_tag'))) return 'the DMI asset tag is an instance id';
  for (const rel of ['hypervisor/uuid', 'devices/virtual/dmi/id/product_uuid']) {
    if (/^ec2/i.test(read(rel))) return `${rel} starts with "ec2"`;
  }
  return undefined;
}

interface Context {
  input: CredentialInput;
  now: Date;
  details: string[];
}

type Outcome = Finding | undefined;

const SSO_LOGIN = (profile: string) => `aws sso login --profile ${profile}`;

function fromEnvironment(ctx: Context, profileNamed: string | undefined): Outcome {
  const { env } = ctx.input;
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (profileNamed) {
    if (id && secret) ctx.details.push(`${profileNamed} is named, so the SDK ignores AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    return undefined;
  }
  if (!id || !secret) {
    if (id || secret) ctx.details.push(`only ${id ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is set; the SDK needs both, so it skips the environment`);
    return undefined;
  }
  const kind = keyKind(id);
  const data = { source: 'environment', access_key_id: maskKeyId(id), key_kind: kind, session_token: Boolean(env.AWS_SESSION_TOKEN) };
  if (kind === 'temporary' && !env.AWS_SESSION_TOKEN) {
    return { status: 'fail', summary: `environment key ${maskKeyId(id)} is temporary but AWS_SESSION_TOKEN is not set`, fix: 'export AWS_SESSION_TOKEN with the session token issued together with this key', data };
  }
  const expires = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
  if (expires && !Number.isNaN(expires.getTime()) && expires <= ctx.now) {
    return { status: 'fail', summary: `environment credentials expired at ${expires.toISOString()}`, fix: 'get new temporary credentials and export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION again', data };
  }
  return { status: 'ok', summary: `environment variables (AWS_ACCESS_KEY_ID ${maskKeyId(id)}, ${kind} key)`, data };
}

function profiles(input: CredentialInput): { get(name: string): Section | undefined; names(): string[]; where(name: string): string[] } {
  const { config, credentials, configPath, credentialsPath } = input.files;
  const isProfile = (key: string) => !key.includes('.');
  return {
    // The credentials file wins over the config file, as in the SDK's merge.
    get: (name) => (config[name] || credentials[name] ? { ...config[name], ...credentials[name] } : undefined),
    names: () => [...new Set([...Object.keys(config), ...Object.keys(credentials)].filter(isProfile))].sort(),
    where: (name) => [...(config[name] ? [configPath] : []), ...(credentials[name] ? [credentialsPath] : [])],
  };
}

function staticKeys(name: string, p: Section): Finding {
  const id = p.aws_access_key_id!;
  const kind = keyKind(id);
  const data = { source: 'profile-static', profile: name, access_key_id: maskKeyId(id), key_kind: kind };
  if (kind === 'temporary' && !p.aws_session_token) {
    return { status: 'fail', summary: `profile ${name} has a temporary key ${maskKeyId(id)} without aws_session_token`, fix: `add aws_session_token to profile ${name}, or replace the keys (\`aws configure --profile ${name}\`)`, data };
  }
  return { status: 'ok', summary: `profile ${name}: access keys (${maskKeyId(id)}, ${kind} key)`, data };
}

function sso(ctx: Context, name: string, p: Section): Finding {
  const { config } = ctx.input.files;
  const data: Record<string, unknown> = { source: 'profile-sso', profile: name, sso_session: p.sso_session ?? null };
  let cacheKey: string | undefined;
  if (p.sso_session) {
    if (!config[`sso-session.${p.sso_session}`]) {
      return { status: 'fail', summary: `profile ${name} names sso-session ${p.sso_session}, which ${ctx.input.files.configPath} does not define`, fix: `aws configure sso-session (then \`${SSO_LOGIN(name)}\`)`, data };
    }
    cacheKey = p.sso_session;
  } else {
    cacheKey = p.sso_start_url;
  }
  const missing = ['sso_account_id', 'sso_role_name', ...(p.sso_session ? [] : ['sso_start_url', 'sso_region'])].filter((k) => !p[k]);
  if (missing.length || !cacheKey) {
    return { status: 'fail', summary: `profile ${name} is an SSO profile without ${missing.join(', ')}`, fix: `aws configure sso --profile ${name}`, data };
  }
  data.role = p.sso_role_name;
  data.account = p.sso_account_id;
  const tokenFile = join(ctx.input.home, '.aws', 'sso', 'cache', `${createHash('sha1').update(cacheKey).digest('hex')}.json`);
  let token: { expiresAt?: string; refreshToken?: string; clientId?: string; clientSecret?: string; registrationExpiresAt?: string };
  try {
    token = JSON.parse(readFileSync(tokenFile, 'utf8')) as typeof token;
  } catch {
    return { status: 'fail', summary: `profile ${name} (IAM Identity Center) is not logged in: no cached SSO token`, fix: SSO_LOGIN(name), data };
  }
  const expires = new Date(token.expiresAt ?? '');
  if (Number.isNaN(expires.getTime())) {
    return { status: 'fail', summary: `the cached SSO token of profile ${name} has no valid expiry`, fix: SSO_LOGIN(name), data };
  }
  data.expires_at = expires.toISOString();
  const who = `role ${p.sso_role_name} in account ${p.sso_account_id}`;
  if (expires > ctx.now) return { status: 'ok', summary: `profile ${name}: IAM Identity Center (SSO), ${who}, logged in until ${expires.toISOString()}`, data };
  // Only sso-session profiles refresh: with a refresh token and a client registration still valid.
  const registration = new Date(token.registrationExpiresAt ?? '');
  if (p.sso_session && token.refreshToken && token.clientId && token.clientSecret && registration > ctx.now) {
    return {
      status: 'warn',
      summary: `profile ${name}: SSO access token expired at ${expires.toISOString()}; the SDK will try to refresh it (a network call the doctor does not make)`,
      fix: `${SSO_LOGIN(name)} (to be sure)`,
      data,
    };
  }
  return { status: 'fail', summary: `profile ${name}: SSO login expired at ${expires.toISOString()}`, fix: SSO_LOGIN(name), data };
}

function assumeRole(ctx: Context, name: string, p: Section, visited: Set<string>): Finding {
  const data: Record<string, unknown> = { source: 'profile-assume-role', profile: name, role_arn: p.role_arn };
  if (p.mfa_serial) {
    return {
      status: 'fail',
      summary: `profile ${name} assumes ${p.role_arn} with MFA (mfa_serial), and the skill's commands cannot prompt for a code`,
      fix: 'use a profile without mfa_serial for the skill, or export temporary credentials obtained with MFA (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)',
      data,
    };
  }
  const note = 'the role is assumed with an STS call on first use, which the doctor does not make';
  let base: Finding;
  if (p.source_profile) {
    const sourceName = p.source_profile;
    data.source_profile = sourceName;
    const source = profiles(ctx.input).get(sourceName);
    if (!source) {
      return { status: 'fail', summary: `profile ${name}: source_profile ${sourceName} does not exist`, fix: `define profile ${sourceName} in ${ctx.input.files.configPath}, or change source_profile`, data };
    }
    // A profile may name itself as source when it also holds the keys; any other repeat is a loop.
    if (visited.has(sourceName)) {
      return { status: 'fail', summary: `profile ${name}: the source_profile chain loops back to ${sourceName}`, fix: `fix source_profile in ${ctx.input.files.configPath}`, data };
    }
    base = fromProfile(ctx, sourceName, source, new Set([...visited, name])) ?? { status: 'fail', summary: `source profile ${sourceName} has no credentials`, data: {} };
  } else {
    data.credential_source = p.credential_source;
    base = credentialSource(ctx, p.credential_source!);
  }
  if (base.status === 'fail') return { ...base, summary: `profile ${name} assumes ${p.role_arn}, but ${base.summary}`, data };
  return { status: base.status, summary: `profile ${name}: assumes ${p.role_arn} using ${base.summary}`, details: [note], fix: base.fix, data };
}

function credentialSource(ctx: Context, source: string): Finding {
  const { env } = ctx.input;
  if (source === 'Environment') {
    return env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { status: 'ok', summary: `the environment keys (${maskKeyId(env.AWS_ACCESS_KEY_ID)})`, data: {} }
      : { status: 'fail', summary: 'credential_source Environment needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which are not set', fix: 'export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', data: {} };
  }
  if (source === 'EcsContainer') return fromContainer(env) ?? { status: 'fail', summary: 'credential_source EcsContainer, but no container credentials variables are set', data: {} };
  if (source === 'Ec2InstanceMetadata') return fromInstance(ctx) ?? { status: 'fail', summary: 'credential_source Ec2InstanceMetadata, but this is not an EC2 instance or metadata access is disabled', data: {} };
  return { status: 'fail', summary: `credential_source ${source} is not one the SDK knows (Environment, EcsContainer, Ec2InstanceMetadata)`, data: {} };
}

/** The profile's own credentials, in the SDK's order; undefined when it configures none. */
function fromProfile(ctx: Context, name: string, p: Section, visited = new Set<string>()): Outcome {
  if (visited.size > 0 && p.aws_access_key_id && p.aws_secret_access_key) return staticKeys(name, p);
  if (p.role_arn && (p.source_profile !== undefined) !== (p.credential_source !== undefined)) return assumeRole(ctx, name, p, visited);
  if (p.aws_access_key_id && p.aws_secret_access_key) return staticKeys(name, p);
  if (p.web_identity_token_file && p.role_arn) return webIdentity(p.web_identity_token_file, p.role_arn, `profile ${name}`);
  if (p.credential_process) {
    return {
      status: 'warn',
      summary: `profile ${name}: credential_process (the doctor does not run it)`,
      fix: `check that the credential_process of profile ${name} prints credentials when run by hand`,
      data: { source: 'profile-process', profile: name },
    };
  }
  if (p.sso_start_url || p.sso_session || p.sso_account_id || p.sso_role_name || p.sso_region) return sso(ctx, name, p);
  if (p.login_session) {
    return {
      status: 'warn',
      summary: `profile ${name}: console sign-in session (aws login); the doctor cannot check it offline`,
      fix: `aws login --profile ${name} if AWS calls fail with expired credentials`,
      data: { source: 'profile-login', profile: name },
    };
  }
  ctx.details.push(`profile ${name} exists but configures no credentials`);
  return undefined;
}

function webIdentity(file: string, role: string, via: string): Finding {
  const data = { source: 'web-identity', role_arn: role, token_file: file };
  if (!existsSync(file)) return { status: 'fail', summary: `${via}: web identity token file ${file} does not exist`, fix: 'check the service account / OIDC token mount, or unset the web identity settings', data };
  return { status: 'ok', summary: `${via}: web identity token ${file} for ${role}`, details: ['the role is assumed with an STS call on first use, which the doctor does not make'], data };
}

function fromContainer(env: NodeJS.ProcessEnv): Outcome {
  const variable = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ? 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' : env.AWS_CONTAINER_CREDENTIALS_FULL_URI ? 'AWS_CONTAINER_CREDENTIALS_FULL_URI' : undefined;
  if (!variable) return undefined;
  return {
    status: 'ok',
    summary: `container credentials (${variable} is set: ECS task role or EKS Pod Identity)`,
    details: ['the credentials are fetched from the container endpoint on first use; the doctor does not call it'],
    data: { source: 'container', variable },
  };
}

function fromInstance(ctx: Context): Outcome {
  const disabled = ctx.input.env.AWS_EC2_METADATA_DISABLED;
  if (disabled && disabled !== 'false') {
    ctx.details.push('EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED)');
    return undefined;
  }
  const marker = ec2Marker(ctx.input.sysRoot);
  if (!marker) {
    ctx.details.push('no EC2 instance markers under /sys, so no instance role');
    return undefined;
  }
  return {
    status: 'warn',
    summary: `EC2 instance role through instance metadata (${marker}); the doctor makes no metadata call, so the role is unverified`,
    fix: 'if AWS calls fail with "Could not load credentials", attach an IAM role (instance profile) to this instance',
    data: { source: 'instance-metadata', marker },
  };
}

export function detectCredentials(input: CredentialInput): Finding & { details: string[] } {
  const ctx: Context = { input, now: input.now ?? new Date(), details: [] };
  const { env } = input;
  const named = input.profile ? `--profile ${input.profile}` : env.AWS_PROFILE ? `AWS_PROFILE=${env.AWS_PROFILE}` : undefined;
  const name = input.profile ?? env.AWS_PROFILE ?? 'default';
  const withDetails = (f: Finding): Finding & { details: string[] } => ({ ...f, details: [...(f.details ?? []), ...ctx.details] });

  const fromEnv = fromEnvironment(ctx, named);
  if (fromEnv) return withDetails(fromEnv);

  const all = profiles(input);
  const profile = all.get(name);
  if (profile) {
    const found = fromProfile(ctx, name, profile);
    if (found) return withDetails({ ...found, details: [`profile ${name} is defined in ${all.where(name).join(' and ')}`, ...(found.details ?? [])] });
  } else if (named) {
    ctx.details.push(`profile ${name} is not defined in ${input.files.configPath} or ${input.files.credentialsPath}`);
  }

  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return withDetails(webIdentity(env.AWS_WEB_IDENTITY_TOKEN_FILE, env.AWS_ROLE_ARN, 'AWS_WEB_IDENTITY_TOKEN_FILE'));
  const remote = fromContainer(env) ?? fromInstance(ctx);
  if (remote) return withDetails(remote);

  const names = all.names();
  const fix = named && !profile
    ? `create profile ${name} (\`aws configure sso --profile ${name}\` or \`aws configure --profile ${name}\`)${names.length ? `, or use one that exists: ${names.join(', ')}` : ''}`
    : '`aws configure sso` then `export AWS_PROFILE=<profile>` (IAM Identity Center), or `aws configure` (access keys), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in this shell';
  return withDetails({
    status: 'fail',
    summary: named && !profile ? `no AWS credentials: profile ${name} does not exist` : 'no AWS credentials found by the SDK provider chain',
    fix,
    data: { source: null, profiles: names },
  });
}
