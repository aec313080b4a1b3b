/* last_accessed_report.c — what an IAM access advisor report says (last_accessed.h).
 *
 * A report lists "every service that the resource could access using permissions
 * policies" (IAM API reference, GetServiceLastAccessedDetails): the services the entity's
 * permissions policies allow (policy_services / policy_grants_service: boundaries,
 * resource policies and SCPs are not looked at), sorted by namespace. Which services those
 * are: AWS names every service it knows; custos names the services of its table below — the
 * ones it serves (src/model) and some well-known others, so that a policy about s3 shows
 * s3 — and a policy whose Allow matches any service ("*", NotAction) grants only those it
 * serves, the ones whose use it can see. A namespace outside the table is not listed.
 *
 * Use: the pipeline notes each IAM user's attempt of each action (auth/key_usage.c, flushed
 * every interval into RECORD_ACTION_LAST_USED); a service's LastAuthenticated is the latest
 * attempt of any of its actions by the report's principals (the user; a group's members; a
 * role; the users and roles a policy is attached to, directly or through a group) within
 * the tracking period, TotalAuthenticatedEntities how many of them attempted it. With
 * ACTION_LEVEL every served service's used actions are its tracked ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tree.h"
#include "iam_common.h"
#include "last_accessed.h"
#include "model/model.h"
#include "policy/policy.h"

/* "IAM reports activity for at least the last 400 days" (GenerateServiceLastAccessedDetails) */
#define TRACKING_MS (400LL * 24 * 3600 * 1000)

/* Service namespaces custos names in reports, in namespace order, with AWS's names. */
static const struct {
    const char *ns, *name;
} SERVICES[] = {
    {"access-analyzer", "IAM Access Analyzer"},
    {"cloudtrail", "AWS CloudTrail"},
    {"cloudwatch", "Amazon CloudWatch"},
    {"dynamodb", "Amazon DynamoDB"},
    {"ec2", "Amazon Elastic Compute Cloud"},
    {"iam", "AWS Identity and Access Management"},
    {"kms", "AWS Key Management Service"},
    {"lambda", "AWS Lambda"},
    {"logs", "Amazon CloudWatch Logs"},
    {"organizations", "AWS Organizations"},
    {"s3", "Amazon Simple Storage Service"},
    {"secretsmanager", "AWS Secrets Manager"},
    {"sns", "Amazon Simple Notification Service"},
    {"sqs", "Amazon Simple Queue Service"},
    {"ssm", "AWS Systems Manager"},
    {"sts", "AWS Security Token Service"},
};

const char *last_accessed_service_name(const char *ns)
{
    for (size_t i = 0; ns && i < ARRAY_LEN(SERVICES); i++)
        if (strcmp(SERVICES[i].ns, ns) == 0)
            return SERVICES[i].name;
    return NULL;
}

static bool served(const char *ns)
{
    for (size_t i = 0; model_services[i]; i++)
        if (strcmp(model_services[i]->signing_name, ns) == 0)
            return true;
    return false;
}

bool last_accessed_parse_arn(const char *arn, const char *account, enum last_accessed_type *type,
                             const char **name)
{
    static const struct {
        const char *word;
        enum last_accessed_type type;
    } types[] = {{"user/", LAST_ACCESSED_USER},
                 {"group/", LAST_ACCESSED_GROUP},
                 {"role/", LAST_ACCESSED_ROLE},
                 {"policy/", LAST_ACCESSED_POLICY}};
    char prefix[64];
    size_t n;

    if (!arn || !account)
        return false;
    n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:", account);
    if (strncmp(arn, prefix, n) != 0)
        return false;
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        if (strncmp(arn + n, types[i].word, strlen(types[i].word)) == 0) {
            *type = types[i].type;
            *name = strrchr(arn, '/') + 1;
            return **name != '\0';
        }
    }
    return false;
}

/* ---- the principals whose use a report counts ---- */

/* EntityInfo of a user or role record: {Arn, Name, Type, Id, Path}. */
static json_t *entity_info(const json_t *rec, bool role)
{
    return json_pack("{s:O?, s:O?, s:s, s:O?, s:O?}", "Arn", json_object_get(rec, "Arn"), "Name",
                     json_object_get(rec, role ? "RoleName" : "UserName"), "Type",
                     role ? "ROLE" : "USER", "Id",
                     json_object_get(rec, role ? "RoleId" : "UserId"), "Path",
                     json_object_get(rec, "Path"));
}

