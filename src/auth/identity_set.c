/* identity_set.c — load a principal's policies from the store (record layouts in
 * store/records.h), the one loader authorization and the simulator share.
 *
 * Order: the user's (or role's) inline policies (by name, as the store keeps them), its
 * attached managed policies (in attachment order), a user's groups' policies (group by
 * group in name order, each group's inline then attached), then the boundary. The
 * order decides nothing — every identity policy is evaluated — but it is the order the
 * simulator reports matched statements in, so it is fixed here once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "identity_set.h"
#include "policy/aws_managed.h"
#include "policy/policy.h"
#include "session_policy.h"
#include "store/store.h"
#include "store/records.h"

cu_rc identity_set_add(struct identity_set *s, struct policy *policy,
                       enum identity_policy_type type)
{
    if (s->n == IDENTITY_SET_MAX) {
        policy_free(policy);
        return CU_E_INTERNAL;
    }
    s->policies[s->n] = policy;
    s->types[s->n++] = type;
    return CU_OK;
}

void identity_set_release(struct identity_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->shared[i])
            policy_free(s->policies[i]);
    policy_free(s->boundary);
    policy_free(s->session);
    json_decref(s->tags);
    json_decref(s->groups);
    *s = (struct identity_set){0};
}

/* A string member's value, "" when it is not one. */
static const char *text_of(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

struct inline_ctx {
    const char *scope;
    struct identity_set *set;
    enum identity_policy_type type;
};

static cu_rc add_inline(const char *key, const json_t *doc, void *ctx)
{
    struct inline_ctx *c = ctx;
    const char *name = json_string_value(json_object_get(doc, "PolicyName"));
    const char *text = json_string_value(json_object_get(doc, "PolicyDocument"));
    struct cu_err why = {0};
    struct policy *p = NULL;

    (void)key;
    /* stored documents were accepted by this compiler; one that no longer compiles (the
     * compiler changed under stored data) is logged and left out */
    if (policy_compile(bytes_str(text), POLICY_IDENTITY, name, &p, &why) != CU_OK) {
        log_error("inline policy %s of %s no longer compiles: %s", name, c->scope, why.msg);
        return CU_OK;
    }
    return identity_set_add(c->set, p, c->type);
}

/* The inline policies (store kind `kind`) of the user or role `name`. */
static cu_rc load_inline(struct store_tx *tx, const char *kind, const char *account,
                         const char *name, enum identity_policy_type type,
                         struct identity_set *s)
{
    char scope[RECORD_NAME_MAX];
    struct inline_ctx c = {scope, s, type};

    record_user_scope(account, name, scope);
    return store_each(tx, kind, scope, add_inline, &c);
}

/* The managed policy arn names compiled as kind: an AWS managed policy's built-in document
 * (policy/aws_managed.h), or the document of the customer managed policy whose name is the
 * ARN's last part. A policy in use cannot be deleted, and only a built-in AWS managed
 * policy can be attached, so a missing one is a broken store; one that no longer compiles
 * refuses the load rather than drop a policy that might deny. */
static cu_rc compile_managed(struct store_tx *tx, const char *account, const char *arn,
                             enum policy_kind kind, const char *label, struct policy **out)
{
    cu_rc rc = CU_OK;
    const struct aws_managed_policy *aws = aws_managed_find(arn);
    const char *name = arn ? strrchr(arn, '/') : NULL;
    char key[RECORD_NAME_MAX];
    struct cu_err why = {0};
    json_t *doc = NULL;

    ENSURE(name && (aws || !aws_managed_is_arn(arn)), CU_E_STORE);
    if (!aws) {
        record_fold(name + 1, key);
        TRY(store_get(tx, RECORD_MANAGED_POLICY, account, key, &doc));
        ENSURE(doc, CU_E_STORE);
    }
    rc = policy_compile(
        bytes_str(aws ? aws->document : json_string_value(json_object_get(doc, "Document"))),
        kind, label, out, &why);
    if (rc != CU_OK)
        log_error("managed policy %s no longer compiles: %s", arn, why.msg);
out:
    json_decref(doc);
    return rc;
}

/* AWS managed policies attached as identity policies, compiled once per process and shared
 * by every set: their documents are built in and never change, and the largest
 * (ReadOnlyAccess) costs about a millisecond to compile, which every identity-cache miss
 * would otherwise pay again. Compiled on first use under the lock; kept until exit. A
 * boundary is still compiled per set (simulate.c replaces and frees a set's boundary). */
static pthread_mutex_t builtin_lock = PTHREAD_MUTEX_INITIALIZER;
static struct policy **builtin_compiled; /* aws_managed_policies_n entries */

static cu_rc builtin_identity(const struct aws_managed_policy *aws, struct policy **out)
{
    cu_rc rc = CU_OK;
    size_t i = (size_t)(aws - aws_managed_policies);
    struct cu_err why = {0};

    pthread_mutex_lock(&builtin_lock);
    if (!builtin_compiled)
        builtin_compiled = calloc(aws_managed_policies_n, sizeof(*builtin_compiled));
    ENSURE(builtin_compiled, CU_E_NOMEM);
    if (!builtin_compiled[i]) {
        rc = policy_compile(bytes_str(aws->document), POLICY_IDENTITY, aws->name,
                            &builtin_compiled[i], &why);
        /* tests/unit/policy/aws_managed_test.c compiles every built-in document */
        if (rc != CU_OK)
            log_error("AWS managed policy %s does not compile: %s", aws->arn, why.msg);
        TRY(rc);
    }
    *out = builtin_compiled[i];
out:
    pthread_mutex_unlock(&builtin_lock);
    return rc;
}

/* The managed policies an identity record (a user, group or role) lists as attached. */
static cu_rc load_attached(struct store_tx *tx, const char *account, const json_t *user,
                           enum identity_policy_type type, struct identity_set *s)
{
    cu_rc rc = CU_OK;
    size_t i;
    json_t *item;

    json_array_foreach(json_object_get(user, RECORD_USER_ATTACHED), i, item)
    {
        const char *name = json_string_value(json_object_get(item, "PolicyName"));
        const char *arn = json_string_value(json_object_get(item, "PolicyArn"));
        struct policy *p = NULL;

        ENSURE(name && arn, CU_E_STORE);
        if (aws_managed_find(arn)) {
            ENSURE(s->n < IDENTITY_SET_MAX, CU_E_INTERNAL);
            TRY(builtin_identity(aws_managed_find(arn), &p));
            s->shared[s->n] = true;
            TRY(identity_set_add(s, p, type));
            continue;
        }
        TRY(compile_managed(tx, account, arn, POLICY_IDENTITY, name, &p));
        TRY(identity_set_add(s, p, type));
    }
out:
    return rc;
}

static cu_rc load_boundary(struct store_tx *tx, const char *account, const json_t *user,
                                struct identity_set *s)
{
    const char *arn = record_user_boundary_arn(user);

    if (!arn)
        return CU_OK;
    return compile_managed(tx, account, arn, POLICY_BOUNDARY, "permissions-boundary",
                           &s->boundary);
}

/* One group's policies, inline then attached, and the group's scope in s->groups; the
 * group record is `loaded` (borrowed), or NULL to read it from tx. */
static cu_rc load_group(struct store_tx *tx, const char *account, const char *name,
                        const json_t *loaded, struct identity_set *s)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX], key[RECORD_NAME_MAX];
    struct inline_ctx c = {scope, s, IDENTITY_GROUP_INLINE};
    json_t *group = json_incref((json_t *)loaded);

    record_user_scope(account, name, scope); /* "<account>/lower(group)" */
    TRY(json_array_append_new(s->groups, json_string(scope)) == 0 ? CU_OK : CU_E_NOMEM);
    TRY(store_each(tx, RECORD_GROUP_POLICY, scope, add_inline, &c));
    record_fold(name, key);
    if (!group)
        TRY(store_get(tx, RECORD_GROUP, account, key, &group));
    /* DeleteGroup refuses a group with members: a membership names an existing group */
    ENSURE(group, CU_E_STORE);
    TRY(load_attached(tx, account, group, IDENTITY_GROUP_MANAGED, s));
