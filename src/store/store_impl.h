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
    /* *doc_text NULL when absent; *version the stored version (0 when absent). */
    cu_rc (*get)(void *tx_impl, const char *kind, const char *scope, const char *key,
                 char **doc_text, uint64_t *version);
    /* expect 0: as mode says; expect > 0: replace only the stored version `expect`
     * (CU_E_STORE_CONFLICT when it is another or the record is gone). *version: the
     * version now stored. */
    cu_rc (*put)(void *tx_impl, const char *kind, const char *scope, const char *key,
                 const char *doc_text, enum store_put_mode mode, uint64_t expect,
                 uint64_t *version);
    cu_rc (*del)(void *tx_impl, const char *kind, const char *scope, const char *key,
                 bool *existed);
    cu_rc (*list)(void *tx_impl, const char *kind, const char *scope, const char *after,
                  size_t limit, json_t *items, bool *more);
    cu_rc (*count)(void *tx_impl, const char *kind, const char *scope, size_t *n);
    /* Every record of kind, whatever its scope, as {"scope", "key", "doc"} (migrations). */
    cu_rc (*scan_kind)(void *tx_impl, const char *kind, json_t *items);
    /* Every record, ordered by (kind, scope, key), after the address given ("", "", "":
     * from the start), up to limit: items as {"kind", "scope", "key", "doc_text"}, the
     * document as stored (store_copy). */
    cu_rc (*scan_all)(void *tx_impl, const char *kind, const char *scope, const char *key,
                      size_t limit, json_t *items, bool *more);
    /* change_log rows after (seq, n), ordered by them, up to limit: items as {"seq", "n",
     * "kind", "scope", "key"} (store_copy). */
    cu_rc (*scan_log)(void *tx_impl, uint64_t seq, uint64_t n, size_t limit, json_t *items,
                      bool *more);
    /* The index rows of one record: add one, drop all of them. */
    cu_rc (*index_add)(void *tx_impl, const char *kind, const char *index, const char *value,
                       const char *scope, const char *key);
    cu_rc (*index_drop)(void *tx_impl, const char *kind, const char *scope, const char *key);
    /* store_find / store_find_count (items as {"scope", "key", "doc", "version"}). */
    /* prefix: q->value is a prefix of the values sought (store_find_prefix) */
    cu_rc (*find)(void *tx_impl, const struct store_lookup *q, bool prefix,
                  const struct store_position *after,
                  size_t limit, json_t *items, bool *more);
    cu_rc (*find_count)(void *tx_impl, const struct store_lookup *q, size_t *n);
    /* Append one change_log row (seq, n, kind, scope, key) in the write transaction. */
    cu_rc (*log_change)(void *tx_impl, uint64_t seq, size_t n, const char *kind,
                        const char *scope, const char *key);
    /* Drop change_log rows with seq < below (store.h, "Pruning"). */
    cu_rc (*prune_log)(void *tx_impl, uint64_t below);
    /* A backend with concurrent writers (several nodes) hands out the seqs itself: the
     * next one, taken inside the write transaction (a rollback gives it back), so seqs
     * stay dense and in commit order across writers. NULL: one writer, the store takes
     * store_last_seq() + 1. node_meta not NULL: the meta entry that keeps, in the same
     * transaction, the seq this node commits as (store_set_node). */
    cu_rc (*reserve_seq)(void *tx_impl, const char *node_meta, uint64_t *seq);
    /* A backend other nodes write to as well: start a listener (its own thread and
     * connection) that calls wake(ctx, seq) when a write transaction of any node has
     * committed seq (0: maybe some, unknown which: after a reconnect), and at least every
     * STORE_FOLLOW_MS milliseconds in any case (a notification may be lost); wake reads
     * change_log itself (store.c). Called once the store is open; stopped by close,
     * before anything else is freed. NULL: this node is the only writer. */
    cu_rc (*follow)(void *impl, void (*wake)(void *ctx, uint64_t seq), void *ctx);
    /* The highest seq in change_log (0 when empty), read at open. */
    cu_rc (*last_seq)(void *impl, uint64_t *seq);
    /* The meta table (schema version, migration state): *value NULL when unset. */
    cu_rc (*meta_get)(void *tx_impl, const char *name, char **value);
    cu_rc (*meta_set)(void *tx_impl, const char *name, const char *value);
};

