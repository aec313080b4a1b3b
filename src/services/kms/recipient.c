/* recipient.c — the Recipient parameter of Decrypt, GenerateDataKey, GenerateDataKeyPair,
 * GenerateRandom and DeriveSharedSecret: a Nitro Enclaves (or NitroTPM) attestation
 * document whose public key KMS would encrypt the result under (KMS developer guide,
 * attested-calls).
 *
 * KMS takes a document only when its COSE signature chains to the AWS Nitro Attestation
 * PKI root. custos holds no such root and runs beside no Nitro hypervisor, so no document
 * it receives can be one KMS accepts: every Recipient is answered as AWS answers a
 * document that does not verify. Handlers call this after authorization and after the
 * key checks, where KMS looks at the document, and before anything is made: the result is
 * never returned in the clear to a caller that asked for it sealed. */
#include "kms.h"
#include "services/in.h"

cu_rc kms_check_recipient(struct call *call, const json_t *in)
{
    if (!in_obj(in, "Recipient"))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_VALIDATION,
                      "The attestation document in the Recipient parameter is not valid: "
                      "its signature does not verify against the AWS Nitro Attestation PKI.");
}
