/* unauth_limit.c — how many requests that fail before authentication a source may have
 * answered and recorded one by one. Failed authentication is evidence, so the first ones
 * from each source are recorded as any call is; beyond a token bucket per source they are
 * answered with AWS's throttling error and only counted, and the pipeline writes each
 * source's count as one aggregate record per interval (audit_record_build_suppressed).
 * An anonymous client then costs the trail a bounded number of records a second, and
 * authenticated calls never pass through here.
 *
 * The table is bounded: UNAUTH_LIMIT_SETS sets of UNAUTH_LIMIT_WAYS sources, the set
 * chosen by a hash of the address; a new source takes its set's free or least recently
 * seen way, and an evicted source's count goes to the caller first, so no count is lost.
 * An evicted source comes back with a full bucket: a client with more addresses than the
 * table holds gets `burst` records per address, which is as far as per-source limits go.
 * Time is an input: no clock here. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "unauth_limit.h"

struct source {
    char addr[UNAUTH_SOURCE_MAX]; /* "" = free */
    double tokens;
    int64_t seen_ms;              /* last request: refill and eviction order */
    uint64_t suppressed;
    int64_t start_ms, end_ms;
};

struct unauth_limit {
    pthread_mutex_t lock;
    double rate_per_ms, burst;
    int64_t interval_ms;
    _Atomic int64_t due_ms;
    struct source sources[UNAUTH_LIMIT_SOURCES];
};

cu_rc unauth_limit_new(double rate, double burst, int64_t interval_ms, struct unauth_limit **out)
{
    struct unauth_limit *l;

    if (rate <= 0 || burst < 1 || interval_ms <= 0)
        return CU_E_VALIDATION;
    l = calloc(1, sizeof(*l));
    if (!l)
        return CU_E_NOMEM;
    pthread_mutex_init(&l->lock, NULL);
    l->rate_per_ms = rate / 1000.0;
    l->burst = burst;
    l->interval_ms = interval_ms;
    atomic_init(&l->due_ms, 0);
    *out = l;
    return CU_OK;
}

void unauth_limit_free(struct unauth_limit *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/* FNV-1a: spreads addresses that differ in their last characters across sets. */
static size_t set_of(const char *addr)
{
    uint32_t h = 2166136261u;

    for (; *addr; addr++)
        h = (h ^ (uint8_t)*addr) * 16777619u;
    return h % UNAUTH_LIMIT_SETS;
}

static void take_count(struct source *s, struct unauth_count *out)
{
    str_copy(out->source, sizeof(out->source), s->addr);
    out->count = s->suppressed;
    out->start_ms = s->start_ms;
    out->end_ms = s->end_ms;
    s->suppressed = 0;
}

/* The source's entry, made (with a full bucket) if absent. Called with the lock held. */
static struct source *find(struct unauth_limit *l, const char *addr, int64_t now_ms,
                           struct unauth_count *evicted)
{
    struct source *set = &l->sources[set_of(addr) * UNAUTH_LIMIT_WAYS], *victim = set;

    for (size_t i = 0; i < UNAUTH_LIMIT_WAYS; i++) {
        if (set[i].addr[0] && strcmp(set[i].addr, addr) == 0)
            return &set[i];
        if (!set[i].addr[0])
            victim = victim->addr[0] ? &set[i] : victim;
        else if (victim->addr[0] && set[i].seen_ms < victim->seen_ms)
            victim = &set[i];
    }
    if (victim->addr[0] && victim->suppressed)
        take_count(victim, evicted);
    memset(victim, 0, sizeof(*victim));
    str_copy(victim->addr, sizeof(victim->addr), addr);
    victim->tokens = l->burst;
    victim->seen_ms = now_ms;
    return victim;
}

bool unauth_limit_take(struct unauth_limit *l, const char *source, int64_t now_ms,
                       struct unauth_count *evicted)
{
    struct source *s;
    bool admit;
    char addr[UNAUTH_SOURCE_MAX];

    /* longer addresses (none are) share the bucket of their first characters */
    str_copy(addr, sizeof(addr), source && source[0] ? source : "-");
    evicted->count = 0;
    pthread_mutex_lock(&l->lock);
    s = find(l, addr, now_ms, evicted);
    if (now_ms > s->seen_ms) {
        s->tokens += (double)(now_ms - s->seen_ms) * l->rate_per_ms;
        if (s->tokens > l->burst)
            s->tokens = l->burst;
    }
    s->seen_ms = now_ms > s->seen_ms ? now_ms : s->seen_ms;
    admit = s->tokens >= 1.0;
    if (admit) {
        s->tokens -= 1.0;
    } else {
        if (!s->suppressed)
            s->start_ms = now_ms;
        s->suppressed++;
        s->end_ms = now_ms > s->end_ms ? now_ms : s->end_ms;
    }
    pthread_mutex_unlock(&l->lock);
    return admit;
}

bool unauth_limit_due(struct unauth_limit *l, int64_t now_ms)
{
    return now_ms >= atomic_load_explicit(&l->due_ms, memory_order_relaxed);
}

size_t unauth_limit_collect(struct unauth_limit *l, int64_t now_ms, struct unauth_count *out,
                            size_t cap)
{
    size_t n = 0;

    pthread_mutex_lock(&l->lock);
    atomic_store(&l->due_ms, now_ms + l->interval_ms);
    for (size_t i = 0; i < UNAUTH_LIMIT_SOURCES && n < cap; i++)
        if (l->sources[i].suppressed)
            take_count(&l->sources[i], &out[n++]);
    pthread_mutex_unlock(&l->lock);
    return n;
}
