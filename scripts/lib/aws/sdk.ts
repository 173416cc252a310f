// The AWS SDK pieces the skill uses, loaded once on first use: from the build's one-file bundle
// through V8's code cache when there is one (dist/), else from the packages (running from
// source). Never imported for --help.
//
// Both ways go through require(): import() of the CommonJS SDK lexes its whole module tree for
// named exports and takes about twice as long (measured with bench/cluster-info.ts).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from './code-cache.js';

export type DsqlSdk = typeof import('./client-dsql.bundle.js');

let sdk: DsqlSdk | undefined;

export function loadSdk(): DsqlSdk {
  if (sdk) return sdk;
  const bundle = fileURLToPath(new URL('./client-dsql.bundle.cjs', import.meta.url));
  if (existsSync(bundle)) {
    sdk = requireWithCodeCache(bundle) as DsqlSdk;
  } else {
    const require = createRequire(import.meta.url);
    sdk = {
      ...require('@aws-sdk/client-dsql'),
      ...require('@aws-sdk/dsql-signer'),
      ...require('@aws-sdk/credential-provider-node'),
      ...require('@smithy/core/config'),
    } as DsqlSdk;
  }
  return sdk;
}
