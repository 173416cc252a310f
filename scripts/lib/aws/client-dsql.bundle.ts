// The part of @aws-sdk/client-dsql the cluster commands use. The build bundles this file with
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
