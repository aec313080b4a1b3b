// esdk_roundtrip.js — the AWS Encryption SDK for JavaScript against custos (run by
// tests/e2e/test_kms_esdk.py): a KMS keyring on a custos key, the KMS client's endpoint
// pointed at the server, encrypts a message and decrypts it again. Reads its task from
// the environment and prints one JSON line: what the Python side checks.
//   ESDK_ENDPOINT, ESDK_KEY_ARN, ESDK_OTHER_KEY_ARN, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
//   ESDK_SIZE (bytes of the message)
'use strict';
const crypto = require('crypto');
const { KmsKeyringNode, buildClient, CommitmentPolicy, getClient } = require('@aws-crypto/client-node');
// the aggregated client: the keyring calls its generateDataKey, encrypt and decrypt methods
const { KMS } = require('@aws-sdk/client-kms');

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

function keyring(keyArn) {
  const clientProvider = getClient(KMS, {
    endpoint: process.env.ESDK_ENDPOINT,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  return new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider });
}

async function main() {
  const plain = crypto.randomBytes(Number(process.env.ESDK_SIZE));
  const context = { purpose: 'custos interop', stage: 'test' };
  const { result, messageHeader } = await encrypt(keyring(process.env.ESDK_KEY_ARN), plain,
                                                  { encryptionContext: context });
  const back = await decrypt(keyring(process.env.ESDK_KEY_ARN), result);
  let otherError = null;
  try {
    await decrypt(keyring(process.env.ESDK_OTHER_KEY_ARN), result);
  } catch (e) {
    otherError = String(e && e.message || e);
  }
  const edk = messageHeader.encryptedDataKeys[0];
  console.log(JSON.stringify({
    size: plain.length,
    ciphertextSize: result.length,
    roundTrip: Buffer.compare(plain, back.plaintext) === 0,
    decryptedContext: back.messageHeader.encryptionContext,
    edks: messageHeader.encryptedDataKeys.length,
    edkProvider: edk.providerId,
    edkKey: edk.providerInfo,
    edkBlob: Buffer.from(edk.encryptedDataKey).toString('base64'),
    context: messageHeader.encryptionContext,
    suite: messageHeader.suiteId,
    otherError,
    plainSha256: crypto.createHash('sha256').update(plain).digest('hex'),
  }));
}

main().catch((e) => {
  console.error(e && e.stack || String(e));
  process.exit(1);
});
