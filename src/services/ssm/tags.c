/* tags.c — AddTagsToResource, RemoveTagsFromResource and ListTagsForResource for
 * ResourceType Parameter (ResourceId: the parameter's name). custos holds no other
 * Systems Manager resource, so any other ResourceType names nothing: InvalidResourceId, as
 * AWS answers for a resource that does not exist. At most 50 tags on a parameter
 * (TooManyTagsError). */
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "ssm.h"
#include "ssm_ops.gen.h"

#define MAX_TAGS 50

cu_rc ssm_resolve_tagged(struct call *call, const json_t *in)
{
    if (strcmp(in_str_or(in, "ResourceType", ""), "Parameter") != 0) {
        str_copy(call->target.arn, sizeof(call->target.arn), "*");
        return CU_OK;
    }
    return ssm_resolve_parameter_name(call, in_str(in, "ResourceId"));
}

void ssm_tag_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_request_tags(keys, in_list(in, "Tags"));
}

void ssm_untag_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_tag_keys(keys, in_list(in, "TagKeys"));
}

static cu_rc tagged(struct call *call, const json_t *in, json_t **param)
{
    *param = call->target.doc;
    if (strcmp(in_str_or(in, "ResourceType", ""), "Parameter") != 0 || !*param)
        return cu_err_set(&call->err, CU_E_SSM_INVALID_RESOURCE_ID, "%s", "");
    return CU_OK;
}

static json_t *tag_named(const json_t *tags, const char *key, size_t *at)
{
    size_t i;
    json_t *t;

    json_array_foreach((json_t *)tags, i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "Key")), key) == 0) {
            *at = i;
            return t;
        }
    }
    return NULL;
}

cu_rc ssm_add_tags_to_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *param, *tags, *t, *have;
    size_t i, at;

    (void)out;
    TRY(tagged(call, in, &param));
    tags = json_object_get(param, "Tags");
    json_array_foreach((json_t *)in_list(in, "Tags"), i, t)
    {
        have = tag_named(tags, json_string_value(json_object_get(t, "Key")), &at);
        if (have)
            TRY(tree_set_str(have, "Value", json_string_value(json_object_get(t, "Value"))));
        else
            TRY(tree_append_new(tags, json_deep_copy(t)));
    }
    ENSURE(json_array_size(tags) <= MAX_TAGS,
           cu_err_set(&call->err, CU_E_SSM_TOO_MANY_TAGS,
                      "The Tags array includes more than the maximum allowed number of tags "
                      "(50)."));
    TRY(kind_update(call, &ssm_kind_parameter, NULL, param));
out:
    return rc;
}

cu_rc ssm_remove_tags_from_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *param, *tags, *k;
    size_t i, at;

    (void)out;
    TRY(tagged(call, in, &param));
    tags = json_object_get(param, "Tags");
    json_array_foreach((json_t *)in_list(in, "TagKeys"), i, k)
    {
        if (tag_named(tags, json_string_value(k), &at))
            json_array_remove(tags, at);
    }
    TRY(kind_update(call, &ssm_kind_parameter, NULL, param));
out:
    return rc;
}

cu_rc ssm_list_tags_for_resource(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *param;

    TRY(tagged(call, in, &param));
    TRY(tree_set_new(out, "TagList", json_deep_copy(json_object_get(param, "Tags"))));
out:
    return rc;
}
