/* kms_ops.c — the KMS operation table. KMS actions whose resource is a key name the
 * key's ARN; CreateKey, ListKeys and ListAliases are governed by IAM policies alone
 * (AWS-NOTES §3), so they have no resolver and authorize against "*". */
#include "kms.h"
#include "kms_key.h"
#include "services/registry.h"

static const char *const plaintext_in[] = {"Plaintext", NULL};

const struct op_desc kms_ops[] = {
    {"kms", "CreateKey", kms_create_key, "kms:CreateKey", NULL, false, false, NULL},
    {"kms", "DescribeKey", kms_describe_key, "kms:DescribeKey", kms_resolve_key_id, true, false,
     NULL},
    {"kms", "ListKeys", kms_list_keys, "kms:ListKeys", NULL, true, false, NULL},
    {"kms", "CreateAlias", kms_create_alias, "kms:CreateAlias", kms_resolve_target_key_id, false,
     false, NULL},
    {"kms", "ListAliases", kms_list_aliases, "kms:ListAliases", NULL, true, false, NULL},
    {"kms", "DeleteAlias", kms_delete_alias, "kms:DeleteAlias", kms_resolve_alias, false, false,
     NULL},
    {"kms", "Encrypt", kms_encrypt, "kms:Encrypt", kms_resolve_key_id, true, false, plaintext_in},
    {"kms", "Decrypt", kms_decrypt, "kms:Decrypt", kms_resolve_ciphertext, true, false,
     plaintext_in},
    {"kms", "GenerateDataKey", kms_generate_data_key, "kms:GenerateDataKey", kms_resolve_key_id,
     true, false, plaintext_in},
    {"kms", "GenerateDataKeyWithoutPlaintext", kms_generate_data_key_without_plaintext,
     "kms:GenerateDataKeyWithoutPlaintext", kms_resolve_key_id, true, false, NULL},
};
const size_t kms_ops_count = ARRAY_LEN(kms_ops);
