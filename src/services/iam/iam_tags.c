/* iam_tags.c — the tags of an IAM entity record (a user, a role): adding, removing and
 * listing them, shared by user_tags.c and role_tags.c. Tags live in the record's "Tags"
 * list in the order they were added; keys compare exactly, so adding an existing key
 * replaces its value. An entity may carry at most 50 (IAM guide, reference_iam-quotas);
 * IAM names the quota after the entity (TagsPerUser, TagsPerRole). */
#include <string.h>

#include "core/tree.h"
#include "iam_common.h"

#define TAGS_PER_ENTITY 50

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

cu_rc iam_tags_add(struct call *call, json_t *record, const json_t *add, const char *quota)
{
    cu_rc rc = CU_OK;
    json_t *tags, *tag;
    size_t i, at;

    tags = json_object_get(record, "Tags");
    if (!json_is_array(tags)) {
        TRY(tree_set_new(record, "Tags", json_array()));
        tags = json_object_get(record, "Tags");
    }
    json_array_foreach(add, i, tag)
    {
        json_t *existing = find_tag(tags, json_string_value(json_object_get(tag, "Key")), &at);
        if (existing)
            TRY(tree_set_new(existing, "Value", json_copy(json_object_get(tag, "Value"))));
        else
            TRY(tree_append_new(tags, json_deep_copy(tag)));
    }
    ENSURE(json_array_size(tags) <= TAGS_PER_ENTITY,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED, "Cannot exceed quota for %s: %d",
                      quota, TAGS_PER_ENTITY));
out:
    return rc;
}

void iam_tags_remove(json_t *record, const json_t *keys)
{
    json_t *tags = json_object_get(record, "Tags"), *key;
    size_t i, at;

    json_array_foreach(keys, i, key)
    {
        if (json_is_array(tags) && find_tag(tags, json_string_value(key), &at))
            json_array_remove(tags, at);
    }
}

cu_rc iam_tags_list(struct call *call, const struct page_desc *desc, const json_t *in,
                    const struct kind *k, const char *name, json_t *out)
{
    cu_rc rc = CU_OK;
    const struct shape *tag = iam_page_item_shape(desc);
    struct page page = {0};
    json_t *record, *tags, *item = NULL;
    size_t i;

    TRY(page_begin(call, desc, in, &page));
    TRY(kind_target(call, k, name, &record));
    tags = json_object_get(record, "Tags");
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
