/* put_parameter.c — PutParameter: a new parameter, or with Overwrite a new version of one
 * (Systems Manager API reference, PutParameter; user guide, parameter-store-advanced-
 * parameters, parameter-store-policies, parameter-store-ec2-aliases).
 *
 * Tiers: Standard holds values up to 4 KB, Advanced up to 8 KB and parameter policies;
 * Intelligent-Tiering picks Standard unless the value or the policies need Advanced; an
 * Advanced parameter never goes back to Standard. DataType "text" (default), "aws:ssm:integration"
 * or "aws:ec2:image": AWS validates that value "asynchronously, and the PutParameter call
 * returns before the validation is complete. If you submit an invalid AMI value, the
 * PutParameter operation will return success, but ... the parameter will not be created or
 * updated" (API reference, PutParameter DataType). custos checks the AMI id's format (it holds
 * no EC2 images to look the id up in) and answers a malformed one that way. */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "store/records.h"
#include "store/store.h"
#include "ssm.h"
#include "ssm_ops.gen.h"

#define DOWNGRADE                                                                              \
    "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from "   \
    "the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete " \
    "the advanced parameter and recreate it as a standard parameter."

/* AWS's allowed patterns are Java regular expressions: \d \w \s become POSIX classes, the
 * rest is read as an extended POSIX expression, searched in the value (anchors as given). */
static cu_rc pattern_matches(struct call *call, const char *pattern, const char *value,
                             bool *match)
{
    cu_rc rc = CU_OK;
    struct buf posix;
    regex_t re;
    bool compiled = false;

    buf_init(&posix, 8192);
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '\\' && (p[1] == 'd' || p[1] == 'w' || p[1] == 's')) {
            TRY(buf_addstr(&posix, p[1] == 'd'   ? "[0-9]"
                                   : p[1] == 'w' ? "[A-Za-z0-9_]"
                                                 : "[[:space:]]"));
            p++;
        } else {
            TRY(buf_addch(&posix, *p));
        }
    }
    ENSURE(regcomp(&re, posix.p, REG_EXTENDED | REG_NOSUB) == 0,
           cu_err_set(&call->err, CU_E_SSM_INVALID_PATTERN,
                      "The request includes an invalid regular expression for AllowedPattern."));
    compiled = true;
    *match = regexec(&re, value, 0, NULL, 0) == 0;
out:
    if (compiled)
        regfree(&re);
    buf_release(&posix);
    return rc;
}

/* aws:ec2:image: "ami-" and 8 or 17 hexadecimal digits (EC2's two id lengths) */
static bool ami_id(const char *v)
{
    size_t n = strlen(v);

    if (strncmp(v, "ami-", 4) != 0 || (n != 12 && n != 21))
        return false;
    for (size_t i = 4; i < n; i++)
        if (!isxdigit((unsigned char)v[i]) || isupper((unsigned char)v[i]))
            return false;
    return true;
}

static cu_rc check_data_type(struct call *call, const char *type, const char *data_type,
                             const char *value)
{
    if (strcmp(data_type, "text") == 0 || strcmp(data_type, "aws:ssm:integration") == 0)
        return CU_OK;
    if (strcmp(data_type, "aws:ec2:image") != 0)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "The following data type is not supported: %s (Data type names are "
                          "all lowercase.)", data_type);
    if (strcmp(type, "String") != 0)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "The aws:ec2:image data type is supported only for String type "
                          "parameters.");
    (void)value;
    return CU_OK;
}

