/* role_session.c — the parts of a role session every AssumeRole* operation shares
 * (sts_role_session.h): the role and its trust policy, DurationSeconds, session policies
 * and their packed size, and the issuing of the session with its AssumedRoleUser and the
 * role's RoleLastUsed. Who may assume the role is each operation's own (the pipeline's
 * authorization for AssumeRole, the token's provider for AssumeRoleWithWebIdentity). */
#include <stdio.h>
#include <string.h>

#include "auth/session_policy.h"
#include "core/tree.h"
#include "core/uri.h"
#include "policy/policy.h"
#include "services/in.h"
#include "store/records.h"
#include "store/store.h"
#include "sts_role_session.h"

#define DURATION_DEFAULT_S 3600
#define DURATION_CHAINED_MAX_S 3600 /* role chaining: one hour at most */
/* How often RoleLastUsed is rewritten. AWS reports it late too (IAM API reference, Role
 * LastUsed: "Activity is only reported for the trailing 400 days", tracked with a delay
 * of hours), so a role assumed constantly costs one role write per interval, not one per
 * AssumeRole. Writing it here, in AssumeRole's own transaction (a write already), needs no
 * writer off the request path; each write evicts the identity cache's sets as any role
 * change does. */
#define LAST_USED_INTERVAL_MS (5 * 60 * 1000)

static void unpin_policy(void *pin)
{
    policy_free(pin);
}

/* The account and name of arn:aws:iam::<account>:role/<path><name>; false if it is not
 * a role ARN. */
static bool role_arn_parts(const char *arn, char account[13], char name[RECORD_NAME_MAX])
{
    static const char prefix[] = "arn:aws:iam::";
    const char *acct = arn + strlen(prefix), *last;

    if (strncmp(arn, prefix, strlen(prefix)) != 0 || strlen(acct) < 18 ||
        strncmp(acct + 12, ":role/", 6) != 0)
        return false;
    memcpy(account, acct, 12);
    account[12] = '\0';
    last = strrchr(acct, '/');
    if (!last[1] || strlen(last + 1) >= RECORD_NAME_MAX)
        return false;
    record_fold(last + 1, name);
    return true;
}

cu_rc sts_role_resolve(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *arn = in_str_or(in, "RoleArn", ""), *stored, *encoded;
    char account[13], key[RECORD_NAME_MAX];
    struct buf trust;
    struct policy *compiled = NULL;
    struct cu_err why = {0};

    buf_init(&trust, BUF_NO_LIMIT);
    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn);
    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s", call->env->account_id);
    if (!role_arn_parts(arn, account, key))
        goto out;
    snprintf(call->target.account_id, sizeof(call->target.account_id), "%s", account);
    TRY(store_get(call->tx, RECORD_ROLE, account, key, &call->target.doc));
    stored = json_string_value(json_object_get(call->target.doc, "Arn"));
    /* the ARN must be the role's own, path included */
    if (!stored || strcmp(stored, arn) != 0) {
        json_decref(call->target.doc);
        call->target.doc = NULL;
        goto out;
    }
    encoded = json_string_value(json_object_get(call->target.doc, "AssumeRolePolicyDocument"));
    ENSURE(encoded, CU_E_STORE);
    TRY(uri_decode(bytes_str(encoded), false, &trust));
    /* accepted by this compiler when it was set; if it no longer compiles, nobody is
     * trusted rather than everybody */
    ENSURE(policy_compile(buf_bytes(&trust), POLICY_TRUST, "trust-policy", &compiled, &why) ==
               CU_OK,
           CU_E_STORE);
    call->target.resource_policy = compiled;
    call->target.pin = compiled;
    call->target.unpin = unpin_policy;
    call_keys_resource_tags(call->keys, json_object_get(call->target.doc, "Tags"));
out:
    buf_release(&trust);
    return rc;
}

cu_rc sts_session_tags_too_large(struct call *call)
{
    return cu_err_set(&call->err, CU_E_STS_PACKED_POLICY_TOO_LARGE,
                      "Packed size of session policies and session tags consumes more than "
                      "100%% of allotted space.");
}

