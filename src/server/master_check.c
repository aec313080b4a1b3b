/* master_check.c — that this node's master key is the one the store's data is sealed
 * under, checked at every start before anything is sealed or opened: several nodes share
 * one store (PostgreSQL), and a node given another master key would otherwise start,
 * answer every signed request with a broken seal, and seal new key material the other
 * nodes cannot open. The store holds a canary: a constant sealed under the master key
 * (never the key itself, nor anything secret) that only the same key opens. A store from
 * before the canary is checked against the root user's sealed access keys instead, and
 * given its canary once one of them opens. */
#include <stdio.h>
#include <string.h>

#include "bootstrap.h"
#include "core/buf.h"
#include "core/codec.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/master_key.h"
#include "services/iam/iam.h"
#include "store/records.h"

#define CANARY_KEY "canary"
#define CANARY_AAD "custos/master-key-check"
#define CANARY_TEXT "the master key of this store"

/* Whether sealed_b64 opens under mk with aad. */
static bool opens(const struct master_key *mk, const char *sealed_b64, const char *aad)
{
    struct buf sealed;
    struct secret *opened = NULL;
    bool ok;

    buf_init(&sealed, 4096);
    ok = sealed_b64 && b64_decode(bytes_str(sealed_b64), &sealed) == CU_OK &&
         master_key_open(mk, buf_bytes(&sealed), bytes_str(aad), &opened) == CU_OK;
    secret_free(opened);
    buf_release(&sealed);
    return ok;
}

/* A store without a canary: true unless the root user has sealed keys and none opens. */
static cu_rc root_keys_open(struct store_tx *tx, const struct master_key *mk,
                            const char *account, bool *ok)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX];
    struct store_lookup q;
    json_t *keys = NULL, *item;
    bool more = false;
    size_t i;

    iam_access_key_lookup(account, "", &q, value);
    TRY(store_find(tx, &q, NULL, 100, &keys, &more));
    *ok = json_array_size(keys) == 0;
    json_array_foreach(keys, i, item) {
        const json_t *doc = json_object_get(item, "doc");
        if (opens(mk, json_string_value(json_object_get(doc, "SealedSecret")),
                  json_string_value(json_object_get(item, "key"))))
            *ok = true;
    }
out:
    json_decref(keys);
    return rc;
}

static cu_rc canary_create(struct store_tx *tx, const struct master_key *mk)
{
    cu_rc rc = CU_OK;
    struct buf sealed, text;
    json_t *doc = NULL;

    buf_init(&sealed, 4096);
    buf_init(&text, 4096);
    TRY(master_key_seal(mk, bytes_str(CANARY_TEXT), bytes_str(CANARY_AAD), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    doc = json_object();
    ENSURE(doc, CU_E_NOMEM);
    TRY(tree_set_str(doc, "Sealed", text.p));
    TRY(store_put(tx, RECORD_MASTER_CHECK, "", CANARY_KEY, doc, STORE_CREATE));
out:
    json_decref(doc);
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

cu_rc master_check(struct store_tx *tx, const struct config *cfg, const struct master_key *mk,
                   const char *account, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;
    bool ok = false;
    char path[1100];

    if (cfg->master_key_file[0])
        snprintf(path, sizeof(path), "%s", cfg->master_key_file);
    else
        snprintf(path, sizeof(path), "%s/master.key", cfg->data_dir);
    TRY(store_get(tx, RECORD_MASTER_CHECK, "", CANARY_KEY, &doc));
    if (doc)
        ok = opens(mk, json_string_value(json_object_get(doc, "Sealed")), CANARY_AAD);
    else
        TRY(root_keys_open(tx, mk, account, &ok));
    ENSURE(ok, cu_err_set(err, CU_E_VALIDATION,
                          "the master key %s is not the one this store's data is sealed "
                          "under: every node on one store needs the same master key "
                          "(--master-key-file)", path));
    if (!doc)
        TRY(canary_create(tx, mk));
out:
    json_decref(doc);
    return rc;
}
