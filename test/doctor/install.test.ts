// The install checks and the pieces of the psql/TLS checks that are plain functions.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBuild, checkDependencies, checkNode, minimumNode, satisfies } from '../../scripts/lib/doctor/install.js';
import { platformFamily } from '../../scripts/lib/doctor/platform.js';
import { checkPsql, checkTls, findOnPath, parsePsqlVersion } from '../../scripts/lib/doctor/psql.js';
import { tempDir } from './support.js';

describe('node', () => {
  it('compares with the engines range of package.json', () => {
    expect(minimumNode('>=20.18')).toBe('20.18');
    expect(checkNode('20.20.2', '>=20.18').status).toBe('ok');
    expect(checkNode('20.18.0', '>=20.18').status).toBe('ok');
    const old = checkNode('18.19.1', '>=20.18');
    expect(old).toMatchObject({ status: 'fail', summary: 'Node.js 18.19.1 is older than 20.18' });
    expect(old.fix).toMatch(/nvm install 20/);
    expect(checkNode('20.9.0', '>=20.18').status).toBe('fail');
  });
});

describe('dependency versions', () => {
  const table: [string, string, boolean][] = [
    ['3.1048.0', '^3.1048.0', true],
    ['3.2000.1', '^3.1048.0', true],
    ['3.1047.9', '^3.1048.0', false],
    ['4.0.0', '^3.1048.0', false],
    ['0.5.14', '^0.5.2', true],
    ['0.6.0', '^0.5.2', false],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['18.4.0-beta.17', '^18.4.0', true],
    ['2.0.0', 'latest', true],
  ];
  for (const [version, range, ok] of table) {
    it(`${version} ${ok ? 'satisfies' : 'does not satisfy'} ${range}`, () => expect(satisfies(version, range)).toBe(ok));
  }
});

describe('dependencies and build of a skill folder', () => {
  function skill(): string {
    const root = tempDir('dsql-doctor-skill-');
    mkdirSync(join(root, 'scripts'), { recursive: true });
    writeFileSync(join(root, 'scripts', 'a.ts'), 'export {};\n');
    writeFileSync(join(root, 'package-lock.json'), '{}');
    return root;
  }
  const install = (root: string, name: string, version: string) => {
    mkdirSync(join(root, 'node_modules', name), { recursive: true });
    writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  };

  it('finds missing and outdated packages, with the install command for that folder', () => {
    const root = skill();
    install(root, 'ajv', '8.20.0');
    install(root, 'zx', '7.2.0');
    const found = checkDependencies(root, { dependencies: { ajv: '^8.20.0', zx: '^8.8.5', '@aws-sdk/client-dsql': '^3.1048.0' } });
    expect(found).toMatchObject({ status: 'fail', data: { missing: ['@aws-sdk/client-dsql'], mismatched: ['zx 7.2.0 (wants ^8.8.5)'] } });
    expect(found.fix).toBe(`cd ${root} && npm ci`);
    install(root, '@aws-sdk/client-dsql', '3.1048.0');
    install(root, 'zx', '8.8.5');
    expect(checkDependencies(root, { dependencies: { ajv: '^8.20.0', zx: '^8.8.5', '@aws-sdk/client-dsql': '^3.1048.0' } }).status).toBe('ok');
  });

  it('dist/: missing, stale, current', () => {
    const root = skill();
    const manifest = { scripts: { build: 'node tools/build.mjs' } };
    expect(checkBuild(root, manifest)).toMatchObject({ status: 'warn', data: { built: false }, fix: `cd ${root} && npm run build` });
    mkdirSync(join(root, 'dist'));
    const source = join(root, 'scripts', 'a.ts');
    utimesSync(source, new Date(), new Date(2_000_000_000_000));
    writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ sourceMtimeMs: 1_000_000_000_000 }));
    expect(checkBuild(root, {})).toMatchObject({ status: 'warn', data: { fresh: false }, fix: `cd ${root} && node tools/build.mjs` });
    writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ sourceMtimeMs: 2_000_000_000_000 }));
    expect(checkBuild(root, {}).status).toBe('ok');
  });

  it('quotes a folder name with spaces in the fix', () => {
    const root = join(skill(), "my skill's copy");
    mkdirSync(root);
    writeFileSync(join(root, 'package-lock.json'), '{}');
    expect(checkDependencies(root, { dependencies: { ajv: '^8.0.0' } }).fix).toBe(`cd '${root.replace("'", "'\\''")}' && npm ci`);
  });
});

