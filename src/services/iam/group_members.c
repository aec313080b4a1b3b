/* group_members.c — who is in which group: AddUserToGroup, RemoveUserFromGroup,
 * ListGroupsForUser, the members GetGroup shows, and moving memberships when a group is
 * renamed.
 *
 * A membership is one group_member record in the account, keyed "lower(group)/lower(user)"
 * and indexed by both names (store/records.h, store/kinds.c): a group's members and a
 * user's groups are each one index lookup, listed in key order (by user name for a group,
 * by group name for a user) and paged with page_find. Neither the group nor the user record
 * names the other, so adding a member writes one record, and the identity cache evicts
 * exactly that user (auth/identity_cache.c). A user may be in at most 10 groups (IAM guide,
 * reference_iam-quotas: "Groups an IAM user can be a member of: 10"). */
#include <stdio.h>

#include "iam_common.h"
#include "iam_groups.h"
#include "iam_ops.gen.h"

#define GROUPS_PER_USER_MAX 10

cu_rc iam_group_member_count(struct call *call, const char *by, const char *name, size_t *n)
{
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, by, value, call->env->account_id};

    record_fold(name, value);
    return store_find_count(call->tx, &q, n);
}

static json_t *member_doc(const char *group, const char *user)
{
    return json_pack("{s:s, s:s}", "GroupName", group, "UserName", user);
}

cu_rc iam_add_user_to_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char key[RECORD_NAME_MAX];
    json_t *group, *user = NULL, *doc = NULL, *had = NULL;
    const char *gname, *uname;
    size_t n = 0;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(iam_user_load(call, in_str(in, "UserName"), &user));
    gname = kind_name(&iam_kind_group, group);
    uname = kind_name(&iam_kind_user, user);
    record_group_member_key(gname, uname, key);
    TRY(store_get(call->tx, RECORD_GROUP_MEMBER, call->env->account_id, key, &had));
    /* adding a member again changes nothing, and is no error (as in AWS) */
    if (had)
        goto out;
    TRY(iam_group_member_count(call, RECORD_GROUP_MEMBER_BY_USER, uname, &n));
    ENSURE(n < GROUPS_PER_USER_MAX,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for GroupsPerUser: %d", GROUPS_PER_USER_MAX));
    doc = member_doc(gname, uname);
    ENSURE(doc, CU_E_NOMEM);
    TRY(store_put(call->tx, RECORD_GROUP_MEMBER, call->env->account_id, key, doc,
                  STORE_CREATE));
out:
    json_decref(had);
    json_decref(doc);
    json_decref(user);
    return rc;
}

cu_rc iam_remove_user_from_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *uname = in_str(in, "UserName");
    char key[RECORD_NAME_MAX];
    json_t *group, *user = NULL;

    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(iam_user_load(call, uname, &user));
    record_group_member_key(kind_name(&iam_kind_group, group), uname, key);
    /* removing a user who is not in the group is no error (as AWS answers it: both the
     * group and the user must exist, the membership need not) */
    TRY(store_delete(call->tx, RECORD_GROUP_MEMBER, call->env->account_id, key, NULL));
out:
    json_decref(user);
    return rc;
}

/* One member of a group as GetGroup's User: the user record the membership names. */
static cu_rc member_user_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    struct call *call = ctx;
    cu_rc rc = CU_OK;
    json_t *user = NULL;

    (void)key;
    TRY(record_user_get(call->tx, call->env->account_id,
                        json_string_value(json_object_get(doc, "UserName")), &user));
    /* DeleteUser refuses a member, so a membership always names a user */
    ENSURE(user, CU_E_STORE);
    TRY(render_record(user, iam_page_item_shape(&iam_get_group_page), item));
out:
    json_decref(user);
    return rc;
}

cu_rc iam_get_group(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, RECORD_GROUP_MEMBER_BY_GROUP, value,
                             call->env->account_id};
    json_t *group;

    TRY(page_begin(call, &iam_get_group_page, in, &page));
    TRY(kind_target(call, &iam_kind_group, in_str(in, "GroupName"), &group));
    TRY(render_output(out, "iam", "GetGroup", "Group", group));
    record_fold(kind_name(&iam_kind_group, group), value);
    TRY(page_find(&page, call->tx, &q, false, member_user_view, call));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

