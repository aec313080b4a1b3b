/* tags.c — a KMS key's tags: TagResource, UntagResource, ListResourceTags, and the checks
 * CreateKey's Tags share (kms_tags_check).
 *
 * Tags live in the key's record as "Tags": [{"TagKey", "TagValue"}] in the order they were
 * first set (a tag set again keeps its place, with the new value). The model checks each
 * key's and value's length (ValidationException naming tags.N.member.tagKey); KMS itself
 * refuses a request repeating a tag key, a key beginning with "aws:" in any case, and more
 * than 50 tags on a key (KMS developer guide, tagging-keys: at most 50 tags per key;
 * TagException with the wordings below). aws:RequestTag/<k> and aws:TagKeys are the
 * request's condition keys; aws:ResourceTag/<k> the key's (conditions.c). */
#include <string.h>
#include <strings.h>

#include "core/tree.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"
#include "services/render.h"

#define KEY_TAGS_MAX 50

static const char *tag_key(const json_t *tag)
{
    return json_string_value(json_object_get(tag, "TagKey"));
}

/* The index of the tag with this key in tags, or -1. */
static long find_tag(const json_t *tags, const char *key)
{
    size_t i;
    json_t *t;

    json_array_foreach((json_t *)tags, i, t)
    {
        const char *k = tag_key(t);
        if (k && strcmp(k, key) == 0)
            return (long)i;
    }
    return -1;
}

cu_rc kms_tags_check(struct call *call, const json_t *tags)
{
    size_t i, j;
    json_t *t;

    if (json_array_size(tags) > KEY_TAGS_MAX)
        return cu_err_set(&call->err, CU_E_KMS_TAG, "Too many tags");
    json_array_foreach((json_t *)tags, i, t)
    {
        const char *key = tag_key(t);

        if (!key)
            continue;
        for (j = 0; j < i; j++)
            if (strcmp(tag_key(json_array_get(tags, j)), key) == 0)
                return cu_err_set(&call->err, CU_E_KMS_TAG, "Duplicate tag keys");
        if (strncasecmp(key, "aws:", 4) == 0)
            return cu_err_set(&call->err, CU_E_KMS_TAG, "Tags beginning with aws: are reserved");
    }
    return CU_OK;
}

/* TagResource: aws:RequestTag/<k> and aws:TagKeys. */
void kms_tag_resource_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

/* UntagResource: aws:TagKeys, the keys to remove. */
void kms_untag_resource_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_tag_keys(keys, in_list(in, "TagKeys"));
}

cu_rc kms_tag_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const json_t *given = in_list(in, "Tags");
    json_t *doc = NULL, *tags, *t;
    size_t i;

    (void)out;
    TRY(kms_key_check_not_pending(call, key));
    TRY(kms_tags_check(call, given));
    doc = json_deep_copy(key->doc);
    ENSURE(doc, CU_E_NOMEM);
    tags = json_object_get(doc, "Tags");
    if (!json_is_array(tags)) {
        TRY(tree_set_new(doc, "Tags", json_array()));
        tags = json_object_get(doc, "Tags");
    }
    json_array_foreach((json_t *)given, i, t)
    {
        long at = find_tag(tags, tag_key(t));
        json_t *copy = json_pack("{s:s, s:s}", "TagKey", tag_key(t), "TagValue",
                                 json_string_value(json_object_get(t, "TagValue")));

        ENSURE(copy, CU_E_NOMEM);
        ENSURE((at >= 0 ? json_array_set_new(tags, (size_t)at, copy)
                        : json_array_append_new(tags, copy)) == 0,
               CU_E_NOMEM);
    }
    ENSURE(json_array_size(tags) <= KEY_TAGS_MAX,
           cu_err_set(&call->err, CU_E_KMS_TAG, "Too many tags"));
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc kms_untag_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    json_t *doc = NULL, *tags, *k;
    size_t i;

    (void)out;
    TRY(kms_key_check_not_pending(call, key));
    doc = json_deep_copy(key->doc);
    ENSURE(doc, CU_E_NOMEM);
    tags = json_object_get(doc, "Tags");
    /* a key the key does not carry is no error (KMS API reference, UntagResource) */
    json_array_foreach((json_t *)in_list(in, "TagKeys"), i, k)
    {
        long at = json_string_value(k) ? find_tag(tags, json_string_value(k)) : -1;
        if (at >= 0)
            json_array_remove(tags, (size_t)at);
    }
    TRY(kind_update(call, &kms_kind_key, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc kms_list_resource_tags(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *tags = json_object_get(kms_target_key(call)->doc, "Tags");
    const struct shape *entry =
        model_list_element(model_output_shape("kms", "ListResourceTags", "Tags"));
    struct page page = {0};
    json_t *item = NULL;
    size_t first = 0;

    TRY(page_begin(call, &kms_list_resource_tags_page, in, &page));
    TRY(page_first_index(call, &page, &first));
    for (size_t i = first; i < json_array_size(tags) && !page_full(&page); i++) {
        TRY(render_record(json_array_get(tags, i), entry, &item));
        TRY(page_add_index(&page, i, item));
        item = NULL;
    }
    TRY(page_end(&page, out));
    /* AWS answers Tags: [] for a key without tags (the renderer would leave it out) */
    if (!json_object_get(out, "Tags"))
        TRY(tree_set_new(out, "Tags", json_array()));
out:
    page_release(&page);
    return rc;
}
