/* records.c — the small typed helpers over the record layout documented in records.h. */
#include "records.h"

#include <ctype.h>
#include <stdio.h>

void record_fold(const char *name, char out[RECORD_NAME_MAX])
{
    size_t i = 0;

    for (; name[i] && i < RECORD_NAME_MAX - 1; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
}

void record_user_scope(const char *account, const char *user, char out[RECORD_NAME_MAX])
{
    char folded[RECORD_NAME_MAX];

    record_fold(user, folded);
    snprintf(out, RECORD_NAME_MAX, "%s/%s", account, folded);
}

cu_rc record_user_get(struct store_tx *tx, const char *account, const char *name, json_t **doc)
{
    char key[RECORD_NAME_MAX];

    record_fold(name, key);
    return store_get(tx, RECORD_USER, account, key, doc);
}
