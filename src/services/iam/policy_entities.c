/* policy_entities.c — ListEntitiesForPolicy: the groups, users and roles a customer
 * managed policy is attached to (PermissionsPolicy) or bounds (PermissionsBoundary).
 *
 * Which identities use a policy is not indexed: an entity record lists what is attached
 * to it (RECORD_USER_ATTACHED, attached_policies.c, group_attached.c, role_policies.c)
 * and names its boundary, and the policy only counts them. So the operation reads the
 * account's groups, roles and users, in that order and each in key order; one page runs
 * across the three lists, each entry keyed "<list>/<record key>" ('g' < 'r' < 'u') so a
 * marker resumes where the page stopped, and page_end() sorts the entries into
 * PolicyGroups, PolicyRoles and PolicyUsers. */
#include <stdio.h>
#include <string.h>

#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

/* One of the three lists: its store kind, key prefix, EntityFilter value, result array
 * and the members naming an entry. */
struct entity_list {
    const char *kind, *prefix, *filter, *result, *name, *id;
};

static const struct entity_list lists[] = {
    {RECORD_GROUP, "g/", "Group", "PolicyGroups", "GroupName", "GroupId"},
    {RECORD_ROLE, "r/", "Role", "PolicyRoles", "RoleName", "RoleId"},
    {RECORD_USER, "u/", "User", "PolicyUsers", "UserName", "UserId"},
};

struct entities_scan {
    struct page *page;
    const struct entity_list *list;
    const char *arn, *prefix, *usage;
};

static bool attached(const json_t *entity, const char *arn)
{
    size_t i;
    json_t *item;

    json_array_foreach(json_object_get(entity, RECORD_USER_ATTACHED), i, item)
        if (strcmp(json_string_value(json_object_get(item, "PolicyArn")), arn) == 0)
            return true;
    return false;
}

static bool uses(const struct entities_scan *s, const json_t *entity)
{
    const char *boundary = record_user_boundary_arn(entity);
    bool as_policy = !s->usage || strcmp(s->usage, "PermissionsPolicy") == 0;
    bool as_boundary = !s->usage || strcmp(s->usage, "PermissionsBoundary") == 0;

    return (as_policy && attached(entity, s->arn)) ||
           (as_boundary && boundary && strcmp(boundary, s->arn) == 0);
}

static cu_rc entity_each(const char *key, const json_t *doc, void *ctx)
{
    cu_rc rc = CU_OK;
    struct entities_scan *s = ctx;
    const char *path = json_string_value(json_object_get(doc, "Path"));
    const char *after = page_after(s->page);
    char pos[PAGE_KEY_MAX + 1];

    snprintf(pos, sizeof(pos), "%s%s", s->list->prefix, key);
    if (page_full(s->page) || (after && strcmp(pos, after) <= 0) || !uses(s, doc) ||
        (s->prefix && (!path || strncmp(path, s->prefix, strlen(s->prefix)) != 0)))
        goto out;
    TRY(page_add(s->page, pos,
                 json_pack("{s:{s:O, s:O}}", s->list->result, s->list->name,
                           json_object_get(doc, s->list->name), s->list->id,
                           json_object_get(doc, s->list->id))));
out:
    return rc;
}

cu_rc iam_list_entities_for_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *filter = in_str(in, "EntityFilter");
    struct page page = {0};
    struct entities_scan s = {&page, NULL, in_str(in, "PolicyArn"), in_str(in, "PathPrefix"),
                              in_str(in, "PolicyUsageFilter")};
    json_t *policy;
    size_t i;

    TRY(page_begin(call, &iam_list_entities_for_policy_page, in, &page));
    TRY(kind_target(call, &iam_kind_managed_policy, s.arn, &policy));
    /* EntityFilter names one list; LocalManagedPolicy and AWSManagedPolicy name none of
     * the identities, so they list nothing */
    for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && !page_full(&page); i++) {
        if (filter && strcmp(filter, lists[i].filter) != 0)
            continue;
        s.list = &lists[i];
        TRY(store_each(call->tx, lists[i].kind, call->env->account_id, entity_each, &s));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
