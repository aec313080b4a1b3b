/* kms_key_usage.c — KMS key uses noted in memory and flushed to the store by one thread
 * (kms_key_usage.h), in a note table (core/note_table.h: insert-only, a lock-free probe on
 * the hot path) of one entry per key used since start, keyed by the key's ARN. */
#include "kms_key_usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/note_table.h"
#include "core/ticker.h"
#include "key_usage.h"
#include "store/records.h"
#include "store/store.h"

#define ARN_MAX 256
#define PART_MAX 64
#define FLUSH_BATCH 256 /* records per transaction, as key_usage.c */

/* A key's last use; region, account and id parsed from the ARN when the entry is made. */
struct use_note {
    char region[PART_MAX], account[PART_MAX], key_id[PART_MAX];
    const char *op;
    char request_id[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1];
};

struct kms_key_usage {
    struct note_table *keys;
    struct store *store;
    struct ticker *flusher; /* NULL once stopped */
};

/* Copy the next ':'-separated field of *p into out (PART_MAX), advancing past it. */
static bool field(const char **p, char sep, char out[PART_MAX])
{
    const char *end = strchr(*p, sep);

    if (!end || end == *p || (size_t)(end - *p) >= PART_MAX)
        return false;
    snprintf(out, PART_MAX, "%.*s", (int)(end - *p), *p);
    *p = end + 1;
    return true;
}

/* "arn:<partition>:kms:<region>:<account>:key/<id>" into n's parts. */
static bool parse_arn(const char *arn, struct use_note *n)
{
    const char *p = arn;
    char partition[PART_MAX], service[PART_MAX];

    if (strncmp(p, "arn:", 4) != 0)
        return false;
    p += 4;
    if (!field(&p, ':', partition) || !field(&p, ':', service) || strcmp(service, "kms") != 0 ||
        !field(&p, ':', n->region) || !field(&p, ':', n->account) || strncmp(p, "key/", 4) != 0)
        return false;
    p += 4;
    if (!*p || strlen(p) >= PART_MAX)
        return false;
    snprintf(n->key_id, PART_MAX, "%s", p);
    return true;
}

static bool fill_use(void *payload, bool is_new, const void *arg)
{
    struct use_note *n = payload;
    const struct kms_key_use *use = arg;

    if (is_new && !parse_arn(use->key_arn, n))
        return false;
    n->op = use->op;
    snprintf(n->request_id, sizeof(n->request_id), "%s", use->request_id);
    snprintf(n->event_id, sizeof(n->event_id), "%s", use->event_id);
    return true;
}

void kms_key_usage_note(struct kms_key_usage *u, const struct kms_key_use *use)
{
    if (!u || !use->key_arn || !use->op)
        return;
    note_table_note(u->keys, use->key_arn, NULL, use->now_ms, KEY_USAGE_NOTE_MS, fill_use, use);
}

/* One transaction writing notes[0..n): each key's record, if the key still exists. */
static cu_rc write_uses(void *ctx, const struct note *notes, size_t n)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *key = NULL, *doc = NULL;
    char scope[STORE_NAME_MAX];

    TRY(store_tx_begin(ctx, true, &tx));
    for (size_t i = 0; i < n; i++) {
        const struct use_note *un = notes[i].payload;

        store_scope(RECORD_KMS_KEY, un->account, un->region, NULL, scope);
        TRY(store_get(tx, RECORD_KMS_KEY, scope, un->key_id, &key));
        if (key) {
            doc = json_pack("{s:I, s:s, s:s, s:s}", "Timestamp", (json_int_t)notes[i].last_ms,
                            "Operation", un->op, "KmsRequestId", un->request_id,
                            "CloudTrailEventId", un->event_id);
            ENSURE(doc, CU_E_NOMEM);
            store_scope(RECORD_KMS_KEY_LAST_USED, un->account, un->region, NULL, scope);
            TRY(store_put(tx, RECORD_KMS_KEY_LAST_USED, scope, un->key_id, doc, STORE_UPSERT));
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
        log_warn("kms key usage: %zu key use(s) not written this pass", n);
    return rc;
}

cu_rc kms_key_usage_flush(struct kms_key_usage *u)
{
    return note_table_flush(u->keys, FLUSH_BATCH, write_uses, u->store);
}

static void flush_tick(void *arg)
{
    if (kms_key_usage_flush(arg) != CU_OK)
        log_warn("kms key usage: flush failed; retried next interval");
}

cu_rc kms_key_usage_start(struct store *s, int64_t interval_ms, struct kms_key_usage **out)
{
    cu_rc rc = CU_OK;
    struct kms_key_usage *u = calloc(1, sizeof(*u));

    ENSURE(u, CU_E_NOMEM);
    u->store = s;
    TRY(note_table_new(ARN_MAX, sizeof(struct use_note), &u->keys));
    TRY(ticker_start(interval_ms > 0 ? interval_ms : KEY_USAGE_FLUSH_MS, flush_tick, u,
                     &u->flusher));
    *out = u;
    u = NULL;
out:
    kms_key_usage_stop(u);
    return rc;
}

void kms_key_usage_stop(struct kms_key_usage *u)
{
    if (!u)
        return;
    if (u->flusher) {
        ticker_stop(u->flusher);
        u->flusher = NULL;
        if (kms_key_usage_flush(u) != CU_OK)
            log_error("kms key usage: the last key uses could not be written at shutdown");
    }
    note_table_free(u->keys);
    free(u);
}
