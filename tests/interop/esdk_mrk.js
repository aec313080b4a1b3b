// esdk_mrk.js — the AWS Encryption SDK for JavaScript with a multi-Region key (run by
// tests/e2e/test_kms_esdk.py): a message encrypted by a KMS keyring on the primary key in
// one region is decrypted by an MRK-aware strict keyring on its replica in another, each
// region's KMS client pointed at the same custos (the SigV4 scope names the region). Also
// tries a keyring that is not MRK-aware on the replica, which must find nothing to
// decrypt. Prints one JSON line for the Python side.
//   ESDK_ENDPOINT, ESDK_PRIMARY_ARN, ESDK_REPLICA_ARN, ESDK_SIZE, AWS_ACCESS_KEY_ID,
//   AWS_SECRET_ACCESS_KEY
'use strict';
const crypto = require('crypto');
const {
  KmsKeyringNode, buildAwsKmsMrkAwareStrictMultiKeyringNode, buildClient, CommitmentPolicy, getClient,
} = require('@aws-crypto/client-node');
const { KMS } = require('@aws-sdk/client-kms');

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

// one client per region the keyring asks for, every one at the test server
const regionsAsked = [];
const clientProvider = (() => {
  const inner = getClient(KMS, {
    endpoint: process.env.ESDK_ENDPOINT,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  return (region) => {
    regionsAsked.push(region);
    return inner(region);
  };
})();

async function main() {
  const primary = process.env.ESDK_PRIMARY_ARN;
  const replica = process.env.ESDK_REPLICA_ARN;
  const plain = crypto.randomBytes(Number(process.env.ESDK_SIZE));
  const context = { purpose: 'custos mrk interop' };
  const { result, messageHeader } = await encrypt(
    new KmsKeyringNode({ generatorKeyId: primary, clientProvider }), plain, { encryptionContext: context });
  const encryptRegions = regionsAsked.splice(0);
  const mrkAware = buildAwsKmsMrkAwareStrictMultiKeyringNode({ generatorKeyId: replica, clientProvider });
  const back = await decrypt(mrkAware, result);
  const decryptRegions = regionsAsked.splice(0);
  let plainKeyringError = null;
  try {
    await decrypt(new KmsKeyringNode({ keyIds: [replica], clientProvider }), result);
  } catch (e) {
    plainKeyringError = String(e && e.message || e);
  }
  const edk = messageHeader.encryptedDataKeys[0];
  console.log(JSON.stringify({
    size: plain.length,
    roundTrip: Buffer.compare(plain, back.plaintext) === 0,
    decryptedContext: back.messageHeader.encryptionContext,
    edks: messageHeader.encryptedDataKeys.length,
    edkKey: edk.providerInfo,
    encryptRegions,
    decryptRegions,
    plainKeyringError,
  }));
}

main().catch((e) => {
  console.error(e && e.stack || String(e));
  process.exit(1);
});