/* Add the entity of rec to list (an array of EntityInfo) unless it is there already. */
static cu_rc add_entity(json_t *list, const json_t *rec, bool role)
{
    const char *id = json_string_value(json_object_get(rec, role ? "RoleId" : "UserId"));
    size_t i;
    json_t *e;

    if (!id)
        return CU_E_STORE;
    json_array_foreach(list, i, e)
        if (strcmp(json_string_value(json_object_get(e, "Id")), id) == 0)
            return CU_OK;
    return tree_append_new(list, entity_info(rec, role));
}

static cu_rc add_member(struct call *call, const json_t *membership, void *ctx)
{
    cu_rc rc = CU_OK;
    const char *name = json_string_value(json_object_get(membership, "UserName"));
    json_t *user = NULL;

    ENSURE(name, CU_E_STORE);
    TRY(record_user_get(call->tx, call->env->account_id, name, &user));
    ENSURE(user, CU_E_STORE); /* DeleteUser removes the user from its groups first */
    TRY(add_entity(ctx, user, false));
out:
    json_decref(user);
    return rc;
}

/* Is the managed policy `arn` attached to the entity record rec? */
static bool attached(const json_t *rec, const char *arn)
{
    size_t i;
    json_t *item;

    json_array_foreach(json_object_get(rec, RECORD_USER_ATTACHED), i, item)
    {
        const char *a = json_string_value(json_object_get(item, "PolicyArn"));
        if (a && strcmp(a, arn) == 0)
            return true;
    }
    return false;
}

struct users_of_policy {
    struct call *call;
    const char *arn;
    json_t *list;
    bool role;
};

static cu_rc attached_entity(const char *key, const json_t *doc, void *ctx)
{
    struct users_of_policy *u = ctx;

    (void)key;
    return attached(doc, u->arn) ? add_entity(u->list, doc, u->role) : CU_OK;
}

static cu_rc attached_group(const char *key, const json_t *doc, void *ctx)
{
    struct users_of_policy *u = ctx;

    (void)key;
    if (!attached(doc, u->arn))
        return CU_OK;
    return last_accessed_each_membership(u->call, RECORD_GROUP_MEMBER_BY_GROUP,
                           json_string_value(json_object_get(doc, "GroupName")), add_member,
                           u->list);
}

/* The principals of a report (IAM API reference, GetServiceLastAccessedDetails): a user or
 * a role itself; a group's members; for a policy, the users and roles it is attached to
 * and the members of the groups it is attached to, each once. Which records use a policy
 * is not indexed (policy_entities.c): the account's users, groups and roles are read. */
static cu_rc report_entities(struct call *call, enum last_accessed_type type, const json_t *rec,
                             json_t *list)
{
    struct users_of_policy u = {call, json_string_value(json_object_get(rec, "Arn")), list, false};
    cu_rc rc = CU_OK;

    switch (type) {
    case LAST_ACCESSED_USER:
    case LAST_ACCESSED_ROLE:
        return add_entity(list, rec, type == LAST_ACCESSED_ROLE);
    case LAST_ACCESSED_GROUP:
        return last_accessed_each_membership(call, RECORD_GROUP_MEMBER_BY_GROUP,
                               json_string_value(json_object_get(rec, "GroupName")), add_member,
                               list);
    case LAST_ACCESSED_POLICY:
        ENSURE(u.arn, CU_E_STORE);
        TRY(store_each(call->tx, RECORD_USER, call->env->account_id, attached_entity, &u));
        TRY(store_each(call->tx, RECORD_GROUP, call->env->account_id, attached_group, &u));
        u.role = true;
        TRY(store_each(call->tx, RECORD_ROLE, call->env->account_id, attached_entity, &u));
        break;
    }
out:
    return rc;
}

/* ---- the report ---- */

/* One entity's attempts, read from its RECORD_ACTION_LAST_USED records into the services
 * being reported (an object: namespace -> item under construction). */
struct usage_scan {
    json_t *services;
    json_t *seen;       /* namespace -> {t, Region} of this entity's latest attempt */
    const char *arn;    /* the entity's ARN now */
    int64_t since_ms;   /* start of the tracking period */
    bool action_level;
};

