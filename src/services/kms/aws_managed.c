/* aws_managed.c — AWS managed keys: the keys behind `alias/aws/<service>`, which KMS
 * creates on their first use (KMS developer guide, concepts "AWS managed keys"; API
 * reference, DescribeKey: "If you call the DescribeKey operation on a predefined AWS alias,
 * that is, an AWS alias with no key ID, KMS creates an AWS managed key").
 *
 * A key of KeyManager AWS, described as AWS describes it, rotated every year (rotation of
 * AWS managed keys is always on, every 365 days), and governed by AWS's policy for such
 * keys: the account's principals use it only through its service (kms:ViaService and
 * kms:CallerAccount), the account reads its metadata and revokes grants; nothing else.
 * So no one may change, disable, tag or delete it: the key policy itself refuses, as in
 * AWS. The alias `alias/aws/<service>` stays reserved for CreateAlias (aliases.c). The
 * services are data (one row each). */
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "kms.h"
#include "kms_key.h"
#include "store/records.h"

#define DAY_MS (86400LL * 1000)
#define AWS_MANAGED_ROTATION_DAYS 365

struct aws_managed {
    const char *service;  /* alias/aws/<service> */
    const char *via;      /* kms:ViaService: "<via>.<region>.amazonaws.com" */
    const char *name;     /* the service's name in the policy's first Sid */
    const char *protects; /* "Default key that protects my <protects> when no other key..." */
};

/* The descriptions as DescribeKey shows them today (keys made before 2022 still read
 * "Default master key that protects ..."). */
static const struct aws_managed services[] = {
    {"secretsmanager", "secretsmanager", "AWS Secrets Manager", "Secrets Manager data"},
    {"ssm", "ssm", "AWS Systems Manager", "SSM parameters"},
    {"s3", "s3", "Amazon S3", "S3 objects"},
    {"ebs", "ec2", "EBS", "EBS volumes"},
    {"rds", "rds", "Amazon RDS", "RDS database volumes"},
    {"lambda", "lambda", "AWS Lambda", "Lambda functions"},
    {"dynamodb", "dynamodb", "Amazon DynamoDB", "DynamoDB data"},
    {"elasticfilesystem", "elasticfilesystem", "Amazon Elastic File System", "EFS filesystems"},
    {"backup", "backup", "AWS Backup", "Backup data"},
    {"acm", "acm", "AWS Certificate Manager", "ACM private keys"},
    {"sns", "sns", "Amazon SNS", "SNS data"},
    {"sqs", "sqs", "Amazon SQS", "SQS data"},
};

static const struct aws_managed *find(const char *alias)
{
    if (!alias || strncmp(alias, "alias/aws/", 10) != 0)
        return NULL;
    for (size_t i = 0; i < ARRAY_LEN(services); i++)
        if (strcmp(alias + 10, services[i].service) == 0)
            return &services[i];
    return NULL;
}

bool kms_aws_managed_alias(const char *alias)
{
    return find(alias) != NULL;
}

/* AWS's key policy for an AWS managed key, as the Secrets Manager user guide shows it
 * for aws/secretsmanager ("auto-secretsmanager-1"), with the service's names. */
static cu_rc managed_policy(const struct call *call, const struct aws_managed *m, struct buf *out)
{
    const char *acct = call->env->account_id;

    return buf_addf(
        out,
        "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"auto-%s-1\",\n  \"Statement\" : [ {\n"
        "    \"Sid\" : \"Allow access through %s for all principals in the account that are "
        "authorized to use %s\",\n    \"Effect\" : \"Allow\",\n"
        "    \"Principal\" : {\n      \"AWS\" : \"*\"\n    },\n"
        "    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", "
        "\"kms:GenerateDataKey*\", \"kms:CreateGrant\", \"kms:DescribeKey\" ],\n"
        "    \"Resource\" : \"*\",\n    \"Condition\" : {\n      \"StringEquals\" : {\n"
        "        \"kms:ViaService\" : \"%s.%s.amazonaws.com\",\n"
        "        \"kms:CallerAccount\" : \"%s\"\n      }\n    }\n  }, {\n"
        "    \"Sid\" : \"Allow direct access to key metadata to the account\",\n"
        "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n"
        "      \"AWS\" : \"arn:aws:iam::%s:root\"\n    },\n"
        "    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\", \"kms:RevokeGrant\" ],\n"
        "    \"Resource\" : \"*\"\n  } ]\n}",
        m->service, m->name, m->name, m->via, call->region, acct, acct);
}

