/* store.h — the one storage interface. Nothing above src/store/ knows the backend.
 *
 * The model: documents (JSON objects) addressed by (kind, scope, key).
 *   kind   what the thing is: "user", "access_key", "user_policy", "kms_key", "alias", ...
 *   scope  what it belongs to, built by store_scope() from the kind's class (below)
 *   key    its unique name inside the scope; callers fold case where AWS names are
 *          case-insensitive-unique (IAM users), so uniqueness is the store's job.
 * Listing is ordered by key (bytewise), which gives AWS-style marker pagination.
 * Typed helpers for each service live with the services; they all go through this.
 *
 * Record kinds (kinds.c) are declared in one table: for each kind its scope class and its
 * secondary indexes. The store keeps both; callers never write an index by hand.
 *
 *   Scope classes. A node kind ("account", "access_key", "session": found by id alone,
 *   whatever account) has scope "". A global kind (IAM: users, groups, policies) is
 *   scoped by account: "<account>". A regional kind (KMS keys, aliases, grants; later
 *   secrets and parameters) by account and region: "<account>/<region>". A record may
 *   sit below its owner: "<account>/<region>/<key id>" for a key's grants. Serving
 *   another region is then data, not a migration. Data dirs of schema v2 kept regional
 *   records under "<account>"; see store_adopt_region().
 *
 *   Secondary indexes. An index names a document member (a string, or an array of
 *   strings: one entry per element) or a value derived from the document. Every put and
 *   delete rewrites the record's index entries in the same transaction, so an index
 *   holds exactly the committed records; store_find() looks records up by value.
 *
 * Transactions: every access happens inside one. A write transaction is serialised
 * against other writers; store_tx_commit() returns only once the change is durable
 * (SQLite: WAL with synchronous=FULL). A crash at any moment leaves either all of a
 * transaction or none of it. Readers see a consistent snapshot.
 *
 *     begin ──> get/put/delete/list/find ... ──> commit ──> (durable)
 *                                          └──> rollback (also on any error; NULL-safe)
 *
 * Compare-and-set. Every record carries a version, 1 when created, +1 at each write. A
 * write transaction remembers the version of every record it reads (store_get, and the
 * records store_find returns); a later REPLACE or UPSERT of that record in the same
 * transaction writes only if the stored version is still that one, else it fails with
 * CU_E_STORE_CONFLICT and writes nothing (a record read as absent must still be absent).
 * So every read-modify-write is compare-and-set without the caller passing versions;
 * store_put_version() does it for a version read elsewhere (a cache). Both backends
 * serialise write transactions (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock
 * across every node on the database, postgres.c), so a conflict comes only from what the
 * database itself refuses (PostgreSQL: a serialization failure, or a connection lost
 * half-way) and from the test hook; the request pipeline then retries the whole call in
 * a fresh transaction (server/pipeline.c). Deletes are not version-checked, and records seen
 * only through store_list/store_each are not remembered: a read-modify-write reads its
 * record with store_get or store_find.
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
/* Whether url names the PostgreSQL backend (postgres:// or postgresql://). */
bool store_url_is_postgres(const char *url);
/* url as a log may show it: a password in its userinfo (read as widely as an unencoded
 * '@', '/' or '?' in it allows) and the value of each password= or sslpassword=
 * parameter become "***". False when out (cap bytes) is too small. */
bool store_url_masked(const char *url, char *out, size_t cap);

/* The backend's name ("sqlite", "postgres"). */
const char *store_backend(const struct store *s);
/* Whether the store answers now: a read transaction runs one query (a PostgreSQL store
 * whose database went away reconnects, so this also tells when it is back). False with
 * a reason for the operator (GET /_custos/health); the backend's words go to the log.
 * Not subject to the test hooks. */
bool store_healthy(struct store *s, char *reason, size_t cap);