static cu_rc note_action(json_t *item, const char *action, int64_t t, const char *region,
                         const char *arn)
{
    json_t *actions = json_object_get(item, "_actions"), *a;

    if (!actions) {
        actions = json_object();
        if (!actions || json_object_set_new(item, "_actions", actions) != 0)
            return CU_E_NOMEM;
    }
    a = json_object_get(actions, action);
    if (a && json_integer_value(json_object_get(a, "LastAccessedTime")) >= t)
        return CU_OK;
    return json_object_set_new(actions, action,
                               json_pack("{s:s, s:s, s:I, s:s}", "ActionName", action,
                                         "LastAccessedEntity", arn, "LastAccessedTime",
                                         (json_int_t)t, "LastAccessedRegion", region)) == 0
               ? CU_OK
               : CU_E_NOMEM;
}

static cu_rc scan_use(const char *key, const json_t *doc, void *ctx)
{
    struct usage_scan *u = ctx;
    const char *colon = strchr(key, ':'), *region;
    char ns[128];
    int64_t t = json_integer_value(json_object_get(doc, "LastAuthenticated"));
    json_t *item, *seen;

    if (!colon || (size_t)(colon - key) >= sizeof(ns) || t < u->since_ms)
        return CU_OK;
    snprintf(ns, sizeof(ns), "%.*s", (int)(colon - key), key);
    item = json_object_get(u->services, ns);
    if (!item)
        return CU_OK; /* a service the report does not list */
    region = json_string_value(json_object_get(doc, "Region"));
    region = region ? region : "";
    seen = json_object_get(u->seen, ns);
    if (!seen || json_integer_value(json_object_get(seen, "t")) < t) {
        if (json_object_set_new(u->seen, ns, json_pack("{s:I, s:s}", "t", (json_int_t)t,
                                                       "Region", region)) != 0)
            return CU_E_NOMEM;
    }
    if (u->action_level && served(ns))
        return note_action(item, colon + 1, t, region, u->arn);
    return CU_OK;
}

/* Fold the latest attempts of entity number `index` (u->seen) into every listed service:
 * its totals, and the service's "Used" list [{i: index, t: time}]. */
static cu_rc apply_entity(struct usage_scan *u, size_t index)
{
    const char *ns;
    json_t *item;

    json_object_foreach(u->services, ns, item)
    {
        const json_t *seen = json_object_get(u->seen, ns);
        int64_t t;

        if (!seen)
            continue;
        t = json_integer_value(json_object_get(seen, "t"));
        json_object_set_new(item, "TotalAuthenticatedEntities",
                            json_integer(json_integer_value(json_object_get(
                                             item, "TotalAuthenticatedEntities")) +
                                         1));
        if (json_integer_value(json_object_get(item, "LastAuthenticated")) < t) {
            json_object_set_new(item, "LastAuthenticated", json_integer(t));
            json_object_set_new(item, "LastAuthenticatedEntity", json_string(u->arn));
            json_object_set(item, "LastAuthenticatedRegion", json_object_get(seen, "Region"));
        }
        if (tree_append_new(json_object_get(item, "Used"),
                            json_pack("{s:I, s:I}", "i", (json_int_t)index, "t", (json_int_t)t)))
            return CU_E_NOMEM;
    }
    return CU_OK;
}

/* Most recent first (GetServiceLastAccessedDetailsWithEntities: "sorted by date, with the
 * most recent access listed first"), then in entity order. */
static int by_date(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int64_t tx = json_integer_value(json_object_get(x, "t"));
    int64_t ty = json_integer_value(json_object_get(y, "t"));
    int64_t ix = json_integer_value(json_object_get(x, "i"));
    int64_t iy = json_integer_value(json_object_get(y, "i"));

    if (tx != ty)
        return tx > ty ? -1 : 1;
    return ix < iy ? -1 : ix > iy;
}

static int by_action(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(const json_t *const *)a, "ActionName")),
                  json_string_value(json_object_get(*(const json_t *const *)b, "ActionName")));
}

/* Replace array (or object's values) at item[member] by its elements sorted with cmp,
 * stored as `as`. */
