/* store_impl.h — what a storage backend provides (the vtable behind store.h), for
 * src/store/ only. Backends are chosen at run time by store_open (STYLE R15). */
#ifndef CU_STORE_IMPL_H
#define CU_STORE_IMPL_H

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
};

/* Open the embedded SQLite backend in directory dir. */
MUST_CHECK cu_rc store_sqlite_open(const char *dir, const struct store_ops **ops, void **impl,
                                   struct cu_err *err);

/* The one schema, shared by every backend (SQL that SQLite and PostgreSQL both accept). */
extern const char *const store_schema_v1[];
#define STORE_SCHEMA_VERSION 1

#endif
