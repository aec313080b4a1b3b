/* parameters.c — the parameter record kind, how a request's Name finds a parameter, its
 * condition keys, and PutParameter, GetParameter(s) and DeleteParameter(s).
 *
 * Versions (Systems Manager user guide, sysman-paramstore-versions): each PutParameter
 * with Overwrite adds a version numbered one past the last; "Parameter Store keeps up to
 * 100 versions": the oldest is dropped when a 101st is made, unless it carries a label,
 * which refuses the new version (ParameterMaxVersionLimitExceeded). SecureString values are
 * sealed by KMS as the caller (kms.h, kms_via_encrypt) with the encryption context
 * {PARAMETER_ARN: <the parameter's ARN>} (Systems Manager user guide,
 * secure-string-parameter-kms-encryption), so a caller without kms:Decrypt on the key
 * cannot read them. The /aws/reference/secretsmanager/ path reads a secret through
 * secretsmanager.h; /aws/service/ public parameters are not held here: not found. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "services/kms/kms.h"
#include "services/secretsmanager/secretsmanager.h"
#include "ssm.h"
#include "ssm_ops.gen.h"
#include "store/records.h"

#define REFERENCE_PREFIX "/aws/reference/secretsmanager/"

const struct kind ssm_kind_parameter = {
    .store_kind = RECORD_PARAMETER,
    .scope = KIND_REGION,
    .fold = false,
    .name_member = "Name",
    .not_found = CU_E_SSM_NOT_FOUND,
    .not_found_msg = "Parameter %s not found.",
    .exists = CU_E_SSM_EXISTS,
    .exists_msg = "The parameter already exists. To overwrite this value, set the overwrite "
                  "option in the request to true.",
};

static json_t *current(const json_t *param)
{
    const json_t *v = json_object_get(param, "Versions");

    return json_array_get(v, json_array_size(v) - 1);
}

/* An Expiration policy deletes the parameter at its time (parameter-store-policies):
 * from then on it is gone for every call, whether or not the sweep (expiry.c) has removed
 * its record yet. */
bool ssm_is_expired(const json_t *param, int64_t now_ms)
{
    const json_t *at = json_object_get(param, "ExpiresAt");

    return json_is_integer(at) && json_integer_value(at) <= now_ms;
}

cu_rc ssm_find(struct call *call, const char *name, json_t **doc)
{
    cu_rc rc = CU_OK;

    TRY(kind_find(call, &ssm_kind_parameter, NULL, name, doc));
    if (*doc && ssm_is_expired(*doc, call->now_ms)) {
        json_decref(*doc);
        *doc = NULL;
    }
out:
    return rc;
}

json_t *ssm_version_by_number(const json_t *param, int64_t v)
{
    size_t i;
    json_t *ver;

    json_array_foreach(json_object_get(param, "Versions"), i, ver)
    {
        if (json_integer_value(json_object_get(ver, "Version")) == v)
            return ver;
    }
    return NULL;
}

/* Point call->target at the parameter `name` (loaded into target.doc when it exists). */
cu_rc ssm_resolve_parameter_name(struct call *call, const char *text)
{
    cu_rc rc = CU_OK;
    struct ssm_ref ref;
    json_t *doc = NULL;

    TRY(ssm_ref_parse(bytes_str(text ? text : ""), call->region, call->env->account_id, &ref,
                      &call->err));
    if (strncmp(ref.name, "arn:", 4) == 0) {
        str_copy(call->target.arn, sizeof(call->target.arn), ref.name);
        goto out;
    }
    TRY(ssm_find(call, ref.name, &doc));
    ssm_arn(call->region, call->env->account_id, ref.name, call->target.arn);
    if (doc)
        call_keys_resource_tags(call->keys, json_object_get(doc, "Tags"));
    call->target.doc = doc;
out:
    return rc;
}

cu_rc ssm_resolve_parameter(struct call *call, const json_t *in)
{
    return ssm_resolve_parameter_name(call, in_str(in, "Name"));
}