/* Copying a whole store into another (copy.c; `custos store migrate`). */
struct store_copy_report {
    size_t records;       /* documents */
    size_t changes;       /* change_log rows */
    uint64_t last_seq;    /* the change log's last seq */
};
/* Copy every record of `from` (its index rows rebuilt from it) and its change log into
 * `to`, which must hold no record and no change yet (else CU_E_STORE_EXISTS), reading
 * one snapshot of `from` and writing one transaction of `to`: a failure leaves `to`
 * empty. Close `to` after it: a reopened store starts its seqs after the copied ones. */
MUST_CHECK cu_rc store_copy(struct store *from, struct store *to, struct store_copy_report *r,
                            struct cu_err *err);
/* Compare two stores record by record (documents byte for byte) and change by change,
 * and their last seqs: CU_OK with the counts when they hold the same, else CU_E_STORE
 * with the first difference in err. */
MUST_CHECK cu_rc store_compare(struct store *a, struct store *b, struct store_copy_report *r,
                               struct cu_err *err);

/* Longest scope, key or index value the store's helpers build (bytes with the NUL). */
#define STORE_NAME_MAX 512

/* The scope classes of record kinds (above). */
enum store_class {
    STORE_CLASS_NODE,      /* scope "" */
    STORE_CLASS_GLOBAL,    /* scope "<account>" */
    STORE_CLASS_REGIONAL,  /* scope "<account>/<region>" */
};
/* The class kinds.c declares for kind (STORE_CLASS_GLOBAL for a kind it does not list). */
enum store_class store_kind_class(const char *kind);
/* The scope of a record of kind owned by (account, region), with "/<sub>" appended when
 * sub is not NULL (a record below its owner: a key's grants). region is ignored for
 * global kinds, both for node kinds. Truncates at STORE_NAME_MAX - 1 bytes. */
void store_scope(const char *kind, const char *account, const char *region, const char *sub,
                 char out[STORE_NAME_MAX]);

/* Data dirs of schema v2 scoped regional records by account alone; the v3 migration
 * cannot know their region, so it marks them, and the first start of a node after the
 * upgrade calls this with the region it serves: every marked record moves to
 * "<account>/<region>[/...]" (its index entries with it) in one transaction, and the mark
 * is cleared. A no-op once done (and on data dirs created by v3). */
