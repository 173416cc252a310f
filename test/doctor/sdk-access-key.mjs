// Prints which access key the AWS SDK's default provider chain resolves, by signing a DSQL auth
// token (no network) and reading the key id from its X-Amz-Credential parameter.
import { DsqlSigner } from '@aws-sdk/dsql-signer';

try {
  const signer = new DsqlSigner({ hostname: 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws', region: 'us-east-1' });
  const token = await signer.getDbConnectAdminAuthToken();
  const credential = new URL(`https://${token}`).searchParams.get('X-Amz-Credential') ?? '';
  console.log(JSON.stringify({ accessKeyId: credential.split('/')[0] }));
} catch (error) {
  console.log(JSON.stringify({ error: error?.name ?? String(error) }));
}