cu_rc ssm_resolve_names(struct call *call, const json_t *in)
{
    return ssm_resolve_parameter_name(call, json_string_value(json_array_get(in_list(in, "Names"), 0)));
}

cu_rc ssm_target(struct call *call, const char *message, json_t **param)
{
    *param = call->target.doc;
    if (!*param)
        return cu_err_set(&call->err, CU_E_SSM_NOT_FOUND, "%s", message);
    return CU_OK;
}

bool ssm_caller_may(const struct call *call, const char *action, const char *arn)
{
    return call->authz == NULL || call_policy_allows(call, action, arn, NULL);
}

/* Systems Manager's condition keys on PutParameter (Service Authorization Reference,
 * AWS Systems Manager): ssm:Overwrite, ssm:Policies, aws:RequestTag/<k>, aws:TagKeys. */
void ssm_put_parameter_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
    call_keys_add(keys, "ssm:Overwrite", in_bool(in, "Overwrite", false) ? "true" : "false");
    call_keys_add(keys, "ssm:Policies", in_str(in, "Policies"));
}

/* --- values --- */

static json_t *context_of(const json_t *param)
{
    return json_pack("{s:s}", "PARAMETER_ARN", json_string_value(json_object_get(param, "ARN")));
}

/* KMS's refusals as Parameter Store words them: a key that is missing, disabled or not a
 * symmetric encryption key is InvalidKeyId (PutParameter, GetParameter errors); a caller
 * the key refuses keeps AccessDeniedException, named after the KMS action. */
static cu_rc kms_failure(struct call *call, cu_rc rc, const char *action, const char *key)
{
    char why[256];

    if (rc == CU_OK || rc == CU_E_NOMEM || rc == CU_E_INTERNAL || rc == CU_E_STORE ||
        rc == CU_E_STORE_CONFLICT)
        return rc;
    if (rc == CU_E_ACCESS_DENIED) {
        cu_err_clear(&call->err);
        return cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                          "User: %s is not authorized to perform: %s on resource: %s (Service: "
                          "AWSKMS; Status Code: 400; Error Code: AccessDeniedException)",
                          call->principal->arn, action, key ? key : "*");
    }
    str_copy(why, sizeof(why), call->err.msg);
    cu_err_clear(&call->err);
    if (rc == CU_E_KMS_INVALID_CIPHERTEXT)
        return cu_err_set(&call->err, CU_E_INTERNAL, "An internal error occurred.");
    return cu_err_set(&call->err, CU_E_SSM_INVALID_KEY_ID, "%s", why);
}

cu_rc ssm_seal_value(struct call *call, const json_t *param, const char *key_id,
                        const char *value, json_t *version)
{
    cu_rc rc = CU_OK;
    json_t *sealed = json_object(), *context = context_of(param);

    ENSURE(sealed && context, CU_E_NOMEM);
    TRY(kms_failure(call,
                    kms_via_encrypt(call, "ssm", key_id, context, bytes_str(value), sealed),
                    "kms:GenerateDataKey", key_id));
    TRY(tree_set_new(version, "Sealed", json_incref(sealed)));
out:
    json_decref(sealed);
    json_decref(context);
    return rc;
}

/* A SecureString version's plaintext, opened as the caller: *plain is a new secret. */
static cu_rc open_value(struct call *call, const json_t *param, const json_t *version,
                        struct secret **plain)
{
    cu_rc rc = CU_OK;
    const json_t *sealed = json_object_get(version, "Sealed");
    json_t *context = context_of(param);

    ENSURE(context, CU_E_NOMEM);
    TRY(kms_failure(call, kms_via_decrypt(call, "ssm", context, sealed, plain), "kms:Decrypt",
                    json_string_value(json_object_get(sealed, "KmsKeyArn"))));
out:
    json_decref(context);
    return rc;
}