static cu_rc sorted_into(json_t *item, const char *member, const char *as,
                         int (*cmp)(const void *, const void *))
{
    cu_rc rc = CU_OK;
    json_t *from = json_object_get(item, member), *v, *list = json_array();
    const json_t **all = NULL;
    size_t n = json_is_array(from) ? json_array_size(from) : json_object_size(from), i = 0;
    const char *k;

    ENSURE(list, CU_E_NOMEM);
    if (n) {
        all = calloc(n, sizeof(*all));
        ENSURE(all, CU_E_NOMEM);
        if (json_is_array(from)) {
            json_array_foreach(from, i, v)
                all[i] = v;
        } else {
            json_object_foreach(from, k, v)
                all[i++] = v;
        }
        qsort(all, n, sizeof(*all), cmp);
        for (i = 0; i < n; i++)
            ENSURE(json_array_append(list, (json_t *)all[i]) == 0, CU_E_NOMEM);
    }
    if (strcmp(member, as) != 0)
        json_object_del(item, member);
    if (n || strcmp(member, as) == 0)
        TRY(tree_set_new(item, as, json_incref(list)));
out:
    free(all);
    json_decref(list);
    return rc;
}

struct named {
    json_t *set;
};

static void note_named(const char *service, void *ctx)
{
    json_object_set_new(((struct named *)ctx)->set, service, json_true());
}

/* The services the policies grant (see the top of this file), as items under
 * construction, namespace -> item, inserted in namespace order. */
static cu_rc listed_services(const struct last_accessed_policies *pol, json_t *services)
{
    cu_rc rc = CU_OK;
    struct named named = {json_object()};

    ENSURE(named.set, CU_E_NOMEM);
    for (size_t i = 0; i < pol->n; i++)
        (void)policy_services(pol->v[i].compiled, note_named, &named);
    for (size_t s = 0; s < ARRAY_LEN(SERVICES); s++) {
        const char *ns = SERVICES[s].ns;
        bool listed = false;

        for (size_t i = 0; i < pol->n && !listed; i++)
            listed = policy_grants_service(pol->v[i].compiled, ns) &&
                     (served(ns) || json_object_get(named.set, ns));
        if (listed)
            TRY(tree_set_new(services, ns,
                             json_pack("{s:s, s:s, s:i, s:[]}", "ServiceName", SERVICES[s].name,
                                       "ServiceNamespace", ns, "TotalAuthenticatedEntities", 0,
                                       "Used")));
    }
out:
    json_decref(named.set);
    return rc;
}

cu_rc last_accessed_report(struct call *call, enum last_accessed_type type, const json_t *rec,
                           bool action_level, json_t **out, json_t **principals)
{
    cu_rc rc = CU_OK;
    struct last_accessed_policies pol = {0};
    json_t *services = json_object(), *entities = json_array(), *list = json_array(), *info;
    struct usage_scan u = {services, NULL, NULL, call->now_ms - TRACKING_MS, action_level};
    char scope[STORE_NAME_MAX];
    const char *ns;
    json_t *item;
    size_t i;

    ENSURE(services && entities && list, CU_E_NOMEM);
    TRY(last_accessed_policies_load(call, type, rec, &pol));
    TRY(listed_services(&pol, services));
    TRY(report_entities(call, type, rec, entities));
    json_array_foreach(entities, i, info)
    {
        u.arn = json_string_value(json_object_get(info, "Arn"));
        u.seen = json_object();
        ENSURE(u.seen && u.arn, CU_E_NOMEM);
        store_scope(RECORD_ACTION_LAST_USED, call->env->account_id, NULL,
                    json_string_value(json_object_get(info, "Id")), scope);
        TRY(store_each(call->tx, RECORD_ACTION_LAST_USED, scope, scan_use, &u));
        TRY(apply_entity(&u, i));
        json_decref(u.seen);
        u.seen = NULL;
    }
    json_object_foreach(services, ns, item)
    {
        TRY(sorted_into(item, "Used", "Used", by_date));
        if (json_object_get(item, "_actions"))
            TRY(sorted_into(item, "_actions", "TrackedActionsLastAccessed", by_action));
        ENSURE(json_array_append(list, item) == 0, CU_E_NOMEM);
    }
    *out = list;
    list = NULL;
    *principals = entities;
    entities = NULL;
out:
    last_accessed_policies_release(&pol);
    json_decref(u.seen);
    json_decref(services);
    json_decref(entities);
    json_decref(list);
    return rc;
}
