// The part of the AWS SDK the skill uses (loaded by sdk.ts). The build bundles this file with
// its dependencies into client-dsql.bundle.cjs (see tools/build.mjs), which client.ts loads
// through V8's code cache; from source (tsx) it is a plain re-export.
export {
  CreateClusterCommand,
  DeleteClusterCommand,
  DSQLClient,
  GetClusterCommand,
  paginateListClusters,
  UpdateClusterCommand,
  waitUntilClusterActive,
  waitUntilClusterNotExists,
} from '@aws-sdk/client-dsql';
// The IAM token signer and the credential chain (token.ts: psql-connect, explain-plan).
export { DsqlSigner } from '@aws-sdk/dsql-signer';
export { defaultProvider } from '@aws-sdk/credential-provider-node';
// The shared-config loader the SDK itself uses (region.ts reads the profile's Region with it).
export { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS } from '@smithy/core/config';
