/* postgres_rows.c — the PostgreSQL backend's ways of running a prepared statement (pg_run)
 * and taking what its result holds: nothing, one number, or rows as store_ops' JSON items
 * (rows.c). The result is cleared here, whatever happened; postgres.c and
 * postgres_index.c keep only their parameters. */
#include <stdlib.h>

#include "postgres_impl.h"

/* Rows of res as JSON objects, at most limit of them (0: all); *more when one more came. */
static cu_rc rows_to_json(PGresult *res, const char *const *names, int n_cols, size_t limit,
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

cu_rc pg_run_rows(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params,
                  const char *const *names, int n_cols, size_t limit, json_t *items, bool *more)
{
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    TRY(pg_run(tx, which, n, params, &res));
    TRY(rows_to_json(res, names, n_cols, limit, items, more));
out:
    PQclear(res);
    return rc;
}

cu_rc pg_run_done(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params)
{
    PGresult *res = NULL;
    cu_rc rc = pg_run(tx, which, n, params, &res);

    PQclear(res);
    return rc;
}

cu_rc pg_run_number(struct pg_tx *tx, enum pg_stmt which, int n, const char *const *params,
                    uint64_t *value)
{
    PGresult *res = NULL;
    cu_rc rc = CU_OK;

    TRY(pg_run(tx, which, n, params, &res));
    ENSURE(PQntuples(res) == 1, CU_E_STORE);
    *value = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
out:
    PQclear(res);
    return rc;
}
