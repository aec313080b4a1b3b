/* parameter_lists.c — GetParametersByPath, DescribeParameters and GetParameterHistory, and
 * the ParameterFilters both lists take (Systems Manager API reference,
 * ParameterStringFilter): keys Name (options Equals, BeginsWith, Contains), Path
 * (OneLevel, Recursive), Type, KeyId, Tier, DataType, Label and tag:<key> (Equals,
 * BeginsWith); GetParametersByPath takes neither Name, Path nor Tier, DescribeParameters
 * no Label. Lists walk the parameter records in name order and page through page.h. */
#include <string.h>

#include "core/tree.h"
#include "services/in.h"
#include "services/page.h"
#include "ssm.h"
#include "ssm_ops.gen.h"
#include "store/records.h"

static const json_t *current(const json_t *param)
{
    const json_t *v = json_object_get(param, "Versions");

    return json_array_get(v, json_array_size(v) - 1);
}

static bool one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static const char *default_option(const char *key)
{
    return strcmp(key, "Path") == 0 ? "OneLevel" : "Equals";
}

static cu_rc check_filter(struct call *call, const json_t *f, bool by_path)
{
    static const char *const types[] = {"String", "StringList", "SecureString", NULL};
    static const char *const tiers[] = {"Standard", "Advanced", "Intelligent-Tiering", NULL};
    static const char *const plain[] = {"Equals", "BeginsWith", NULL};
    static const char *const name_opts[] = {"Equals", "BeginsWith", "Contains", NULL};
    static const char *const path_opts[] = {"Recursive", "OneLevel", NULL};
    static const char *const by_path_bad[] = {"Name", "Path", "Tier", NULL};
    const char *key = json_string_value(json_object_get(f, "Key"));
    const char *opt = json_string_value(json_object_get(f, "Option"));
    const json_t *values = json_object_get(f, "Values");
    size_t i;
    json_t *v;

    if (!opt)
        opt = default_option(key);
    if (by_path && one_of(key, by_path_bad))
        return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_KEY,
                          "The following filter key is not valid: %s. Valid filter keys "
                          "include: [Type, KeyId].", key);
    if (!by_path && strcmp(key, "Label") == 0)
        return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_KEY,
                          "The following filter key is not valid: Label. Valid filter keys "
                          "include: [Path, Name, Type, KeyId, Tier].");
    if (json_array_size(values) == 0)
        return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_VALUE,
                          "The following filter values are missing : null for filter key %s.",
                          key);
    if (strcmp(key, "Path") == 0) {
        if (!one_of(opt, path_opts))
            return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_OPTION,
                              "The following filter option is not valid: %s. Valid options "
                              "include: [Recursive, OneLevel].", opt);
        return CU_OK;
    }
    if (!one_of(opt, strcmp(key, "Name") == 0 ? name_opts : plain))
        return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_OPTION,
                          "The following filter option is not valid: %s. Valid options "
                          "include: [BeginsWith, Equals].", opt);
    json_array_foreach((json_t *)values, i, v)
    {
        const char *s = json_string_value(v);
        if (strcmp(key, "Type") == 0 && !one_of(s, types))
            return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_VALUE,
                              "The following filter value is not valid: %s. Valid values "
                              "include: [String, StringList, SecureString].", s);
        if (strcmp(key, "Tier") == 0 && !one_of(s, tiers))
            return cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_VALUE,
                              "The following filter value is not valid: %s. Valid values "
                              "include: [Standard, Advanced, Intelligent-Tiering].", s);
    }
    return CU_OK;
}

static cu_rc check_filters(struct call *call, const json_t *filters, bool by_path)
{
    cu_rc rc = CU_OK;
    size_t i, j;
    json_t *f;

    json_array_foreach((json_t *)filters, i, f)
    {
        const char *key = json_string_value(json_object_get(f, "Key"));

        TRY(check_filter(call, f, by_path));
        for (j = 0; j < i; j++)
            ENSURE(strcmp(json_string_value(json_object_get(json_array_get(filters, j), "Key")),
                          key) != 0,
                   cu_err_set(&call->err, CU_E_SSM_INVALID_FILTER_KEY,
                              "The following filter is duplicated in the request: %s. A "
                              "request can contain only one occurrence of a specific filter.",
                              key));
    }
out:
    return rc;
}

/* "/a/b" under "/a" one level down (OneLevel) or at any depth (Recursive); path "/" holds
 * every name that begins with '/'. */