out:
    json_decref(group);
    return rc;
}

/* The policies of the user's groups, group by group in the order of the membership keys
 * (group name). A user is in at most 10 groups; the lookup pages anyway. */
static cu_rc load_user_groups(struct store_tx *tx, const char *account, const char *user,
                              struct identity_set *s)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX], scope[RECORD_NAME_MAX], key[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, RECORD_GROUP_MEMBER_BY_USER, value, account};
    struct store_position at = {scope, key};
    json_t *items = NULL, *item;
    bool more = true, first = true;
    size_t i;

    s->groups = json_array();
    ENSURE(s->groups, CU_E_NOMEM);
    record_fold(user, value);
    while (more) {
        json_decref(items);
        items = NULL;
        TRY(store_find(tx, &q, first ? NULL : &at, 16, &items, &more));
        first = false;
        json_array_foreach(items, i, item)
        {
            const char *group =
                json_string_value(json_object_get(json_object_get(item, "doc"), "GroupName"));

            ENSURE(group, CU_E_STORE);
            TRY(load_group(tx, account, group, NULL, s));
            snprintf(scope, sizeof(scope), "%s",
                     json_string_value(json_object_get(item, "scope")));
            snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(item, "key")));
        }
    }
out:
    json_decref(items);
    return rc;
}

