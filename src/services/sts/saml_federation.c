/* saml_federation.c — STS AssumeRoleWithSAML (STS API reference; IAM guide,
 * id_roles_providers_saml and id_roles_providers_create_saml_assertions). Sent unsigned, so
 * this handler is the whole of authentication and authorization:
 *   provider   PrincipalArn names an IAM SAML provider of this account, not expired;
 *   assertion  its signature verifies under the provider's signing certificates, its Issuer
 *              is the provider's entityID, it is valid now and addressed to AWS
 *              (auth/saml_response.c) — from here the caller is a SAMLUser for the trail;
 *   role       the Role attribute pairs RoleArn with PrincipalArn, and the role's trust
 *              policy allows sts:AssumeRoleWithSAML to the provider (POLICY_PRINCIPAL_PROVIDER)
 *              with the saml:* keys (saml_keys.c) and aws:* request keys;
 *   session    duration, tags, source identity and session policies as AssumeRole
 *              (role_session.c, sts_role_session.h), from the request and the assertion's attributes. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/codec.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/master_key.h"
#include "auth/saml_decrypt.h"
#include "sts_role_session.h"
#include "saml_federation.h"
#include "services/in.h"
#include "store/records.h"
#include "store/store.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"

#define ATTR "https://aws.amazon.com/SAML/Attributes/"
#define ATTR_PRINCIPAL_TAG ATTR "PrincipalTag:"
#define SESSION_DURATION_MIN 900
#define SESSION_DURATION_MAX 43200
#define CERTS_MAX 8
#define ATTR_VALUES_MAX 256
#define PROVIDER_NAME_MAX 129
#define PRIVATE_KEYS_MAX 2 /* a provider holds at most two (IAM's saml_providers.c) */
#define SEALED_KEY_MAX 65536

static const char not_authorized[] = "Not authorized to perform sts:AssumeRoleWithSAML";

/* The account and name of arn:aws:iam::<account>:saml-provider/<name>. */
static bool provider_arn_parts(const char *arn, char account[13], char name[PROVIDER_NAME_MAX])
{
    static const char prefix[] = "arn:aws:iam::", kind[] = ":saml-provider/";
    const char *acct = arn + strlen(prefix);

    if (strncmp(arn, prefix, strlen(prefix)) != 0 || strlen(acct) <= 12 + strlen(kind) ||
        strncmp(acct + 12, kind, strlen(kind)) != 0 ||
        strlen(acct + 12 + strlen(kind)) >= PROVIDER_NAME_MAX)
        return false;
    memcpy(account, acct, 12);
    account[12] = '\0';
    snprintf(name, PROVIDER_NAME_MAX, "%s", acct + 12 + strlen(kind));
    return true;
}

/* The provider record (owned, into *out) with its signing certificates; a missing or
 * expired one is InvalidIdentityToken. */
static cu_rc load_provider(struct call *call, const char *arn, json_t **out, char *name)
{
    cu_rc rc = CU_OK;
    char account[13];
    int64_t until;

    *out = NULL;
    ENSURE(provider_arn_parts(arn, account, name) && strcmp(account, call->env->account_id) == 0,
           cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "Specified provider doesn't exist"));
    TRY(store_get(call->tx, RECORD_SAML_PROVIDER, account, name, out));
    ENSURE(*out, cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                            "Specified provider doesn't exist"));
    until = json_integer_value(json_object_get(*out, "ValidUntil"));
    ENSURE(!until || call->now_ms < until, cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                                                      "Specified provider has expired"));
out:
    return rc;
}

/* The provider's private keys (AddPrivateKey), opened from their sealed form (sealed
 * under the master key with "<provider ARN>/<KeyId>" as AAD, saml_providers.c) into
 * opened[] (secrets: the caller frees them, wiped) and viewed by keys->pems; keys->required
 * when its AssertionEncryptionMode is Required. A key that no longer opens is left out
 * (nothing of it is logged): an assertion encrypted to it then fails to decrypt. */
static cu_rc provider_keys(struct call *call, const json_t *rec, struct secret **opened,
                           struct bytes *pems, struct saml_private_keys *keys)
{
    cu_rc rc = CU_OK;
    const json_t *list = json_object_get(rec, "PrivateKeyList"), *k;
    const char *arn = json_string_value(json_object_get(rec, "Arn"));
    const char *mode = json_string_value(json_object_get(rec, "AssertionEncryptionMode"));
    char aad[2048 + 70];
    struct buf sealed;
    size_t i;