/* The key record and its alias, created in call->tx (a write transaction). */
static cu_rc create(struct call *call, const struct aws_managed *m, const char *alias)
{
    cu_rc rc = CU_OK;
    char key_id[IDS_UUID_LEN + 1], arn[KMS_ARN_MAX], alias_arn[KMS_ARN_MAX], scope[RECORD_NAME_MAX];
    char description[256];
    struct buf policy;
    json_t *doc = NULL, *backing = NULL, *alias_doc = NULL;

    buf_init(&policy, 1 << 14);
    TRY(ids_uuid(key_id));
    kms_key_arn(call, key_id, arn);
    TRY(managed_policy(call, m, &policy));
    TRY(kms_new_backing(call, arn, &backing));
    snprintf(description, sizeof(description),
             "Default key that protects my %s when no other key is defined", m->protects);
    TRY(kms_key_record_new(call,
                           &(struct kms_key_record){.key_id = key_id, .arn = arn,
                                                    .description = description,
                                                    .key_manager = "AWS", .policy = policy.p},
                           &doc));
    TRY(tree_set_str(doc, "KeyUsage", "ENCRYPT_DECRYPT"));
    TRY(tree_set_str(doc, "KeySpec", "SYMMETRIC_DEFAULT"));
    TRY(tree_set_str(doc, "KeyState", "Enabled"));
    TRY(tree_set_str(doc, "Origin", "AWS_KMS"));
    TRY(tree_set_new(doc, "Backing", backing));
    backing = NULL;
    /* rotated every year, from the day it was made (the sweep rotates it: rotation.c) */
    TRY(tree_set_bool(doc, "RotationEnabled", true));
    TRY(tree_set_int(doc, "RotationPeriodInDays", AWS_MANAGED_ROTATION_DAYS));
    TRY(tree_set_int(doc, "RotationBaseDate", call->now_ms));
    TRY(tree_set_int(doc, "NextRotationDate", call->now_ms + AWS_MANAGED_ROTATION_DAYS * DAY_MS));
    kms_scope(call, RECORD_KMS_KEY, scope);
    TRY(store_put(call->tx, RECORD_KMS_KEY, scope, key_id, doc, STORE_CREATE));
    kms_alias_arn(call, alias, alias_arn);
    alias_doc = json_pack("{s:s, s:s, s:s, s:I, s:I}", "AliasName", alias, "AliasArn", alias_arn,
                          "TargetKeyId", key_id, "CreationDate", (json_int_t)call->now_ms,
                          "LastUpdatedDate", (json_int_t)call->now_ms);
    ENSURE(alias_doc, CU_E_NOMEM);
    kms_scope(call, RECORD_KMS_ALIAS, scope);
    TRY(store_put(call->tx, RECORD_KMS_ALIAS, scope, alias, alias_doc, STORE_CREATE));
out:
    json_decref(alias_doc);
    json_decref(backing);
    json_decref(doc);
    buf_release(&policy);
    return rc;
}

/* Whether the alias exists in call's region (read in call->tx). */
static cu_rc alias_exists(struct call *call, const char *alias, bool *exists)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    json_t *doc = NULL;

    kms_scope(call, RECORD_KMS_ALIAS, scope);
    TRY(store_get(call->tx, RECORD_KMS_ALIAS, scope, alias, &doc));
    *exists = doc != NULL;
out:
    json_decref(doc);
    return rc;
}

/* KMS actions whose call with an AWS managed key's alias makes the key (the brief's
 * "first use": the service's own requests are Encrypt and GenerateDataKey*, a person's
 * look at it DescribeKey). All are read-only calls. */
static const char *const first_use_actions[] = {
    "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
};

cu_rc kms_aws_managed_first_use(struct call *call, const char *alias)
{
    cu_rc rc = CU_OK;
    bool exists = true, first = false;

    if (!find(alias) || !call->env->aws_managed_key || !call->action)
        return CU_OK;
    for (size_t i = 0; i < ARRAY_LEN(first_use_actions); i++)
        first = first || strcmp(call->action, first_use_actions[i]) == 0;
    if (!first)
        return CU_OK;
    TRY(alias_exists(call, alias, &exists));
    if (exists)
        goto out;
    /* made and recorded in a write transaction of its own (a read-only call's cannot
     * write); the call then reads on in a fresh transaction that sees it */
    TRY(call->env->aws_managed_key(call->env, call->region, alias, call->now_ms));
    store_tx_rollback(call->tx);
    call->tx = NULL;
    TRY(store_tx_begin(call->env->store, false, &call->tx));
out:
    return rc;
}

cu_rc kms_aws_managed_key(struct call *call, const char *service, struct kms_key **out)
{
    cu_rc rc = CU_OK;
    char alias[128];
    const struct aws_managed *m;
    bool exists = false;

    snprintf(alias, sizeof(alias), "alias/aws/%s", service);
    m = find(alias);
    ENSURE(m, CU_E_INTERNAL); /* a service of custos asks for a key not in the table */
    TRY(alias_exists(call, alias, &exists));
    if (!exists)
        TRY(create(call, m, alias));
    TRY(kms_key_find(call, alias, out));
out:
    return rc;
}

cu_rc kms_aws_managed_ensure(const struct call_env *env, const char *region, const char *alias,
                             int64_t now_ms, kms_event_fn record, void *ctx)
{
    cu_rc rc = CU_OK;
    struct call call = {.env = env, .region = region, .now_ms = now_ms};
    const struct aws_managed *m = find(alias);
    char arn[KMS_ARN_MAX];
    bool exists = false;
    json_t *doc = NULL;
    char scope[RECORD_NAME_MAX];

    ENSURE(m, CU_E_INTERNAL);
    TRY(store_tx_begin(env->store, true, &call.tx));
    /* read again under the write lock: another call may have made it first */
    TRY(alias_exists(&call, alias, &exists));
    if (exists)
        goto out;
    TRY(create(&call, m, alias));
    kms_scope(&call, RECORD_KMS_ALIAS, scope);
    TRY(store_get(call.tx, RECORD_KMS_ALIAS, scope, alias, &doc));
    ENSURE(doc, CU_E_INTERNAL);
    kms_key_arn(&call, json_string_value(json_object_get(doc, "TargetKeyId")), arn);
    TRY(record(region, arn, store_tx_commit_seq(call.tx), ctx));
    rc = store_tx_commit(call.tx);
    call.tx = NULL;
out:
    store_tx_rollback(call.tx);
    json_decref(doc);
    return rc;
}
