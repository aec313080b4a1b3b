/* versions.c — the versions a write transaction read, so that writing a record back is
 * compare-and-set against what was read (store.h, "Compare-and-set"): an array of
 * addresses with their versions, found through a hash index (addresses.c). Read-only
 * transactions keep none. */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

struct read_entry {
    char *address;      /* "kind\0scope\0key\0" */
    size_t len;
    uint64_t version;   /* 0: read as absent */
};

/* Pack the address into buf (cap bytes); its length, or 0 when it does not fit. */
static size_t pack(char *buf, size_t cap, const char *kind, const char *scope, const char *key)
{
    size_t a = strlen(kind) + 1, b = strlen(scope) + 1, c = strlen(key) + 1;

    if (a + b + c > cap)
        return 0;
    memcpy(buf, kind, a);
    memcpy(buf + a, scope, b);
    memcpy(buf + a + b, key, c);
    return a + b + c;
}

static const char *entry_at(const void *owner, size_t i, size_t *len)
{
    const struct read_entry *e = &((const struct read_set *)owner)->entries[i];

    *len = e->len;
    return e->address;
}

static struct read_entry *find(const struct read_set *rs, const char *address, size_t len)
{
    size_t pos;

    return address_index_find(&rs->index, address, len, entry_at, rs, &pos) ? &rs->entries[pos]
                                                                           : NULL;
}

cu_rc read_set_note(struct read_set *rs, const char *kind, const char *scope, const char *key,
                    uint64_t version)
{
    char address[3 * STORE_NAME_MAX];
    size_t len = pack(address, sizeof(address), kind, scope, key);
    struct read_entry *e, *grown;

    if (!len)
        return CU_E_INTERNAL;
    e = find(rs, address, len);
    if (e) {
        e->version = version;
        return CU_OK;
    }
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 8;
        grown = realloc(rs->entries, cap * sizeof(*grown));
        if (!grown)
            return CU_E_NOMEM;
        rs->entries = grown;
        rs->cap = cap;
    }
    e = &rs->entries[rs->n];
    e->address = malloc(len);
    if (!e->address)
        return CU_E_NOMEM;
    memcpy(e->address, address, len);
    e->len = len;
    e->version = version;
    if (address_index_add(&rs->index, rs->n, rs->n, entry_at, rs) != CU_OK) {
        free(e->address);
        return CU_E_NOMEM;
    }
    rs->n++;
    return CU_OK;
}

bool read_set_lookup(const struct read_set *rs, const char *kind, const char *scope,
                     const char *key, uint64_t *version)
{
    char address[3 * STORE_NAME_MAX];
    size_t len = pack(address, sizeof(address), kind, scope, key);
    const struct read_entry *e = len ? find(rs, address, len) : NULL;

    if (!e)
        return false;
    *version = e->version;
    return true;
}

void read_set_free(struct read_set *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->entries[i].address);
    free(rs->entries);
    address_index_free(&rs->index);
    memset(rs, 0, sizeof(*rs));
}
