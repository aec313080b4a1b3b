/* key_usage.c — access key uses and the access advisor's action uses, noted in memory
 * and flushed to the store by one thread (key_usage.h).
 *
 * Two note tables (core/note_table.h: insert-only, a lock-free probe on the hot path):
 * one entry per access key that has authenticated since start (two per user at most, by
 * IAM's quota), and one per (IAM user, action) attempted since start, keyed by the user's
 * unique id and tagged by the action's address (descriptors' strings, so no string
 * compare of the action). The same thread flushes both in the same passes, into
 * RECORD_ACCESS_KEY_LAST_USED and RECORD_ACTION_LAST_USED. */
#include "key_usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/note_table.h"
#include "core/ticker.h"
#include "store/records.h"
#include "store/store.h"

#define AKID_MAX 32
#define NAME_MAX_LEN 64
/* records per flush transaction: well inside the store's change ring (CHANGE_RING_SIZE),
 * so caches following it never have to drop everything because of a flush */
#define FLUSH_BATCH 256
#define ENTITY_MAX 32  /* an IAM unique id: "AIDA" and 17 more characters */
#define ACCOUNT_MAX 13

/* An access key's last use (keyed by its id). */
struct key_note {
    char service[NAME_MAX_LEN];
    char region[NAME_MAX_LEN];
};

struct key_use {
    const char *service, *region;
};

/* An IAM entity's last attempt of one action (keyed by the entity's unique id, tagged by
 * the action's address). */
struct action_note {
    char account[ACCOUNT_MAX];
    char region[NAME_MAX_LEN];
    char arn[PRINCIPAL_ARN_MAX]; /* the entity's ARN at its last note (a rename shows) */
};

struct action_use {
    const struct principal *p;
    const char *region;
};

struct key_usage {
    struct note_table *keys;
    struct note_table *actions;
    struct store *store;
    struct ticker *flusher; /* NULL once stopped */
};

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, NAME_MAX_LEN, "%s", src ? src : "");
}

static bool fill_key(void *payload, bool is_new, const void *arg)
{
    struct key_note *n = payload;
    const struct key_use *use = arg;

    (void)is_new;
    copy_name(n->service, use->service);
    copy_name(n->region, use->region);
    return true;
}

void key_usage_note(struct key_usage *u, const char *akid, const char *service, const char *region,
                    int64_t now_ms)
{
    struct key_use use = {service, region};

    /* GetAccessKeyLastUsed and the credential report speak of long-term keys only */
    if (!u || strncmp(akid, "AKIA", 4) != 0)
        return;
    note_table_note(u->keys, akid, NULL, now_ms, KEY_USAGE_NOTE_MS, fill_key, &use);
}

static bool fill_action(void *payload, bool is_new, const void *arg)
{
    struct action_note *n = payload;
    const struct action_use *use = arg;

    (void)is_new;
    snprintf(n->account, sizeof(n->account), "%s", use->p->account_id);
    copy_name(n->region, use->region);
    snprintf(n->arn, sizeof(n->arn), "%s", use->p->arn);
    return true;
}

void key_usage_note_action(struct key_usage *u, const struct principal *p, const char *action,
                           const char *region, int64_t now_ms)
{
    struct action_use use = {p, region};

    if (!u || !action || p->type != PRINCIPAL_USER)
        return;
    note_table_note(u->actions, p->user_id, action, now_ms, KEY_USAGE_NOTE_MS, fill_action,
                    &use);
}

/* One transaction writing notes[0..n): each key's record, if the key still exists. */
static cu_rc write_keys(void *ctx, const struct note *notes, size_t n)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *key = NULL, *doc = NULL;

    TRY(store_tx_begin(ctx, true, &tx));
    for (size_t i = 0; i < n; i++) {
        const struct key_note *kn = notes[i].payload;

        TRY(store_get(tx, RECORD_ACCESS_KEY, "", notes[i].key, &key));
        if (key) {
            doc = json_pack("{s:I, s:s, s:s}", "LastUsedDate", (json_int_t)notes[i].last_ms,
                            "ServiceName", kn->service, "Region", kn->region);
            ENSURE(doc, CU_E_NOMEM);
            TRY(store_put(tx, RECORD_ACCESS_KEY_LAST_USED, "", notes[i].key, doc, STORE_UPSERT));
        }
        json_decref(key);
        json_decref(doc);
        key = doc = NULL;
    }
    rc = store_tx_commit(tx);
    tx = NULL;
out:
    json_decref(key);
    json_decref(doc);
    store_tx_rollback(tx);
    if (rc != CU_OK)
        log_warn("key usage: %zu access key use(s) not written this pass", n);
    return rc;
}

/* One transaction writing the access advisor's notes[0..n), each an upsert of its
 * entity's record for the action (records.h, RECORD_ACTION_LAST_USED). */
static cu_rc write_actions(void *ctx, const struct note *notes, size_t n)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *doc = NULL;
    char scope[STORE_NAME_MAX];

    TRY(store_tx_begin(ctx, true, &tx));
    for (size_t i = 0; i < n; i++) {
        const struct action_note *an = notes[i].payload;

        store_scope(RECORD_ACTION_LAST_USED, an->account, NULL, notes[i].key, scope);
        doc = json_pack("{s:I, s:s, s:s}", "LastAuthenticated", (json_int_t)notes[i].last_ms,
                        "Region", an->region, "Entity", an->arn);
        ENSURE(doc, CU_E_NOMEM);
        TRY(store_put(tx, RECORD_ACTION_LAST_USED, scope, notes[i].tag, doc, STORE_UPSERT));
        json_decref(doc);
        doc = NULL;
    }
    rc = store_tx_commit(tx);
    tx = NULL;
out:
    json_decref(doc);
    store_tx_rollback(tx);
    if (rc != CU_OK)
        log_warn("key usage: %zu action use(s) not written this pass", n);
    return rc;
}

cu_rc key_usage_flush(struct key_usage *u)
{
    /* the access advisor's notes are written even when a key batch fails */
    cu_rc actions_rc = note_table_flush(u->actions, FLUSH_BATCH, write_actions, u->store);
    cu_rc keys_rc = note_table_flush(u->keys, FLUSH_BATCH, write_keys, u->store);

    return actions_rc != CU_OK ? actions_rc : keys_rc;
}

static void flush_tick(void *arg)
{
    if (key_usage_flush(arg) != CU_OK)
        log_warn("key usage: flush failed; retried next interval");
}

cu_rc key_usage_start(struct store *s, int64_t interval_ms, struct key_usage **out)
{
    cu_rc rc = CU_OK;
    struct key_usage *u = calloc(1, sizeof(*u));

    ENSURE(u, CU_E_NOMEM);
    u->store = s;
    TRY(note_table_new(AKID_MAX, sizeof(struct key_note), &u->keys));
    TRY(note_table_new(ENTITY_MAX, sizeof(struct action_note), &u->actions));
    TRY(ticker_start(interval_ms > 0 ? interval_ms : KEY_USAGE_FLUSH_MS, flush_tick, u,
                     &u->flusher));
    *out = u;
    u = NULL;
out:
    key_usage_stop(u);
    return rc;
}

void key_usage_stop(struct key_usage *u)
{
    if (!u)
        return;
    if (u->flusher) {
        ticker_stop(u->flusher);
        u->flusher = NULL;
        if (key_usage_flush(u) != CU_OK)
            log_error("key usage: the last access key uses could not be written at shutdown");
    }
    note_table_free(u->keys);
    note_table_free(u->actions);
    free(u);
}