    buf_init(&sealed, SEALED_KEY_MAX);
    *keys = (struct saml_private_keys){pems, 0, mode && strcmp(mode, "Required") == 0};
    json_array_foreach((json_t *)list, i, k)
    {
        const char *id = json_string_value(json_object_get(k, "KeyId"));
        const char *text = json_string_value(json_object_get(k, "SealedKey"));
        if (!arn || !id || !text || keys->n >= PRIVATE_KEYS_MAX)
            continue;
        buf_reset(&sealed);
        snprintf(aad, sizeof(aad), "%s/%s", arn, id);
        if (b64_decode(bytes_str(text), &sealed) != CU_OK ||
            master_key_open(call->env->master_key, buf_bytes(&sealed), bytes_str(aad),
                            &opened[keys->n]) != CU_OK)
            continue;
        pems[keys->n] = bytes_of(opened[keys->n]->p, opened[keys->n]->n);
        keys->n++;
    }
    buf_release(&sealed);
    return rc;
}

/* NameQualifier: BASE64(SHA1(Issuer + account id + "/" + provider name)) (STS API
 * reference, AssumeRoleWithSAML, NameQualifier's pseudocode). */
static cu_rc name_qualifier(const char *issuer, const char *account, const char *provider,
                            char out[29])
{
    uint8_t md[20];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
              EVP_DigestUpdate(ctx, issuer, strlen(issuer)) &&
              EVP_DigestUpdate(ctx, account, strlen(account)) && EVP_DigestUpdate(ctx, "/", 1) &&
              EVP_DigestUpdate(ctx, provider, strlen(provider)) &&
              EVP_DigestFinal_ex(ctx, md, &n) && n == sizeof(md);

    EVP_MD_CTX_free(ctx);
    if (!ok)
        return CU_E_INTERNAL;
    b64_encode_to(bytes_of(md, sizeof(md)), out);
    return CU_OK;
}

/* Whether one Role value ("role ARN,provider ARN" in either order, spaces around the
 * comma allowed) pairs role with provider. */
static bool role_pair_matches(const char *value, const char *role, const char *provider)
{
    const char *comma = strchr(value, ',');
    char first[2048], second[2048];
    size_t a, b;

    if (!comma || strchr(comma + 1, ','))
        return false;
    a = (size_t)(comma - value);
    while (a && value[a - 1] == ' ')
        a--;
    comma++;
    while (*comma == ' ')
        comma++;
    b = strlen(comma);
    while (b && comma[b - 1] == ' ')
        b--;
    while (*value == ' ')
        value++, a--;
    if (a >= sizeof(first) || b >= sizeof(second))
        return false;
    snprintf(first, sizeof(first), "%.*s", (int)a, value);
    snprintf(second, sizeof(second), "%.*s", (int)b, comma);
    return (strcmp(first, role) == 0 && strcmp(second, provider) == 0) ||
           (strcmp(first, provider) == 0 && strcmp(second, role) == 0);
}

static bool role_listed(const struct saml_assertion *a, const char *role, const char *provider)
{
    const json_t *values = json_object_get(a->attributes, ATTR "Role");
    size_t i;
    json_t *v;

    json_array_foreach((json_t *)values, i,
                       v) if (role_pair_matches(json_string_value(v), role, provider)) return true;
    return false;
}

/* RoleSessionName: 2-64 characters of [\w+=,.@-] (IAM guide,
 * id_roles_providers_create_saml_assertions: the attribute is required). */
static bool session_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 2 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("_+=,.@-", s[i])))
            return false;
    return true;
}

/* The session's request in AssumeRole's shape: Policy, PolicyArns and DurationSeconds from
 * the request; Tags from the PrincipalTag:<key> attributes, TransitiveTagKeys and
 * SourceIdentity from theirs (IAM guide, id_session-tags, "Passing session tags using
 * SAML"; id_credentials_temp_control-access_monitor). */
static cu_rc session_request(const json_t *in, const struct saml_assertion *a, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *req = json_object(), *tags = json_array(), *keys = json_array(), *v;
    const char *name, *source = saml_assertion_attr(a, ATTR "SourceIdentity");
    const json_t *values;
    size_t i;

    ENSURE(req && tags && keys, CU_E_NOMEM);
    for (const char *m = "Policy\0PolicyArns\0DurationSeconds\0"; *m; m += strlen(m) + 1)
        if (json_object_get(in, m))
            ENSURE(json_object_set(req, m, json_object_get(in, m)) == 0, CU_E_NOMEM);
    json_object_foreach((json_t *)a->attributes, name, v)
    {
        const char *value = json_string_value(json_array_get(v, 0));
        if (strncmp(name, ATTR_PRINCIPAL_TAG, strlen(ATTR_PRINCIPAL_TAG)) != 0 || !value)
            continue;
        TRY(tree_append_new(tags, json_pack("{s:s, s:s}", "Key", name + strlen(ATTR_PRINCIPAL_TAG),
                                            "Value", value)));
    }
    values = json_object_get(a->attributes, ATTR "TransitiveTagKeys");
    json_array_foreach((json_t *)values, i, v) TRY(tree_append_new(keys, json_copy(v)));
    if (json_array_size(tags))
        TRY(tree_set_new(req, "Tags", json_incref(tags)));
    if (json_array_size(keys))
        TRY(tree_set_new(req, "TransitiveTagKeys", json_incref(keys)));
    if (source)
        TRY(tree_set_str(req, "SourceIdentity", source));
    *out = req;
    req = NULL;
out:
    json_decref(req);
    json_decref(tags);
    json_decref(keys);
    return rc;
}

