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

/* A counter that grows on every committed write transaction (by any node, where the
 * backend can tell). Caches above the store compare it to decide whether they are stale. */
uint64_t store_generation(struct store *s);

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
