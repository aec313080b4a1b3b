/* service_credentials.c — service-specific credentials of IAM users:
 * CreateServiceSpecificCredential, ListServiceSpecificCredentials,
 * ResetServiceSpecificCredential, UpdateServiceSpecificCredential,
 * DeleteServiceSpecificCredential.
 *
 * A credential is one "service_credential" record under its user (records.h), keyed by
 * its ServiceSpecificCredentialId ("ACCA..."), for one of the services that take them
 * (API reference: "Amazon Bedrock, CodeCommit and Amazon Keyspaces"). CodeCommit and
 * Keyspaces get a user name "<user>-at-<account>" and a generated password; Bedrock an API
 * key: an alias and a secret, and an expiry when CredentialAgeDays is given. At most 2
 * per user and service (API reference: "a maximum of two sets of service-specific
 * credentials for each supported service per user").
 *
 * The password (or secret) is returned once, by Create or Reset, and stored only as an
 * Argon2id hash (crypto/password.h), SecretHash, which no shape names. A hash rather than
 * a sealed copy: nothing here ever needs the password back — a service checking a
 * presented password needs only the hash — and a hash is no password even to whoever
 * holds both the store and the master key. The model marks ServicePassword and
 * ServiceCredentialSecret sensitive, so neither reaches the log or the trail. */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/password.h"
#include "iam_credentials.h"
#include "iam_ops.gen.h"

#define CREDENTIALS_PER_USER_PER_SERVICE 2
#define PASSWORD_BYTES 32 /* 44 characters of base64, as AWS's */
#define SECRET_BYTES 30
#define SECRET_TEXT_MAX 128 /* password_hash's longest input */
#define DAY_MS (86400LL * 1000)

/* The services that take them; Bedrock's are API keys (alias + secret). */
static const struct {
    const char *name;
    bool api_key;
} SERVICES[] = {
    {"codecommit.amazonaws.com", false},
    {"cassandra.amazonaws.com", false},
    {"bedrock.amazonaws.com", true},
};

/* ListServiceSpecificCredentials has no botocore paginator, but its Marker and MaxItems
 * are IAM's usual ones (model: maxItemsType, markerType): the same paging, by hand. */
static const struct page_desc list_page = {
    .op = "ListServiceSpecificCredentials", .input_token = "Marker",
    .limit_key = "MaxItems", .output_token = "Marker",
    .more_results = "IsTruncated", .result_key = "ServiceSpecificCredentials",
    .limit_default = 100, .limit_max = 1000,
    .bad_marker = CU_E_VALIDATION, .bad_marker_message = "Invalid Marker."};

/* The service's row, or NotSupportedService. */
static cu_rc service_of(struct call *call, const char *name, size_t *row)
{
    for (size_t i = 0; name && i < ARRAY_LEN(SERVICES); i++) {
        if (strcmp(SERVICES[i].name, name) == 0) {
            *row = i;
            return CU_OK;
        }
    }
    return cu_err_set(&call->err, CU_E_IAM_SERVICE_NOT_SUPPORTED,
                      "The specified service does not support service-specific credentials: "
                      "%s", name ? name : "");
}

static cu_rc cred_owner(struct call *call, const json_t *in, const char **owner)
{
    cu_rc rc = CU_OK;

    TRY(iam_credential_owner(call, in, owner));
    ENSURE(*owner, cu_err_set(&call->err, CU_E_VALIDATION,
                              "The root user has no service-specific credentials: name an IAM "
                              "user."));
out:
    return rc;
}

struct per_service {
    const char *service;
    size_t n;
};

static cu_rc count_service(const char *key, const json_t *doc, void *ctx)
{
    struct per_service *p = ctx;
    const char *s = json_string_value(json_object_get(doc, "ServiceName"));

    (void)key;
    if (s && strcmp(s, p->service) == 0)
        p->n++;
    return CU_OK;
}

/* A fresh secret for the record: its text into out (SECRET_TEXT_MAX + 1 bytes: the
 * caller wipes it), its hash into the record. A password for a user name, else an API
 * key: "ABSK" and the base64 of "<alias>:<random>". */