describe('psql version and TLS roots', () => {
  it('reads the versions psql prints', () => {
    expect(parsePsqlVersion('psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toEqual({ version: '15.18', major: 15 });
    expect(parsePsqlVersion('psql (PostgreSQL) 17.2 (Homebrew)')).toEqual({ version: '17.2', major: 17 });
    expect(parsePsqlVersion('psql (PostgreSQL) 9.6.24')).toEqual({ version: '9.6', major: 9 });
    expect(parsePsqlVersion('psql (PostgreSQL) 18beta1')).toEqual({ version: '18', major: 18 });
    expect(parsePsqlVersion('command not found')).toBeUndefined();
  });

  it('an old psql fails for clusters and only warns for --local', () => {
    const info = { path: '/x/psql', version: '12.17', major: 12, libpq16: false };
    expect(checkPsql(info, 'cluster', 'debian').status).toBe('fail');
    expect(checkPsql(info, 'local', 'debian').status).toBe('warn');
    expect(checkPsql({}, 'local', 'macos')).toMatchObject({ status: 'fail', fix: 'brew install libpq && brew link --force libpq' });
  });

  it('TLS roots: libpq 16, a CA bundle file, PGSSLROOTCERT, or nothing', () => {
    const dir = tempDir();
    const bundle = join(dir, 'ca.pem');
    writeFileSync(bundle, '');
    const old = { path: '/x/psql', major: 15, libpq16: false };
    expect(checkTls({ ...old, libpq16: true }, {}, 'debian', []).summary).toBe('libpq 16 or newer: sslrootcert=system works for verify-full');
    expect(checkTls(old, {}, 'debian', [join(dir, 'absent.pem'), bundle])).toMatchObject({ status: 'ok', data: { ca_bundle: bundle } });
    expect(checkTls(old, { PGSSLROOTCERT: bundle }, 'debian', [])).toMatchObject({ status: 'ok', summary: `verify-full uses PGSSLROOTCERT=${bundle}` });
    expect(checkTls(old, { PGSSLROOTCERT: join(dir, 'gone.pem') }, 'debian', [bundle]).status).toBe('fail');
    expect(checkTls(old, {}, 'fedora', [join(dir, 'absent.pem')])).toMatchObject({ status: 'fail', fix: 'sudo dnf install -y ca-certificates' });
  });

  it('finds only executables on PATH', () => {
    const a = tempDir();
    const b = tempDir();
    writeFileSync(join(a, 'psql'), 'not executable', { mode: 0o644 });
    writeFileSync(join(b, 'psql'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findOnPath('psql', { PATH: `${a}:${b}` })).toBe(join(b, 'psql'));
    expect(findOnPath('psql', { PATH: a })).toBeUndefined();
  });

  it('tells distributions apart by /etc/os-release', () => {
    const file = join(tempDir(), 'os-release');
    const family = (text: string) => (writeFileSync(file, text), platformFamily('linux', file));
    expect(family('ID=ubuntu\nID_LIKE=debian\n')).toBe('debian');
    expect(family('ID="amzn"\nID_LIKE="centos rhel fedora"\n')).toBe('fedora');
    expect(family('ID=alpine\n')).toBe('alpine');
    expect(family('ID="opensuse-leap"\nID_LIKE="suse opensuse"\n')).toBe('suse');
    expect(family('ID=plan9\n')).toBe('unknown');
    expect(platformFamily('darwin', file)).toBe('macos');
  });
});
