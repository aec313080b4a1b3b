/* labels.c — LabelParameterVersion and UnlabelParameterVersion (Systems Manager user
 * guide, sysman-paramstore-labels): a label is on at most one version of a parameter and
 * moves to the version it is put on; a version holds at most 10 labels; a label that breaks
 * the naming rules is answered in InvalidLabels, not refused. */
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "ssm.h"
#include "ssm_ops.gen.h"

static void drop_label(json_t *version, const char *label)
{
    json_t *labels = json_object_get(version, "Labels");

    for (size_t i = 0; i < json_array_size(labels); i++)
        if (strcmp(json_string_value(json_array_get(labels, i)), label) == 0)
            json_array_remove(labels, i--);
}

static cu_rc pick_version(struct call *call, const json_t *in, json_t *param, json_t **version)
{
    const json_t *versions = json_object_get(param, "Versions");
    int64_t v = in_int(in, "ParameterVersion", 0);

    *version = v ? ssm_version_by_number(param, v)
                 : json_array_get(versions, json_array_size(versions) - 1);
    if (!*version)
        return cu_err_set(&call->err, CU_E_SSM_VERSION_NOT_FOUND,
                          "Systems Manager could not find version %lld of %s. Verify the "
                          "version and try again.",
                          (long long)v, json_string_value(json_object_get(param, "Name")));
    return CU_OK;
}

cu_rc ssm_label_parameter_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *param, *version, *invalid = json_array(), *l, *v;
    size_t i, j, adding = 0;

    ENSURE(invalid, CU_E_NOMEM);
    TRY(ssm_target(call, "", &param));
    TRY(pick_version(call, in, param, &version));
    json_array_foreach((json_t *)in_list(in, "Labels"), i, l)
    {
        if (!ssm_label_valid(json_string_value(l)))
            TRY(tree_append_new(invalid, json_string(json_string_value(l))));
        else if (!tree_list_has(json_object_get(version, "Labels"), json_string_value(l)))
            adding++;
    }
    ENSURE(json_array_size(json_object_get(version, "Labels")) + adding <= SSM_MAX_LABELS,
           cu_err_set(&call->err, CU_E_SSM_LABEL_LIMIT,
                      "A parameter version can have maximum 10 labels.Move one or more labels "
                      "to another version and try again."));
    json_array_foreach((json_t *)in_list(in, "Labels"), i, l)
    {
        const char *label = json_string_value(l);

        if (!ssm_label_valid(label) || tree_list_has(json_object_get(version, "Labels"), label))
            continue;
        json_array_foreach(json_object_get(param, "Versions"), j, v)
            drop_label(v, label);
        TRY(tree_append_new(json_object_get(version, "Labels"), json_string(label)));
    }
    TRY(kind_update(call, &ssm_kind_parameter, NULL, param));
    if (json_array_size(invalid))
        TRY(tree_set_new(out, "InvalidLabels", json_incref(invalid)));
    TRY(tree_set_int(out, "ParameterVersion",
                     json_integer_value(json_object_get(version, "Version"))));
out:
    json_decref(invalid);
    return rc;
}

cu_rc ssm_unlabel_parameter_version(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *param, *version, *removed = json_array(), *invalid = json_array(), *l;
    size_t i;

    ENSURE(removed && invalid, CU_E_NOMEM);
    TRY(ssm_target(call, "", &param));
    TRY(pick_version(call, in, param, &version));
    json_array_foreach((json_t *)in_list(in, "Labels"), i, l)
    {
        const char *label = json_string_value(l);

        if (tree_list_has(json_object_get(version, "Labels"), label)) {
            drop_label(version, label);
            TRY(tree_append_new(removed, json_string(label)));
        } else {
            TRY(tree_append_new(invalid, json_string(label)));
        }
    }
    TRY(kind_update(call, &ssm_kind_parameter, NULL, param));
    TRY(tree_set_new(out, "RemovedLabels", json_incref(removed)));
    TRY(tree_set_new(out, "InvalidLabels", json_incref(invalid)));
out:
    json_decref(removed);
    json_decref(invalid);
    return rc;
}
