/* postgres_url.c — text the PostgreSQL backend prepares before it talks to a server: the
 * store URL as the log may show it (password masked), and the shared schema's DDL in
 * PostgreSQL's words. Pure functions: no I/O, no globals. */
#include <stdlib.h>
#include <string.h>

#include "postgres_impl.h"

/* Copy n bytes of s into out (cap bytes, NUL-terminated); false when they do not fit. */
static bool append(char *out, size_t cap, size_t *used, const char *s, size_t n)
{
    if (*used + n + 1 > cap)
        return false;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
    return true;
}

bool store_url_masked(const char *url, char *out, size_t cap)
{
    const char *rest = strstr(url, "://"), *at, *colon, *query, *p;
    size_t used = 0;

    if (!cap)
        return false;
    out[0] = '\0';
    if (!rest)
        return append(out, cap, &used, url, strlen(url));
    rest += 3;
    /* userinfo ends at the last '@' before the path: a password may hold '@' unencoded */
    at = NULL;
    for (p = rest; *p && *p != '/' && *p != '?'; p++)
        if (*p == '@')
            at = p;
    colon = at ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
    if (colon) {
        if (!append(out, cap, &used, url, (size_t)(colon + 1 - url)) ||
            !append(out, cap, &used, "***", 3))
            return false;
        p = at;
    } else {
        p = url;
    }
    /* and a password=... among the query parameters */
    query = strchr(p, '?');
    if (!query)
        return append(out, cap, &used, p, strlen(p));
    if (!append(out, cap, &used, p, (size_t)(query + 1 - p)))
        return false;
    for (p = query + 1; *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len >= 9 && strncmp(p, "password=", 9) == 0) {
            if (!append(out, cap, &used, "password=***", 12))
                return false;
        } else if (!append(out, cap, &used, p, len)) {
            return false;
        }
        p += len;
        if (*p == '&') {
            if (!append(out, cap, &used, "&", 1))
                return false;
            p++;
        }
    }
    return true;
}

/* A word of the shared DDL and what PostgreSQL is told instead. */
static const struct {
    const char *word, *pg;
} dialect[] = {
    {"INTEGER", "BIGINT"},
    {"TEXT", "TEXT COLLATE \"C\""},
};

static bool word_at(const char *sql, const char *p, const char *word)
{
    size_t n = strlen(word);
    char before = p > sql ? p[-1] : ' ', after;

    if (strncmp(p, word, n) != 0)
        return false;
    after = p[n]; /* p holds the whole word: p[n] is at most its NUL */
    return (before == ' ' || before == '(' || before == ',') &&
           (after == ' ' || after == ',' || after == ')' || after == '\0');
}

char *pg_dialect(const char *sql)
{
    size_t cap = strlen(sql) * 2 + 64, used = 0;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    out[0] = '\0';
    for (const char *p = sql; *p;) {
        size_t i, n = sizeof(dialect) / sizeof(dialect[0]);

        for (i = 0; i < n && !word_at(sql, p, dialect[i].word); i++)
            ;
        if (i < n) {
            if (!append(out, cap, &used, dialect[i].pg, strlen(dialect[i].pg)))
                goto fail;
            p += strlen(dialect[i].word);
        } else {
            if (!append(out, cap, &used, p, 1))
                goto fail;
            p++;
        }
    }
    return out;
fail:
    free(out);
    return NULL;
}
