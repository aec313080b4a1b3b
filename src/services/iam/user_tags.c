/* user_tags.c — IAM user tags: TagUser, UntagUser, ListUserTags. Tags live in the user
 * record; a user may carry at most 50 (IAM guide, reference_iam-quotas). Keys compare
 * exactly: TagUser with an existing key replaces its value. The tags also become the
 * user's aws:PrincipalTag/<key> condition keys (server/authorize.c). Each handler acts on
 * the user record its resolver loaded (iam_target_user). */
#include <string.h>

#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"

#define TAGS_PER_USER 50

static json_t *find_tag(json_t *tags, const char *key, size_t *index)
{
    size_t i;
    json_t *t;

    json_array_foreach(tags, i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "Key")), key) == 0) {
            *index = i;
            return t;
        }
    }
    return NULL;
}

cu_rc iam_tag_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user, *tags, *tag;
    size_t i, at;

    TRY(iam_target_user(call, in, &user));
    tags = json_object_get(user, "Tags");
    if (!json_is_array(tags)) {
        TRY(tree_set_new(user, "Tags", json_array()));
        tags = json_object_get(user, "Tags");
    }
    json_array_foreach(in_list(in, "Tags"), i, tag)
    {
        json_t *existing = find_tag(tags, json_string_value(json_object_get(tag, "Key")), &at);
        if (existing)
            TRY(tree_set_new(existing, "Value", json_copy(json_object_get(tag, "Value"))));
        else
            TRY(tree_append_new(tags, json_deep_copy(tag)));
    }
    ENSURE(json_array_size(tags) <= TAGS_PER_USER,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for TagsPerUser: %d", TAGS_PER_USER));
    TRY(iam_user_save(call, user));
out:
    return rc;
}

cu_rc iam_untag_user(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *user, *tags, *key;
    size_t i, at;

    TRY(iam_target_user(call, in, &user));
    tags = json_object_get(user, "Tags");
    json_array_foreach(in_list(in, "TagKeys"), i, key)
    {
        if (json_is_array(tags) && find_tag(tags, json_string_value(key), &at))
            json_array_remove(tags, at);
    }
    TRY(iam_user_save(call, user));
out:
    return rc;
}

cu_rc iam_list_user_tags(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct shape *tag = iam_page_item_shape(&iam_list_user_tags_page);
    struct page page = {0};
    json_t *user, *tags, *item = NULL;
    size_t i;

    TRY(page_begin(call, &iam_list_user_tags_page, in, &page));
    TRY(iam_target_user(call, in, &user));
    tags = json_object_get(user, "Tags");
    /* tags keep the order they were added in; a page's position is an index into it */
    TRY(page_first_index(call, &page, &i));
    for (; json_is_array(tags) && i < json_array_size(tags) && !page_full(&page); i++) {
        TRY(render_record(json_array_get(tags, i), tag, &item));
        TRY(page_add_index(&page, i, item)); /* steals item */
        item = NULL;
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