/* One group of a user as ListGroupsForUser's Group. */
static cu_rc member_group_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    struct call *call = ctx;
    cu_rc rc = CU_OK;
    json_t *group = NULL;

    (void)key;
    TRY(kind_find(call, &iam_kind_group, NULL,
                  json_string_value(json_object_get(doc, "GroupName")), &group));
    /* DeleteGroup refuses a group with members, so a membership always names a group */
    ENSURE(group, CU_E_STORE);
    TRY(render_record(group, iam_page_item_shape(&iam_list_groups_for_user_page), item));
out:
    json_decref(group);
    return rc;
}

cu_rc iam_list_groups_for_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    char value[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, RECORD_GROUP_MEMBER_BY_USER, value,
                             call->env->account_id};
    json_t *user;

    TRY(page_begin(call, &iam_list_groups_for_user_page, in, &page));
    TRY(iam_target_user(call, in, &user));
    record_fold(kind_name(&iam_kind_user, user), value);
    TRY(page_find(&page, call->tx, &q, false, member_group_view, call));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_group_members_move(struct call *call, const char *from, const json_t *to)
{
    cu_rc rc = CU_OK;
    const char *account = call->env->account_id, *gname = kind_name(&iam_kind_group, to);
    char value[RECORD_NAME_MAX], key[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, RECORD_GROUP_MEMBER_BY_GROUP, value, account};
    json_t *items = NULL, *item, *doc = NULL;
    bool more = true;
    size_t i;

    record_fold(from, value);
    /* each pass moves what it found away from the old name, so the next starts over */
    while (more) {
        json_decref(items);
        items = NULL;
        TRY(store_find(call->tx, &q, NULL, 100, &items, &more));
        json_array_foreach(items, i, item)
        {
            const char *uname =
                json_string_value(json_object_get(json_object_get(item, "doc"), "UserName"));

            TRY(store_delete(call->tx, RECORD_GROUP_MEMBER, account,
                             json_string_value(json_object_get(item, "key")), NULL));
            record_group_member_key(gname, uname, key);
            doc = member_doc(gname, uname);
            ENSURE(doc, CU_E_NOMEM);
            TRY(store_put(call->tx, RECORD_GROUP_MEMBER, account, key, doc, STORE_CREATE));
            json_decref(doc);
            doc = NULL;
        }
    }
out:
    json_decref(doc);
    json_decref(items);
    return rc;
}

cu_rc iam_group_memberships_rename_user(struct call *call, const char *from, const char *to)
{
    cu_rc rc = CU_OK;
    const char *account = call->env->account_id;
    char value[RECORD_NAME_MAX], key[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_GROUP_MEMBER, RECORD_GROUP_MEMBER_BY_USER, value, account};
    json_t *items = NULL, *item, *doc = NULL;
    bool more = false;
    size_t i;

    /* a user is in at most 10 groups: one lookup holds them all. They are read before any
     * is moved, because a rename that changes only case keeps the same index value. */
    record_fold(from, value);
    TRY(store_find(call->tx, &q, NULL, 100, &items, &more));
    ENSURE(!more, CU_E_STORE);
    json_array_foreach(items, i, item)
    {
        const char *gname =
            json_string_value(json_object_get(json_object_get(item, "doc"), "GroupName"));

        ENSURE(gname, CU_E_STORE);
        TRY(store_delete(call->tx, RECORD_GROUP_MEMBER, account,
                         json_string_value(json_object_get(item, "key")), NULL));
        record_group_member_key(gname, to, key);
        doc = member_doc(gname, to);
        ENSURE(doc, CU_E_NOMEM);
        TRY(store_put(call->tx, RECORD_GROUP_MEMBER, account, key, doc, STORE_CREATE));
        json_decref(doc);
        doc = NULL;
    }
out:
    json_decref(doc);
    json_decref(items);
    return rc;
}
