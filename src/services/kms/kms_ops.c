/* kms_ops.c — the KMS operation table. KMS actions whose resource is a key name the
 * key's ARN; CreateKey, ListKeys, ListAliases and ListRetirableGrants are governed by IAM
 * policies alone (AWS-NOTES §3), so they have no resolver and authorize against "*". The
 * cryptographic operations add KMS's condition keys (kms:EncryptionContext:<k>, ...). */
#include "grants.h"
#include "kms.h"
#include "kms_key.h"
#include "services/registry.h"

static const char *const plaintext[] = {"Plaintext", NULL};
/* a grant token lets its holder retire the grant: kept out of the trail */
static const char *const grant_token[] = {"GrantToken", NULL};

#define KMS_OP(op, fn, resolver, ro)                                                              \
    {.service = "kms", .name = #op, .handler = fn, .action = "kms:" #op, .resolve = resolver,     \
     .read_only = ro}
#define KMS_CRYPTO_OP(op, fn, resolver, secrets)                                                  \
    {.service = "kms", .name = #op, .handler = fn, .action = "kms:" #op, .resolve = resolver,     \
     .read_only = true, .secret_fields = secrets, .condition_keys = kms_condition_keys}

const struct op_desc kms_ops[] = {
    {.service = "kms", .name = "CreateKey", .handler = kms_create_key, .action = "kms:CreateKey",
     .condition_keys = kms_create_key_condition_keys},
    KMS_OP(DescribeKey, kms_describe_key, kms_resolve_key_id, true),
    KMS_OP(ListKeys, kms_list_keys, NULL, true),
    KMS_OP(CreateAlias, kms_create_alias, kms_resolve_target_key_id, false),
    KMS_OP(ListAliases, kms_list_aliases, NULL, true),
    KMS_OP(DeleteAlias, kms_delete_alias, kms_resolve_alias, false),
    KMS_CRYPTO_OP(Encrypt, kms_encrypt, kms_resolve_key_id, plaintext),
    KMS_CRYPTO_OP(Decrypt, kms_decrypt, kms_resolve_ciphertext, plaintext),
    KMS_CRYPTO_OP(GenerateDataKey, kms_generate_data_key, kms_resolve_key_id, plaintext),
    KMS_CRYPTO_OP(GenerateDataKeyWithoutPlaintext, kms_generate_data_key_without_plaintext,
                  kms_resolve_key_id, NULL),
    {.service = "kms", .name = "CreateGrant", .handler = kms_create_grant,
     .action = "kms:CreateGrant", .resolve = kms_resolve_key_id,
     .condition_keys = kms_create_grant_condition_keys, .secret_fields = grant_token},
    KMS_OP(ListGrants, kms_list_grants, kms_resolve_key_id, true),
    KMS_OP(RevokeGrant, kms_revoke_grant, kms_resolve_key_id, false),
    KMS_OP(ListRetirableGrants, kms_list_retirable_grants, NULL, true),
    /* governed by the grant itself, not by policies (KMS API reference, RetireGrant) */
    {.service = "kms", .name = "RetireGrant", .handler = kms_retire_grant,
     .action = "kms:RetireGrant", .always_allowed = true, .secret_fields = grant_token},
};
const size_t kms_ops_count = ARRAY_LEN(kms_ops);