cu_rc ssm_version_item(struct call *call, const json_t *param, const json_t *version,
                       const char *selector, bool decrypt, bool history, json_t **item)
{
    static const char *const meta[] = {"KeyId", "Description", "AllowedPattern", "Tier",
                                       "LastModifiedUser", NULL};
    cu_rc rc = CU_OK;
    const char *type = json_string_value(json_object_get(version, "Type"));
    struct secret *plain = NULL;
    json_t *it = json_object();
    char arn[SSM_ARN_MAX];

    ENSURE(it, CU_E_NOMEM);
    TRY(tree_set_str(it, "Name", json_string_value(json_object_get(param, "Name"))));
    TRY(tree_set_str(it, "Type", type));
    if (strcmp(type, "SecureString") != 0) {
        TRY(tree_set_str(it, "Value", json_string_value(json_object_get(version, "Value"))));
    } else if (decrypt) {
        TRY(open_value(call, param, version, &plain));
        TRY(tree_set_strn(it, "Value", (const char *)plain->p, plain->n));
    } else {
        /* without decryption AWS answers the encrypted value, base64 */
        TRY(tree_set_str(it, "Value", json_string_value(json_object_get(
                                          json_object_get(version, "Sealed"), "Value"))));
    }
    TRY(tree_set_int(it, "Version", json_integer_value(json_object_get(version, "Version"))));
    TRY(tree_set_time_ms(it, "LastModifiedDate",
                         json_integer_value(json_object_get(version, "LastModifiedDate"))));
    TRY(tree_set_str(it, "DataType", json_string_value(json_object_get(version, "DataType"))));
    if (!history) {
        if (selector)
            TRY(tree_set_str(it, "Selector", selector));
        str_copy(arn, sizeof(arn), json_string_value(json_object_get(param, "ARN")));
        TRY(tree_set_str(it, "ARN", arn));
        goto done;
    }
    for (size_t i = 0; meta[i]; i++) {
        const char *v = json_string_value(json_object_get(version, meta[i]));
        if (v)
            TRY(tree_set_str(it, meta[i], v));
    }
    TRY(tree_set_new(it, "Labels", json_deep_copy(json_object_get(version, "Labels"))));
    TRY(tree_set_new(it, "Policies", json_deep_copy(json_object_get(version, "Policies"))));
done:
    *item = it;
    it = NULL;
out:
    secret_free(plain);
    json_decref(it);
    return rc;
}

cu_rc ssm_select(struct call *call, const json_t *param, const struct ssm_ref *ref,
                 json_t **version)
{
    const json_t *versions = json_object_get(param, "Versions");
    size_t i;
    json_t *v;

    *version = NULL;
    if (ref->bad_selector)
        return cu_err_set(&call->err, CU_E_SSM_NOT_FOUND, "%s", "");
    if (ref->version) {
        *version = ssm_version_by_number(param, ref->version);
        if (!*version)
            return cu_err_set(&call->err, CU_E_SSM_VERSION_NOT_FOUND,
                              "Systems Manager could not find version %lld of %s. Verify the "
                              "version and try again.",
                              (long long)ref->version, ref->name);
        return CU_OK;
    }
    if (ref->label[0]) {
        json_array_foreach((json_t *)versions, i, v)
        {
            if (tree_list_has(json_object_get(v, "Labels"), ref->label)) {
                *version = v;
                return CU_OK;
            }
        }
        return cu_err_set(&call->err, CU_E_SSM_VERSION_NOT_FOUND,
                          "Systems Manager could not find label %s of %s. Verify the label "
                          "and try again.", ref->label, ref->name);
    }
    *version = current(param);
    return CU_OK;
}

/* --- the Secrets Manager reference path (Parameter Store user guide,
 * integration-ps-secretsmanager): GetParameter(s) of /aws/reference/secretsmanager/<id>
 * with WithDecryption true answers the secret's value as a SecureString, Version 0, and the
 * secret's GetSecretValue answer as SourceResult; a selector names a version id or a
 * staging label --- */