/* Append "key\tvalue\n" to tags and, when transitive, "key\n" to keys. */
cu_rc sts_session_tag_add(struct call *call, struct buf *tags, struct buf *keys, const char *key,
                     const char *value, bool transitive)
{
    if (buf_addstrs(tags, key, "\t", value, "\n", NULL) != CU_OK ||
        (transitive && buf_addstrs(keys, key, "\n", NULL) != CU_OK))
        return sts_session_tags_too_large(call);
    return CU_OK;
}

/* DurationSeconds within the role's MaxSessionDuration, and within an hour when a role
 * session assumes a role (STS API reference, AssumeRole, DurationSeconds). */
cu_rc sts_session_duration(struct call *call, const json_t *in, const json_t *role, bool chained,
                           int64_t *out)
{
    cu_rc rc = CU_OK;
    int64_t max = json_integer_value(json_object_get(role, "MaxSessionDuration"));

    *out = in_int(in, "DurationSeconds", DURATION_DEFAULT_S);
    ENSURE(!(chained && *out > DURATION_CHAINED_MAX_S),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                      "assumed by role chaining."));
    ENSURE(*out <= (max ? max : DURATION_DEFAULT_S),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                      "this role."));
out:
    return rc;
}

/* The session policies' share of the packed limit, in percent, rounded up. AWS packs
 * session policies and tags into a compressed binary form whose limit it does not
 * publish; custos counts what AWS states the plain-text limit in: "The plaintext that you
 * use for both inline and managed session policies can't exceed 2,048 characters" (STS
 * API reference, AssumeRole), i.e. the inline policy's characters without whitespace
 * outside strings (IAM's quota count), each PolicyArn's characters and each session tag's
 * key and value (with a separator each), against 2,048. */
static int64_t packed_percent(const char *policy, const char *arns, const char *tags)
{
    size_t n = policy_size_without_whitespace(bytes_str(policy)) + strlen(arns) + strlen(tags);

    return (int64_t)((n * 100 + POLICY_QUOTA_SESSION - 1) / POLICY_QUOTA_SESSION);
}

/* The session policies of the request into claims (inline text, ARNs '\n'-joined),
 * checked by compiling them as the session will (auth/session_policy.h). */
cu_rc sts_session_policies(struct call *call, const json_t *in, struct session_claims *claims,
                           int64_t *percent)
{
    cu_rc rc = CU_OK;
    const char *policy = in_str_or(in, "Policy", "");
    const json_t *arns = in_list(in, "PolicyArns"), *item;
    struct policy *compiled = NULL;
    struct buf joined;
    size_t i;

    buf_init(&joined, sizeof(claims->policy_arns) - 1);
    json_array_foreach((json_t *)arns, i, item)
    {
        const char *arn = json_string_value(json_object_get(item, "arn"));
        ENSURE(arn && !strchr(arn, '\n'),
               cu_err_set(&call->err, CU_E_VALIDATION, "PolicyArns: each needs an arn"));
        if (joined.n)
            TRY(buf_addch(&joined, '\n'));
        ENSURE(buf_addstr(&joined, arn) == CU_OK,
               cu_err_set(&call->err, CU_E_STS_PACKED_POLICY_TOO_LARGE,
                          "Packed size of session policies consumes more than 100%% of "
                          "allotted space."));
    }
    *percent = packed_percent(policy, joined.n ? joined.p : "", claims->session_tags);
    ENSURE(*percent <= 100,
           cu_err_set(&call->err, CU_E_STS_PACKED_POLICY_TOO_LARGE,
                      "Packed size of session policies and session tags consumes %lld%% of "
                      "allotted space.",
                      (long long)*percent));
    ENSURE(strlen(policy) < sizeof(claims->session_policy),
           cu_err_set(&call->err, CU_E_STS_PACKED_POLICY_TOO_LARGE,
                      "Packed size of session policies consumes more than 100%% of allotted "
                      "space."));
    TRY(session_policy_compile(call->tx, call->target.account_id, policy, joined.n ? joined.p : "",
                               &compiled, &call->err));
    snprintf(claims->session_policy, sizeof(claims->session_policy), "%s", policy);
    snprintf(claims->policy_arns, sizeof(claims->policy_arns), "%s", joined.n ? joined.p : "");
out:
    policy_free(compiled);
    buf_release(&joined);
    return rc;
}