/* The statement a backend's put runs (put_mode.c), each returning the version it stores:
 * expect > 0, an update of that version only (compare-and-set); else STORE_CREATE an
 * insert, STORE_REPLACE an update, STORE_UPSERT an insert or update. */
enum put_mode_stmt { PUT_MODE_INSERT, PUT_MODE_UPSERT, PUT_MODE_UPDATE, PUT_MODE_CAS };
enum put_mode_stmt put_mode_choose(enum store_put_mode mode, uint64_t expect);
/* What a put answers when its statement returned no row (or, on a backend whose insert
 * fails on a taken key, failed so): an insert, CU_E_STORE_EXISTS; a compare-and-set,
 * CU_E_STORE_CONFLICT (another version is stored, or none); an update, CU_E_STORE_ABSENT. */
MUST_CHECK cu_rc put_mode_missed(enum put_mode_stmt which);

/* Rows as store_ops' items (rows.c). store_row_new: a new object appended to items (NULL:
 * out of memory). store_row_set: set the row's member name to a column's text (borrowed)
 * as its name says: "doc" parsed, "version", "seq" and "n" integers, else a string;
 * CU_E_STORE (logged) when the text does not parse, CU_E_NOMEM. */
json_t *store_row_new(json_t *items);
MUST_CHECK cu_rc store_row_set(json_t *row, const char *name, const char *text);

/* The backend under a store (copy.c works on two stores' backends at once). */
const struct store_ops *store_ops_of(struct store *s, void **impl);

/* The record kinds (kinds.c): each kind's scope class and secondary indexes. */
#define STORE_INDEXES_MAX 4
struct store_index_decl {
    const char *name;
    /* the document member indexed: a string, or an array of strings (one row each) */
    const char *member;
    /* or a value derived from the document (false: none), into STORE_NAME_MAX bytes */
    bool (*derive)(const json_t *doc, char *out);
};
struct store_kind {
    const char *kind;
    enum store_class class;
    struct store_index_decl indexes[STORE_INDEXES_MAX]; /* name NULL ends the list */
};
/* The declaration of kind, or NULL for a kind the table does not list (account class, no
 * index). */
const struct store_kind *store_kind_find(const char *kind);
/* Every declared kind, for migrations. */
extern const struct store_kind store_kinds[];
extern const size_t store_kinds_n;
/* (Re)write the index rows of one record in tx: drop its rows, then add one per value
 * of each declared index (doc NULL: the record is gone, drop only). */
MUST_CHECK cu_rc store_index_record(const struct store_ops *ops, void *tx_impl, const char *kind,
                                    const char *scope, const char *key, const json_t *doc);

/* A hash index over packed addresses ("kind\0scope\0key\0") that an owner keeps in an
 * array (addresses.c); at(owner, i, &len) yields the i-th address and its length. */
struct address_index {
    size_t *slots;    /* position + 1; 0: empty */
    size_t cap;       /* a power of two, or 0 */
};
typedef const char *(*address_at_fn)(const void *owner, size_t i, size_t *len);
/* Whether addr (len bytes) is among the owner's addresses, and where (*pos). */
bool address_index_find(const struct address_index *ix, const char *addr, size_t len,
                        address_at_fn at, const void *owner, size_t *pos);
/* Index the owner's address at pos, which follows its n_before others (all of which are
 * indexed already; a growth re-indexes them). */
MUST_CHECK cu_rc address_index_add(struct address_index *ix, size_t pos, size_t n_before,
                                   address_at_fn at, const void *owner);
void address_index_free(struct address_index *ix);

/* The versions a write transaction read (versions.c): a replace of a record it read is
 * compare-and-set against that version. version 0: read as absent. */
struct read_set {
    struct read_entry *entries;
    size_t n, cap;
    struct address_index index;
};
MUST_CHECK cu_rc read_set_note(struct read_set *rs, const char *kind, const char *scope,
                               const char *key, uint64_t version);
/* The version noted for the record, or false when the transaction did not read it. */
bool read_set_lookup(const struct read_set *rs, const char *kind, const char *scope,
                     const char *key, uint64_t *version);
void read_set_free(struct read_set *rs);
/* The version tx read the record at (read_set_lookup on tx's set), and, for tests that
 * stage what another writer would cause, make tx believe it read `version`. */
bool store_tx_read_version(const struct store_tx *tx, const char *kind, const char *scope,
                           const char *key, uint64_t *version);
