/* kind.c — load/create/update/delete over record kinds (see kind.h).
 *
 * Every helper turns (kind, parent, name) into the store's (kind, scope, key) the same
 * way, through address(), and maps the store's CU_E_STORE_EXISTS / absence onto the kind's
 * own AWS error; all other store failures pass through unchanged (internal errors that
 * the pipeline hides from the client). */
#include "kind.h"
#include "crypto/digest.h"

#include <stdio.h>
#include <string.h>

#include "store/records.h"

#define KIND_ARN_MAX 1024

struct address {
    char scope[RECORD_NAME_MAX];
    char key[RECORD_NAME_MAX];
};

/* The store address of the record named `name` of kind k under parent. */
static cu_rc address(const struct call *call, const struct kind *k, const char *parent,
                     const char *name, struct address *a)
{
    if (!name || (k->scope == KIND_USER && !parent))
        return CU_E_INTERNAL;
    if (k->scope == KIND_USER)
        record_user_scope(call->env->account_id, parent, a->scope);
    else if (k->scope == KIND_REGION)
        store_scope(k->store_kind, call->env->account_id, call->region, parent, a->scope);
    else
        snprintf(a->scope, sizeof(a->scope), "%s", call->env->account_id);
    if (k->fold) {
        record_fold(name, a->key);
    } else if (strlen(name) < sizeof(a->key)) {
        snprintf(a->key, sizeof(a->key), "%s", name);
    } else {
        /* a name as long as a store key or longer (a Secrets Manager secret name may have
         * 512 characters) is keyed by its digest: truncating it would make two names one */
        memcpy(a->key, "sha256:", 7);
        digest_sha256_hex(bytes_str(name), a->key + 7);
    }
    return CU_OK;
}

/* The name an ARN of kind k in the call's account gives ("arn:aws:<arn_service>::<account>:
 * <arn_resource>/<path><name>": name), or NULL when the ARN is not one. */
static const char *arn_name(const struct call *call, const struct kind *k, const char *arn)
{
    char prefix[128];
    const char *last = arn ? strrchr(arn, '/') : NULL;
    int n = snprintf(prefix, sizeof(prefix), "arn:aws:%s::%s:%s/", k->arn_service,
                     call->env->account_id, k->arn_resource);

    if (!last || n < 0 || (size_t)n >= sizeof(prefix) || strncmp(arn, prefix, (size_t)n) != 0)
        return NULL;
    return last + 1;
}

const char *kind_name(const struct kind *k, const json_t *doc)
{
    return json_string_value(json_object_get(doc, k->name_member));
}

/* What a not-found error about a loaded record names: its ARN or its name. */
static const char *shown(const struct kind *k, const json_t *doc)
{
    const char *s = k->arn_resource ? json_string_value(json_object_get(doc, "Arn")) : NULL;

    return s ? s : kind_name(k, doc);
}

/* What an error about the record named `name` names: the name, or its regional ARN. */
static const char *named(const struct call *call, const struct kind *k, const char *name,
                         char arn[KIND_ARN_MAX])
{
    if (!k->error_arn)
        return name ? name : "";
    snprintf(arn, KIND_ARN_MAX, "arn:aws:%s:%s:%s:%s%s", k->arn_service, call->region,
             call->env->account_id, k->error_arn, name ? name : "");
    return arn;
}

cu_rc kind_not_found(struct call *call, const struct kind *k, const char *id)
{
    char arn[KIND_ARN_MAX];

    return cu_err_set(&call->err, k->not_found, k->not_found_msg, named(call, k, id, arn));
}

cu_rc kind_find(struct call *call, const struct kind *k, const char *parent, const char *id,
                json_t **doc)
{
    cu_rc rc = CU_OK;
    const char *name = k->arn_resource ? arn_name(call, k, id) : id;
    struct address a;

    *doc = NULL;
    if (!name)
        goto out;
    TRY(address(call, k, parent, name, &a));
    TRY(store_get(call->tx, k->store_kind, a.scope, a.key, doc));
    /* the path is part of the ARN: the same name under another path is another policy */
    if (*doc && k->arn_resource) {
        const char *arn = json_string_value(json_object_get(*doc, "Arn"));

        if (!arn || strcmp(arn, id) != 0) {
            json_decref(*doc);
            *doc = NULL;
        }
    }
out:
    return rc;
}

cu_rc kind_load(struct call *call, const struct kind *k, const char *parent, const char *id,
                json_t **doc)
{
    cu_rc rc = CU_OK;

    TRY(kind_find(call, k, parent, id, doc));
    if (!*doc)
        rc = kind_not_found(call, k, id);
out:
    return rc;
}

cu_rc kind_target(struct call *call, const struct kind *k, const char *id, json_t **doc)
{
    *doc = call->target.doc;
    return *doc ? CU_OK : kind_not_found(call, k, id);
}

/* Store doc under its name with the given mode, mapping the store's verdicts. */
static cu_rc put(struct call *call, const struct kind *k, const char *parent, const json_t *doc,
                 enum store_put_mode mode)
{
    cu_rc rc = CU_OK;
    struct address a;
    char arn[KIND_ARN_MAX];

    TRY(address(call, k, parent, kind_name(k, doc), &a));
    rc = store_put(call->tx, k->store_kind, a.scope, a.key, doc, mode);
    if (rc == CU_E_STORE_EXISTS && k->exists_msg)
        rc = cu_err_set(&call->err, k->exists, k->exists_msg,
                        named(call, k, kind_name(k, doc), arn));
    else if (rc == CU_E_STORE_ABSENT)
        rc = kind_not_found(call, k, shown(k, doc));
out:
    return rc;
}

cu_rc kind_create(struct call *call, const struct kind *k, const char *parent, const json_t *doc)
{
    return put(call, k, parent, doc, STORE_CREATE);
}

cu_rc kind_put(struct call *call, const struct kind *k, const char *parent, const json_t *doc)
{
    return put(call, k, parent, doc, STORE_UPSERT);
}

cu_rc kind_update(struct call *call, const struct kind *k, const char *parent, const json_t *doc)
{
    return put(call, k, parent, doc, STORE_REPLACE);
}

cu_rc kind_delete(struct call *call, const struct kind *k, const char *parent, const char *name)
{
    cu_rc rc = CU_OK;
    struct address a;
    bool existed = false;

    ENSURE(!k->arn_resource, CU_E_INTERNAL);
    TRY(address(call, k, parent, name, &a));
    TRY(store_delete(call->tx, k->store_kind, a.scope, a.key, &existed));
    if (!existed)
        rc = kind_not_found(call, k, name);
out:
    return rc;
}

cu_rc kind_remove(struct call *call, const struct kind *k, const char *parent, const json_t *doc)
{
    cu_rc rc = CU_OK;
    struct address a;
    bool existed = false;

    TRY(address(call, k, parent, kind_name(k, doc), &a));
    TRY(store_delete(call->tx, k->store_kind, a.scope, a.key, &existed));
    if (!existed)
        rc = kind_not_found(call, k, shown(k, doc));
out:
    return rc;
}