/* The duration: DurationSeconds (checked as AssumeRole checks it), else the
 * SessionDuration attribute, else an hour; never past the assertion's SessionDuration nor
 * its SessionNotOnOrAfter (STS API reference, AssumeRoleWithSAML DurationSeconds: "or until
 * the time specified in the SAML authentication response's SessionNotOnOrAfter value,
 * whichever is shorter"; IAM guide: SessionDuration 900-43200). */
static cu_rc session_duration(struct call *call, const json_t *req, const json_t *role,
                              const struct saml_assertion *a, int64_t *out)
{
    cu_rc rc = CU_OK;
    const char *attr = saml_assertion_attr(a, ATTR "SessionDuration");
    int64_t max = json_integer_value(json_object_get(role, "MaxSessionDuration"));
    char *end = NULL;
    long long asked = 0;

    TRY(sts_session_duration(call, req, role, false, out));
    if (attr) {
        asked = strtoll(attr, &end, 10);
        ENSURE(end && !*end && asked >= SESSION_DURATION_MIN && asked <= SESSION_DURATION_MAX,
               cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                          "SessionDuration must be between 900 and 43200 seconds"));
        if (!json_object_get(req, "DurationSeconds"))
            *out = asked > (max ? max : 3600) ? (max ? max : 3600) : asked;
        else if (asked < *out)
            *out = asked;
    }
    if (a->session_not_on_or_after_s && a->session_not_on_or_after_s - call->now_ms / 1000 < *out)
        *out = a->session_not_on_or_after_s - call->now_ms / 1000;
    ENSURE(*out > 0, cu_err_set(&call->err, CU_E_STS_EXPIRED_TOKEN, "Response has expired"));
out:
    return rc;
}

/* The caller for the trail, once the assertion is authentic: CloudTrail's SAMLUser, its
 * principalId "<NameQualifier>:<Subject>" and userName the Subject. */
static void fill_caller(struct call *call, const char *qualifier, const char *subject,
                        const char *provider_arn)
{
    struct principal *c = call->caller;

    if (!c)
        return;
    c->type = PRINCIPAL_SAML_USER;
    snprintf(c->account_id, sizeof(c->account_id), "%s", call->env->account_id);
    snprintf(c->user_id, sizeof(c->user_id), "%s:%.*s", qualifier,
             (int)(sizeof(c->user_id) - strlen(qualifier) - 2), subject);
    snprintf(c->name, sizeof(c->name), "%.*s", (int)sizeof(c->name) - 1, subject);
    snprintf(c->arn, sizeof(c->arn), "%s", provider_arn);
    call->caller_identified = true;
}

/* aws:* request keys of an unsigned request (what authorize.c adds for signed ones that
 * still apply: no principal keys, the provider is no IAM principal). */
static void request_keys(struct call *call, char now_iso[21], char epoch[24])
{
    clock_iso8601(call->now_ms / 1000, now_iso);
    snprintf(epoch, 24, "%lld", (long long)(call->now_ms / 1000));
    call_keys_add(call->keys, "aws:SourceIp", call->source_ip);
    call_keys_add(call->keys, "aws:SecureTransport", call->secure_transport ? "true" : "false");
    call_keys_add(call->keys, "aws:RequestedRegion", call->region);
    call_keys_add(call->keys, "aws:CurrentTime", now_iso);
    call_keys_add(call->keys, "aws:EpochTime", epoch);
    call_keys_add(call->keys, "aws:UserAgent", call->user_agent);
}

static cu_rc reply(json_t *out, const struct saml_assertion *a, const char *subject_type,
                   const char *qualifier)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_str(out, "Subject", a->subject));
    TRY(tree_set_str(out, "SubjectType", subject_type));
    TRY(tree_set_str(out, "Issuer", a->issuer));
    /* Audience is the Recipient of SubjectConfirmationData (STS API reference) */
    TRY(tree_set_str(out, "Audience", a->recipient));
    TRY(tree_set_str(out, "NameQualifier", qualifier));
out:
    return rc;
}

