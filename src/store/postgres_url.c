/* postgres_url.c — text the PostgreSQL backend prepares before it talks to a server, or
 * after: the store URL as the log may show it and libpq's messages about it (its
 * passwords masked), and the shared schema's DDL in PostgreSQL's words. Pure functions:
 * no I/O, no globals. */
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
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

/* Whether the n bytes at key, percent-decoded as libpq decodes a URI's keywords, are want. */
static bool key_is(const char *key, size_t n, const char *want)
{
    size_t i = 0;

    for (; i < n && *want; want++) {
        char c = key[i++];

        if (c == '%' && i + 1 < n && hex_digit(key[i]) >= 0 && hex_digit(key[i + 1]) >= 0) {
            c = (char)(hex_digit(key[i]) * 16 + hex_digit(key[i + 1]));
            i += 2;
        }
        if (c != *want)
            return false;
    }
    return i == n && !*want;
}

static void mark(bool *secret, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        secret[i] = true;
}

/* Which bytes of url hold a secret: a new array of strlen(url) flags (NULL: no memory).
 * The userinfo's password runs from the ':' before its first '@' to the URL's last '@':
 * libpq ends the userinfo at the first '@' or '/', so a password holding an unencoded
 * '@', '/' or '?' is read by libpq as part of the host, port or path and may come back
 * quoted in its errors; the widest reading is masked. And every password= or
 * sslpassword= (the client key's passphrase) parameter, its keyword percent-decoded as
 * libpq does, wherever a '?' or '&' starts one. */
static bool *secret_bytes_of(const char *url)
{
    size_t n = strlen(url);
    bool *secret = calloc(n + 1, sizeof(*secret));
    const char *rest = strstr(url, "://"), *first_at, *colon, *last_at;

    if (!secret || !rest)
        return secret;
    rest += 3;
    first_at = strchr(rest, '@');
    colon = first_at ? memchr(rest, ':', (size_t)(first_at - rest)) : NULL;
    last_at = strrchr(rest, '@');
    if (colon)
        mark(secret, (size_t)(colon + 1 - url), (size_t)(last_at - url));
    for (const char *p = rest; *p; p++) {
        size_t key_n, value_n;
        const char *eq;

        if (p[0] != '?' && p[0] != '&')
            continue;
        key_n = strcspn(p + 1, "=&");
        eq = p + 1 + key_n;
        if (*eq != '=' ||
            !(key_is(p + 1, key_n, "password") || key_is(p + 1, key_n, "sslpassword")))
            continue;
        value_n = strcspn(eq + 1, "&");
        mark(secret, (size_t)(eq + 1 - url), (size_t)(eq + 1 + value_n - url));
    }
    return secret;
}

bool store_url_masked(const char *url, char *out, size_t cap)
{
    bool *secret = secret_bytes_of(url);
    size_t used = 0, n = strlen(url);
    bool ok = secret != NULL && cap > 0;

    if (cap)
        out[0] = '\0';
    for (size_t i = 0; ok && i < n; i++) {
        if (!secret[i])
            ok = append(out, cap, &used, url + i, 1);
        else if (i == 0 || !secret[i - 1])
            ok = append(out, cap, &used, "***", 3);
    }
    free(secret);
    return ok;
}

/* Whether text (n bytes) occurs in url at a place that holds a secret. */
static bool overlaps_secret(const char *url, const bool *secret, const char *text, size_t n)
{
    size_t url_n = strlen(url);

    for (size_t at = 0; n && at + n <= url_n; at++) {
        if (strncmp(url + at, text, n) != 0)
            continue;
        for (size_t i = at; i < at + n; i++)
            if (secret[i])
                return true;
    }
    return false;
}

/* The length of the run of secret bytes of url that msg starts with (0: none). */
static size_t secret_run_at(const char *url, const bool *secret, const char *msg)
{
    for (size_t from = 0; url[from]; from++) {
        size_t to = from;

        if (!secret[from] || (from > 0 && secret[from - 1]))
            continue;
        while (url[to] && secret[to])
            to++;
        if (strncmp(msg, url + from, to - from) == 0)
            return to - from;
    }
    return 0;
}

bool pg_message_masked(const char *url, const char *msg, char *out, size_t cap)
{
    bool *secret = secret_bytes_of(url);
    size_t used = 0;
    bool ok = true;

    if (!secret || !cap) {
        free(secret);
        return false;
    }
    out[0] = '\0';
    /* a message too long is cut: what is cut off is never shown */
    for (const char *p = msg; ok && *p;) {
        const char *close = *p == '"' ? strchr(p + 1, '"') : NULL;
        size_t run = secret_run_at(url, secret, p);

        if (close && overlaps_secret(url, secret, p + 1, (size_t)(close - p - 1))) {
            ok = append(out, cap, &used, "\"***\"", 5);
            p = close + 1;
        } else if (run > 0) {
            ok = append(out, cap, &used, "***", 3);
            p += run;
        } else {
            ok = append(out, cap, &used, p, 1);
            p++;
        }
    }
    free(secret);
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
