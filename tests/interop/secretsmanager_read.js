// secretsmanager_read.js — the AWS SDK for JavaScript v3 Secrets Manager client against
// custos (run by tests/e2e/test_secretsmanager_js.py): reads a secret's current value, an
// older version by label, describes it, and lists its versions. Reads its task from the
// environment and prints one JSON line for the Python side to check (the value included:
// the test's own secret).
//   SM_ENDPOINT, SM_SECRET_ID, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
'use strict';
const {
  SecretsManagerClient, GetSecretValueCommand, DescribeSecretCommand,
  ListSecretVersionIdsCommand,
} = require('@aws-sdk/client-secrets-manager');

async function main() {
  const client = new SecretsManagerClient({
    endpoint: process.env.SM_ENDPOINT,
    region: process.env.AWS_REGION,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  const id = process.env.SM_SECRET_ID;
  const current = await client.send(new GetSecretValueCommand({ SecretId: id }));
  const previous = await client.send(new GetSecretValueCommand({ SecretId: id, VersionStage: 'AWSPREVIOUS' }));
  const described = await client.send(new DescribeSecretCommand({ SecretId: id }));
  const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: id }));
  let missing = null;
  try {
    await client.send(new GetSecretValueCommand({ SecretId: id + '-nope' }));
  } catch (e) {
    missing = { name: e.name, status: e.$metadata && e.$metadata.httpStatusCode };
  }
  console.log(JSON.stringify({
    arn: current.ARN,
    current: JSON.parse(current.SecretString),
    currentVersion: current.VersionId,
    createdIsDate: current.CreatedDate instanceof Date,
    previous: previous.SecretString,
    stages: described.VersionIdsToStages,
    versions: versions.Versions.map((v) => v.VersionId).sort(),
    missing,
  }));
}

main().catch((e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