/* The unique id a session of p is bound to: a GetSessionToken session's user's (its
 * user_id), a federated user's issuing user's (issuer_id); "" for long-term keys, which
 * name their user as it is now (a rename carries its keys along). */
static const char *session_user_id(const struct principal *p)
{
    if (!p->session_issued_s)
        return "";
    return p->type == PRINCIPAL_FEDERATED ? p->issuer_id : p->user_id;
}

/* The user a session of p acts as, into *user (NULL when it no longer exists). A session
 * names its user as it was when issued; the user may since have been renamed (UpdateUser
 * NewUserName) and another made under the old name. AWS binds the session to the
 * unique id, which a rename keeps, and a renamed user keeps its policies and groups (IAM
 * guide, id_users_rename), so the session keeps acting as that user with the user's
 * permissions as they are now: found by its id when the name no longer names it. */
static cu_rc session_user(struct store_tx *tx, const struct principal *p, json_t **user,
                          bool *renamed)
{
    cu_rc rc = CU_OK;
    const char *id = session_user_id(p);
    char scope[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_USER, RECORD_BY_UNIQUE_ID, id, scope};

    TRY(record_user_get(tx, p->account_id, p->name, user));
    if (!id[0] || (*user && strcmp(text_of(json_object_get(*user, "UserId")), id) == 0))
        goto out;
    json_decref(*user);
    *user = NULL;
    snprintf(scope, sizeof(scope), "%s", p->account_id);
    TRY(store_find_one(tx, &q, NULL, NULL, user));
    *renamed = *user != NULL;
out:
    return rc;
}

/* The set of user p, whose record is `loaded` (borrowed), or NULL to read it from tx. */
static cu_rc load_user(struct store_tx *tx, const struct principal *p, const json_t *loaded,
                       struct identity_set *s)
{
    cu_rc rc = CU_OK;
    json_t *user = json_incref((json_t *)loaded);
    const char *name = p->name;

    if (!user) {
        TRY(session_user(tx, p, &user, &s->renamed));
        if (user)
            name = text_of(json_object_get(user, "UserName"));
    }
    TRY(load_inline(tx, RECORD_USER_POLICY, p->account_id, name, IDENTITY_USER_INLINE, s));
    if (!user)
        goto out;
    TRY(load_attached(tx, p->account_id, user, IDENTITY_USER_MANAGED, s));
    TRY(load_user_groups(tx, p->account_id, name, s));
    TRY(load_boundary(tx, p->account_id, user, s));
    s->tags = json_incref(json_object_get(user, "Tags"));
    snprintf(s->principal_id, sizeof(s->principal_id), "%s",
             text_of(json_object_get(user, "UserId")));
out:
    json_decref(user);
    return rc;
}

/* A federated user's set (GetFederationToken): its issuing user's policies, boundary and
 * tags, or for a root-issued one a single allow-everything policy (the root user's
 * permissions are all), with the session policy, which alone makes it allowed anything
 * an identity policy must allow (policy/eval.c); its principal_id is the issuer's
 * unique id. */