MUST_CHECK cu_rc store_adopt_region(struct store *s, const char *region, struct cu_err *err);

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
 * Seqs start above zero (0 can mean "current to nothing") and survive restarts.
 *
 * Pruning. The change_log table keeps the last STORE_LOG_KEEP transactions (by seq): a
 * cache in this process reads only the in-memory ring (CHANGE_RING_SIZE changes, far
 * fewer), and a node following the table from afar that has fallen further behind than
 * that must flush its caches anyway, as a cache the ring has outrun does. A committing
 * transaction deletes the rows below last - keep + 1 once every keep/8 + 1 seqs, inside
 * itself, so the table holds at most about keep * 9/8 transactions.
 *
 * Several nodes (PostgreSQL). Each node's ring also receives the other nodes' commits:
 * every committing write transaction NOTIFYs its seq, in the transaction itself, and a
 * listener on each node (the backend's follow hook) then reads the change_log rows after
 * the node's last seq and publishes them, in seq order, before any later seq. A node's
 * own commit that finds seqs of other nodes between its last one and its own reads their
 * rows inside its transaction first, so its caches never skip them. Notifications can be
 * lost (a reconnect of the listener): the listener also reads the table at least every
 * STORE_FOLLOW_MS, which is the bound on how long a node serves what another node
 * changed. Rows it can no longer read (pruned) are skipped: a cache current to less is
 * told "too old" and flushes everything.
 *
 * A node that cannot read the change log (cut off from the database while the other nodes
 * still reach it, or its listener stuck on a connection that no longer answers) would
 * otherwise serve its caches for as long as that lasts. So the store remembers when the
 * latest read that brought its ring up to the end of the log began (the listener's, a
 * store_sync, or a commit of this node: its transaction reads the other nodes' rows, and
 * no node commits while it holds the write lock), and a watchdog thread looks every
 * STORE_WATCH_MS: past STORE_STALE_MS without such a read the node is stale, and
 * store_epoch() moves. Every cache then drops everything it holds and, while the node is
 * stale, keeps nothing it loads (store_tx_seq is 0): each call reaches the database,
 * which answers it if it can, and otherwise it fails with CU_E_UNAVAILABLE (503
 * ServiceUnavailable). The next read that reaches the end of the log makes the node
 * current again, and store_epoch() moves once more. Hence the bound, whether or not the
 * node can reach the database: a change another node committed is served by this node's
 * caches for at most STORE_STALE_MS + STORE_WATCH_MS (3.25 s; a call already past its
 * cache lookup when the node turns stale may still answer from what it found). A node
 * that follows normally reads every STORE_FOLLOW_MS, well within it. A store with one
 * writer has no follower and is always current (its epoch stays 0). */
#define STORE_LOG_KEEP 100000
#define STORE_FOLLOW_MS 1000
#define STORE_STALE_MS (3 * STORE_FOLLOW_MS)
#define STORE_WATCH_MS (STORE_FOLLOW_MS / 4)
typedef void (*store_change_fn)(uint64_t seq, const char *kind, const char *scope,
                                const char *key, void *ctx);
uint64_t store_last_seq(struct store *s);
/* Bring the ring up to the database's last commit now, rather than at the next
 * notification, and say whether its last seq is now past `since` (several nodes only:
 * the caller is about to deny what another node may have just allowed, and runs the call
 * again when changes arrived since it began). One read of the change log; false at once
 * on a store with one writer, whose caches are always current. */
bool store_sync(struct store *s, uint64_t since);
bool store_changes_since(struct store *s, uint64_t since, store_change_fn fn, void *ctx,
                         uint64_t *upto);
/* The cache epoch (above: a stale node): one atomic load. A cache remembers the epoch it
 * is current to beside its seq, and drops everything it holds when the epoch moved;
 * odd while the node is stale. 0 forever on a store with one writer. */
uint64_t store_epoch(struct store *s);
/* Whether the node is stale now (its caches answer nothing; GET /_custos/health says so). */
bool store_stale(struct store *s);
/* What a cache loading through tx may stamp its entry with: store_last_seq() as it was
 * just before tx's snapshot began, so the snapshot holds every change up to it (and maybe
 * later ones). 0 — cache nothing — while tx has not touched the backend yet, and once it
 * has put or deleted anything (what it reads then includes its own uncommitted changes,
 * which a rollback takes back), and when tx began while the node was stale (nothing
 * would evict it). Such an entry may be inserted only if the cache is current to no more
 * than this seq (the changes after it are then still to be applied, and evict it if it
 * needs to be) and to the epoch store_tx_epoch(tx) (a node that turned stale since may
 * have missed changes to it). */
uint64_t store_tx_seq(const struct store_tx *tx);
/* store_epoch() as it was when tx began at the backend. */
uint64_t store_tx_epoch(const struct store_tx *tx);
/* Set how many transactions change_log keeps (>= 1; STORE_LOG_KEEP by default). */
void store_set_log_keep(struct store *s, uint64_t keep);
/* The seq tx will commit as, if its commit succeeds: 0 when it will take none (a read
 * transaction, or a write that put and deleted nothing). Exact because a write
 * transaction that has touched the backend holds its write lock (one writer at a time:
 * SQLite's BEGIN IMMEDIATE), so no other write can commit before it; the audit trail
 * records it before the commit (audit.h). PostgreSQL, where other nodes write too,
 * reserves the seq here, in the transaction (store_impl.h, reserve_seq). */
uint64_t store_tx_commit_seq(struct store_tx *tx);
/* Which node commits through s: the name of its trail (audit/node_id.h), set once the
 * store is open and before anything commits. On a store other nodes write to as well,
 * each write transaction of this node then also keeps the seq it commits as in the meta
 * entry STORE_META_NODE_SEQ "<node>", in the same statement that reserves it: the seqs a
 * node holds the write lock for are then the store's to tell, which its trail needs
 * after a crash (audit.h, "Several nodes": a seq this node had reserved and lost may since
 * have been committed by another node). A no-op on a store with one writer. */
void store_set_node(struct store *s, const char *node);
#define STORE_META_NODE_SEQ "node_seq/"
/* The last seq this node committed: store_last_seq() on a store with one writer or
 * before store_set_node; on one with several, the seq kept as store_set_node says, read
 * from the database, or store_last_seq() with *kept false when it keeps none for this
 * node (a node new to the store, or one whose store was copied from a data dir). Errors:
 * the backend's. */
MUST_CHECK cu_rc store_node_seq(struct store *s, uint64_t *seq, bool *kept);

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
/* Write one document (borrowed; serialised compactly) and its index entries. Write
 * transactions only. A REPLACE or UPSERT of a record this transaction read is
 * compare-and-set (above): CU_E_STORE_CONFLICT when it changed since. */
MUST_CHECK cu_rc store_put(struct store_tx *tx, const char *kind, const char *scope,
                           const char *key, const json_t *doc, enum store_put_mode mode);

/* store_get that also tells the version read (0 when absent), for a caller that will
 * write the record back with store_put_version from another transaction. */
MUST_CHECK cu_rc store_get_version(struct store_tx *tx, const char *kind, const char *scope,
                                   const char *key, json_t **doc, uint64_t *version);
/* Replace the record only if its stored version is `version` (> 0): CU_E_STORE_CONFLICT
 * when it is another or the record is gone. */
MUST_CHECK cu_rc store_put_version(struct store_tx *tx, const char *kind, const char *scope,
                                   const char *key, const json_t *doc, uint64_t version);

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

/* Lookups by secondary index: the records of `kind` whose index `index` holds `value`,
 * restricted to scope `within` and the scopes below it ("<a>/<r>" takes "<a>/<r>/x";
 * "<a>/<r>x" is not below it), or in every scope when within is NULL. */
struct store_lookup {
    const char *kind;
    const char *index;    /* an index kinds.c declares for kind (else CU_E_INTERNAL) */
    const char *value;
    const char *within;   /* or NULL */
};
/* A place in a lookup's results: the (scope, key) of the last match shown. */
struct store_position {
    const char *scope;
    const char *key;
};
/* Up to `limit` matches after the position `after` (NULL: from the start), ordered by
 * scope, then key: *items is a new JSON array of {"scope", "key", "doc"} owned by the
 * caller; *more is true when further matches follow. In a write transaction each match
 * counts as read (compare-and-set, above). */
MUST_CHECK cu_rc store_find(struct store_tx *tx, const struct store_lookup *q,
                            const struct store_position *after, size_t limit, json_t **items,
                            bool *more);
/* store_find with q->value a prefix: the records with an indexed value that starts with
 * it (IAM's PathPrefix over the "path" index), in the same order. A record indexed under
 * two matching values would come twice: use it on single-valued indexes. */
MUST_CHECK cu_rc store_find_prefix(struct store_tx *tx, const struct store_lookup *q,
                                   const struct store_position *after, size_t limit,
                                   json_t **items, bool *more);
/* The one match of a unique index (a grant token): *doc a new reference, or NULL when
 * none; its scope and key are copied into STORE_NAME_MAX buffers (either may be NULL;
 * scope may be q->within's own buffer: it is written after the lookup). More than one
 * match fails with CU_E_STORE. */
MUST_CHECK cu_rc store_find_one(struct store_tx *tx, const struct store_lookup *q,
                                char *scope, char *key, json_t **doc);
/* Number of matches. */
MUST_CHECK cu_rc store_find_count(struct store_tx *tx, const struct store_lookup *q,
                                  size_t *n);

/* Test hook (STYLE R20): make the n-th store operation from now fail with CU_E_STORE
 * (n_ops = 1: the next one). 0 turns it off. Cheap enough to stay compiled in. */
void store_test_fail_after(struct store *s, int n_ops);
/* Test hook: the n-th put from now, and the `times` - 1 puts after it, fail with
 * CU_E_STORE_CONFLICT as a compare-and-set that lost would (SQLite has one writer, so
 * real conflicts do not occur). n_puts 0 turns it off. */
void store_test_conflicts(struct store *s, int n_puts, int times);

#endif
