/* schema.c — the store's one schema, as data, and the migrations between its versions.
 * A version is its DDL (run by every backend at every open; idempotent) and a data step
 * (run once, by store_migrate, in the transaction that records the new version). A later
 * version appends a row; none is ever edited.
 *
 * Version 1: documents addressed by (kind, scope, key), and a meta table that records the
 * schema version (the audit trail is a file of its own: audit/writer.c).
 * Version 2: change_log, one row per record a committed write transaction put or deleted
 * (seq: the transaction's number, n: the row's place in it). It is written in the same
 * transaction as the change, so it holds exactly the committed changes; another node can
 * follow it (later: PostgreSQL LISTEN/NOTIFY carrying the seq).
 * Version 3: record_index, the secondary indexes kinds.c declares. Its data step drops
 * v2's hand-kept twin records (user_key, kms_grant_token: the indexes replace them),
 * builds the index rows of every existing record, and marks regional records, which v2
 * scoped by account alone, for store_adopt_region() to move under their region.
 * Version 4: the "path" index of IAM users, groups and managed policies (PathPrefix
 * lists); its data step rebuilds the indexes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store_impl.h"

static const char *const v1_sql[] = {
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS objects ("
    " kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,"
    " doc TEXT NOT NULL, version INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " PRIMARY KEY (kind, scope, key))",
    NULL,
};

static const char *const v2_sql[] = {
    "CREATE TABLE IF NOT EXISTS change_log ("
    " seq INTEGER NOT NULL, n INTEGER NOT NULL,"
    " kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,"
    " PRIMARY KEY (seq, n))",
    NULL,
};

static const char *const v3_sql[] = {
    "CREATE TABLE IF NOT EXISTS record_index ("
    " kind TEXT NOT NULL, idx TEXT NOT NULL, value TEXT NOT NULL,"
    " scope TEXT NOT NULL, key TEXT NOT NULL,"
    " PRIMARY KEY (kind, idx, value, scope, key))",
    /* a record's own rows, which every put and delete drops */
    "CREATE INDEX IF NOT EXISTS record_index_of ON record_index (kind, scope, key)",
    NULL,
};

/* Write the index rows of every record of every kind that declares an index (and scan the
 * regional kinds); *regional: a regional record exists. */
static cu_rc rebuild_indexes(const struct store_ops *ops, void *t, bool *regional)
{
    cu_rc rc = CU_OK;
    json_t *items = NULL, *item;
    size_t i;

    *regional = false;
    for (size_t k = 0; k < store_kinds_n; k++) {
        const struct store_kind *kind = &store_kinds[k];

        if (!kind->indexes[0].name && kind->class != STORE_CLASS_REGIONAL)
            continue;
        items = json_array();
        ENSURE(items, CU_E_NOMEM);
        TRY(ops->scan_kind(t, kind->kind, items));
        *regional |= kind->class == STORE_CLASS_REGIONAL && json_array_size(items) > 0;
        json_array_foreach(items, i, item)
            TRY(store_index_record(ops, t, kind->kind,
                                   json_string_value(json_object_get(item, "scope")),
                                   json_string_value(json_object_get(item, "key")),
                                   json_object_get(item, "doc")));
        json_decref(items);
        items = NULL;
    }
out:
    json_decref(items);
    return rc;
}

/* The twin records schema v2 kept by hand beside the records they indexed. */
static const char *const v2_twins[] = {"user_key", "kms_grant_token"};

static cu_rc v3_data(const struct store_ops *ops, void *t)
{
    cu_rc rc = CU_OK;
    json_t *items = NULL, *item;
    bool gone, regional = false;
    size_t i;

    for (size_t k = 0; k < sizeof(v2_twins) / sizeof(v2_twins[0]); k++) {
        items = json_array();
        ENSURE(items, CU_E_NOMEM);
        TRY(ops->scan_kind(t, v2_twins[k], items));
        json_array_foreach(items, i, item)
            TRY(ops->del(t, v2_twins[k], json_string_value(json_object_get(item, "scope")),
                         json_string_value(json_object_get(item, "key")), &gone));
        json_decref(items);
        items = NULL;
    }
    TRY(rebuild_indexes(ops, t, &regional));
    if (regional)
        TRY(ops->meta_set(t, STORE_META_UNSCOPED, "1"));
out:
    json_decref(items);
    return rc;
}

static const char *const v4_sql[] = {NULL};

/* v4 declares the path index: rebuild every index (the unscoped mark is v3's business) */
static cu_rc v4_data(const struct store_ops *ops, void *t)
{
    bool regional;

    return rebuild_indexes(ops, t, &regional);
}

static const char *const v5_sql[] = {NULL};

/* v5 declares the users' unique-id index (a renamed user's sessions find their user by
 * it, auth/identity_set.c): rebuild every index */
static cu_rc v5_data(const struct store_ops *ops, void *t)
{
    bool regional;

    return rebuild_indexes(ops, t, &regional);
}

const struct store_migration store_migrations[] = {
    {1, v1_sql, NULL},
    {2, v2_sql, NULL},
    {3, v3_sql, v3_data},
    {4, v4_sql, v4_data},
    {5, v5_sql, v5_data},
};
const size_t store_migrations_n = sizeof(store_migrations) / sizeof(store_migrations[0]);

cu_rc store_migrate(const struct store_ops *ops, void *impl, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    void *t = NULL;
    char *text = NULL, now[16];
    long stored = 0;

    TRY(ops->begin(impl, true, &t));
    TRY(ops->meta_get(t, "schema_version", &text));
    /* no version yet: a database created just now (or by a v1 that never wrote one) */
    stored = text ? strtol(text, NULL, 10) : 0;
    if (stored > STORE_SCHEMA_VERSION) {
        rc = cu_err_set(err, CU_E_STORE,
                        "the store has schema version %ld, newer than this custos (%d): "
                        "run the custos that created it", stored, STORE_SCHEMA_VERSION);
        goto out;
    }
    for (size_t v = 0; v < store_migrations_n; v++)
        if (store_migrations[v].version > stored && store_migrations[v].data) {
            if (text) /* a new database has nothing to migrate: say so only for old ones */
                log_info("store: migrating data from schema version %ld to %d", stored,
                         store_migrations[v].version);
            TRY(store_migrations[v].data(ops, t));
        }
    snprintf(now, sizeof(now), "%d", STORE_SCHEMA_VERSION);
    TRY(ops->meta_set(t, "schema_version", now));
    rc = ops->commit(impl, t);
    t = NULL;
    if (rc != CU_OK)
        cu_err_set(err, rc, "cannot record the store's schema version (see the log)");
out:
    if (t) {
        ops->rollback(impl, t);
        if (err->code == CU_OK)
            cu_err_set(err, rc, "cannot migrate the store to schema version %d (see the log)",
                       STORE_SCHEMA_VERSION);
    }
    free(text);
    return rc;
}