static cu_rc load_federated(struct store_tx *tx, const struct principal *p,
                            struct identity_set *out)
{
    static const char everything[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
        "\"Resource\":\"*\"}]}";
    cu_rc rc = CU_OK;
    struct cu_err why = {0};
    struct policy *root = NULL;

    if (p->name[0]) {
        TRY(load_user(tx, p, NULL, out));
    } else {
        TRY(policy_compile(bytes_str(everything), POLICY_IDENTITY, "root", &root, &why));
        TRY(identity_set_add(out, root, IDENTITY_USER_INLINE));
        snprintf(out->principal_id, sizeof(out->principal_id), "%s", p->account_id);
    }
    rc = session_policy_compile(tx, p->account_id, p->session_policy, p->policy_arns,
                                &out->session, &why);
    if (rc != CU_OK)
        log_error("session policy of %s no longer loads: %s", p->arn, why.msg);
out:
    return rc;
}

cu_rc identity_set_load(struct store_tx *tx, const struct principal *p, struct identity_set *out)
{
    cu_rc rc = CU_OK;

    *out = (struct identity_set){0};
    /* The root user has no identity policies (its calls are allowed unless a resource
     * policy, SCP or RCP denies). GetSessionToken's credentials act as their user; role
     * sessions have their role's policies, role ARN and session policy. */
    if (p->type == PRINCIPAL_USER)
        rc = load_user(tx, p, NULL, out);
    else if (p->type == PRINCIPAL_ROLE_SESSION)
        rc = identity_set_load_role_session(tx, p, out);
    else if (p->type == PRINCIPAL_FEDERATED)
        rc = load_federated(tx, p, out);
    if (rc != CU_OK)
        identity_set_release(out);
    return rc;
}

cu_rc identity_set_load_user(struct store_tx *tx, const struct principal *p, const json_t *user,
                             struct identity_set *out)
{
    cu_rc rc;

    *out = (struct identity_set){0};
    rc = load_user(tx, p, user, out);
    if (rc != CU_OK)
        identity_set_release(out);
    return rc;
}

cu_rc identity_set_load_role(struct store_tx *tx, const char *account, const json_t *role,
                             struct identity_set *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(role, "RoleName"));
    const char *arn = json_string_value(json_object_get(role, "Arn"));

    *out = (struct identity_set){0};
    ENSURE(name && arn, CU_E_STORE);
    TRY(load_inline(tx, RECORD_ROLE_POLICY, account, name, IDENTITY_ROLE_INLINE, out));
    TRY(load_attached(tx, account, role, IDENTITY_ROLE_MANAGED, out));
    TRY(load_boundary(tx, account, role, out));
    out->tags = json_incref(json_object_get(role, "Tags"));
    snprintf(out->role_arn, sizeof(out->role_arn), "%s", arn);
    snprintf(out->principal_id, sizeof(out->principal_id), "%s",
             text_of(json_object_get(role, "RoleId")));
out:
    if (rc != CU_OK)
        identity_set_release(out);
    return rc;
}

cu_rc identity_set_load_role_session(struct store_tx *tx, const struct principal *p,
                                     struct identity_set *out)
{
    cu_rc rc = CU_OK;
    char key[RECORD_NAME_MAX];
    struct cu_err why = {0};
    json_t *role = NULL;

    *out = (struct identity_set){0};
    record_fold(p->name, key);
    TRY(store_get(tx, RECORD_ROLE, p->account_id, key, &role));
    if (!role)
        goto out;
    TRY(identity_set_load_role(tx, p->account_id, role, out));
    rc = session_policy_compile(tx, p->account_id, p->session_policy, p->policy_arns,
                                &out->session, &why);
    /* a managed session policy deleted since the session began: refuse, never widen */
    if (rc != CU_OK)
        log_error("session policy of %s no longer loads: %s", p->arn, why.msg);
out:
    if (rc != CU_OK)
        identity_set_release(out);
    json_decref(role);
    return rc;
}

void identity_set_fill(const struct identity_set *s, struct policy_set *set,
                       struct policy_request *req)
{
    set->identity = (const struct policy *const *)s->policies;
    set->n_identity = s->n;
    set->boundary = s->boundary;
    set->session = s->session;
    req->role_arn = s->role_arn[0] ? s->role_arn : NULL;
}

bool identity_set_type_of(const struct identity_set *s, const char *label,
                          enum identity_policy_type *out)
{
    for (size_t i = 0; i < s->n; i++) {
        if (policy_label(s->policies[i]) == label) {
            *out = s->types[i];
            return true;
        }
    }
    return false;
}

cu_rc identity_set_load_group(struct store_tx *tx, const char *account, const json_t *group,
                              struct identity_set *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(group, "GroupName"));

    *out = (struct identity_set){0};
    ENSURE(name, CU_E_STORE);
    out->groups = json_array();
    ENSURE(out->groups, CU_E_NOMEM);
    TRY(load_group(tx, account, name, group, out));
out:
    if (rc != CU_OK)
        identity_set_release(out);
    return rc;
}
