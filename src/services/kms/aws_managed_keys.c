/* aws_managed_keys.c — the AWS managed key a service encrypts with when its caller names
 * none: "alias/aws/<service>" in the account and region, created with its alias on first
 * use (Secrets Manager user guide, security-encryption: "If you choose the AWS managed key
 * aws/secretsmanager and it doesn't exist yet, Secrets Manager creates it and associates it
 * with the secret"). Its key policy is AWS's: any principal of the account may use it
 * through the service (kms:ViaService, kms:CallerAccount), the account may read its
 * metadata; KeyManager is AWS. It is made in the calling request's transaction, so a
 * request that fails leaves no key behind. */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/tree.h"
#include "crypto/backing_key.h"
#include "kms.h"
#include "kms_key.h"

/* AWS's key policy of an AWS managed key (as GetKeyPolicy shows aws/secretsmanager's). */
static cu_rc managed_policy(const struct call *call, const char *service, struct buf *out)
{
    const char *acct = call->env->account_id;

    return buf_addf(
        out,
        "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"auto-%s-2\",\n  \"Statement\" : [ {\n"
        "    \"Sid\" : \"Allow access through AWS %s for all principals in the account that "
        "are authorized to use it\",\n    \"Effect\" : \"Allow\",\n"
        "    \"Principal\" : {\n      \"AWS\" : \"*\"\n    },\n"
        "    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", "
        "\"kms:GenerateDataKey*\", \"kms:CreateGrant\", \"kms:DescribeKey\" ],\n"
        "    \"Resource\" : \"*\",\n    \"Condition\" : {\n      \"StringEquals\" : {\n"
        "        \"kms:CallerAccount\" : \"%s\",\n"
        "        \"kms:ViaService\" : \"%s.%s.amazonaws.com\"\n      }\n    }\n  }, {\n"
        "    \"Sid\" : \"Allow direct access to key metadata to the account\",\n"
        "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
        "      \"AWS\" : \"arn:aws:iam::%s:root\"\n    },\n"
        "    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\", "
        "\"kms:RevokeGrant\" ],\n    \"Resource\" : \"*\"\n  } ]\n}",
        service, service, acct, service, call->region, acct);
}

/* The key record: KeyMetadata members under AWS's names (keys.c), one backing key. */
static cu_rc new_key(struct call *call, const char *service, const char *key_id, json_t *doc)
{
    cu_rc rc = CU_OK;
    struct backing_key *bk = NULL;
    char arn[KMS_ARN_MAX], description[160];
    struct buf policy, sealed, text, aad;

    buf_init(&policy, 8192);
    buf_init(&sealed, 4096);
    buf_init(&text, 8192);
    buf_init(&aad, 4096);
    kms_key_arn(call, key_id, arn);
    TRY(managed_policy(call, service, &policy));
    TRY(backing_key_generate(&bk));
    TRY(backing_key_seal_aad(arn, 1, &aad));
    TRY(backing_key_seal(call->env->master_key, bk, buf_bytes(&aad), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    /* "Default key that protects my Secrets Manager data when no other key is defined" */
    snprintf(description, sizeof(description),
             "Default key that protects my %s data when no other key is defined",
             strcmp(service, "secretsmanager") == 0 ? "Secrets Manager" : service);
    TRY(tree_set_str(doc, "AWSAccountId", call->env->account_id));
    TRY(tree_set_str(doc, "KeyId", key_id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreationDate", call->now_ms));
    TRY(tree_set_str(doc, "Description", description));
    TRY(tree_set_str(doc, "KeyUsage", "ENCRYPT_DECRYPT"));
    TRY(tree_set_str(doc, "KeySpec", "SYMMETRIC_DEFAULT"));
    TRY(tree_set_str(doc, "KeyState", "Enabled"));
    TRY(tree_set_str(doc, "Origin", "AWS_KMS"));
    TRY(tree_set_str(doc, "KeyManager", "AWS"));
    TRY(tree_set_str(doc, "Policy", policy.p));
    TRY(tree_set_new(doc, "Tags", json_array()));
    TRY(tree_set_new(doc, "Backing", json_pack("[{s:i, s:s}]", "Version", 1, "Sealed", text.p)));
out:
    backing_key_free(bk);
    buf_release(&policy);
    buf_release(&sealed);
    buf_release(&text);
    buf_release(&aad);
    return rc;
}

cu_rc kms_aws_managed_key(struct call *call, const char *service, struct kms_key **out)
{
    cu_rc rc = CU_OK;
    char alias[128], alias_arn[KMS_ARN_MAX], key_id[IDS_UUID_LEN + 1];
    json_t *doc = NULL, *key = NULL;

    snprintf(alias, sizeof(alias), "alias/aws/%s", service);
    TRY(kind_find(call, &kms_kind_alias, NULL, alias, &doc));
    if (doc) {
        rc = kms_key_by_id(call, json_string_value(json_object_get(doc, "TargetKeyId")), out);
        goto out;
    }
    TRY(ids_uuid(key_id));
    key = json_object();
    ENSURE(key, CU_E_NOMEM);
    TRY(new_key(call, service, key_id, key));
    TRY(kind_create(call, &kms_kind_key, NULL, key));
    kms_alias_arn(call, alias, alias_arn);
    doc = json_pack("{s:s, s:s, s:s, s:I, s:I}", "AliasName", alias, "AliasArn", alias_arn,
                    "TargetKeyId", key_id, "CreationDate", (json_int_t)call->now_ms,
                    "LastUpdatedDate", (json_int_t)call->now_ms);
    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_create(call, &kms_kind_alias, NULL, doc));
    TRY(kms_key_by_id(call, key_id, out));
out:
    json_decref(doc);
    json_decref(key);
    return rc;
}
