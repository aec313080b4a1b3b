/* store_cmd.c — the store from the command line.
 *
 *   custos store migrate --from DIR --to postgres://...
 *       copies the embedded store of data directory DIR (DIR/custos.db: every record and
 *       the change log; the index rows are rebuilt from the records) into a PostgreSQL
 *       database that holds no custos records yet, in one transaction, then opens the
 *       copy afresh and compares it with DIR's, record by record; prints what it copied
 *       and exits 0 only when the copy is verified. Stop the server on DIR first: what it
 *       writes after the copy began is not in the copy. DIR keeps the master key, the
 *       root credentials and the audit trail, which stay files: serve with
 *       `--data-dir DIR --store postgres://...` afterwards.
 * Exit 1 when the copy fails or differs, 2 on bad arguments. */
#include "store_cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static int bad(const char *why, const char *what)
{
    fprintf(stderr, "custos store: %s%s\n", why, what ? what : "");
    fprintf(stderr, "usage: custos store migrate --from DIR --to postgres://...\n");
    return 2;
}

static int failed(const char *what, const struct cu_err *err)
{
    fprintf(stderr, "custos store migrate: %s: %s\n", what,
            err->msg[0] ? err->msg : "internal error (see the log)");
    return 1;
}

static int migrate(const char *dir, const char *url)
{
    struct store *from = NULL, *to = NULL;
    struct store_copy_report copied, checked;
    struct cu_err err = {0};
    char db[1100], shown[1100];
    int code = 1;

    snprintf(db, sizeof(db), "%s/custos.db", dir);
    if (access(db, R_OK) != 0) {
        fprintf(stderr, "custos store migrate: %s has no store (no custos.db)\n", dir);
        return 1;
    }
    /* masked first: a mistyped scheme may still carry a password */
    if (!store_url_masked(url, shown, sizeof(shown)))
        return bad("the URL is too long", NULL);
    if (!store_url_is_postgres(url))
        return bad("--to must be a postgres:// URL, not ", shown);
    if (store_open(dir, &from, &err) != CU_OK)
        return failed("cannot open the source", &err);
    if (store_open(url, &to, &err) != CU_OK) {
        code = failed("cannot open the destination", &err);
        goto out;
    }
    if (store_copy(from, to, &copied, &err) != CU_OK) {
        code = failed("cannot copy", &err);
        goto out;
    }
    store_close(to);
    to = NULL;
    /* verify through a store opened afresh, as a node would open it */
    if (store_open(url, &to, &err) != CU_OK) {
        code = failed("cannot reopen the copy", &err);
        goto out;
    }
    if (store_compare(from, to, &checked, &err) != CU_OK) {
        code = failed("the copy is not verified", &err);
        goto out;
    }
    printf("copied %zu records and %zu changes (last seq %llu) from %s into %s; "
           "the copy is verified\n",
           copied.records, copied.changes, (unsigned long long)copied.last_seq, dir, shown);
    code = 0;
out:
    store_close(to);
    store_close(from);
    return code;
}

int store_cmd(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;

    if (argc < 1 || strcmp(argv[0], "migrate") != 0)
        return bad("unknown command: ", argc ? argv[0] : "(none)");
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return bad("missing value for ", argv[i]);
        if (strcmp(argv[i], "--from") == 0)
            from = argv[++i];
        else if (strcmp(argv[i], "--to") == 0)
            to = argv[++i];
        else
            return bad("unknown flag ", argv[i]);
    }
    if (!from || !to)
        return bad("both --from DIR and --to URL are needed", NULL);
    return migrate(from, to);
}
