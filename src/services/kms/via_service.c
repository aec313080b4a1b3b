/* via_service.c — KMS used by another service on its caller's behalf (kms.h): the envelope
 * Secrets Manager keeps a secret's value in, and the authorization AWS makes for it.
 *
 * AWS Secrets Manager user guide, security-encryption: "Secrets Manager uses envelope
 * encryption with AWS KMS keys and data keys to protect each secret value. Each time the
 * secret value in a secret changes, Secrets Manager requests a new data key from AWS KMS";
 * the KMS calls are made with the caller's permissions, kms:ViaService naming the service.
 * What is stored: the data key sealed under the KMS key (a KMS ciphertext blob, context
 * as AAD), a 16-byte nonce, and the value sealed under the data key with the same AAD. The
 * plaintext data key lives in a secret and is wiped before return. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ciphertext.h"
#include "asym.h"
#include "core/codec.h"
#include "core/rand.h"
#include "core/tree.h"
#include "crypto/backing_key.h"
#include "encryption_context.h"
#include "kms.h"
#include "kms_key.h"

#define DATA_KEY_LEN 32
#define VIA_BLOB_MAX (KMS_VIA_MAX_PLAINTEXT * 2)

/* Whether the caller may take `action` on `key` through `service` (kms.h). */
static bool caller_may(struct call *call, const struct kms_key *key, const char *action,
                       const char *service, const json_t *context)
{
    struct call_keys *keys = malloc(sizeof(*keys));
    char via[160], name[160];
    const char *names[CALL_MAX_KEYS];
    const char *k;
    json_t *v;
    size_t n = 0;
    bool allowed;

    if (!keys)
        return false;
    keys->n = keys->n_values = 0;
    snprintf(via, sizeof(via), "%s.%s.amazonaws.com", service, call->region);
    call_keys_add(keys, "kms:ViaService", via);
    call_keys_add(keys, "kms:CallerAccount", call->principal->account_id);
    call_keys_add(keys, "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    call_keys_add(keys, "kms:KeySpec", json_string_value(json_object_get(key->doc, "KeySpec")));
    call_keys_add(keys, "kms:KeyUsage", json_string_value(json_object_get(key->doc, "KeyUsage")));
    call_keys_resource_tags(keys, json_object_get(key->doc, "Tags"));
    json_object_foreach((json_t *)context, k, v)
    {
        snprintf(name, sizeof(name), "kms:EncryptionContext:%s", k);
        call_keys_add(keys, name, json_string_value(v));
        if (n < CALL_MAX_KEYS)
            names[n++] = k;
    }
    if (n)
        call_keys_add_multi(keys, "kms:EncryptionContextKeys", names, n);
    allowed = call_policy_allows_on_behalf(call, action, key->arn, key->policy, service, keys);
    free(keys);
    return allowed;
}

/* Note the KMS call the service made for the trail (call.h, on_behalf), as CloudTrail
 * shows a service's call on its caller's behalf: eventName, the key, and the parameters
 * the service sent (the key id as it named it, the encryption context, the key spec or
 * algorithm), with the error when KMS refused it. Never a plaintext or data key. */
static cu_rc note_on_behalf(struct call *call, const struct kms_key *key, const char *action,
                            const char *key_id, const json_t *context, cu_rc outcome)
{
    cu_rc rc = CU_OK;
    bool decrypt = strcmp(action, "kms:Decrypt") == 0;
    json_t *request = NULL, *e = NULL;

    if (!call->on_behalf)
        return CU_OK;
    request = json_pack("{s:s, s:O}", "KeyId", key_id ? key_id : key->arn, "EncryptionContext",
                        context);
    ENSURE(request, CU_E_NOMEM);
    TRY(tree_set_str(request, decrypt ? "EncryptionAlgorithm" : "KeySpec",
                     decrypt ? "SYMMETRIC_DEFAULT" : "AES_256"));
    e = json_pack("{s:s, s:s, s:s, s:s, s:O}", "Service", "kms", "EventName",
                  decrypt ? "Decrypt" : "GenerateDataKey", "Region", call->region, "ResourceArn",
                  key->arn, "Request", request);
    ENSURE(e, CU_E_NOMEM);
    if (outcome != CU_OK) {
        TRY(tree_set_str(e, "ErrorCode", cu_code_name(outcome, true)));
        TRY(tree_set_str(e, "ErrorMessage", call->err.msg));
    }
    ENSURE(json_array_append(call->on_behalf, e) == 0, CU_E_NOMEM);
out:
    json_decref(request);
    json_decref(e);
    return rc;
}

static cu_rc check_key(struct call *call, const struct kms_key *key, const char *action,
                       const char *service, const json_t *context)
{
    cu_rc rc = CU_OK;

    TRY(kms_key_check_usable(call, key));
    TRY(kms_key_check_symmetric(call, key));
    ENSURE(caller_may(call, key, action, service, context),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED, "Access to KMS is not allowed"));
out:
    return rc;
}

