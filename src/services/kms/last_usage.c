/* last_usage.c — GetKeyLastUsage: the last successful cryptographic operation on a key
 * (KMS API reference, GetKeyLastUsage), and the list of operations that count.
 *
 * The pipeline notes each such call in memory and a flusher writes the notes into
 * RECORD_KMS_KEY_LAST_USED (auth/kms_key_usage.h), at most once per flush interval per
 * key: this file only reads that record, so an answer lags a use by up to the interval
 * (60 s by default), and no cryptographic call writes to the store. */
#include <string.h>

#include "core/tree.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"

/* custos began recording key use on this date (2026-12-01T00:00:00Z): a key created
 * earlier by an older custos may have been used before it, as AWS's TrackingStartDate
 * says of keys older than AWS's own tracking ("the later of the two"). */
#define TRACKING_START_MS 1796083200000LL

/* The cryptographic operations (KMS developer guide, kms-cryptography, "cryptographic
 * operations"): the ones whose success is a key's use. */
static const char *const cryptographic_ops[] = {
    "Decrypt",       "DeriveSharedSecret",  "Encrypt",
    "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt",
    "Sign",          "Verify",              "VerifyMac",
};

bool kms_operation_uses_key(const char *op)
{
    for (size_t i = 0; i < sizeof(cryptographic_ops) / sizeof(cryptographic_ops[0]); i++)
        if (strcmp(cryptographic_ops[i], op) == 0)
            return true;
    return false;
}

cu_rc kms_get_key_last_usage(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    json_int_t created = json_integer_value(json_object_get(key->doc, "CreationDate"));
    json_t *used = NULL, *view = NULL;
    char scope[RECORD_NAME_MAX];

    (void)in;
    kms_scope(call, RECORD_KMS_KEY_LAST_USED, scope);
    TRY(store_get(call->tx, RECORD_KMS_KEY_LAST_USED, scope, key->key_id, &used));
    TRY(tree_set_str(out, "KeyId", key->key_id));
    TRY(tree_set_time_ms(out, "KeyCreationDate", created));
    TRY(tree_set_time_ms(out, "TrackingStartDate",
                         created > TRACKING_START_MS ? created : TRACKING_START_MS));
    /* never used since tracking began: KeyLastUsage is empty (API reference) */
    view = json_object();
    ENSURE(view, CU_E_NOMEM);
    if (used) {
        TRY(tree_set_str(view, "Operation", json_string_value(json_object_get(used, "Operation"))));
        TRY(tree_set_time_ms(view, "Timestamp",
                             json_integer_value(json_object_get(used, "Timestamp"))));
        TRY(tree_set_str(view, "CloudTrailEventId",
                         json_string_value(json_object_get(used, "CloudTrailEventId"))));
        TRY(tree_set_str(view, "KmsRequestId",
                         json_string_value(json_object_get(used, "KmsRequestId"))));
    }
    TRY(tree_set_new(out, "KeyLastUsage", view));
    view = NULL;
out:
    json_decref(view);
    json_decref(used);
    return rc;
}
