/* last_accessed_policies.c — an entity's permissions policies for IAM's access advisor
 * (last_accessed.h): what a report's services come from and what
 * ListPoliciesGrantingServiceAccess lists, each policy with the entry that names it.
 *
 * The records are read as auth/identity_set.c reads them for authorization (records.h),
 * in the same order — a user's inline, attached, then each group's inline and attached —
 * but each policy keeps its name, type, ARN or owning entity, which a policy set does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "iam_common.h"
#include "last_accessed.h"
#include "policy/policy.h"

void last_accessed_policies_release(struct last_accessed_policies *p)
{
    for (size_t i = 0; i < p->n; i++) {
        policy_free(p->v[i].compiled);
        json_decref(p->v[i].entry);
    }
    free(p->v);
    *p = (struct last_accessed_policies){0};
}

/* Compile text and add it with its entry (stolen). A stored document that no longer
 * compiles is logged and left out, as authorization leaves it out (auth/identity_set.c). */
static cu_rc add_policy(struct last_accessed_policies *p, const char *text, json_t *entry)
{
    cu_rc rc = CU_OK;
    struct cu_err why = {0};
    struct policy *compiled = NULL;
    const char *name = json_string_value(json_object_get(entry, "PolicyName"));

    ENSURE(entry, CU_E_NOMEM);
    ENSURE(name, CU_E_STORE);
    if (policy_compile(bytes_str(text ? text : ""), POLICY_IDENTITY, name, &compiled, &why) !=
        CU_OK) {
        log_error("access advisor: policy %s no longer compiles: %s", name, why.msg);
        goto out;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct last_accessed_policy *grown = realloc(p->v, cap * sizeof(*grown));

        ENSURE(grown, CU_E_NOMEM);
        p->v = grown;
        p->cap = cap;
    }
    p->v[p->n++] = (struct last_accessed_policy){compiled, entry};
    compiled = NULL;
    entry = NULL;
out:
    policy_free(compiled);
    json_decref(entry);
    return rc;
}

struct inline_ctx {
    struct last_accessed_policies *out;
    const char *entity_type, *entity_name;
};

static cu_rc add_inline(const char *key, const json_t *doc, void *ctx)
{
    struct inline_ctx *c = ctx;

    (void)key;
    return add_policy(c->out, json_string_value(json_object_get(doc, "PolicyDocument")),
                      json_pack("{s:s?, s:s, s:s, s:s}", "PolicyName",
                                json_string_value(json_object_get(doc, "PolicyName")),
                                "PolicyType", "INLINE", "EntityType", c->entity_type,
                                "EntityName", c->entity_name));
}

/* The inline policies (store kind `kind`) and the attached managed policies of the user,
 * group or role `rec`, whose name is in member name_member. */
static cu_rc add_own(struct call *call, const json_t *rec, const char *kind,
                     const char *name_member, const char *entity_type,
                     struct last_accessed_policies *out)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(rec, name_member));
    char scope[RECORD_NAME_MAX], key[RECORD_NAME_MAX];
    struct inline_ctx c = {out, entity_type, name};
    json_t *item, *managed = NULL;
    size_t i;

    ENSURE(name, CU_E_STORE);
    record_user_scope(call->env->account_id, name, scope);
    TRY(store_each(call->tx, kind, scope, add_inline, &c));
    json_array_foreach(json_object_get(rec, RECORD_USER_ATTACHED), i, item)
    {
        const char *pname = json_string_value(json_object_get(item, "PolicyName"));
        const char *arn = json_string_value(json_object_get(item, "PolicyArn"));

        ENSURE(pname && arn, CU_E_STORE);
        record_fold(pname, key);
        TRY(store_get(call->tx, RECORD_MANAGED_POLICY, call->env->account_id, key, &managed));
        ENSURE(managed, CU_E_STORE); /* an attached policy cannot be deleted */
        TRY(add_policy(out, json_string_value(json_object_get(managed, "Document")),
                       json_pack("{s:s, s:s, s:s}", "PolicyName", pname, "PolicyType",
                                 "MANAGED", "PolicyArn", arn)));
        json_decref(managed);
        managed = NULL;
    }
out:
    json_decref(managed);
    return rc;
}

cu_rc last_accessed_each_membership(struct call *call, const char *index, const char *name,
                             cu_rc (*fn)(struct call *, const json_t *, void *), void *ctx)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX], scope[RECORD_NAME_MAX], key[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, index, value, call->env->account_id};
    struct store_position at = {scope, key};
    json_t *items = NULL, *item;
    bool more = true, first = true;
    size_t i;

    record_fold(name, value);
    while (more) {
        json_decref(items);
        items = NULL;
        TRY(store_find(call->tx, &q, first ? NULL : &at, 64, &items, &more));
        first = false;
        json_array_foreach(items, i, item)
        {
            TRY(fn(call, json_object_get(item, "doc"), ctx));
            snprintf(scope, sizeof(scope), "%s", json_string_value(json_object_get(item, "scope")));
            snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(item, "key")));
        }
    }
out:
    json_decref(items);
    return rc;
}

static cu_rc add_group_of_user(struct call *call, const json_t *membership, void *ctx)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(membership, "GroupName"));
    char key[RECORD_NAME_MAX];
    json_t *group = NULL;

    ENSURE(name, CU_E_STORE);
    record_fold(name, key);
    TRY(store_get(call->tx, RECORD_GROUP, call->env->account_id, key, &group));
    ENSURE(group, CU_E_STORE);
    TRY(add_own(call, group, RECORD_GROUP_POLICY, "GroupName", "GROUP", ctx));
out:
    json_decref(group);
    return rc;
}

cu_rc last_accessed_policies_load(struct call *call, enum last_accessed_type type,
                                  const json_t *rec, struct last_accessed_policies *out)
{
    cu_rc rc = CU_OK;

    *out = (struct last_accessed_policies){0};
    switch (type) {
    case LAST_ACCESSED_USER:
        TRY(add_own(call, rec, RECORD_USER_POLICY, "UserName", "USER", out));
        TRY(last_accessed_each_membership(call, RECORD_GROUP_MEMBER_BY_USER,
                            json_string_value(json_object_get(rec, "UserName")),
                            add_group_of_user, out));
        break;
    case LAST_ACCESSED_GROUP:
        TRY(add_own(call, rec, RECORD_GROUP_POLICY, "GroupName", "GROUP", out));
        break;
    case LAST_ACCESSED_ROLE:
        TRY(add_own(call, rec, RECORD_ROLE_POLICY, "RoleName", "ROLE", out));
        break;
    case LAST_ACCESSED_POLICY:
        TRY(add_policy(out, json_string_value(json_object_get(rec, "Document")),
                       json_pack("{s:O?, s:s, s:O?}", "PolicyName",
                                 json_object_get(rec, "PolicyName"), "PolicyType", "MANAGED",
                                 "PolicyArn", json_object_get(rec, "Arn"))));
        break;
    }
out:
    if (rc != CU_OK)
        last_accessed_policies_release(out);
    return rc;
}

