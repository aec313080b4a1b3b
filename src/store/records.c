/* records.c — the small typed helpers over the record layout documented in records.h. */
#include "records.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Lowercase name into out, which holds cap bytes (cap >= 1); truncates. */
static void fold_into(const char *name, char *out, size_t cap)
{
    size_t i = 0;

    for (; name[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
}

void record_fold(const char *name, char out[RECORD_NAME_MAX])
{
    fold_into(name, out, RECORD_NAME_MAX);
}

void record_user_scope(const char *account, const char *user, char out[RECORD_NAME_MAX])
{
    /* account ids are 12 digits; the bound only keeps a corrupt one from overflowing */
    int n = snprintf(out, RECORD_NAME_MAX, "%.64s/", account);

    fold_into(user, out + n, RECORD_NAME_MAX - (size_t)n);
}

void record_group_member_key(const char *group, const char *user, char out[RECORD_NAME_MAX])
{
    /* IAM group names are at most 128 characters, user names 64: the bound is never hit */
    size_t n;

    fold_into(group, out, RECORD_NAME_MAX - 1);
    n = strlen(out);
    out[n++] = '/';
    fold_into(user, out + n, RECORD_NAME_MAX - n);
}

cu_rc record_user_get(struct store_tx *tx, const char *account, const char *name, json_t **doc)
{
    char key[RECORD_NAME_MAX];

    record_fold(name, key);
    return store_get(tx, RECORD_USER, account, key, doc);
}

const char *record_user_boundary_arn(const json_t *user)
{
    return json_string_value(
        json_object_get(json_object_get(user, "PermissionsBoundary"), "PermissionsBoundaryArn"));
}