static cu_rc set_b64(json_t *obj, const char *name, struct bytes v)
{
    cu_rc rc = CU_OK;
    struct buf text;

    buf_init(&text, VIA_BLOB_MAX * 2);
    TRY(b64_encode(v, &text));
    TRY(tree_set_str(obj, name, text.p));
out:
    buf_release(&text);
    return rc;
}

static cu_rc get_b64(struct call *call, const json_t *obj, const char *name, struct buf *out)
{
    const char *text = json_string_value(json_object_get(obj, name));

    if (!text || b64_decode(bytes_str(text), out) != CU_OK)
        return cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
    return CU_OK;
}

cu_rc kms_via_encrypt(struct call *call, const char *service, const char *key_id,
                      const json_t *context, struct bytes plaintext, json_t *sealed)
{
    cu_rc rc = CU_OK, checked;
    struct kms_key *key = NULL;
    struct secret *data_key = NULL;
    struct backing_key *dk = NULL;
    uint8_t nonce[BACKING_KEY_NONCE_LEN];
    struct buf aad, blob, value;

    buf_init(&aad, 1 << 20);
    buf_init(&blob, 8192);
    buf_init(&value, VIA_BLOB_MAX);
    ENSURE(plaintext.n <= KMS_VIA_MAX_PLAINTEXT, CU_E_INTERNAL);
    if (key_id)
        TRY(kms_key_find(call, key_id, &key));
    else
        TRY(kms_aws_managed_key(call, service, &key));
    checked = check_key(call, key, "kms:GenerateDataKey", service, context);
    /* recorded allowed or refused, as KMS records every call; a record that cannot be
     * noted fails the call (the trail is fail-closed) */
    TRY(note_on_behalf(call, key, "kms:GenerateDataKey", key_id, context, checked));
    TRY(checked);
    TRY(encryption_context_canonical(context, &aad, &call->err));
    TRY(secret_new(DATA_KEY_LEN, &data_key));
    TRY(rand_bytes(data_key->p, DATA_KEY_LEN));
    TRY(kms_ciphertext_seal(key->backing[key->current_version - 1], key->key_id,
                            key->current_version, buf_bytes(&aad), secret_bytes(data_key),
                            &blob));
    TRY(backing_key_import(secret_bytes(data_key), &dk));
    TRY(rand_bytes(nonce, sizeof(nonce)));
    TRY(backing_key_encrypt(dk, bytes_of(nonce, sizeof(nonce)), buf_bytes(&aad), plaintext,
                            &value));
    TRY(tree_set_str(sealed, "KmsKeyArn", key->arn));
    TRY(set_b64(sealed, "DataKey", buf_bytes(&blob)));
    TRY(set_b64(sealed, "Nonce", bytes_of(nonce, sizeof(nonce))));
    TRY(set_b64(sealed, "Value", buf_bytes(&value)));
out:
    backing_key_free(dk);
    secret_free(data_key);
    kms_key_unref(key);
    buf_release(&aad);
    buf_release(&blob);
    buf_release(&value);
    return rc;
}

cu_rc kms_via_decrypt(struct call *call, const char *service, const json_t *context,
                      const json_t *sealed, struct secret **plaintext)
{
    cu_rc rc = CU_OK, checked;
    struct kms_key *key = NULL;
    struct secret *data_key = NULL;
    struct backing_key *dk = NULL;
    struct kms_ciphertext ct;
    struct buf aad, blob, nonce, value;

    buf_init(&aad, 1 << 20);
    buf_init(&blob, 8192);
    buf_init(&nonce, 64);
    buf_init(&value, VIA_BLOB_MAX);
    TRY(get_b64(call, sealed, "DataKey", &blob));
    TRY(get_b64(call, sealed, "Nonce", &nonce));
    TRY(get_b64(call, sealed, "Value", &value));
    TRY(kms_ciphertext_parse(buf_bytes(&blob), &ct, &call->err));
    TRY(kms_key_by_id(call, ct.key_id, &key));
    checked = check_key(call, key, "kms:Decrypt", service, context);
    TRY(note_on_behalf(call, key, "kms:Decrypt", NULL, context, checked));
    TRY(checked);
    ENSURE(ct.backing_version >= 1 && ct.backing_version <= key->n_backing,
           cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", ""));
    TRY(encryption_context_canonical(context, &aad, &call->err));
    TRY(kms_ciphertext_open(key->backing[ct.backing_version - 1], &ct, buf_bytes(&aad),
                            &data_key, &call->err));
    TRY(backing_key_import(secret_bytes(data_key), &dk));
    rc = backing_key_decrypt(dk, buf_bytes(&nonce), buf_bytes(&aad), buf_bytes(&value),
                             plaintext);
    if (rc == CU_E_SEAL_BROKEN)
        rc = cu_err_set(&call->err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
    TRY(rc);
out:
    backing_key_free(dk);
    secret_free(data_key);
    kms_key_unref(key);
    buf_release(&aad);
    buf_release(&blob);
    buf_release(&nonce);
    buf_release(&value);
    return rc;
}