/* RoleLastUsed as GetRole answers it: written in this transaction when the stored date is
 * older than LAST_USED_INTERVAL_MS (or absent), so the role record is rewritten at most
 * once per interval however often the role is assumed. */
static cu_rc note_role_used(struct call *call, json_t *role)
{
    cu_rc rc = CU_OK;
    json_t *last = json_object_get(role, "RoleLastUsed"), *fresh = NULL, *copy = NULL;
    int64_t when = json_integer_value(json_object_get(last, "LastUsedDate"));
    const char *region = json_string_value(json_object_get(last, "Region"));
    char key[RECORD_NAME_MAX];

    if (last && call->now_ms - when < LAST_USED_INTERVAL_MS && region &&
        strcmp(region, call->region) == 0)
        goto out;
    copy = json_deep_copy(role);
    fresh = json_pack("{s:I, s:s}", "LastUsedDate", (json_int_t)(call->now_ms / 1000 * 1000),
                      "Region", call->region);
    ENSURE(copy && fresh, CU_E_NOMEM);
    TRY(tree_set_new(copy, "RoleLastUsed", fresh));
    fresh = NULL;
    record_fold(json_string_value(json_object_get(role, "RoleName")), key);
    TRY(store_put(call->tx, RECORD_ROLE, call->target.account_id, key, copy, STORE_REPLACE));
out:
    json_decref(fresh);
    json_decref(copy);
    return rc;
}

cu_rc sts_role_session_issue(struct call *call, const char *session,
                             struct session_claims *claims, int64_t duration_s, int64_t percent,
                             json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *role = call->target.doc, *user = NULL;
    const char *role_name = json_string_value(json_object_get(role, "RoleName"));
    const char *role_id = json_string_value(json_object_get(role, "RoleId"));
    const char *role_arn = json_string_value(json_object_get(role, "Arn"));

    ENSURE(role_name && role_id && role_arn, CU_E_STORE);
    claims->type = PRINCIPAL_ROLE_SESSION;
    snprintf(claims->account_id, sizeof(claims->account_id), "%s", call->target.account_id);
    snprintf(claims->arn, sizeof(claims->arn), "arn:aws:sts::%s:assumed-role/%s/%s",
             claims->account_id, role_name, session);
    snprintf(claims->user_id, sizeof(claims->user_id), "%s:%s", role_id, session);
    snprintf(claims->name, sizeof(claims->name), "%s", role_name);
    snprintf(claims->role_arn, sizeof(claims->role_arn), "%s", role_arn);
    snprintf(claims->session_name, sizeof(claims->session_name), "%s", session);
    TRY(sts_credentials_issue(call, claims, duration_s, out));
    user = json_pack("{s:s, s:s}", "AssumedRoleId", claims->user_id, "Arn", claims->arn);
    ENSURE(user, CU_E_NOMEM);
    TRY(tree_set_new(out, "AssumedRoleUser", user));
    user = NULL;
    if (claims->session_policy[0] || claims->policy_arns[0] || claims->session_tags[0])
        TRY(tree_set_int(out, "PackedPolicySize", percent));
    if (claims->source_identity[0])
        TRY(tree_set_str(out, "SourceIdentity", claims->source_identity));
    TRY(note_role_used(call, role));
out:
    json_decref(user);
    return rc;
}

/* The session's tags (IAM guide, id_session-tags): the caller's transitive tags, which a
 * chained session keeps and cannot override, then the request's Tags; TransitiveTagKeys
 * must name request tags. A session with tags needs sts:TagSession on the role (its trust
 * policy and, in the same account through the account, the caller's identity policy). */
