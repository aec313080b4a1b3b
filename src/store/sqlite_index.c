/* sqlite_index.c — the SQLite backend's secondary-index rows and lookups (record_index,
 * written by store.c through kinds.c on every put and delete, so its rows are those of the
 * committed records), the whole-kind scans migrations use, and the meta table. Statements
 * are sqlite.c's, prepared once per connection; SQLite's messages go to the log only. */
#include <stdlib.h>
#include <string.h>

#include "sqlite_impl.h"

cu_rc sqlite_rows_to_json(struct sqlite_tx *tx, enum stmt which, const char *const *names,
                          int n_cols, size_t limit, json_t *items, bool *more)
{
    sqlite3_stmt *st = tx->c->st[which];
    cu_rc rc = CU_OK;
    size_t n = 0;
    int r;

    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row;

        if (limit && n == limit) {
            *more = true;
            break;
        }
        row = store_row_new(items);
        if (!row) {
            rc = CU_E_NOMEM;
            break;
        }
        for (int i = 0; i < n_cols && rc == CU_OK; i++)
            rc = store_row_set(row, names[i], (const char *)sqlite3_column_text(st, i));
        if (rc != CU_OK)
            break;
        n++;
    }
    if (rc == CU_OK && r != SQLITE_ROW && r != SQLITE_DONE)
        rc = sqlite_fail(tx->c->db, sqlite_stmt_sql[which]);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

cu_rc sqlite_scan_kind(void *p, const char *kind, json_t *items)
{
    static const char *const names[] = {"scope", "key", "doc"};
    struct sqlite_tx *tx = p;
    bool more = false;

    sqlite3_bind_text(tx->c->st[ST_SCAN_KIND], 1, kind, -1, SQLITE_STATIC);
    return sqlite_rows_to_json(tx, ST_SCAN_KIND, names, 3, 0, items, &more);
}

cu_rc sqlite_scan_all(void *p, const char *kind, const char *scope, const char *key,
                      size_t limit, json_t *items, bool *more)
{
    static const char *const names[] = {"kind", "scope", "key", "doc_text"};
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_SCAN_ALL];

    sqlite_bind_address(st, kind, scope, key);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)limit + 1);
    return sqlite_rows_to_json(tx, ST_SCAN_ALL, names, 4, limit, items, more);
}

cu_rc sqlite_scan_log(void *p, uint64_t seq, uint64_t n, size_t limit, json_t *items,
                      bool *more)
{
    static const char *const names[] = {"seq", "n", "kind", "scope", "key"};
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_SCAN_LOG];

    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit + 1);
    return sqlite_rows_to_json(tx, ST_SCAN_LOG, names, 5, limit, items, more);
}

cu_rc sqlite_index_add(void *p, const char *kind, const char *index, const char *value,
                              const char *scope, const char *key)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_INDEX_ADD];

    sqlite_bind_address(st, kind, scope, key);
    sqlite3_bind_text(st, 4, index, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, value, -1, SQLITE_STATIC);
    return sqlite_step_done(tx->c, ST_INDEX_ADD);
}

cu_rc sqlite_index_drop(void *p, const char *kind, const char *scope, const char *key)
{
    struct sqlite_tx *tx = p;

    sqlite_bind_address(tx->c->st[ST_INDEX_DROP], kind, scope, key);
    return sqlite_step_done(tx->c, ST_INDEX_DROP);
}

static void bind_lookup(sqlite3_stmt *st, const struct store_lookup *q)
{
    sqlite3_bind_text(st, 1, q->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, q->index, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, q->value, -1, SQLITE_STATIC);
    if (q->within)
        sqlite3_bind_text(st, 4, q->within, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
}

cu_rc sqlite_find(void *p, const struct store_lookup *q, bool prefix,
                         const struct store_position *after, size_t limit, json_t *items,
                         bool *more)
{
    static const char *const names[] = {"scope", "key", "doc", "version"};
    struct sqlite_tx *tx = p;
    enum stmt which = prefix ? ST_FIND_PREFIX : ST_FIND;
    sqlite3_stmt *st = tx->c->st[which];

    bind_lookup(st, q);
    /* from the start: after ("", "") — a scope "" with key "" is never stored */
    sqlite3_bind_text(st, 5, after ? after->scope : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, after ? after->key : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)limit + 1);
    return sqlite_rows_to_json(tx, which, names, 4, limit, items, more);
}

cu_rc sqlite_find_count(void *p, const struct store_lookup *q, size_t *n)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_FIND_COUNT];
    cu_rc rc = CU_OK;

    bind_lookup(st, q);
    if (sqlite3_step(st) == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(st, 0);
    else
        rc = sqlite_fail(tx->c->db, "find count");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

cu_rc sqlite_meta_get(void *p, const char *name, char **value)
{
    struct sqlite_tx *tx = p;
    sqlite3_stmt *st = tx->c->st[ST_META_GET];
    cu_rc rc = CU_OK;
    int r;

    *value = NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *value = strdup((const char *)sqlite3_column_text(st, 0));
        if (!*value)
            rc = CU_E_NOMEM;
    } else if (r != SQLITE_DONE) {
        rc = sqlite_fail(tx->c->db, "meta");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

cu_rc sqlite_meta_set(void *p, const char *name, const char *value)
{
    struct sqlite_tx *tx = p;
    enum stmt which = value ? ST_META_SET : ST_META_DEL;
    sqlite3_stmt *st = tx->c->st[which];

    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return sqlite_step_done(tx->c, which);
}