/* A Secrets Manager version id (a UUID) rather than a staging label. */
static bool looks_like_version_id(const char *s)
{
    size_t n = strlen(s);

    return n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
}

static cu_rc reference_item(struct call *call, const struct ssm_ref *ref, bool decrypt,
                            json_t **item)
{
    cu_rc rc = CU_OK;
    const char *id = ref->name + strlen(REFERENCE_PREFIX);
    const char *sel = ref->label[0] ? ref->label : NULL;
    json_t *value = json_object(), *it = NULL, *v;
    char arn[SSM_ARN_MAX], *source = NULL;

    ENSURE(value, CU_E_NOMEM);
    /* "you must set WithDecryption to true" to reference a secret (the same page) */
    ENSURE(decrypt, cu_err_set(&call->err, CU_E_VALIDATION,
                               "WithDecryption flag must be True for retrieving a Secret Manager "
                               "secret."));
    ENSURE(!ref->version && !ref->bad_selector, cu_err_set(&call->err, CU_E_SSM_NOT_FOUND, "%s", ""));
    rc = sm_reference_value(call, id, sel && looks_like_version_id(sel) ? sel : NULL,
                            sel && !looks_like_version_id(sel) ? sel : NULL, value);
    if (rc == CU_E_SM_NOT_FOUND) {
        cu_err_clear(&call->err);
        rc = cu_err_set(&call->err, CU_E_SSM_NOT_FOUND, "%s", "");
    }
    TRY(rc);
    /* SourceResult: the whole GetSecretValue answer, as JSON text */
    source = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ENSURE(source, CU_E_NOMEM);
    v = json_object_get(value, "SecretString");
    ssm_arn(call->region, call->env->account_id, ref->name, arn);
    it = json_pack("{s:s, s:s, s:O, s:I, s:s, s:O, s:s, s:s}", "Name", ref->name, "Type",
                   "SecureString", "Value", v ? v : json_object_get(value, "SecretBinary"),
                   "Version", (json_int_t)0, "SourceResult", source, "LastModifiedDate",
                   json_object_get(value, "CreatedDate"), "ARN", arn, "DataType", "text");
    ENSURE(it, CU_E_NOMEM);
    if (sel)
        TRY(tree_set_str(it, "Selector", sel));
    *item = it;
    it = NULL;
out:
    if (source)
        buf_free_sensitive(source, strlen(source));
    json_decref(value);
    json_decref(it);
    return rc;
}

static bool is_reference(const char *name)
{
    return strncmp(name, REFERENCE_PREFIX, strlen(REFERENCE_PREFIX)) == 0 &&
           name[strlen(REFERENCE_PREFIX)] != '\0';
}

/* The item GetParameter(s) answers for one Name (the caller already allowed on it). */
static cu_rc get_one(struct call *call, const char *text, const json_t *param, bool decrypt,
                     json_t **item)
{
    cu_rc rc = CU_OK;
    struct ssm_ref ref;
    json_t *version;
    const char *colon = strchr(text, ':');

    TRY(ssm_ref_parse(bytes_str(text), call->region, call->env->account_id, &ref, &call->err));
    if (is_reference(ref.name)) {
        TRY(reference_item(call, &ref, decrypt, item));
        goto out;
    }
    if (strncmp(ref.name, "arn:", 4) != 0)
        TRY(ssm_name_chars_check(ref.name, &call->err));
    ENSURE(param, cu_err_set(&call->err, CU_E_SSM_NOT_FOUND, "%s", ""));
    TRY(ssm_select(call, param, &ref, &version));
    if (strncmp(text, "arn:", 4) == 0)
        colon = (ref.version || ref.label[0]) ? strrchr(text, ':') : NULL;
    TRY(ssm_version_item(call, param, version, colon, decrypt, false, item));
out:
    return rc;
}

