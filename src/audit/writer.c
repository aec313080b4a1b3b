/* writer.c — group commit for the audit trail.
 *
 * Callers queue a record and sleep; one writer thread takes everything queued, appends
 * it to the store in a single durable commit, and wakes the callers of that batch with
 * its outcome. Many concurrent calls therefore share one fsync, and no call returns
 * before its record is durable (fail closed: a failed batch fails every call in it).
 *
 *     append: queue ──> wait(batch done) ──> rc of batch
 *     thread: wait(queue non-empty) ──> take all ──> store_audit_append ──> publish rc */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/log.h"

struct pending {
    char *record;
    struct pending *next;
    cu_rc rc;
    bool done;
};

struct audit_writer {
    struct store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t queued, finished;
    struct pending *head, **tail;
    bool stopping;
};

/* Write one batch; returns the result for every record in it. */
static cu_rc write_batch(struct audit_writer *w, struct pending *batch)
{
    const char *stack_records[256] = {0};
    const char **records = stack_records;
    size_t n = 0, cap = ARRAY_LEN(stack_records);
    cu_rc rc;

    for (struct pending *p = batch; p; p = p->next) {
        if (n == cap) {
            const char **bigger = malloc(2 * cap * sizeof(*bigger));
            if (!bigger) {
                if (records != stack_records)
                    free(records);
                return CU_E_NOMEM;
            }
            memcpy(bigger, records, n * sizeof(*bigger));
            if (records != stack_records)
                free(records);
            records = bigger;
            cap *= 2;
        }
        records[n++] = p->record;
    }
    rc = store_audit_append(w->store, records, n);
    if (records != stack_records)
        free(records);
    if (rc != CU_OK)
        log_error("audit: could not append %zu records; failing their requests", n);
    return rc;
}

static void *writer_main(void *arg)
{
    struct audit_writer *w = arg;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct pending *batch;
        cu_rc rc;

        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->queued, &w->lock);
        if (!w->head && w->stopping)
            break;
        batch = w->head;
        w->head = NULL;
        w->tail = &w->head;
        pthread_mutex_unlock(&w->lock);
        rc = write_batch(w, batch);
        pthread_mutex_lock(&w->lock);
        for (struct pending *p = batch; p; p = p->next) {
            p->rc = rc;
            p->done = true;
        }
        pthread_cond_broadcast(&w->finished);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

cu_rc audit_writer_start(struct store *store, struct audit_writer **out)
{
    struct audit_writer *w = calloc(1, sizeof(*w));

    if (!w)
        return CU_E_NOMEM;
    w->store = store;
    w->tail = &w->head;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->queued, NULL);
    pthread_cond_init(&w->finished, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        free(w);
        return CU_E_INTERNAL;
    }
    *out = w;
    return CU_OK;
}

cu_rc audit_writer_append(struct audit_writer *w, const char *record, size_t len)
{
    struct pending p = {0};

    p.record = strndup(record, len);
    if (!p.record)
        return CU_E_NOMEM;
    pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        pthread_mutex_unlock(&w->lock);
        free(p.record);
        return CU_E_UNAVAILABLE;
    }
    *w->tail = &p;
    w->tail = &p.next;
    pthread_cond_signal(&w->queued);
    while (!p.done)
        pthread_cond_wait(&w->finished, &w->lock);
    pthread_mutex_unlock(&w->lock);
    free(p.record);
    return p.rc;
}

void audit_writer_stop(struct audit_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->queued);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->queued);
    pthread_cond_destroy(&w->finished);
    free(w);
}