static cu_rc new_secret(json_t *doc, bool api_key, char out[SECRET_TEXT_MAX + 1])
{
    cu_rc rc = CU_OK;
    uint8_t r[PASSWORD_BYTES];
    char raw[SECRET_TEXT_MAX + 1] = "";
    char hash[PASSWORD_HASH_MAX];
    const char *alias = json_string_value(json_object_get(doc, "ServiceCredentialAlias"));
    size_t n;

    TRY(rand_bytes(r, sizeof(r)));
    if (!api_key) {
        b64_encode_to(bytes_of(r, PASSWORD_BYTES), out);
    } else {
        ENSURE(alias, CU_E_STORE);
        n = (size_t)snprintf(raw, sizeof(raw), "%s:", alias);
        ENSURE(n + B64_ENCODED_LEN(SECRET_BYTES) < sizeof(raw), CU_E_INTERNAL);
        b64_encode_to(bytes_of(r, SECRET_BYTES), raw + n);
        n = strlen(raw);
        ENSURE(4 + B64_ENCODED_LEN(n) <= SECRET_TEXT_MAX, CU_E_INTERNAL);
        memcpy(out, "ABSK", 4);
        b64_encode_to(bytes_of(raw, n), out + 4);
    }
    TRY(password_hash(bytes_str(out), hash));
    TRY(tree_set_str(doc, "SecretHash", hash));
out:
    secret_wipe(r, sizeof(r));
    secret_wipe(raw, sizeof(raw));
    secret_wipe(hash, sizeof(hash));
    return rc;
}

/* Status as reported: a credential past its ExpirationDate is Expired. */
static cu_rc credential_view(struct call *call, const json_t *doc, const struct shape *shape,
                             json_t **item)
{
    cu_rc rc = CU_OK;
    const json_t *expires = json_object_get(doc, "ExpirationDate");

    TRY(render_record(doc, shape, item));
    if (json_is_integer(expires) && json_integer_value(expires) <= call->now_ms)
        TRY(tree_set_str(*item, "Status", "Expired"));
out:
    return rc;
}

/* The response of Create and Reset: the credential, with its secret in the clear (the
 * one place it ever is). */
static cu_rc reply_with_secret(struct call *call, const char *op, const json_t *doc,
                               bool api_key, const char *secret, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *item = NULL;

    TRY(credential_view(call, doc, model_output_shape("iam", op, "ServiceSpecificCredential"),
                        &item));
    TRY(tree_set_str(item, api_key ? "ServiceCredentialSecret" : "ServicePassword", secret));
    TRY(tree_set_new(out, "ServiceSpecificCredential", item));
    item = NULL;
out:
    json_decref(item);
    return rc;
}

/* Bedrock's alias: "BedrockAPIKey-<4 characters>-at-<account>". */
static cu_rc api_key_alias(struct call *call, json_t *doc)
{
    cu_rc rc = CU_OK;
    char id[IDS_ACCESS_KEY_ID_LEN + 1], alias[64];

    TRY(ids_access_key_id("XXXX", id));
    snprintf(alias, sizeof(alias), "BedrockAPIKey-%.4s-at-%s", id + 4, call->env->account_id);
    TRY(tree_set_str(doc, "ServiceCredentialAlias", alias));
out:
    return rc;
}

cu_rc iam_create_service_specific_credential(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL, *service = in_str(in, "ServiceName");
    char id[IDS_UNIQUE_ID_LEN + 1], scope[RECORD_NAME_MAX], login[RECORD_NAME_MAX + 32];
    char secret[SECRET_TEXT_MAX + 1] = "";
    struct per_service same = {service, 0};
    json_t *doc = json_object();
    int64_t days = in_int(in, "CredentialAgeDays", 0);
    size_t row = 0;

    ENSURE(doc, CU_E_NOMEM);
    TRY(cred_owner(call, in, &owner));
    TRY(service_of(call, service, &row));
    ENSURE(days == 0 || SERVICES[row].api_key,
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "CredentialAgeDays is only valid for services that support long-term "
                      "API keys."));
    record_user_scope(call->env->account_id, owner, scope);
    TRY(store_each(call->tx, RECORD_SERVICE_CREDENTIAL, scope, count_service, &same));
    ENSURE(same.n < CREDENTIALS_PER_USER_PER_SERVICE,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d",
                      CREDENTIALS_PER_USER_PER_SERVICE));
    TRY(ids_unique("ACCA", id));
    TRY(tree_set_str(doc, "UserName", owner));
    TRY(tree_set_str(doc, "ServiceName", service));
    TRY(tree_set_str(doc, "ServiceSpecificCredentialId", id));
    TRY(tree_set_str(doc, "Status", "Active"));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    if (days > 0)
        TRY(tree_set_int(doc, "ExpirationDate", call->now_ms / 1000 * 1000 + days * DAY_MS));
    if (SERVICES[row].api_key) {
        TRY(api_key_alias(call, doc));
    } else {
        /* AWS forms it from the user's name and the account (CodeCommit's
         * "<user>-at-<account id>") */
        snprintf(login, sizeof(login), "%s-at-%s", owner, call->env->account_id);
        TRY(tree_set_str(doc, "ServiceUserName", login));
    }
    TRY(new_secret(doc, SERVICES[row].api_key, secret));
    TRY(kind_create(call, &iam_kind_service_credential, owner, doc));
    TRY(reply_with_secret(call, "CreateServiceSpecificCredential", doc, SERVICES[row].api_key,
                          secret, out));