/* The tier the version takes, with AWS's refusals. */
static cu_rc pick_tier(struct call *call, const json_t *in, const json_t *old, size_t value_n,
                       bool policies, const char **tier)
{
    const char *asked = in_str(in, "Tier");
    const char *was = old ? json_string_value(json_object_get(old, "Tier")) : "Standard";
    bool advanced_before = strcmp(was, "Advanced") == 0;

    if (!asked)
        asked = advanced_before ? "Advanced" : "Standard";
    if (strcmp(asked, "Intelligent-Tiering") == 0)
        asked = advanced_before || value_n > SSM_STANDARD_MAX || policies ? "Advanced"
                                                                           : "Standard";
    *tier = asked;
    if (strcmp(asked, "Standard") == 0) {
        if (advanced_before)
            return cu_err_set(&call->err, CU_E_VALIDATION, DOWNGRADE);
        if (value_n > SSM_STANDARD_MAX)
            return cu_err_set(&call->err, CU_E_VALIDATION,
                              "Standard tier parameters support a maximum parameter value of "
                              "4096 characters. To create a larger parameter value, upgrade "
                              "the parameter to use the advanced-parameter tier. For more "
                              "information, see https://docs.aws.amazon.com/systems-manager/"
                              "latest/userguide/parameter-store-advanced-parameters.html");
        if (policies)
            return cu_err_set(&call->err, CU_E_SSM_INCOMPATIBLE_POLICY,
                              "Parameter policies are supported only for parameters in the "
                              "advanced-parameter tier.");
    }
    if (value_n > SSM_ADVANCED_MAX)
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "Advanced tier parameters support a maximum parameter value of 8192 "
                          "characters.");
    return CU_OK;
}

/* The Policies list the version stores and the Expiration time (0: none). */
static cu_rc read_policies(struct call *call, const char *text, json_t **list, int64_t *expires)
{
    cu_rc rc = CU_OK;
    struct ssm_policies pols;
    json_t *arr = json_array();
    json_error_t jerr;
    json_t *doc = NULL;

    *expires = 0;
    ENSURE(arr, CU_E_NOMEM);
    if (!text)
        goto done;
    TRY(ssm_policies_parse(bytes_str(text), &pols, &call->err));
    doc = json_loads(text, 0, &jerr);
    ENSURE(doc, CU_E_INTERNAL);
    for (size_t i = 0; i < pols.n; i++) {
        char *one = json_dumps(json_array_get(doc, i), JSON_COMPACT | JSON_PRESERVE_ORDER);

        ENSURE(one, CU_E_NOMEM);
        if (pols.items[i].type == SSM_POLICY_EXPIRATION) {
            /* "the date must be in the future" (parameter-store-policies) */
            if (pols.items[i].timestamp_s * 1000 <= call->now_ms) {
                free(one);
                rc = cu_err_set(&call->err, CU_E_SSM_INVALID_POLICY_ATTRIBUTE,
                                "A policy attribute or its value is invalid for the Expiration "
                                "policy type: the Timestamp must be in the future.");
                goto out;
            }
            *expires = pols.items[i].timestamp_s * 1000;
        }
        rc = tree_append_new(arr, json_pack("{s:s, s:s, s:s}", "PolicyText", one, "PolicyType",
                                            ssm_policy_type_name(pols.items[i].type),
                                            "PolicyStatus", "Pending"));
        free(one);
        TRY(rc);
    }
done:
    *list = arr;
    arr = NULL;
out:
    json_decref(arr);
    json_decref(doc);
    return rc;
}

static cu_rc check_request(struct call *call, const json_t *in, const char *type,
                           const char *value)
{
    cu_rc rc = CU_OK;
    const char *pattern = in_str(in, "AllowedPattern");
    bool match = true;

    ENSURE(*value, cu_err_set(&call->err, CU_E_VALIDATION,
                              "1 validation error detected: Value '' at 'value' failed to "
                              "satisfy constraint: Member must have length greater than or "
                              "equal to 1."));
    ENSURE(!in_bool(in, "Overwrite", false) || !in_list(in, "Tags"),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "Invalid request: tags and overwrite can't be used together. To create a "
                      "parameter with tags, please remove overwrite flag. To update tags for an "
                      "existing parameter, please use AddTagsToResource or "
                      "RemoveTagsFromResource."));
    TRY(ssm_name_check(in_str(in, "Name"), &call->err));
    ENSURE(!in_str(in, "KeyId") || strcmp(type, "SecureString") == 0,
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "KeyId is required for SecureString type parameter only."));
    TRY(check_data_type(call, type, in_str_or(in, "DataType", "text"), value));
    if (pattern && *pattern) {
        TRY(pattern_matches(call, pattern, value, &match));
        ENSURE(match, cu_err_set(&call->err, CU_E_SSM_PATTERN_MISMATCH,
                                 "Parameter value, cannot be validated against allowedPattern: "
                                 "%s", pattern));
    }