static bool under(const char *name, const char *path, bool recursive)
{
    size_t n = strlen(path);

    while (n > 1 && path[n - 1] == '/')
        n--;
    if (name[0] != '/')
        return false;
    if (!(n == 1 && path[0] == '/')) {
        if (strncmp(name, path, n) != 0 || name[n] != '/')
            return false;
    } else {
        n = 0;
    }
    return recursive || strchr(name + n + 1, '/') == NULL;
}

static bool value_matches(const char *what, const char *opt, const char *value)
{
    if (!what)
        return false;
    if (strcmp(opt, "BeginsWith") == 0)
        return strncmp(what, value, strlen(value)) == 0;
    if (strcmp(opt, "Contains") == 0)
        return strstr(what, value) != NULL;
    return strcmp(what, value) == 0;
}

static const char *tag_value(const json_t *param, const char *key)
{
    size_t i;
    json_t *t;

    json_array_foreach(json_object_get(param, "Tags"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "Key")), key) == 0)
            return json_string_value(json_object_get(t, "Value"));
    }
    return NULL;
}

/* Whether a parameter passes one filter: any of its values matches (a Label filter: any
 * version of the parameter holds one of the labels). */
static bool passes(const json_t *param, const json_t *f)
{
    const char *key = json_string_value(json_object_get(f, "Key"));
    const char *opt = json_string_value(json_object_get(f, "Option"));
    const json_t *ver = current(param);
    const char *name = json_string_value(json_object_get(param, "Name"));
    size_t i, j;
    json_t *v, *any;

    if (!opt)
        opt = default_option(key);
    json_array_foreach(json_object_get(f, "Values"), i, v)
    {
        const char *s = json_string_value(v);

        if (strcmp(key, "Path") == 0) {
            if (under(name, s, strcmp(opt, "Recursive") == 0))
                return true;
        } else if (strcmp(key, "Label") == 0) {
            json_array_foreach(json_object_get(param, "Versions"), j, any)
            {
                if (tree_list_has(json_object_get(any, "Labels"), s))
                    return true;
            }
        } else if (strncmp(key, "tag:", 4) == 0) {
            if (value_matches(tag_value(param, key + 4), opt, s))
                return true;
        } else if (strcmp(key, "Name") == 0) {
            /* names compare with their leading '/', given or not (moto and AWS alike) */
            const char *a = name + (name[0] == '/'), *b = s + (s[0] == '/');
            if (value_matches(a, opt, strcmp(opt, "Contains") == 0 ? s : b))
                return true;
        } else if (value_matches(json_string_value(json_object_get(ver, key)), opt, s)) {
            return true;
        }
    }
    return false;
}

static bool passes_all(const json_t *param, const json_t *filters)
{
    size_t i;
    json_t *f;

    json_array_foreach((json_t *)filters, i, f)
    {
        if (!passes(param, f))
            return false;
    }
    return true;
}

struct by_path {
    struct call *call;
    const char *path;
    bool recursive, decrypt;
    const json_t *filters;
};

static cu_rc by_path_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    struct by_path *q = ctx;

    (void)key;
    *item = NULL;
    if (ssm_is_expired(doc, q->call->now_ms) ||
        !under(json_string_value(json_object_get(doc, "Name")), q->path, q->recursive) ||
        !passes_all(doc, q->filters))
        return CU_OK;
    return ssm_version_item(q->call, doc, current(doc), NULL, q->decrypt, false, item);
}

/* ssm:Recursive (Service Authorization Reference: GetParametersByPath) */
void ssm_by_path_condition_keys(const json_t *in, struct call_keys *keys)
{
    call_keys_add(keys, "ssm:Recursive", in_bool(in, "Recursive", false) ? "true" : "false");
}

cu_rc ssm_resolve_path(struct call *call, const json_t *in)
{
    const char *path = in_str_or(in, "Path", "/");

    ssm_arn(call->region, call->env->account_id, path, call->target.arn);
    return CU_OK;
}

