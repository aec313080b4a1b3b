/* store_impl.h — what a storage backend provides (the vtable behind store.h), for
 * src/store/ only. Backends are chosen at run time by store_open (STYLE R15). */
#ifndef CU_STORE_IMPL_H
#define CU_STORE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "store.h"

struct store_ops {
    const char *name;
    void (*close)(void *impl);
    /* Begin a transaction; *tx_impl is the backend's handle. */
    cu_rc (*begin)(void *impl, bool write, void **tx_impl);
    cu_rc (*commit)(void *impl, void *tx_impl);
    void (*rollback)(void *impl, void *tx_impl);
    cu_rc (*get)(void *tx_impl, const char *kind, const char *scope, const char *key,
                 char **doc_text);
    cu_rc (*put)(void *tx_impl, const char *kind, const char *scope, const char *key,
                 const char *doc_text, enum store_put_mode mode);
    cu_rc (*del)(void *tx_impl, const char *kind, const char *scope, const char *key,
                 bool *existed);
    cu_rc (*list)(void *tx_impl, const char *kind, const char *scope, const char *after,
                  size_t limit, json_t *items, bool *more);
    cu_rc (*count)(void *tx_impl, const char *kind, const char *scope, size_t *n);
    /* Append one change_log row (seq, n, kind, scope, key) in the write transaction. */
    cu_rc (*log_change)(void *tx_impl, uint64_t seq, size_t n, const char *kind,
                        const char *scope, const char *key);
    /* The highest seq in change_log (0 when empty), read at open. */
    cu_rc (*last_seq)(void *impl, uint64_t *seq);
};

/* The records one write transaction put or deleted, each once (changes.c). */
struct change_set {
    char **records;   /* "kind\0scope\0key\0" */
    size_t n, cap;
};
MUST_CHECK cu_rc change_set_add(struct change_set *cs, const char *kind, const char *scope,
                                const char *key);
void change_set_record(const struct change_set *cs, size_t i, const char **kind,
                       const char **scope, const char **key);
void change_set_free(struct change_set *cs);

/* The most recent committed changes, for store_changes_since (changes.c). */
#define CHANGE_RING_SIZE 4096
struct change_slot {
    uint64_t seq;
    char *record;     /* as in struct change_set; NULL: never filled */
};
struct change_ring {
    pthread_mutex_t lock;
    struct change_slot slots[CHANGE_RING_SIZE];
    size_t next;              /* the slot the next change goes to (the oldest one) */
    uint64_t floor;           /* every change with seq > floor is in the ring */
    _Atomic uint64_t last;    /* the seq of the last committed write transaction */
};
void change_ring_init(struct change_ring *r, uint64_t last);
void change_ring_destroy(struct change_ring *r);
/* Record seq's changes (taking the set's records) and make seq the last one. */
void change_ring_publish(struct change_ring *r, uint64_t seq, struct change_set *cs);
bool change_ring_since(struct change_ring *r, uint64_t since, store_change_fn fn, void *ctx,
                       uint64_t *upto);

/* Open the embedded SQLite backend in directory dir. */
MUST_CHECK cu_rc store_sqlite_open(const char *dir, const struct store_ops **ops, void **impl,
                                   struct cu_err *err);

/* The one schema, shared by every backend (SQL that SQLite and PostgreSQL both accept). */
extern const char *const store_schema_v1[];
/* Version 2 adds the change log (store_changes_since). */
extern const char *const store_schema_v2[];
#define STORE_SCHEMA_VERSION 2

#endif
