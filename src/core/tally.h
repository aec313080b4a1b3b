/* tally.h — counters kept per thread and summed when read.
 *
 * A request adds to its own thread's block: no lock, no atomic read-modify-write, no cache
 * line shared with another thread, and no allocation after the thread's first add. A
 * reader (a metrics scrape) sums every block. A block outlives its thread: when the
 * thread ends the block is handed to the next thread that asks, counts and all, so the
 * sums never go down. */
#ifndef CU_CORE_TALLY_H
#define CU_CORE_TALLY_H

#include <stdatomic.h>

#include "core/cu.h"

struct tally;

/* One thread's counters. Only its thread writes them (relaxed loads and stores: plain
 * moves on the machines custos runs on); readers load them relaxed. */
struct tally_block {
    struct tally_block *next;   /* every block of the tally, for readers */
    _Atomic bool taken;         /* a thread holds it */
    _Atomic uint64_t v[];
};

/* A tally of n counters, all 0. Owned by the caller: tally_free. */
MUST_CHECK cu_rc tally_new(size_t n, struct tally **out);

/* Free t and every block. Only once no thread adds to it any more. NULL-safe. */
void tally_free(struct tally *t);

/* How many counters t has. */
size_t tally_size(const struct tally *t);

/* The calling thread's block of t, made (or taken over from an ended thread) on first use;
 * NULL when none can be allocated: the caller's adds are then lost, never its request. */
struct tally_block *tally_block(struct tally *t);

/* Add v to counter i (< tally_size) of the calling thread's block b. */
static inline void tally_block_add(struct tally_block *b, size_t i, uint64_t v)
{
    uint64_t was = atomic_load_explicit(&b->v[i], memory_order_relaxed);

    atomic_store_explicit(&b->v[i], was + v, memory_order_relaxed);
}

/* Add v to counter i of the calling thread's block of t. */
static inline void tally_add(struct tally *t, size_t i, uint64_t v)
{
    struct tally_block *b = tally_block(t);

    if (b)
        tally_block_add(b, i, v);
}

/* Counter i summed over every thread. */
uint64_t tally_sum(struct tally *t, size_t i);

/* Every counter summed over every thread, into out[0 .. tally_size). */
void tally_sum_all(struct tally *t, uint64_t *out);

#endif