cu_rc ssm_get_parameters_by_path(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct by_path q = {call, in_str(in, "Path"), in_bool(in, "Recursive", false),
                        in_bool(in, "WithDecryption", false), in_list(in, "ParameterFilters")};
    struct page page = {0};
    char scope[RECORD_NAME_MAX];

    ENSURE(q.path[0] == '/' && !strstr(q.path, "//"),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "The parameter doesn't meet the parameter name requirements. The "
                      "parameter name must begin with a forward slash \"/\". It can't be "
                      "prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only "
                      "letters, numbers, or the following symbols: . (period), - (hyphen), _ "
                      "(underscore). Special characters are not allowed. All sub-paths, if "
                      "specified, must use the forward slash symbol \"/\". Valid example: "
                      "/get/parameters2-/by1./path0_."));
    TRY(check_filters(call, q.filters, true));
    TRY(page_begin(call, &ssm_get_parameters_by_path_page, in, &page));
    store_scope(RECORD_PARAMETER, call->env->account_id, call->region, NULL, scope);
    TRY(page_scan(&page, call->tx, RECORD_PARAMETER, scope, by_path_view, &q));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

struct describe {
    struct call *call;
    const json_t *filters;     /* ParameterFilters */
    const json_t *old_filters; /* Filters: Name (BeginsWith), Type, KeyId (Equals) */
};

static bool passes_old(const json_t *param, const json_t *filters)
{
    size_t i, j;
    json_t *f, *v;

    json_array_foreach((json_t *)filters, i, f)
    {
        const char *key = json_string_value(json_object_get(f, "Key"));
        const char *what = strcmp(key, "Name") == 0
                               ? json_string_value(json_object_get(param, "Name"))
                               : json_string_value(json_object_get(current(param), key));
        bool any = false;

        json_array_foreach(json_object_get(f, "Values"), j, v)
            any = any || value_matches(what, strcmp(key, "Name") == 0 ? "BeginsWith" : "Equals",
                                       json_string_value(v));
        if (!any)
            return false;
    }
    return true;
}

static cu_rc describe_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    static const char *const copied[] = {"Type", "KeyId", "Description", "AllowedPattern",
                                         "Tier", "DataType", "LastModifiedUser", NULL};
    cu_rc rc = CU_OK;
    struct describe *q = ctx;
    const json_t *ver = current(doc);
    json_t *it = NULL;

    (void)key;
    *item = NULL;
    if (ssm_is_expired(doc, q->call->now_ms) || !passes_all(doc, q->filters) ||
        !passes_old(doc, q->old_filters))
        goto out;
    it = json_pack("{s:O, s:O, s:O}", "Name", json_object_get(doc, "Name"), "ARN",
                   json_object_get(doc, "ARN"), "Version", json_object_get(ver, "Version"));
    ENSURE(it, CU_E_NOMEM);
    for (size_t i = 0; copied[i]; i++)
        if (json_object_get(ver, copied[i]))
            TRY(tree_set_new(it, copied[i], json_incref(json_object_get(ver, copied[i]))));
    TRY(tree_set_time_ms(it, "LastModifiedDate",
                         json_integer_value(json_object_get(ver, "LastModifiedDate"))));
    TRY(tree_set_new(it, "Policies", json_deep_copy(json_object_get(ver, "Policies"))));
    *item = it;
    it = NULL;
out:
    json_decref(it);
    return rc;
}

cu_rc ssm_describe_parameters(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct describe q = {call, in_list(in, "ParameterFilters"), in_list(in, "Filters")};
    struct page page = {0};
    char scope[RECORD_NAME_MAX];

    ENSURE(!q.filters || !q.old_filters,
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "You can use either Filters or ParameterFilters in a single request."));
    TRY(check_filters(call, q.filters, false));
    TRY(page_begin(call, &ssm_describe_parameters_page, in, &page));
    /* Shared: parameters other accounts share with this one; custos shares none */
    if (!in_bool(in, "Shared", false)) {
        store_scope(RECORD_PARAMETER, call->env->account_id, call->region, NULL, scope);
        TRY(page_scan(&page, call->tx, RECORD_PARAMETER, scope, describe_view, &q));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc ssm_get_parameter_history(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    bool decrypt = in_bool(in, "WithDecryption", false);
    struct page page = {0};
    json_t *param, *versions, *item = NULL;
    size_t first;

    TRY(ssm_target(call, "", &param));
    TRY(page_begin(call, &ssm_get_parameter_history_page, in, &page));
    TRY(page_first_index(call, &page, &first));
    versions = json_object_get(param, "Versions");
    for (size_t i = first; i < json_array_size(versions) && !page_full(&page); i++) {
        TRY(ssm_version_item(call, param, json_array_get(versions, i), NULL, decrypt, true,
                             &item));
        TRY(page_add_index(&page, i, item));
        item = NULL;
    }
    TRY(page_end(&page, out));
out:
    json_decref(item);
    page_release(&page);
    return rc;
}
