/* postgres_index.c — the PostgreSQL backend's secondary-index rows and lookups
 * (record_index: written by store.c through kinds.c on every put and delete), the
 * whole-kind scans migrations use, and the meta table; the twin of sqlite_index.c.
 * Statements are postgres.c's, prepared once per connection. */
#include <stdio.h>
#include <string.h>

#include "postgres_impl.h"

cu_rc pg_scan_kind(void *p, const char *kind, json_t *items)
{
    static const char *const names[] = {"scope", "key", "doc"};
    const char *params[] = {kind};
    bool more = false;

    return pg_run_rows(p, PG_SCAN_KIND, 1, params, names, 3, 0, items, &more);
}

cu_rc pg_index_add(void *p, const char *kind, const char *index, const char *value,
                   const char *scope, const char *key)
{
    const char *params[] = {kind, scope, key, index, value};

    return pg_run_done(p, PG_INDEX_ADD, 5, params);
}

cu_rc pg_index_drop(void *p, const char *kind, const char *scope, const char *key)
{
    const char *params[] = {kind, scope, key};

    return pg_run_done(p, PG_INDEX_DROP, 3, params);
}

cu_rc pg_find(void *p, const struct store_lookup *q, bool prefix,
              const struct store_position *after, size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"scope", "key", "doc", "version"};
    char lim[24];
    /* from the start: after ("", "") — a scope "" with key "" is never stored */
    const char *params[] = {q->kind,          q->index, q->value, q->within,
                            after ? after->scope : "", after ? after->key : "", lim};

    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    return pg_run_rows(p, prefix ? PG_FIND_PREFIX : PG_FIND, 7, params, names, 4, limit, items,
                       more);
}

cu_rc pg_find_count(void *p, const struct store_lookup *q, size_t *n)
{
    const char *params[] = {q->kind, q->index, q->value, q->within};
    uint64_t count = 0;
    cu_rc rc = pg_run_number(p, PG_FIND_COUNT, 4, params, &count);

    if (rc == CU_OK)
        *n = (size_t)count;
    return rc;
}

cu_rc pg_meta_get(void *p, const char *name, char **value)
{
    const char *params[] = {name};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    *value = NULL;
    TRY(pg_run(p, PG_META_GET, 1, params, &res));
    if (PQntuples(res) > 0) {
        *value = strdup(PQgetvalue(res, 0, 0));
        ENSURE(*value, CU_E_NOMEM);
    }
out:
    PQclear(res);
    return rc;
}

cu_rc pg_meta_set(void *p, const char *name, const char *value)
{
    const char *params[] = {name, value};

    return pg_run_done(p, value ? PG_META_SET : PG_META_DEL, value ? 2 : 1, params);
}

cu_rc pg_reserve_seq(void *p, const char *node_meta, uint64_t *seq)
{
    const struct pg_tx *tx = p;
    const char *params[] = {tx->s->channel, node_meta};

    /* the NOTIFY of the seq, and the node's note of it, ride in the same statement: both
     * are kept if and only if the transaction commits (store.h, "Several nodes") */
    return pg_run_number(p, PG_RESERVE, 2, params, seq);
}

cu_rc pg_scan_all(void *p, const char *kind, const char *scope, const char *key, size_t limit,
                  json_t *items, bool *more)
{
    static const char *const names[] = {"kind", "scope", "key", "doc_text"};
    char lim[24];
    const char *params[] = {kind, scope, key, lim};

    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    return pg_run_rows(p, PG_SCAN_ALL, 4, params, names, 4, limit, items, more);
}

cu_rc pg_scan_log(void *p, uint64_t seq, uint64_t n, size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"seq", "n", "kind", "scope", "key"};
    char seq_text[24], n_text[24], lim[24];
    const char *params[] = {seq_text, n_text, lim};

    snprintf(seq_text, sizeof(seq_text), "%llu", (unsigned long long)seq);
    snprintf(n_text, sizeof(n_text), "%llu", (unsigned long long)n);
    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    return pg_run_rows(p, PG_SCAN_LOG, 3, params, names, 5, limit, items, more);
}