out:
    return rc;
}

/* Make room for one more version: the oldest goes unless it has a label. */
static cu_rc make_room(struct call *call, json_t *param)
{
    json_t *versions = json_object_get(param, "Versions");
    json_t *oldest = json_array_get(versions, 0);

    if (json_array_size(versions) < SSM_MAX_VERSIONS)
        return CU_OK;
    if (json_array_size(json_object_get(oldest, "Labels")) > 0)
        return cu_err_set(&call->err, CU_E_SSM_MAX_VERSIONS,
                          "You attempted to create a new version of %s by calling the "
                          "PutParameter API with the overwrite flag. Version %lld, the oldest "
                          "version, can't be deleted because it has a label associated with "
                          "it. Move the label to another version of the parameter, and try "
                          "again.",
                          json_string_value(json_object_get(param, "Name")),
                          (long long)json_integer_value(json_object_get(oldest, "Version")));
    json_array_remove(versions, 0);
    return CU_OK;
}

static cu_rc new_version(struct call *call, const json_t *in, json_t *param, const json_t *old,
                         const char *type, json_t **out)
{
    cu_rc rc = CU_OK;
    const char *value = in_str(in, "Value"), *tier;
    const char *key_id = in_str(in, "KeyId");
    json_t *v = NULL, *policies = NULL;
    int64_t expires;

    TRY(read_policies(call, in_str(in, "Policies"), &policies, &expires));
    TRY(pick_tier(call, in, old, strlen(value), json_array_size(policies) > 0, &tier));
    v = json_pack("{s:I, s:s, s:s, s:s, s:o, s:[], s:I, s:s}", "Version",
                  (json_int_t)json_integer_value(json_object_get(param, "NextVersion")), "Type",
                  type, "Tier", tier, "DataType", in_str_or(in, "DataType", "text"), "Policies",
                  json_incref(policies), "Labels", "LastModifiedDate", (json_int_t)call->now_ms,
                  "LastModifiedUser", call->principal->arn);
    ENSURE(v, CU_E_NOMEM);
    if (in_str(in, "Description"))
        TRY(tree_set_str(v, "Description", in_str(in, "Description")));
    if (in_str(in, "AllowedPattern"))
        TRY(tree_set_str(v, "AllowedPattern", in_str(in, "AllowedPattern")));
    if (strcmp(type, "SecureString") == 0) {
        /* KeyId: as the caller names it, else the AWS managed key alias/aws/ssm */
        TRY(tree_set_str(v, "KeyId", key_id ? key_id : "alias/aws/ssm"));
        TRY(ssm_seal_value(call, param, key_id, value, v));
    } else {
        TRY(tree_set_str(v, "Value", value));
    }
    if (expires)
        TRY(tree_set_int(param, "ExpiresAt", expires));
    else
        json_object_del(param, "ExpiresAt");
    *out = v;
    v = NULL;
out:
    json_decref(v);
    json_decref(policies);
    return rc;
}

struct tier_count {
    const char *tier;
    size_t n;
};

static cu_rc count_tier(const char *key, const json_t *doc, void *ctx)
{
    struct tier_count *c = ctx;
    const json_t *versions = json_object_get(doc, "Versions");
    const char *tier = json_string_value(
        json_object_get(json_array_get(versions, json_array_size(versions) - 1), "Tier"));

    (void)key;
    c->n += tier && strcmp(tier, c->tier) == 0;
    return CU_OK;
}

