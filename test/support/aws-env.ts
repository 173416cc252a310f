// A user's environment for commands that sign IAM tokens: recognisable fake credentials, an
// isolated HOME (no real ~/.aws is read) and no instance-metadata lookups. Variables given as
// undefined in `extra` are removed, to test their absence.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function fakeAwsUser(prefix: string, credentials: FakeCredentials): { home: string; env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv } {
  const home = join(mkdtempSync(join(tmpdir(), prefix)), 'home');
  mkdirSync(home);
  return {
    home,
    env(extra = {}) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(home, '.aws', 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
        ...extra,
      };
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
      return env;
    },
  };
}
