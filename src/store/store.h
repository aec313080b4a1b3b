/* store.h — the one storage interface. Nothing above src/store/ knows the backend.
 *
 * The model: documents (JSON objects) addressed by (kind, scope, key).
 *   kind   what the thing is: "user", "access_key", "user_policy", "kms_key", "alias", ...
 *   scope  what it belongs to: an account id, or "<account>/<user>" for a user's policies
 *   key    its unique name inside the scope; callers fold case where AWS names are
 *          case-insensitive-unique (IAM users), so uniqueness is the store's job.
 * Listing is ordered by key (bytewise), which gives AWS-style marker pagination.
 * Typed helpers for each service live with the services; they all go through this.
 *
 * Transactions: every access happens inside one. A write transaction is serialised
 * against other writers; store_tx_commit() returns only once the change is durable
 * (SQLite: WAL with synchronous=FULL). A crash at any moment leaves either all of a
 * transaction or none of it. Readers see a consistent snapshot.
 *
 *     begin ──> get/put/delete/list ... ──> commit ──> (durable)
 *                                      └──> rollback (also on any error; NULL-safe)
 *
 * Thread safety: a struct store is shared by all server threads; a struct store_tx
 * belongs to the thread that began it. */
#ifndef CU_STORE_H
#define CU_STORE_H

#include <jansson.h>

#include "core/cu.h"
#include "core/err.h"

struct store;
struct store_tx;

/* Open (creating if needed) the store named by `url`: a directory path for the embedded
 * SQLite backend ("DIR" → DIR/custos.db), or "postgres://..." for PostgreSQL. Applies the
 * schema migrations. Errors: CU_E_STORE with a message for the operator in err. */
MUST_CHECK cu_rc store_open(const char *url, struct store **out, struct cu_err *err);
void store_close(struct store *s);

/* The change log. Every committed write transaction that put or deleted something gets
 * the next sequence number, and appends one change_log row (seq, kind, scope, key) per
 * record it touched, in that same transaction (a rolled-back one leaves no row and takes
 * no number). The most recent changes are also kept in memory for caches:
 *
 *   store_last_seq()        the seq of the last committed write; one atomic load, so a
 *                           cache's hot path compares it with the seq it is current to
 *                           and touches nothing else when they are equal.
 *   store_changes_since()   calls fn, oldest first, for every change with seq > since,
 *                           and sets *upto to the last seq (what the caller is now current
 *                           to). Returns false — "too old" — when changes after `since`
 *                           have already left the in-memory ring: the caller must then
 *                           flush everything it caches (bounded staleness). fn runs under
 *                           the ring's lock: it must not call into the store.
 * Seqs start above zero (0 can mean "current to nothing") and survive restarts. */
typedef void (*store_change_fn)(uint64_t seq, const char *kind, const char *scope,
                                const char *key, void *ctx);
uint64_t store_last_seq(struct store *s);
bool store_changes_since(struct store *s, uint64_t since, store_change_fn fn, void *ctx,
                         uint64_t *upto);
/* What a cache loading through tx may stamp its entry with: store_last_seq() as it was
 * just before tx's snapshot began, so the snapshot holds every change up to it (and maybe
 * later ones). 0 while tx has not touched the backend yet. Such an entry may be inserted
 * only if the cache is current to no more than this seq: the changes after it are then
 * still to be applied, and evict it if it needs to be. */
uint64_t store_tx_seq(const struct store_tx *tx);
/* The seq tx will commit as, if its commit succeeds: 0 when it will take none (a read
 * transaction, or a write that put and deleted nothing). Exact because a write
 * transaction that has touched the backend holds its write lock (one writer at a time:
 * SQLite's BEGIN IMMEDIATE), so no other write can commit before it; the audit trail
 * records it before the commit (audit.h). A backend with concurrent writers must reserve
 * the seq here instead. */
uint64_t store_tx_commit_seq(struct store_tx *tx);

MUST_CHECK cu_rc store_tx_begin(struct store *s, bool write, struct store_tx **out);
/* Commit and free the transaction. On failure the transaction is rolled back and freed. */
MUST_CHECK cu_rc store_tx_commit(struct store_tx *tx);
/* Roll back and free; NULL-safe. */
void store_tx_rollback(struct store_tx *tx);

/* Read one document: *doc is a new reference owned by the caller, or NULL when absent. */
MUST_CHECK cu_rc store_get(struct store_tx *tx, const char *kind, const char *scope,
                           const char *key, json_t **doc);

enum store_put_mode {
    STORE_UPSERT,      /* create or replace */
    STORE_CREATE,      /* fail with CU_E_STORE_EXISTS if the key is taken */
    STORE_REPLACE,     /* fail with CU_E_STORE_ABSENT if the key is free */
};
/* Write one document (borrowed; serialised compactly). Write transactions only. */
MUST_CHECK cu_rc store_put(struct store_tx *tx, const char *kind, const char *scope,
                           const char *key, const json_t *doc, enum store_put_mode mode);

/* Delete one document; *existed tells whether there was one (may be NULL). */
MUST_CHECK cu_rc store_delete(struct store_tx *tx, const char *kind, const char *scope,
                              const char *key, bool *existed);

/* List up to `limit` documents of (kind, scope) with key > after (after NULL: from the
 * start), ordered by key. *items is a new JSON array of {"key": ..., "doc": {...}} owned by
 * the caller; *more is true when further documents follow. */
MUST_CHECK cu_rc store_list(struct store_tx *tx, const char *kind, const char *scope,
                            const char *after, size_t limit, json_t **items, bool *more);

/* Call fn for every document of (kind, scope), in key order, a page at a time; stops at
 * the first error fn returns (and returns it). key and doc are borrowed for the call. */
typedef cu_rc (*store_each_fn)(const char *key, const json_t *doc, void *ctx);
MUST_CHECK cu_rc store_each(struct store_tx *tx, const char *kind, const char *scope,
                            store_each_fn fn, void *ctx);

/* Number of documents of (kind, scope). */
MUST_CHECK cu_rc store_count(struct store_tx *tx, const char *kind, const char *scope,
                             size_t *n);

/* Test hook (STYLE R20): make the n-th store operation from now fail with CU_E_STORE
 * (n_ops = 1: the next one). 0 turns it off. Cheap enough to stay compiled in. */
void store_test_fail_after(struct store *s, int n_ops);

#endif