MUST_CHECK cu_rc store_tx_note_read(struct store_tx *tx, const char *kind, const char *scope,
                                    const char *key, uint64_t version);

/* The records one write transaction put or deleted, each once (changes.c). */
struct change_set {
    char **records;   /* "kind\0scope\0key\0" */
    size_t n, cap;
    struct address_index index;
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
/* Make upto the last seq without the changes up to it (they cannot be had: pruned from
 * change_log before this node read them): a cache current to less is "too old". A no-op
 * when upto is not above the last seq. */
void change_ring_skip(struct change_ring *r, uint64_t upto);
bool change_ring_since(struct change_ring *r, uint64_t since, store_change_fn fn, void *ctx,
                       uint64_t *upto);

/* Whether a node that follows other nodes' commits may trust its caches (staleness.c;
 * store.h, "Several nodes"): current while its last read of the change log began at most
 * bound_ms ago, stale past that. epoch: bumped at every switch, even while current and
 * odd while stale; caches drop everything when it moves. Times are monotonic ms. */
struct staleness {
    pthread_mutex_t lock;     /* the switches; never taken on a request's path */
    int64_t read_ms;          /* when the latest read that brought the ring current began */
    int64_t bound_ms;
    _Atomic uint64_t epoch;
};
/* Current, as if read at now_ms. */
void staleness_init(struct staleness *st, int64_t now_ms, int64_t bound_ms);
void staleness_destroy(struct staleness *st);
/* A read of the change log that began at began_ms (before its transaction's snapshot) has
 * brought the ring up to it: stale turns current if that was within the bound of now_ms. */
void staleness_read(struct staleness *st, int64_t began_ms, int64_t now_ms);
/* The watchdog's look at the clock: current turns stale when the latest read began more
 * than the bound before now_ms. */
void staleness_check(struct staleness *st, int64_t now_ms);
/* Inline: store_epoch() is on every cache's hot path. */
static inline uint64_t staleness_epoch(const struct staleness *st)
{
    return atomic_load(&st->epoch);
}
static inline bool staleness_is_stale(uint64_t epoch)
{
    return epoch & 1;
}

/* follow.c: publish the change_log rows of items (as scan_log gives them, seq order)
 * whose seq is above r's last; the caller holds the store's commit lock. more: the read
 * that gave them stopped at its limit. follow_read: read the rows after r's last seq in a
 * read transaction of its own, and publish them under lock; true when it read to the end
 * of the log, and then *began_ms (monotonic) is when its last page's transaction began:
 * r holds every change committed before it. A failure leaves r as it was (false). */
#define FOLLOW_PAGE 1024
void follow_publish(struct change_ring *r, const json_t *items, bool more);
bool follow_read(const struct store_ops *ops, void *impl, struct change_ring *r,
                 pthread_mutex_t *lock, int64_t *began_ms);
/* Monotonic milliseconds (store.c): the clock of the staleness bound. */
int64_t store_mono_ms(void);

/* Open the embedded SQLite backend in directory dir. */
MUST_CHECK cu_rc store_sqlite_open(const char *dir, const struct store_ops **ops, void **impl,
                                   struct cu_err *err);
/* Open the PostgreSQL backend at url (postgres.c), creating or migrating its schema
 * (store_migrate included) under the database's advisory lock. */
MUST_CHECK cu_rc store_pg_open(const char *url, const struct store_ops **ops, void **impl,
                               struct cu_err *err);

/* The one schema, shared by every backend (schema.c): for each version, its DDL (SQL that
 * SQLite and PostgreSQL both accept, idempotent: a backend runs all of it at every open)
 * and the data step that brings older records up to it, run once by store_migrate. */
struct store_migration {
    int version;
    const char *const *sql;
    cu_rc (*data)(const struct store_ops *ops, void *tx_impl);
};
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_n;
#define STORE_SCHEMA_VERSION 5
/* Run the data steps of every version above the stored one, and record the new version,
 * in one write transaction (a crash leaves the old version, and the steps run again). A
 * database of a newer version than this build knows is refused. */
MUST_CHECK cu_rc store_migrate(const struct store_ops *ops, void *impl, struct cu_err *err);
/* The meta entry that says regional records still carry the v2 scope (no region). */
#define STORE_META_UNSCOPED "regional_scope_pending"

#endif
