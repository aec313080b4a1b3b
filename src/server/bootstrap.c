/* bootstrap.c — first start of a data directory (DESIGN.md "The contract"): the account
 * record, and the root user's access key, taken from CUSTOS_ROOT_ACCESS_KEY_ID /
 * CUSTOS_ROOT_SECRET_ACCESS_KEY or generated. A generated key is written to
 * DIR/root-credentials (mode 0600) and printed once as export lines. Later starts find
 * the account and keys in the store and change nothing, unless the environment names
 * root credentials: those are then the root user's only access key (any other root key
 * is removed, so changing the variables does not leave old keys working).
 * Every start also hands the store the region it serves, for the one-time move of a
 * schema-v2 data dir's regional records under it (store_adopt_region): custos before v3
 * served one region, the --region it was started with, so the first start after the
 * upgrade must be given that same region. Before any of that touches a sealed secret,
 * the node's master key is checked against the store's (master_check.c). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "core/ids.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/tree.h"
#include "services/iam/iam.h"
#include "store/records.h"

/* The account record; its CreateDate is the account's creation time (GetUser for root
 * answers with it). A data dir from before custos kept it gets the time of this start,
 * once: from then on it is stable across restarts. */
static cu_rc ensure_account(struct store_tx *tx, const struct config *cfg, char account[13],
                            struct cu_err *err)
{
    cu_rc rc = CU_OK;
    json_t *doc = NULL;
    const char *stored;

    TRY(store_get(tx, RECORD_ACCOUNT, "", RECORD_ACCOUNT_KEY, &doc));
    if (!doc) {
        doc = json_object();
        ENSURE(doc, CU_E_NOMEM);
        TRY(tree_set_str(doc, "AccountId", cfg->account_id));
        TRY(tree_set_int(doc, "CreateDate", clock_now_ms() / 1000 * 1000));
        TRY(store_put(tx, RECORD_ACCOUNT, "", RECORD_ACCOUNT_KEY, doc, STORE_CREATE));
        snprintf(account, 13, "%s", cfg->account_id);
        goto out;
    }
    stored = json_string_value(json_object_get(doc, "AccountId"));
    if (cfg->account_id_given && strcmp(stored, cfg->account_id) != 0) {
        rc = cu_err_set(err, CU_E_VALIDATION,
                        "the data directory belongs to account %s, not %s", stored,
                        cfg->account_id);
        goto out;
    }
    snprintf(account, 13, "%s", stored);
    if (!json_is_integer(json_object_get(doc, "CreateDate"))) {
        TRY(tree_set_int(doc, "CreateDate", clock_now_ms() / 1000 * 1000));
        TRY(store_put(tx, RECORD_ACCOUNT, "", RECORD_ACCOUNT_KEY, doc, STORE_REPLACE));
    }
out:
    json_decref(doc);
    return rc;
}

static cu_rc write_credentials_file(const char *dir, const char *akid, const char *secret,
                                    const char *region, struct cu_err *err)
{
    char path[1200];
    FILE *f = NULL;
    int fd;

    snprintf(path, sizeof(path), "%s/root-credentials", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0 && fchmod(fd, 0600) == 0)
        f = fdopen(fd, "w");
    if (!f) {
        if (fd >= 0)
            close(fd);
        return cu_err_set(err, CU_E_INTERNAL, "cannot write %s", path);
    }
    fprintf(f, "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n"
               "export AWS_DEFAULT_REGION=%s\n", akid, secret, region);
    fflush(f);
    fsync(fd);
    fclose(f);
    return CU_OK;
}

/* Root credentials from the environment: stored (replacing any stored key of that id). */
static cu_rc root_from_env(struct store_tx *tx, const struct master_key *mk, const char *account,
                           const char *akid, const char *secret, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX];
    struct store_lookup q;
    json_t *keys = NULL, *item;
    bool more = false;
    size_t i;

    ENSURE(strlen(akid) >= 16 && strlen(akid) <= 128 && strlen(secret) >= 16,
           cu_err_set(err, CU_E_VALIDATION,
                      "CUSTOS_ROOT_ACCESS_KEY_ID / CUSTOS_ROOT_SECRET_ACCESS_KEY are too short"));
    iam_access_key_lookup(account, "", &q, value);
    /* root has at most a quota's worth of keys (CreateAccessKey enforces it) */
    TRY(store_find(tx, &q, NULL, 100, &keys, &more));
    json_array_foreach(keys, i, item)
        TRY(store_delete(tx, RECORD_ACCESS_KEY, "", json_string_value(json_object_get(item, "key")),
                         NULL));
    TRY(iam_store_access_key(tx, mk, account, "", akid, secret, clock_now_ms()));
out:
    json_decref(keys);
    return rc;
}

static cu_rc root_generated(struct store_tx *tx, const struct config *cfg,
                            const struct master_key *mk, const char *account, bool *printed,
                            struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char akid[IDS_ACCESS_KEY_ID_LEN + 1];
    char secret[IDS_SECRET_KEY_LEN + 1] = "";
    size_t n = 0;

    TRY(iam_access_key_count(tx, account, "", &n));
    if (n > 0)
        goto out;
    TRY(ids_access_key_id("AKIA", akid));
    TRY(ids_secret_key(secret));
    TRY(iam_store_access_key(tx, mk, account, "", akid, secret, clock_now_ms()));
    TRY(write_credentials_file(cfg->data_dir, akid, secret, cfg->region, err));
    printf("# custos: root credentials (also in %s/root-credentials)\n"
           "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n"
           "export AWS_DEFAULT_REGION=%s\n", cfg->data_dir, akid, secret, cfg->region);
    *printed = true;
out:
    secret_wipe(secret, sizeof(secret));
    return rc;
}

cu_rc bootstrap_run(const struct config *cfg, struct store *store, const struct master_key *mk,
                    char account[13], struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    const char *env_akid = getenv("CUSTOS_ROOT_ACCESS_KEY_ID");
    const char *env_secret = getenv("CUSTOS_ROOT_SECRET_ACCESS_KEY");
    bool printed = false;

    TRY(store_adopt_region(store, cfg->region, err));
    TRY(store_tx_begin(store, true, &tx));
    TRY(ensure_account(tx, cfg, account, err));
    /* before root's key is replaced or made: with another master key, that would seal it
     * under a key the other nodes do not have */
    TRY(master_check(tx, cfg, mk, account, err));
    if (env_akid && env_secret && env_akid[0])
        TRY(root_from_env(tx, mk, account, env_akid, env_secret, err));
    else
        TRY(root_generated(tx, cfg, mk, account, &printed, err));
    rc = store_tx_commit(tx);
    tx = NULL;
    TRY(rc);
    if (!printed && !(env_akid && env_akid[0]))
        printf("# custos: root credentials are in %s/root-credentials\n", cfg->data_dir);
out:
    store_tx_rollback(tx);
    return rc;
}