cu_rc sts_session_tags_take(struct call *call, const json_t *in, const char *role_arn,
                            struct session_claims *claims)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const json_t *asked = in_list(in, "Tags"), *transitive = in_list(in, "TransitiveTagKeys");
    json_t *item;
    struct buf tags, keys;
    size_t i;

    buf_init(&tags, sizeof(claims->session_tags) - 1);
    buf_init(&keys, sizeof(claims->transitive_tag_keys) - 1);
    for (const char *at = p->transitive_tag_keys; *at;) {
        size_t n = strcspn(at, "\n");
        char key[129] = "";
        const char *v = p->session_tags;
        snprintf(key, sizeof(key), "%.*s", (int)n, at);
        /* the value of key in the caller's tags */
        while (*v && !(strcspn(v, "\t") == n && strncasecmp(v, key, n) == 0))
            v += strcspn(v, "\n") + (v[strcspn(v, "\n")] != '\0');
        if (*v) {
            char value[257];
            size_t len = strcspn(v + n + 1, "\n");
            snprintf(value, sizeof(value), "%.*s", (int)len, v + n + 1);
            TRY(sts_session_tag_add(call, &tags, &keys, key, value, true));
        }
        at += n + (at[n] != '\0');
    }
    json_array_foreach((json_t *)asked, i, item)
    {
        const char *key = json_string_value(json_object_get(item, "Key"));
        const char *value = json_string_value(json_object_get(item, "Value"));
        ENSURE(key && value, CU_E_VALIDATION);
        ENSURE(!principal_tag_lines_have(p->transitive_tag_keys, key),
               cu_err_set(&call->err, CU_E_VALIDATION,
                          "The tag key %s is a transitive tag of the calling session and "
                          "cannot be overridden.",
                          key));
        ENSURE(!principal_tag_lines_have(tags.n ? tags.p : "", key),
               cu_err_set(&call->err, CU_E_VALIDATION,
                          "Duplicate tag keys found. Please note that Tag keys are case "
                          "insensitive."));
        TRY(sts_session_tag_add(call, &tags, &keys, key, value, false));
    }
    json_array_foreach((json_t *)transitive, i, item)
    {
        const char *key = json_string_value(item);
        bool found = false;
        const json_t *t;
        size_t j;
        json_array_foreach((json_t *)asked, j, t) found |=
            key && strcasecmp(key, json_string_value(json_object_get(t, "Key"))) == 0;
        ENSURE(found, cu_err_set(&call->err, CU_E_VALIDATION,
                                 "The specified transitive tag key must be included in the "
                                 "requested tags."));
        ENSURE(buf_addstrs(&keys, key, "\n", NULL) == CU_OK, sts_session_tags_too_large(call));
    }
    if (!tags.n)
        goto out;
    ENSURE(call_policy_allows(call, "sts:TagSession", role_arn, call->target.resource_policy),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: sts:TagSession on resource: %s",
                      p->arn, role_arn));
    snprintf(claims->session_tags, sizeof(claims->session_tags), "%s", tags.p);
    snprintf(claims->transitive_tag_keys, sizeof(claims->transitive_tag_keys), "%s",
             keys.n ? keys.p : "");
out:
    buf_release(&tags);
    buf_release(&keys);
    return rc;
}

/* The session's source identity: the one asked for, or the caller's, which a chained
 * session keeps and cannot change; either way the caller must be allowed
 * sts:SetSourceIdentity on the role (IAM guide, id_credentials_temp_control-access_monitor:
 * the role's trust policy, and in chaining the next role's, must allow it). */
cu_rc sts_session_source_identity_take(struct call *call, const json_t *in, const char *role_arn,
                                        struct session_claims *claims)
{
    cu_rc rc = CU_OK;
    const struct principal *p = call->principal;
    const char *asked = in_str(in, "SourceIdentity");
    const char *value = asked ? asked : p->source_identity;

    if (!value[0])
        goto out;
    ENSURE((!asked || !p->source_identity[0] || strcmp(asked, p->source_identity) == 0) &&
               call_policy_allows(call, "sts:SetSourceIdentity", role_arn,
                                  call->target.resource_policy),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: sts:SetSourceIdentity on "
                      "resource: %s",
                      p->arn, role_arn));
    ENSURE(strlen(value) < sizeof(claims->source_identity), CU_E_VALIDATION);
    snprintf(claims->source_identity, sizeof(claims->source_identity), "%s", value);
out:
    return rc;
}
