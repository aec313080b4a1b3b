/* addresses.c — a hash index over the packed record addresses ("kind\0scope\0key\0") that a
 * transaction's change set and read set keep in arrays, so that finding one costs the same
 * however many records a transaction touches (a migration touches every record of a kind;
 * a linear search there made it quadratic). Open addressing, linear probing, at most half
 * full; the arrays stay the owners of the addresses, the index holds positions only. */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static size_t hash(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
    return (size_t)h;
}

bool address_index_find(const struct address_index *ix, const char *addr, size_t len,
                        address_at_fn at, const void *owner, size_t *pos)
{
    size_t mask, i, l;
    const char *a;

    if (!ix->cap)
        return false;
    mask = ix->cap - 1;
    for (i = hash(addr, len) & mask; ix->slots[i]; i = (i + 1) & mask) {
        a = at(owner, ix->slots[i] - 1, &l);
        if (l == len && memcmp(a, addr, len) == 0) {
            *pos = ix->slots[i] - 1;
            return true;
        }
    }
    return false;
}

static void place(struct address_index *ix, size_t pos, address_at_fn at, const void *owner)
{
    size_t mask = ix->cap - 1, l, i;
    const char *a = at(owner, pos, &l);

    for (i = hash(a, l) & mask; ix->slots[i]; i = (i + 1) & mask)
        ;
    ix->slots[i] = pos + 1;
}

cu_rc address_index_add(struct address_index *ix, size_t pos, size_t n_before, address_at_fn at,
                        const void *owner)
{
    if ((n_before + 1) * 2 > ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 16;
        size_t *slots = calloc(cap, sizeof(*slots));

        if (!slots)
            return CU_E_NOMEM;
        free(ix->slots);
        ix->slots = slots;
        ix->cap = cap;
        for (size_t i = 0; i < n_before; i++)
            place(ix, i, at, owner);
    }
    place(ix, pos, at, owner);
    return CU_OK;
}

void address_index_free(struct address_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = 0;
}
