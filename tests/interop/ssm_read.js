// ssm_read.js — the AWS SDK for JavaScript v3 SSM client against custos (run by
// tests/e2e/test_ssm_js.py): reads a SecureString parameter decrypted and not, a hierarchy
// by path, a secret through the /aws/reference/secretsmanager/ path, and a missing
// parameter. Reads its task from the environment and prints one JSON line for the Python
// side to check (the values included: the test's own).
//   SSM_ENDPOINT, SSM_PATH, SSM_SECRET_ID, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
'use strict';
const {
  SSMClient, GetParameterCommand, GetParametersByPathCommand,
} = require('@aws-sdk/client-ssm');

async function main() {
  const client = new SSMClient({
    endpoint: process.env.SSM_ENDPOINT,
    region: process.env.AWS_REGION,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  const path = process.env.SSM_PATH;
  const plain = await client.send(new GetParameterCommand({ Name: `${path}/password`, WithDecryption: true }));
  const sealed = await client.send(new GetParameterCommand({ Name: `${path}/password` }));
  const byPath = await client.send(new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true }));
  const reference = await client.send(new GetParameterCommand({
    Name: `/aws/reference/secretsmanager/${process.env.SSM_SECRET_ID}`, WithDecryption: true,
  }));
  let missing = null;
  try {
    await client.send(new GetParameterCommand({ Name: `${path}/nope` }));
  } catch (e) {
    missing = { name: e.name, status: e.$metadata && e.$metadata.httpStatusCode };
  }
  console.log(JSON.stringify({
    value: plain.Parameter.Value,
    type: plain.Parameter.Type,
    version: plain.Parameter.Version,
    modifiedIsDate: plain.Parameter.LastModifiedDate instanceof Date,
    sealedDiffers: sealed.Parameter.Value !== plain.Parameter.Value,
    byPath: Object.fromEntries(byPath.Parameters.map((p) => [p.Name, p.Value])),
    reference: reference.Parameter.Value,
    missing,
  }));
}

main().catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
