/* schema.c — the store's one schema, as data. Version 1: documents addressed by
 * (kind, scope, key), and a meta table that records the schema version (the audit trail
 * is a file of its own: audit/writer.c). A later version appends migration steps; none is
 * ever edited.
 * Version 2: change_log, one row per record a committed write transaction put or deleted
 * (seq: the transaction's number, n: the row's place in it). It is written in the same
 * transaction as the change, so it holds exactly the committed changes; another node can
 * follow it (later: PostgreSQL LISTEN/NOTIFY carrying the seq). */
#include "store_impl.h"

const char *const store_schema_v1[] = {
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS objects ("
    " kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,"
    " doc TEXT NOT NULL, version INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " PRIMARY KEY (kind, scope, key))",
    NULL,
};

const char *const store_schema_v2[] = {
    "CREATE TABLE IF NOT EXISTS change_log ("
    " seq INTEGER NOT NULL, n INTEGER NOT NULL,"
    " kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,"
    " PRIMARY KEY (seq, n))",
    NULL,
};
