/* trail_tags.c — AddTags, RemoveTags and ListTags on custos's trail, the one CloudTrail
 * resource it has. The tags are one record (RECORD_CT_TRAIL_TAGS, keyed by the trail's
 * name) holding TagsList as CloudTrail answers it; no record is no tags. CloudTrail's
 * limits: 50 tags on a resource (TagsLimitExceededException), keys unique within a request
 * (InvalidTagParameterException); an existing key takes the new value. Any other resource
 * is one custos does not have: a trail, data store, channel or dashboard ARN of this
 * account is not found with that resource's error, anything else is not a CloudTrail ARN
 * (CloudTrailARNInvalidException). */
#include <stdio.h>
#include <string.h>

#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "core/tree.h"
#include "services/in.h"
#include "services/kind.h"
#include "store/records.h"

#define TAGS_MAX 50

static const struct kind trail_tags_kind = {.store_kind = RECORD_CT_TRAIL_TAGS,
                                            .scope = KIND_ACCOUNT,
                                            .fold = false,
                                            .name_member = "Name",
                                            .not_found = CU_E_CT_TRAIL_NOT_FOUND,
                                            .not_found_msg = "Unknown trail: %s",
                                            .exists = CU_E_CT_TRAIL_ALREADY_EXISTS,
                                            .exists_msg = NULL};

cu_rc cloudtrail_resolve_tagged(struct call *call, const json_t *in)
{
    cloudtrail_target(call, in_str(in, "ResourceId"), "trail");
    return CU_OK;
}

cu_rc cloudtrail_resolve_tag_list(struct call *call, const json_t *in)
{
    const json_t *ids = in_list(in, "ResourceIdList");

    cloudtrail_target(call, json_string_value(json_array_get(ids, 0)), "trail");
    return CU_OK;
}

/* CU_OK when id names custos's trail; else the error of what it names. */
static cu_rc tagged_resource(struct call *call, const char *id)
{
    char mine[64];

    if (cloudtrail_names_trail(call, id))
        return CU_OK;
    snprintf(mine, sizeof(mine), ":%s:", call->env->account_id);
    if (id && strstr(id, mine)) {
        if (cloudtrail_arn_is(id, "eventdatastore"))
            return cloudtrail_need_event_data_store(call, id);
        if (cloudtrail_arn_is(id, "channel"))
            return cu_err_set(&call->err, CU_E_CT_CHANNEL_NOT_FOUND,
                              "CloudTrail cannot find the specified channel.");
        if (cloudtrail_arn_is(id, "trail") || cloudtrail_arn_is(id, "dashboard"))
            return cu_err_set(&call->err, CU_E_CT_RESOURCE_NOT_FOUND,
                              "The specified resource is not found.");
    }
    return cu_err_set(&call->err, CU_E_CT_ARN_INVALID,
                      "The ARN %s is not the ARN of a trail, event data store, dashboard or "
                      "channel of the account %s.",
                      id ? id : "", call->env->account_id);
}

/* The stored tags, owned (an empty list when none were ever added). */
static cu_rc load_tags(struct call *call, json_t **tags)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;

    TRY(kind_find(call, &trail_tags_kind, NULL, CLOUDTRAIL_TRAIL_NAME, &doc));
    *tags = json_incref(json_object_get(doc, "TagsList"));
    if (!*tags)
        ENSURE(*tags = json_array(), CU_E_NOMEM);
out:
    json_decref(doc);
    return rc;
}

static cu_rc save_tags(struct call *call, json_t *tags)
{
    cu_rc rc = CU_OK;
    json_t *doc = json_pack("{s:s, s:O}", "Name", CLOUDTRAIL_TRAIL_NAME, "TagsList", tags);

    ENSURE(doc, CU_E_NOMEM);
    TRY(kind_put(call, &trail_tags_kind, NULL, doc));
out:
    json_decref(doc);
    return rc;
}

/* The index of key in tags, or -1. */
static long find_key(const json_t *tags, const char *key)
{
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const char *k = json_string_value(json_object_get(json_array_get(tags, i), "Key"));

        if (k && key && strcmp(k, key) == 0)
            return (long)i;
    }
    return -1;
}

cu_rc cloudtrail_add_tags(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *add = in_list(in, "TagsList");
    json_t *tags = NULL;

    (void)out;
    TRY(tagged_resource(call, in_str(in, "ResourceId")));
    for (size_t i = 0; i < json_array_size(add); i++)
        if (find_key(add, in_str(json_array_get(add, i), "Key")) != (long)i)
            TRY(cu_err_set(&call->err, CU_E_CT_INVALID_TAG_PARAMETER,
                           "The tag key %s is given more than once.",
                           in_str(json_array_get(add, i), "Key")));
    TRY(load_tags(call, &tags));
    for (size_t i = 0; i < json_array_size(add); i++) {
        const json_t *tag = json_array_get(add, i);
        long at = find_key(tags, in_str(tag, "Key"));
        json_t *copy = json_deep_copy(tag);

        ENSURE(copy, CU_E_NOMEM);
        if (at >= 0)
            ENSURE(json_array_set_new(tags, (size_t)at, copy) == 0, CU_E_NOMEM);
        else
            TRY(tree_append_new(tags, copy));
    }
    if (json_array_size(tags) > TAGS_MAX)
        TRY(cu_err_set(&call->err, CU_E_CT_TAGS_LIMIT_EXCEEDED,
                       "The number of tags per trail has exceeded the permitted amount. "
                       "Currently, the limit is %d.",
                       TAGS_MAX));
    TRY(save_tags(call, tags));
out:
    json_decref(tags);
    return rc;
}

cu_rc cloudtrail_remove_tags(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *drop = in_list(in, "TagsList");
    json_t *tags = NULL;

    (void)out;
    TRY(tagged_resource(call, in_str(in, "ResourceId")));
    TRY(load_tags(call, &tags));
    for (size_t i = 0; i < json_array_size(drop); i++) {
        long at = find_key(tags, in_str(json_array_get(drop, i), "Key"));

        if (at >= 0)
            ENSURE(json_array_remove(tags, (size_t)at) == 0, CU_E_INTERNAL);
    }
    TRY(save_tags(call, tags));
out:
    json_decref(tags);
    return rc;
}

cu_rc cloudtrail_list_tags(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *ids = in_list(in, "ResourceIdList");
    char arn[CLOUDTRAIL_ARN_MAX];
    json_t *list = json_array(), *tags = NULL;

    ENSURE(list, CU_E_NOMEM);
    cloudtrail_trail_arn(call, arn);
    /* one resource can be tagged: every id must name it (the paginator's NextToken is
     * "reserved for future use": one page) */
    for (size_t i = 0; i < json_array_size(ids); i++)
        TRY(tagged_resource(call, json_string_value(json_array_get(ids, i))));
    if (json_array_size(ids) > 0) {
        TRY(load_tags(call, &tags));
        TRY(tree_append_new(list, json_pack("{s:s, s:O}", "ResourceId", arn, "TagsList", tags)));
    }
    TRY(tree_set_new(out, "ResourceTagList", list));
    list = NULL;
out:
    json_decref(tags);
    json_decref(list);
    return rc;
}
