/* kms_kinds.c — KMS's record kinds (services/kind.h): regional records (scoped by account
 * and region through store_scope), keyed as given (key ids, alias names and grant ids are
 * not case-folded: "alias/A" and "alias/a" are two aliases), and KMS's not-found and
 * already-exists wordings, which name a key or an alias by its ARN even when the request
 * named it otherwise (the aws CLI / boto3 tests check them byte for byte). */
#include "kms_key.h"

/* "Key 'arn:aws:kms:<region>:<account>:key/<id>' does not exist" */
const struct kind kms_kind_key = {
    .store_kind = RECORD_KMS_KEY,
    .scope = KIND_REGION,
    .fold = false,
    .name_member = "KeyId",
    .arn_service = "kms",
    .error_arn = "key/",
    .not_found = CU_E_KMS_NOT_FOUND,
    .not_found_msg = "Key '%s' does not exist",
};

/* "Alias arn:aws:kms:<region>:<account>:alias/x is not found." */
const struct kind kms_kind_alias = {
    .store_kind = RECORD_KMS_ALIAS,
    .scope = KIND_REGION,
    .fold = false,
    .name_member = "AliasName",
    .arn_service = "kms",
    .error_arn = "",
    .not_found = CU_E_KMS_NOT_FOUND,
    .not_found_msg = "Alias %s is not found.",
    .exists = CU_E_KMS_ALREADY_EXISTS,
    .exists_msg = "An alias with the name %s already exists",
};

/* A key's grants, under the key (parent: its key id). */
const struct kind kms_kind_grant = {
    .store_kind = RECORD_KMS_GRANT,
    .scope = KIND_REGION,
    .fold = false,
    .name_member = "GrantId",
    .not_found = CU_E_KMS_NOT_FOUND,
    .not_found_msg = "Grant ID %s not found",
};
