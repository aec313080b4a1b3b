/* session_cache.c — see session_cache.h. One rwlock over the table: lookups share it, and
 * a put takes it only to swap a slot's entry (built and freed outside it). */
#include "session_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "core/stats.h"

struct session_entry {
    char *token;                 /* a copy of the token as sent: wiped when freed */
    size_t token_len;
    struct principal principal;  /* what the token opened to */
    uint8_t secret[SESSION_SECRET_LEN];
};

struct session_cache {
    pthread_rwlock_t lock;
    struct session_entry *slots[SESSION_CACHE_SLOTS];
};

static size_t slot_of(const char *akid)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *akid; akid++)
        h = (h ^ (uint8_t)*akid) * 1099511628211ULL;
    return (size_t)(h % SESSION_CACHE_SLOTS);
}

static void entry_free(struct session_entry *e)
{
    if (!e)
        return;
    secret_wipe(e->token, e->token_len);
    free(e->token);
    secret_wipe(e->secret, sizeof(e->secret));
    free(e);
}

cu_rc session_cache_new(struct session_cache **out)
{
    struct session_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return CU_E_NOMEM;
    pthread_rwlock_init(&c->lock, NULL);
    *out = c;
    return CU_OK;
}

void session_cache_free(struct session_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SESSION_CACHE_SLOTS; i++)
        entry_free(c->slots[i]);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

bool session_cache_get(struct session_cache *c, const char *akid, const char *token,
                       struct principal *out, uint8_t secret[SESSION_SECRET_LEN])
{
    size_t n = strnlen(token, SESSION_TOKEN_MAX + 1);
    const struct session_entry *e;
    bool hit = false;

    pthread_rwlock_rdlock(&c->lock);
    e = c->slots[slot_of(akid)];
    if (e && strcmp(e->principal.access_key_id, akid) == 0 &&
        ct_equal(e->token, e->token_len, token, n)) {
        principal_copy(out, &e->principal);
        memcpy(secret, e->secret, SESSION_SECRET_LEN);
        hit = true;
    }
    pthread_rwlock_unlock(&c->lock);
    stats_add(hit ? STATS_SESSION_HIT : STATS_SESSION_MISS, 1);
    return hit;
}

void session_cache_put(struct session_cache *c, const char *token, const struct principal *p,
                       const uint8_t secret[SESSION_SECRET_LEN])
{
    size_t n = strnlen(token, SESSION_TOKEN_MAX + 1), slot = slot_of(p->access_key_id);
    struct session_entry *e = calloc(1, sizeof(*e)), *old;

    if (e && n <= SESSION_TOKEN_MAX)
        e->token = malloc(n);
    if (!e || !e->token) {
        entry_free(e);
        return;
    }
    memcpy(e->token, token, n);
    e->token_len = n;
    principal_copy(&e->principal, p);
    memcpy(e->secret, secret, SESSION_SECRET_LEN);
    pthread_rwlock_wrlock(&c->lock);
    old = c->slots[slot];
    c->slots[slot] = e;
    pthread_rwlock_unlock(&c->lock);
    entry_free(old);
}
