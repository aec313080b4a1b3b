/* postgres_index.c — the PostgreSQL backend's secondary-index rows and lookups
 * (record_index: written by store.c through kinds.c on every put and delete), the
 * whole-kind scans migrations use, and the meta table; the twin of sqlite_index.c.
 * Statements are postgres.c's, prepared once per connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres_impl.h"

cu_rc pg_rows_to_json(PGresult *res, const char *const *names, int n_cols, size_t limit,
                      json_t *items, bool *more)
{
    cu_rc rc = CU_OK;
    int rows = PQntuples(res);

    for (int r = 0; r < rows; r++) {
        json_t *row;

        if (limit && (size_t)r == limit) {
            *more = true;
            break;
        }
        row = store_row_new(items);
        ENSURE(row, CU_E_NOMEM);
        for (int i = 0; i < n_cols; i++)
            TRY(store_row_set(row, names[i], PQgetvalue(res, r, i)));
    }
out:
    return rc;
}

cu_rc pg_scan_kind(void *p, const char *kind, json_t *items)
{
    static const char *const names[] = {"scope", "key", "doc"};
    const char *params[] = {kind};
    PGresult *res = NULL;
    bool more = false;
    cu_rc rc = CU_OK;

    TRY(pg_run(p, PG_SCAN_KIND, 1, params, &res));
    TRY(pg_rows_to_json(res, names, 3, 0, items, &more));
out:
    PQclear(res);
    return rc;
}

/* A statement whose result holds nothing the caller needs. */
static cu_rc run_done(void *p, enum pg_stmt which, int n, const char *const *params)
{
    PGresult *res = NULL;
    cu_rc rc = pg_run(p, which, n, params, &res);

    PQclear(res);
    return rc;
}

cu_rc pg_index_add(void *p, const char *kind, const char *index, const char *value,
                   const char *scope, const char *key)
{
    const char *params[] = {kind, scope, key, index, value};

    return run_done(p, PG_INDEX_ADD, 5, params);
}

cu_rc pg_index_drop(void *p, const char *kind, const char *scope, const char *key)
{
    const char *params[] = {kind, scope, key};

    return run_done(p, PG_INDEX_DROP, 3, params);
}

cu_rc pg_find(void *p, const struct store_lookup *q, bool prefix,
              const struct store_position *after, size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"scope", "key", "doc", "version"};
    char lim[24];
    /* from the start: after ("", "") — a scope "" with key "" is never stored */
    const char *params[] = {q->kind,          q->index, q->value, q->within,
                            after ? after->scope : "", after ? after->key : "", lim};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    TRY(pg_run(p, prefix ? PG_FIND_PREFIX : PG_FIND, 7, params, &res));
    TRY(pg_rows_to_json(res, names, 4, limit, items, more));
out:
    PQclear(res);
    return rc;
}

cu_rc pg_find_count(void *p, const struct store_lookup *q, size_t *n)
{
    const char *params[] = {q->kind, q->index, q->value, q->within};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    TRY(pg_run(p, PG_FIND_COUNT, 4, params, &res));
    *n = (size_t)strtoull(PQgetvalue(res, 0, 0), NULL, 10);
out:
    PQclear(res);
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

    return run_done(p, value ? PG_META_SET : PG_META_DEL, value ? 2 : 1, params);
}

cu_rc pg_reserve_seq(void *p, const char *node_meta, uint64_t *seq)
{
    PGresult *res = NULL;
    cu_rc rc = CU_OK;
    const struct pg_tx *tx = p;
    const char *params[] = {tx->s->channel, node_meta};

    /* the NOTIFY of the seq, and the node's note of it, ride in the same statement: both
     * are kept if and only if the transaction commits (store.h, "Several nodes") */
    TRY(pg_run(p, PG_RESERVE, 2, params, &res));
    ENSURE(PQntuples(res) == 1, CU_E_STORE);
    *seq = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
out:
    PQclear(res);
    return rc;
}

cu_rc pg_scan_all(void *p, const char *kind, const char *scope, const char *key, size_t limit,
                  json_t *items, bool *more)
{
    static const char *const names[] = {"kind", "scope", "key", "doc_text"};
    char lim[24];
    const char *params[] = {kind, scope, key, lim};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    TRY(pg_run(p, PG_SCAN_ALL, 4, params, &res));
    TRY(pg_rows_to_json(res, names, 4, limit, items, more));
out:
    PQclear(res);
    return rc;
}

cu_rc pg_scan_log(void *p, uint64_t seq, uint64_t n, size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"seq", "n", "kind", "scope", "key"};
    char seq_text[24], n_text[24], lim[24];
    const char *params[] = {seq_text, n_text, lim};
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    snprintf(seq_text, sizeof(seq_text), "%llu", (unsigned long long)seq);
    snprintf(n_text, sizeof(n_text), "%llu", (unsigned long long)n);
    snprintf(lim, sizeof(lim), "%zu", limit + 1);
    TRY(pg_run(p, PG_SCAN_LOG, 3, params, &res));
    TRY(pg_rows_to_json(res, names, 5, limit, items, more));
out:
    PQclear(res);
    return rc;
}