out:
    secret_wipe(secret, sizeof(secret));
    json_decref(doc);
    return rc;
}

cu_rc iam_reset_service_specific_credential(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;
    char secret[SECRET_TEXT_MAX + 1] = "";
    json_t *doc = NULL;
    size_t row = 0;

    TRY(cred_owner(call, in, &owner));
    TRY(kind_load(call, &iam_kind_service_credential, owner,
                  in_str(in, "ServiceSpecificCredentialId"), &doc));
    TRY(service_of(call, json_string_value(json_object_get(doc, "ServiceName")), &row));
    TRY(new_secret(doc, SERVICES[row].api_key, secret));
    TRY(kind_update(call, &iam_kind_service_credential, owner, doc));
    TRY(reply_with_secret(call, "ResetServiceSpecificCredential", doc, SERVICES[row].api_key,
                          secret, out));
out:
    secret_wipe(secret, sizeof(secret));
    json_decref(doc);
    return rc;
}

struct listing {
    struct call *call;
    const char *service; /* ServiceName filter, or NULL */
    const struct shape *item;
    json_t *items;
};

static cu_rc list_one(const char *key, const json_t *doc, void *ctx)
{
    cu_rc rc = CU_OK;
    struct listing *l = ctx;
    const char *s = json_string_value(json_object_get(doc, "ServiceName"));
    json_t *item = NULL;

    (void)key;
    if (l->service && (!s || strcmp(s, l->service) != 0))
        goto out;
    TRY(credential_view(l->call, doc, l->item, &item));
    TRY(tree_append_new(l->items, item));
    item = NULL;
out:
    json_decref(item);
    return rc;
}

/* AllUsers: every user's credentials, user by user (each user's scope in turn). */
static cu_rc list_user(const char *key, const json_t *doc, void *ctx)
{
    struct listing *l = ctx;
    const char *name = json_string_value(json_object_get(doc, "UserName"));
    char scope[RECORD_NAME_MAX];

    (void)key;
    if (!name)
        return CU_E_STORE;
    record_user_scope(l->call->env->account_id, name, scope);
    return store_each(l->call->tx, RECORD_SERVICE_CREDENTIAL, scope, list_one, l);
}

cu_rc iam_list_service_specific_credentials(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};
    struct listing l = {call, in_str(in, "ServiceName"), NULL, json_array()};
    size_t first = 0, i, row = 0;

    ENSURE(l.items, CU_E_NOMEM);
    l.item = model_list_element(model_output_shape("iam", list_page.op, list_page.result_key));
    if (l.service)
        TRY(service_of(call, l.service, &row));
    TRY(page_begin(call, &list_page, in, &page));
    TRY(page_first_index(call, &page, &first));
    if (in_bool(in, "AllUsers", false)) {
        TRY(store_each(call->tx, RECORD_USER, call->env->account_id, list_user, &l));
    } else {
        TRY(iam_credential_owner(call, in, &owner));
        /* root names no user of its own: none */
        if (owner) {
            record_user_scope(call->env->account_id, owner, scope);
            TRY(store_each(call->tx, RECORD_SERVICE_CREDENTIAL, scope, list_one, &l));
        }
    }
    for (i = first; i < json_array_size(l.items) && !page_full(&page); i++)
        TRY(page_add_index(&page, i, json_incref(json_array_get(l.items, i))));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    json_decref(l.items);
    return rc;
}

cu_rc iam_update_service_specific_credential(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL, *status = NULL;
    json_t *doc = NULL;

    (void)out;
    TRY(cred_owner(call, in, &owner));
    TRY(iam_credential_status(call, in, &status));
    TRY(kind_load(call, &iam_kind_service_credential, owner,
                  in_str(in, "ServiceSpecificCredentialId"), &doc));
    TRY(tree_set_str(doc, "Status", status));
    TRY(kind_update(call, &iam_kind_service_credential, owner, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_service_specific_credential(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;

    (void)out;
    TRY(cred_owner(call, in, &owner));
    TRY(kind_delete(call, &iam_kind_service_credential, owner,
                    in_str(in, "ServiceSpecificCredentialId")));
out:
    return rc;
}
