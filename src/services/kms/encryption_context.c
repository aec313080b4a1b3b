/* encryption_context.c — the canonical encoding of a KMS encryption context (see the .h).
 *
 * Encrypt, Decrypt, ReEncrypt and GenerateDataKey* call encryption_context_canonical on
 * the request's map and hand the bytes to ciphertext.c as part of the AAD. Invariants: the
 * encoding depends only on the set of pairs (sorted here, never in input order), it is
 * injective (every field length-prefixed), and encryption_context_parse accepts exactly the
 * encodings this file produces, so canonical -> parse -> to_json -> canonical is the
 * identity (the fuzz target checks that). */
#include "encryption_context.h"

#include <stdlib.h>
#include <string.h>

struct pair {
    const char *key;
    size_t key_n;
    const char *val;
    size_t val_n;
};

/* Per pair: two 4-byte lengths. */
#define PAIR_OVERHEAD 8

/* Byte order of keys, a proper prefix first. Keys are public (they appear in CloudTrail),
 * so an ordinary comparison is fine. */
static int key_order(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;

    if (c != 0)
        return c;
    return (an > bn) - (an < bn);
}

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    return key_order((const uint8_t *)x->key, x->key_n, (const uint8_t *)y->key, y->key_n);
}

static cu_rc add_u32(struct buf *b, uint32_t v)
{
    uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    return buf_add(b, be, sizeof(be));
}

static cu_rc add_field(struct buf *b, const char *p, size_t n)
{
    cu_rc rc = add_u32(b, (uint32_t)n);

    if (rc == CU_OK)
        rc = buf_add(b, p, n);
    return rc;
}

cu_rc encryption_context_canonical(const json_t *ctx, struct buf *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct pair *pairs = NULL;
    size_t n, i = 0, total = 4;
    const char *key;
    size_t key_n;
    json_t *val;

    if (!ctx || json_is_null(ctx))
        return add_u32(out, 0);
    ENSURE(json_is_object(ctx),
           cu_err_set(err, CU_E_VALIDATION, "EncryptionContext must be a map of strings"));
    n = json_object_size(ctx);
    ENSURE(n <= ENCRYPTION_CONTEXT_MAX_BYTES / PAIR_OVERHEAD,
           cu_err_set(err, CU_E_VALIDATION, "EncryptionContext is too large"));
    if (n) {
        pairs = calloc(n, sizeof(*pairs));
        ENSURE(pairs, CU_E_NOMEM);
    }
    /* jansson's iteration API is not const-qualified; nothing here modifies ctx. */
    json_object_keylen_foreach((json_t *)ctx, key, key_n, val)
    {
        ENSURE(json_is_string(val),
               cu_err_set(err, CU_E_VALIDATION, "EncryptionContext values must be strings"));
        ENSURE(i < n, CU_E_INTERNAL);
        pairs[i] = (struct pair){key, key_n, json_string_value(val), json_string_length(val)};
        total += PAIR_OVERHEAD + pairs[i].key_n + pairs[i].val_n;
        ENSURE(total <= ENCRYPTION_CONTEXT_MAX_BYTES,
               cu_err_set(err, CU_E_VALIDATION, "EncryptionContext is too large"));
        i++;
    }
    ENSURE(i == n, CU_E_INTERNAL);
    /* Only the set of pairs counts, never the order they arrived in. Keys of one JSON
     * object are distinct, so the sorted order is strict. */
    if (n > 1)
        qsort(pairs, n, sizeof(*pairs), pair_cmp);
    /* Reserve once, so a failure leaves out unchanged and the adds below cannot fail. */
    TRY(buf_reserve(out, total));
    TRY(add_u32(out, (uint32_t)n));
    for (i = 0; i < n; i++) {
        TRY(add_field(out, pairs[i].key, pairs[i].key_n));
        TRY(add_field(out, pairs[i].val, pairs[i].val_n));
    }
out:
    free(pairs);
    return rc;
}

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF — the same
 * strings jansson accepts, so to_json never fails on what parse accepted. */
static bool utf8_valid(struct bytes s)
{
    size_t i = 0;

    while (i < s.n) {
        uint8_t b = s.p[i];
        size_t len;
        uint32_t cp, min;

        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
            min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            min = 0x10000;
        } else {
            return false;
        }
        cp = b & (0x7F >> len);
        if (s.n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s.p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s.p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* A u32 length, then that many bytes. */
static bool take_field(struct cursor *c, struct bytes *out)
{
    uint32_t n;

    return cursor_u32(c, &n) && cursor_take(c, n, out);
}

cu_rc encryption_context_parse(struct bytes in, struct encryption_context *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct cursor c;
    struct bytes key, val, prev = {0};
    uint32_t count = 0;

    memset(out, 0, sizeof(*out));
    cursor_init(&c, in);
    ENSURE(in.n <= ENCRYPTION_CONTEXT_MAX_BYTES && cursor_u32(&c, &count), CU_E_MALFORMED_INPUT);
    ENSURE(count <= cursor_left(&c) / PAIR_OVERHEAD, CU_E_MALFORMED_INPUT);
    for (uint32_t i = 0; i < count; i++) {
        ENSURE(take_field(&c, &key) && take_field(&c, &val), CU_E_MALFORMED_INPUT);
        ENSURE(utf8_valid(key) && utf8_valid(val), CU_E_MALFORMED_INPUT);
        /* Strictly increasing: no duplicate keys, one encoding per context. */
        ENSURE(i == 0 || key_order(prev.p, prev.n, key.p, key.n) < 0, CU_E_MALFORMED_INPUT);
        prev = key;
    }
    ENSURE(cursor_left(&c) == 0, CU_E_MALFORMED_INPUT);
    out->canonical = in;
    out->count = count;
out:
    if (rc != CU_OK)
        cu_err_set(err, rc, "malformed encryption context encoding");
    return rc;
}

void encryption_context_iter_init(const struct encryption_context *ec,
                                  struct encryption_context_iter *it)
{
    /* Skip the count: a parsed context is at least 4 bytes long. */
    cursor_init(&it->cur, ec->canonical);
    it->cur.pos = ec->canonical.n >= 4 ? 4 : ec->canonical.n;
    it->left = ec->count;
}

bool encryption_context_next(struct encryption_context_iter *it, struct bytes *key,
                             struct bytes *value)
{
    if (it->left == 0)
        return false;
    if (!take_field(&it->cur, key) || !take_field(&it->cur, value)) {
        it->left = 0;
        return false;
    }
    it->left--;
    return true;
}

cu_rc encryption_context_to_json(const struct encryption_context *ec, json_t **out)
{
    cu_rc rc = CU_OK;
    struct encryption_context_iter it;
    struct bytes key, val;
    json_t *obj = json_object();

    *out = NULL;
    ENSURE(obj, CU_E_NOMEM);
    encryption_context_iter_init(ec, &it);
    while (encryption_context_next(&it, &key, &val)) {
        json_t *s = json_stringn((const char *)val.p, val.n);

        ENSURE(s, CU_E_NOMEM);
        ENSURE(json_object_setn_new(obj, (const char *)key.p, key.n, s) == 0, CU_E_NOMEM);
    }
    *out = obj;
    obj = NULL;
out:
    json_decref(obj);
    return rc;
}
