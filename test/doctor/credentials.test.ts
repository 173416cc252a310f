// Credential-source detection against real shared config files (parsed by the SDK's own loader),
// cross-checked with the real SDK provider chain wherever that chain works offline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCredentials, ec2Marker, loadSharedFiles, maskKeyId } from '../../scripts/lib/doctor/credentials.js';
import { machine, sdkAccessKey, ssoCachePath, systemPath, tempDir, type Machine } from './support.js';

// Documentation example keys: not real credentials.
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const OTHER_KEY = 'AKIAI44QH8DHBEXAMPLE';
const OTHER_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';

async function detect(m: Machine, options: { profile?: string; now?: Date; sysRoot?: string } = {}) {
  const files = await loadSharedFiles(m.env);
  return detectCredentials({ env: m.env, home: m.home, files, ...options });
}

const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();

describe('environment variables', () => {
  it('are the source when no profile is named, and the SDK agrees on the key', async () => {
    const m = machine(systemPath(), { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET });
    const found = await detect(m);
    expect(found).toMatchObject({ status: 'ok', data: { source: 'environment', access_key_id: maskKeyId(KEY), key_kind: 'long-term' } });
    expect(JSON.stringify(found)).not.toContain(SECRET);
    expect(JSON.stringify(found)).not.toContain(KEY);
    const sdk = sdkAccessKey(m.env);
    expect(maskKeyId(sdk.accessKeyId!)).toBe(found.data.access_key_id);
  });

  it('a temporary key without its session token fails', async () => {
    const m = machine(systemPath(), { AWS_ACCESS_KEY_ID: 'ASIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET });
    const found = await detect(m);
    expect(found.status).toBe('fail');
    expect(found.summary).toMatch(/temporary but AWS_SESSION_TOKEN is not set/);
  });

  it('expired temporary credentials fail', async () => {
    const m = machine(systemPath(), {
      AWS_ACCESS_KEY_ID: 'ASIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: 'token-for-test',
      AWS_CREDENTIAL_EXPIRATION: hours(-1),
    });
    expect((await detect(m)).summary).toMatch(/^environment credentials expired at /);
  });

  it('half a key pair is skipped, as the SDK skips it', async () => {
    const m = machine(systemPath(), { AWS_ACCESS_KEY_ID: KEY });
    const found = await detect(m);
    expect(found.status).toBe('fail');
    expect(found.details).toContain('only AWS_ACCESS_KEY_ID is set; the SDK needs both, so it skips the environment');
    expect(sdkAccessKey(m.env).error).toBe('CredentialsProviderError');
  });
});

describe('profiles in the shared files', () => {
  it('AWS_PROFILE wins over environment keys, as in the SDK', async () => {
    const m = machine(systemPath(), { AWS_PROFILE: 'dev', AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET });
    m.write('.aws/credentials', `[dev]\naws_access_key_id = ${OTHER_KEY}\naws_secret_access_key = ${OTHER_SECRET}\n`);
    const found = await detect(m);
    expect(found).toMatchObject({ status: 'ok', data: { source: 'profile-static', profile: 'dev', access_key_id: maskKeyId(OTHER_KEY) } });
    expect(found.details).toContain('AWS_PROFILE=dev is named, so the SDK ignores AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(found.details).toContain(`profile dev is defined in ${join(m.home, '.aws', 'credentials')}`);
    expect(sdkAccessKey(m.env).accessKeyId).toBe(OTHER_KEY);
  });

  it('the default profile from the config file', async () => {
    const m = machine(systemPath());
    m.write('.aws/config', `[default]\nregion = eu-west-1\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    const found = await detect(m);
    expect(found.data).toMatchObject({ source: 'profile-static', profile: 'default' });
    expect(sdkAccessKey(m.env).accessKeyId).toBe(KEY);
  });

  it('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are honoured', async () => {
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'creds'), `[ci]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    const m = machine(systemPath(), { AWS_PROFILE: 'ci', AWS_SHARED_CREDENTIALS_FILE: join(elsewhere, 'creds'), AWS_CONFIG_FILE: join(elsewhere, 'none') });
    expect((await detect(m)).data).toMatchObject({ source: 'profile-static', profile: 'ci' });
    expect(sdkAccessKey(m.env).accessKeyId).toBe(KEY);
  });

  it('a named profile that does not exist fails and lists the ones that do', async () => {
    const m = machine(systemPath(), { AWS_PROFILE: 'prod' });
    m.write('.aws/config', '[profile dev]\nregion = us-east-1\n[profile staging]\nregion = us-east-1\n');
    const found = await detect(m, { profile: 'prod' });
    expect(found.status).toBe('fail');
    expect(found.summary).toBe('no AWS credentials: profile prod does not exist');
    expect(found.fix).toMatch(/or use one that exists: dev, staging$/);
  });

  it('assume-role through a source profile with keys', async () => {
    const m = machine(systemPath(), { AWS_PROFILE: 'admin' });
    m.write('.aws/config', '[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\n');
    m.write('.aws/credentials', `[base]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    const found = await detect(m);
    expect(found).toMatchObject({ status: 'ok', data: { source: 'profile-assume-role', source_profile: 'base' } });
    expect(found.summary).toBe(`profile admin: assumes arn:aws:iam::123456789012:role/Admin using profile base: access keys (${maskKeyId(KEY)}, long-term key)`);
    expect(found.details.join('\n')).toMatch(/STS call on first use/);
  });

  it('assume-role with a missing source, a loop, or MFA fails', async () => {
    const m = machine(systemPath());
    m.write(
      '.aws/config',
      [
        '[profile lost]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = nowhere',
        '[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = b',
        '[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\nsource_profile = a',
        '[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/M\nsource_profile = keys\nmfa_serial = arn:aws:iam::123456789012:mfa/me',
        `[profile keys]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}`,
      ].join('\n') + '\n',
    );
    expect((await detect(m, { profile: 'lost' })).summary).toBe('profile lost: source_profile nowhere does not exist');
    expect((await detect(m, { profile: 'a' })).summary).toMatch(/loops back to a$/);
    const mfa = await detect(m, { profile: 'mfa' });
    expect(mfa.status).toBe('fail');
    expect(mfa.summary).toMatch(/cannot prompt for a code/);
  });

  it('credential_process is reported, not run', async () => {
    const m = machine(systemPath());
    const marker = join(m.home, 'ran');
    m.write('.aws/config', `[default]\ncredential_process = sh -c "touch ${marker}"\n`);
    const found = await detect(m);
    expect(found).toMatchObject({ status: 'warn', data: { source: 'profile-process' } });
    expect(found.summary).not.toContain('touch');
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('IAM Identity Center (SSO) profiles', () => {
  const config = '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n';

  function ssoMachine(token?: Record<string, string>): Machine {
    const m = machine(systemPath(), { AWS_PROFILE: 'sso' });
    m.write('.aws/config', config);
    if (token) {
      const file = ssoCachePath(m.home, 'corp');
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, JSON.stringify(token));
    }
    return m;
  }

  it('a cached, unexpired token is ok and its access token never printed', async () => {
    const expiresAt = hours(4);
    const found = await detect(ssoMachine({ accessToken: 'sso-access-token-secret', expiresAt }));
    expect(found).toMatchObject({ status: 'ok', data: { source: 'profile-sso', sso_session: 'corp', role: 'Developer', expires_at: new Date(expiresAt).toISOString() } });
    expect(JSON.stringify(found)).not.toContain('sso-access-token-secret');
  });

  it('no cached token: log in', async () => {
    const found = await detect(ssoMachine());
    expect(found).toMatchObject({ status: 'fail', fix: 'aws sso login --profile sso' });
  });

  it('an expired token without a refresh token: log in again', async () => {
    const found = await detect(ssoMachine({ accessToken: 'x', expiresAt: hours(-2) }));
    expect(found.status).toBe('fail');
    expect(found.summary).toMatch(/SSO login expired at/);
    expect(found.fix).toBe('aws sso login --profile sso');
  });

  it('an expired token the SDK can refresh is a warning', async () => {
    const found = await detect(ssoMachine({ accessToken: 'x', expiresAt: hours(-2), refreshToken: 'r', clientId: 'c', clientSecret: 's', registrationExpiresAt: hours(24 * 30) }));
    expect(found.status).toBe('warn');
    expect(JSON.stringify(found)).not.toMatch(/"r"|clientSecret/);
  });

  it('a profile naming an undefined sso-session fails', async () => {
    const m = machine(systemPath(), { AWS_PROFILE: 'sso' });
    m.write('.aws/config', '[profile sso]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = R\n');
    expect((await detect(m)).summary).toMatch(/names sso-session gone, which .* does not define/);
  });
});

describe('web identity, container and instance sources', () => {
  it('web identity variables with a token file', async () => {
    const m = machine(systemPath(), { AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/Pod' });
    m.env.AWS_WEB_IDENTITY_TOKEN_FILE = m.write('token', 'jwt');
    expect(await detect(m)).toMatchObject({ status: 'ok', data: { source: 'web-identity' } });
    m.env.AWS_WEB_IDENTITY_TOKEN_FILE = join(m.home, 'missing-token');
    expect((await detect(m)).status).toBe('fail');
  });

  it('container credentials variables', async () => {
    const m = machine(systemPath(), { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/abc' });
    expect(await detect(m)).toMatchObject({ status: 'ok', data: { source: 'container', variable: 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' } });
  });

  it('an EC2 instance is recognised from /sys, unless metadata access is disabled', async () => {
    const sys = tempDir();
    mkdirSync(join(sys, 'devices/virtual/dmi/id'), { recursive: true });
    writeFileSync(join(sys, 'devices/virtual/dmi/id/sys_vendor'), 'Amazon EC2\n');
    expect(ec2Marker(sys)).toBe('devices/virtual/dmi/id/sys_vendor is "Amazon EC2"');
    const m = machine(systemPath(), { AWS_EC2_METADATA_DISABLED: 'false' });
    expect(await detect(m, { sysRoot: sys })).toMatchObject({ status: 'warn', data: { source: 'instance-metadata' } });
    m.env.AWS_EC2_METADATA_DISABLED = 'true';
    const off = await detect(m, { sysRoot: sys });
    expect(off.status).toBe('fail');
    expect(off.details).toContain('EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED)');
  });

  it('a Xen-era instance id in the hypervisor uuid counts too; other machines do not', () => {
    const sys = tempDir();
    mkdirSync(join(sys, 'hypervisor'), { recursive: true });
    writeFileSync(join(sys, 'hypervisor/uuid'), 'ec2e1916-9099-7caf-fd21-012345abcdef\n');
    expect(ec2Marker(sys)).toBe('hypervisor/uuid starts with "ec2"');
    expect(ec2Marker(tempDir())).toBeUndefined();
  });
});

describe('nothing configured', () => {
  it('fails with the setup commands, and the SDK finds nothing either', async () => {
    const m = machine(systemPath());
    const found = await detect(m);
    expect(found).toMatchObject({ status: 'fail', summary: 'no AWS credentials found by the SDK provider chain', data: { source: null } });
    expect(found.fix).toMatch(/aws configure sso/);
    expect(sdkAccessKey(m.env).error).toBe('CredentialsProviderError');
  });
});