cu_rc ssm_get_parameter(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *item = NULL;

    TRY(get_one(call, in_str(in, "Name"), call->target.doc, in_bool(in, "WithDecryption", false),
                &item));
    TRY(tree_set_new(out, "Parameter", item));
    item = NULL;
out:
    json_decref(item);
    return rc;
}

/* The call's answer to a name GetParameters or DeleteParameters lists: whether it is
 * missing (an error left in call->err that the list reports instead). */
static bool missing(cu_rc rc)
{
    return rc == CU_E_SSM_NOT_FOUND || rc == CU_E_SSM_VERSION_NOT_FOUND;
}

/* The parameter `name`, the i-th of a batch (GetParameters, DeleteParameters), in *param
 * (owned; NULL when there is none): the first is the resolver's, which the pipeline
 * authorized; the handler authorizes `action` on each of the others itself. */
static cu_rc batch_member(struct call *call, size_t i, const char *action, const char *name,
                          json_t **param)
{
    char arn[SSM_ARN_MAX];

    if (i == 0) {
        *param = json_incref(call->target.doc);
        return CU_OK;
    }
    ssm_arn(call->region, call->env->account_id, name, arn);
    if (!ssm_caller_may(call, action, arn))
        return cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                          "User: %s is not authorized to perform: %s on resource: %s",
                          call->principal->arn, action, arn);
    return ssm_find(call, name, param);
}

cu_rc ssm_get_parameters(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *names = in_list(in, "Names");
    bool decrypt = in_bool(in, "WithDecryption", false);
    json_t *found = json_array(), *invalid = json_array(), *item = NULL, *param = NULL, *n;
    struct ssm_ref ref;
    size_t i;

    ENSURE(found && invalid, CU_E_NOMEM);
    json_array_foreach((json_t *)names, i, n)
    {
        const char *text = json_string_value(n);
        cu_rc one;

        TRY(ssm_ref_parse(bytes_str(text), call->region, call->env->account_id, &ref,
                          &call->err));
        TRY(batch_member(call, i, "ssm:GetParameters", ref.name, &param));
        one = get_one(call, text, param, decrypt, &item);
        json_decref(param);
        param = NULL;
        if (missing(one)) {
            cu_err_clear(&call->err);
            TRY(tree_append_new(invalid, json_string(text)));
            continue;
        }
        TRY(one);
        TRY(tree_append_new(found, item));
        item = NULL;
    }
    TRY(tree_set_new(out, "Parameters", json_incref(found)));
    TRY(tree_set_new(out, "InvalidParameters", json_incref(invalid)));
out:
    json_decref(found);
    json_decref(invalid);
    json_decref(item);
    json_decref(param);
    return rc;
}

cu_rc ssm_delete_parameter(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *param;

    (void)in;
    (void)out;
    TRY(ssm_target(call, "", &param));
    TRY(kind_remove(call, &ssm_kind_parameter, NULL, param));
out:
    return rc;
}

cu_rc ssm_delete_parameters(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *deleted = json_array(), *invalid = json_array(), *param = NULL, *n;
    size_t i;

    ENSURE(deleted && invalid, CU_E_NOMEM);
    json_array_foreach((json_t *)in_list(in, "Names"), i, n)
    {
        const char *name = json_string_value(n);

        TRY(batch_member(call, i, "ssm:DeleteParameters", name, &param));
        if (param && strcmp(json_string_value(json_object_get(param, "Name")), name) == 0) {
            TRY(kind_remove(call, &ssm_kind_parameter, NULL, param));
            TRY(tree_append_new(deleted, json_string(name)));
        } else {
            TRY(tree_append_new(invalid, json_string(name)));
        }
        json_decref(param);
        param = NULL;
    }
    TRY(tree_set_new(out, "DeletedParameters", json_incref(deleted)));
    TRY(tree_set_new(out, "InvalidParameters", json_incref(invalid)));
out:
    json_decref(deleted);
    json_decref(invalid);
    json_decref(param);
    return rc;
}