/* AWS's quotas of parameters per account and region (Systems Manager endpoints and quotas):
 * 10,000 Standard, 100,000 Advanced; a new parameter of a full tier is refused. The store
 * counts records cheaply; a region holding at least the quota's number of parameters has
 * its tier counted document by document, which only a region at the edge pays. */
static cu_rc check_quota(struct call *call, const char *tier)
{
    cu_rc rc = CU_OK;
    size_t standard = call->env->ssm_parameter_quota ? call->env->ssm_parameter_quota : 10000;
    bool advanced = strcmp(tier, "Advanced") == 0;
    size_t quota = advanced ? 10 * standard : standard, total = 0;
    struct tier_count c = {tier, 0};
    char scope[RECORD_NAME_MAX];

    store_scope(RECORD_PARAMETER, call->env->account_id, call->region, NULL, scope);
    TRY(store_count(call->tx, RECORD_PARAMETER, scope, &total));
    if (total < quota)
        return CU_OK;
    TRY(store_each(call->tx, RECORD_PARAMETER, scope, count_tier, &c));
    ENSURE(c.n < quota,
           cu_err_set(&call->err, CU_E_SSM_LIMIT,
                      advanced ? "You have reached the maximum number of advanced parameters "
                                 "for this AWS account and Region (%zu)."
                               : "You have reached the maximum number of standard parameters "
                                 "for this AWS account and Region (%zu). To add more "
                                 "parameters, either delete existing parameters or upgrade to "
                                 "the advanced-parameter tier (charges apply).",
                      quota));
out:
    return rc;
}

cu_rc ssm_put_parameter(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "Name");
    json_t *param = call->target.doc, *fresh = NULL, *version = NULL, *old = NULL;
    const char *type;

    old = param ? json_array_get(json_object_get(param, "Versions"),
                                 json_array_size(json_object_get(param, "Versions")) - 1)
                : NULL;
    type = in_str(in, "Type");
    if (!type && old)
        type = json_string_value(json_object_get(old, "Type"));
    ENSURE(type, cu_err_set(&call->err, CU_E_VALIDATION,
                            "A parameter type is required when you create a parameter."));
    TRY(check_request(call, in, type, in_str(in, "Value")));
    ENSURE(!param || in_bool(in, "Overwrite", false),
           cu_err_set(&call->err, CU_E_SSM_EXISTS, "%s", ssm_kind_parameter.exists_msg));
    if (!param) {
        char arn[SSM_ARN_MAX];

        ssm_arn(call->region, call->env->account_id, name, arn);
        fresh = json_pack("{s:s, s:s, s:o, s:I, s:[]}", "Name", name, "ARN", arn, "Tags",
                          in_list(in, "Tags") ? json_deep_copy(in_list(in, "Tags"))
                                              : json_array(),
                          "NextVersion", (json_int_t)1, "Versions");
        ENSURE(fresh, CU_E_NOMEM);
        param = fresh;
    } else {
        TRY(make_room(call, param));
    }
    TRY(new_version(call, in, param, old, type, &version));
    if (fresh)
        TRY(check_quota(call, json_string_value(json_object_get(version, "Tier"))));
    if (strcmp(in_str_or(in, "DataType", "text"), "aws:ec2:image") == 0 &&
        !ami_id(in_str(in, "Value")))
        goto answer; /* the asynchronous validation fails: nothing created or updated */
    TRY(tree_append_new(json_object_get(param, "Versions"), json_incref(version)));
    TRY(tree_set_int(param, "NextVersion",
                     json_integer_value(json_object_get(param, "NextVersion")) + 1));
    /* kind_put: a record an Expiration policy deleted may still be stored */
    TRY(fresh ? kind_put(call, &ssm_kind_parameter, NULL, param)
              : kind_update(call, &ssm_kind_parameter, NULL, param));
answer:
    TRY(tree_set_int(out, "Version", json_integer_value(json_object_get(version, "Version"))));
    TRY(tree_set_str(out, "Tier", json_string_value(json_object_get(version, "Tier"))));
out:
    json_decref(version);
    json_decref(fresh);
    return rc;
}