/* The role session itself, as AssumeRole makes it (claims, credentials, AssumedRoleUser). */
static cu_rc issue(struct call *call, const json_t *req, const struct saml_assertion *a,
                   const char *session, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role = call->target.doc;
    const char *role_arn = json_string_value(json_object_get(role, "Arn"));
    struct session_claims *claims = calloc(1, sizeof(*claims));
    int64_t duration = 0, percent = 0;

    ENSURE(claims, CU_E_NOMEM);
    ENSURE(role_arn, CU_E_STORE);
    TRY(session_duration(call, req, role, a, &duration));
    TRY(sts_session_tags_take(call, req, role_arn, claims));
    TRY(sts_session_policies(call, req, claims, &percent));
    TRY(sts_session_source_identity_take(call, req, role_arn, claims));
    TRY(sts_role_session_issue(call, session, claims, duration, percent, out));
out:
    free(claims);
    return rc;
}

cu_rc sts_assume_role_with_saml(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *role_arn = in_str_or(in, "RoleArn", ""),
               *provider_arn = in_str_or(in, "PrincipalArn", "");
    const char *certs[CERTS_MAX], *session, *scratch[ATTR_VALUES_MAX];
    char provider[PROVIDER_NAME_MAX], qualifier[29], subject_type[SAML_SUBJECT_TYPE_MAX];
    char doc[13 + PROVIDER_NAME_MAX + 1], now_iso[21], epoch[24];
    json_t *rec = NULL, *req = NULL;
    const json_t *list;
    struct saml_assertion a = {0};
    struct call_authz authz = {0};
    struct policy_context ctx;
    struct policy_result result;
    size_t n_certs = 0;
    struct secret *opened[PRIVATE_KEYS_MAX] = {NULL};
    struct bytes pems[PRIVATE_KEYS_MAX];
    struct saml_private_keys keys;

    TRY(load_provider(call, provider_arn, &rec, provider));
    list = json_object_get(rec, "SigningCertificates");
    for (size_t i = 0; i < json_array_size(list) && n_certs < CERTS_MAX; i++)
        certs[n_certs++] = json_string_value(json_array_get(list, i));
    TRY(provider_keys(call, rec, opened, pems, &keys));
    rc = saml_response_decode_keys(bytes_str(in_str_or(in, "SAMLAssertion", "")), certs,
                                   n_certs, &keys, &a, &call->err);
    for (size_t i = 0; i < PRIVATE_KEYS_MAX; i++)
        secret_free(opened[i]); /* wiped: the keys serve this one decryption */
    TRY(rc);
    /* the assertion must come from this provider: its Issuer is the metadata's entityID */
    ENSURE(strcmp(a.issuer, json_string_value(json_object_get(rec, "EntityId")) ?: "") == 0,
           cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "Issuer not present in specified provider"));
    TRY(saml_assertion_check(&a, call->now_ms / 1000, &call->err));
    TRY(name_qualifier(a.issuer, call->env->account_id, provider, qualifier));
    saml_subject_type(a.subject_format, subject_type);
    fill_caller(call, qualifier, a.subject, provider_arn);
    ENSURE(role_listed(&a, role_arn, provider_arn),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED, "%s", not_authorized));
    session = saml_assertion_attr(&a, ATTR "RoleSessionName");
    ENSURE(session_name_ok(session),
           cu_err_set(&call->err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                      "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"));
    TRY(sts_role_resolve(call, in));
    ENSURE(call->target.doc, cu_err_set(&call->err, CU_E_ACCESS_DENIED, "%s", not_authorized));
    /* the trust policy decides, with the provider as the principal and the assertion's
     * keys; sts:TagSession and sts:SetSourceIdentity later ask the same (call->authz) */
    snprintf(doc, sizeof(doc), "%s/%s", call->env->account_id, provider);
    saml_keys_add(call->keys, &a, doc, qualifier, subject_type, scratch, ATTR_VALUES_MAX);
    request_keys(call, now_iso, epoch);
    TRY(session_request(in, &a, &req));
    call_keys_request_tags(call->keys, in_list(req, "Tags"));
    ctx = (struct policy_context){call->keys->entries, call->keys->n};
    authz.req = (struct policy_request){.action = "sts:AssumeRoleWithSAML",
                                        .resource = role_arn,
                                        .principal_arn = provider_arn,
                                        .principal_account = call->env->account_id,
                                        .principal_type = POLICY_PRINCIPAL_PROVIDER,
                                        .resource_account = call->target.account_id,
                                        .context = &ctx,
                                        .now_s = call->now_ms / 1000};
    authz.set.resource = call->target.resource_policy;
    call->authz = &authz;
    policy_evaluate(&authz.set, &authz.req, &result);
    ENSURE(result.decision == POLICY_ALLOWED,
           cu_err_set(&call->err, CU_E_ACCESS_DENIED, "%s", not_authorized));
    TRY(issue(call, req, &a, session, out));
    TRY(reply(out, &a, subject_type, qualifier));
out:
    call->authz = NULL;
    json_decref(req);
    json_decref(rec);
    saml_assertion_release(&a);
    return rc;
}
