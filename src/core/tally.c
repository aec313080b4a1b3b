/* tally.c — per-thread counter blocks (see tally.h).
 *
 * Each tally has a pthread key whose value is the thread's block; the key's destructor
 * marks the block free when the thread ends. Blocks are linked once and never unlinked,
 * so a reader walks the list without a lock (the list only grows, at its head, with a
 * release store). Blocks are cache-line aligned and padded: two threads' counters never
 * share a line. */
#include "tally.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LINE 64

struct tally {
    size_t n;
    pthread_key_t key;
    pthread_mutex_t lock;                   /* taking or making a block */
    _Atomic(struct tally_block *) blocks;
};

static void release_block(void *p)
{
    struct tally_block *b = p;

    atomic_store_explicit(&b->taken, false, memory_order_release);
}

cu_rc tally_new(size_t n, struct tally **out)
{
    cu_rc rc = CU_OK;
    struct tally *t = calloc(1, sizeof(*t));

    ENSURE(t, CU_E_NOMEM);
    ENSURE(pthread_key_create(&t->key, release_block) == 0, CU_E_NOMEM);
    pthread_mutex_init(&t->lock, NULL);
    t->n = n;
    *out = t;
    t = NULL;
out:
    free(t);
    return rc;
}

void tally_free(struct tally *t)
{
    struct tally_block *b, *next;

    if (!t)
        return;
    /* first the key: a thread ending later no longer touches a freed block */
    pthread_key_delete(t->key);
    for (b = atomic_load(&t->blocks); b; b = next) {
        next = b->next;
        free(b);
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

size_t tally_size(const struct tally *t)
{
    return t->n;
}

/* A block no thread holds (an ended thread's), or a new one; NULL: out of memory. */
static struct tally_block *take_block(struct tally *t)
{
    struct tally_block *b;
    size_t size = (sizeof(*b) + t->n * sizeof(b->v[0]) + LINE - 1) / LINE * LINE;

    for (b = atomic_load(&t->blocks); b; b = b->next)
        if (!atomic_exchange(&b->taken, true))
            return b;
    b = aligned_alloc(LINE, size);
    if (!b)
        return NULL;
    memset(b, 0, size);
    atomic_init(&b->taken, true);
    b->next = atomic_load(&t->blocks);
    atomic_store_explicit(&t->blocks, b, memory_order_release);
    return b;
}

struct tally_block *tally_block(struct tally *t)
{
    struct tally_block *b = pthread_getspecific(t->key);

    if (b)
        return b;
    pthread_mutex_lock(&t->lock);
    b = take_block(t);
    pthread_mutex_unlock(&t->lock);
    if (b && pthread_setspecific(t->key, b) != 0) {
        release_block(b);
        b = NULL;
    }
    return b;
}

uint64_t tally_sum(struct tally *t, size_t i)
{
    uint64_t sum = 0;

    for (struct tally_block *b = atomic_load_explicit(&t->blocks, memory_order_acquire); b;
         b = b->next)
        sum += atomic_load_explicit(&b->v[i], memory_order_relaxed);
    return sum;
}

void tally_sum_all(struct tally *t, uint64_t *out)
{
    memset(out, 0, t->n * sizeof(*out));
    for (struct tally_block *b = atomic_load_explicit(&t->blocks, memory_order_acquire); b;
         b = b->next)
        for (size_t i = 0; i < t->n; i++)
            out[i] += atomic_load_explicit(&b->v[i], memory_order_relaxed);
}
