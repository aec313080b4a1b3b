/* page.c — the one pagination scheme of the list operations (see page.h): the limit as
 * the paginator names it, opaque markers that carry the key of the last item shown, and
 * the more-results flag set only when an item was really left over. Services layer: it
 * knows the store's key order, nothing of any one operation. */
#include "page.h"

#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/tree.h"
#include "crypto/digest.h"

#define MARKER_VERSION 1
#define MARKER_CHECK_LEN 4
#define MARKER_RAW_MAX (1 + MARKER_CHECK_LEN + PAGE_KEY_MAX)

/* The check binds a marker to its operation and key: a marker edited by hand, or one
 * ListUsers issued sent to ListGroups, is refused instead of silently listing from
 * somewhere else. It is not a secret: a marker only names a position. */
static void marker_check(const struct page_desc *desc, const char *key, size_t n,
                         uint8_t out[MARKER_CHECK_LEN])
{
    uint8_t md[DIGEST_SHA256_LEN];
    char text[64 + 1 + PAGE_KEY_MAX];
    int len = snprintf(text, sizeof(text), "%s%c%.*s", desc->op, '\0', (int)n, key);

    digest_sha256(bytes_of(text, len > 0 ? (size_t)len : 0), md);
    memcpy(out, md, MARKER_CHECK_LEN);
}

cu_rc page_marker_encode(const struct page_desc *desc, const char *key,
                         char out[PAGE_MARKER_MAX + 1])
{
    cu_rc rc = CU_OK;
    uint8_t raw[MARKER_RAW_MAX];
    size_t n = strlen(key), i, len;

    ENSURE(n <= PAGE_KEY_MAX && strlen(desc->op) <= 64, CU_E_INTERNAL);
    raw[0] = MARKER_VERSION;
    marker_check(desc, key, n, raw + 1);
    memcpy(raw + 1 + MARKER_CHECK_LEN, key, n);
    b64_encode_to(bytes_of(raw, 1 + MARKER_CHECK_LEN + n), out);
    /* base64url without padding (RFC 4648 §5): markers travel in query strings */
    len = strlen(out);
    while (len > 0 && out[len - 1] == '=')
        out[--len] = '\0';
    for (i = 0; i < len; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
out:
    return rc;
}

cu_rc page_marker_decode(const struct page_desc *desc, struct bytes marker,
                         char out[PAGE_KEY_MAX + 1])
{
    cu_rc rc = CU_OK;
    char std[PAGE_MARKER_MAX + 4];
    uint8_t check[MARKER_CHECK_LEN];
    struct buf raw;
    size_t i, n;

    /* room for what any marker-sized text decodes to (the check below bounds the key) */
    buf_init(&raw, b64_decoded_len(sizeof(std)));
    ENSURE(marker.n > 0 && marker.n <= PAGE_MARKER_MAX && marker.n % 4 != 1,
           CU_E_MALFORMED_INPUT);
    for (i = 0; i < marker.n; i++) {
        uint8_t c = marker.p[i];

        ENSURE(c != '+' && c != '/' && c != '=', CU_E_MALFORMED_INPUT);
        std[i] = c == '-' ? '+' : c == '_' ? '/' : (char)c;
    }
    while (i % 4)
        std[i++] = '=';
    rc = b64_decode(bytes_of(std, i), &raw);
    ENSURE(rc != CU_E_NOMEM, CU_E_NOMEM);
    ENSURE(rc == CU_OK, CU_E_MALFORMED_INPUT);
    ENSURE(raw.n > 1 + MARKER_CHECK_LEN && (uint8_t)raw.p[0] == MARKER_VERSION,
           CU_E_MALFORMED_INPUT);
    n = raw.n - 1 - MARKER_CHECK_LEN;
    ENSURE(n <= PAGE_KEY_MAX && !memchr(raw.p + 1 + MARKER_CHECK_LEN, '\0', n),
           CU_E_MALFORMED_INPUT);
    marker_check(desc, raw.p + 1 + MARKER_CHECK_LEN, n, check);
    ENSURE(memcmp(check, raw.p + 1, MARKER_CHECK_LEN) == 0, CU_E_MALFORMED_INPUT);
    memcpy(out, raw.p + 1 + MARKER_CHECK_LEN, n);
    out[n] = '\0';
out:
    buf_release(&raw);
    return rc;
}

cu_rc page_begin(struct call *call, const struct page_desc *desc, const json_t *in,
                 struct page *page)
{
    cu_rc rc = CU_OK;
    const char *marker = json_string_value(json_object_get(in, desc->input_token));
    int64_t limit = (int64_t)desc->limit_default;
    bool present = false;

    page->desc = desc;
    page->items = json_array();
    ENSURE(page->items, CU_E_NOMEM);
    /* The model bounds the limit (1..1000) and validation has checked it; some
     * operations document a smaller maximum, served by returning fewer. */
    TRY(tree_opt_int(in, desc->limit_key, &limit, &present));
    page->limit = limit < 1 ? 1 : (size_t)limit > desc->limit_max ? desc->limit_max : (size_t)limit;
    if (marker) {
        rc = page_marker_decode(desc, bytes_str(marker), page->after);
        ENSURE(rc != CU_E_NOMEM, CU_E_NOMEM);
        if (rc != CU_OK)
            rc = cu_err_set(&call->err, desc->bad_marker, "%s", desc->bad_marker_message);
    }
out:
    return rc;
}

const char *page_after(const struct page *page)
{
    return page->after[0] ? page->after : NULL;
}

cu_rc page_add(struct page *page, const char *key, json_t *item)
{
    cu_rc rc = CU_OK;
    size_t n = strlen(key);
    json_t *give;

    ENSURE(item, CU_E_NOMEM);
    ENSURE(n > 0 && n <= PAGE_KEY_MAX, CU_E_INTERNAL);
    if (json_array_size(page->items) >= page->limit) {
        page->more = true;
        goto out;
    }
    give = item;
    item = NULL;
    TRY(tree_append_new(page->items, give));
    memcpy(page->last, key, n + 1);
out:
    json_decref(item);
    return rc;
}

bool page_full(const struct page *page)
{
    return page->more;
}

cu_rc page_first_index(struct call *call, const struct page *page, size_t *first)
{
    cu_rc rc = CU_OK;
    unsigned long long at = 0;
    int used = 0;

    *first = 0;
    if (!page->after[0])
        goto out;
    /* The key came out of a checked marker, so only a bug makes it a non-index; refuse
     * it all the same rather than trust it. */
    if (sscanf(page->after, "%llu%n", &at, &used) != 1 || (size_t)used != strlen(page->after)) {
        rc = cu_err_set(&call->err, page->desc->bad_marker, "%s", page->desc->bad_marker_message);
        goto out;
    }
    *first = (size_t)at + 1;
out:
    return rc;
}

cu_rc page_add_index(struct page *page, size_t i, json_t *item)
{
    char key[24];

    snprintf(key, sizeof(key), "%zu", i);
    return page_add(page, key, item);
}

/* Several result arrays: each item {"<array>": entry} goes into out.<array>; every array
 * is present, empty or not, as AWS answers them. */
static cu_rc split_results(const struct page_desc *desc, json_t *items, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *const *r, *name;
    json_t *item, *entry;
    size_t i;

    for (r = desc->result_keys; *r; r++)
        TRY(tree_set_new(out, *r, json_array()));
    json_array_foreach(items, i, item)
    {
        json_object_foreach(item, name, entry)
        {
            ENSURE(json_is_array(json_object_get(out, name)), CU_E_INTERNAL);
            TRY(tree_append_new(json_object_get(out, name), json_incref(entry)));
        }
    }
out:
    return rc;
}

cu_rc page_end(struct page *page, json_t *out)
{
    cu_rc rc = CU_OK;
    char marker[PAGE_MARKER_MAX + 1];
    json_t *items = page->items;

    page->items = NULL;
    if (page->desc->result_keys) {
        rc = split_results(page->desc, items, out);
        json_decref(items);
        TRY(rc);
    } else {
        TRY(tree_set_new(out, page->desc->result_key, items));
    }
    if (page->desc->more_results) /* NULL: the output token alone says more follow */
        TRY(tree_set_bool(out, page->desc->more_results, page->more));
    if (page->more) {
        TRY(page_marker_encode(page->desc, page->last, marker));
        TRY(tree_set_str(out, page->desc->output_token, marker));
    }
out:
    return rc;
}

void page_release(struct page *page)
{
    json_decref(page->items);
    page->items = NULL;
}

/* Where scan() reads records from: one (kind, scope) in key order, or an index lookup
 * whose matches all sit in the lookup's scope (so key order is their order). */
struct source {
    const char *kind, *scope;
    const struct store_lookup *lookup; /* or NULL: the (kind, scope) list */
    bool prefix;                       /* the lookup's value is a prefix */
};

static cu_rc fetch(struct store_tx *tx, const struct source *src, const char *after, size_t limit,
                   json_t **items, bool *more)
{
    struct store_position at = {src->scope, after ? after : ""};

    if (!src->lookup)
        return store_list(tx, src->kind, src->scope, after, limit, items, more);
    return src->prefix ? store_find_prefix(tx, src->lookup, &at, limit, items, more)
                       : store_find(tx, src->lookup, &at, limit, items, more);
}

static cu_rc scan(struct page *page, struct store_tx *tx, const struct source *src,
                  page_view_fn view, void *ctx)
{
    cu_rc rc = CU_OK;
    char scanned[PAGE_KEY_MAX + 1];
    json_t *items = NULL, *item = NULL, *rec;
    bool more = true;
    size_t i, key_len;

    memcpy(scanned, page->after, sizeof(scanned));
    /* Read one record past the limit, so the flag says whether one is really left; a
     * filter that skips records makes the loop read on from the last record looked at. */
    while (more && !page_full(page)) {
        TRY(fetch(tx, src, scanned[0] ? scanned : NULL, page->limit + 1, &items, &more));
        json_array_foreach(items, i, rec)
        {
            const char *key = json_string_value(json_object_get(rec, "key"));

            TRY(view(key, json_object_get(rec, "doc"), ctx, &item));
            if (item) {
                json_t *give = item;

                item = NULL;
                TRY(page_add(page, key, give)); /* steals give */
            }
            if (page_full(page))
                break;
            key_len = strlen(key);
            ENSURE(key_len <= PAGE_KEY_MAX, CU_E_INTERNAL);
            memcpy(scanned, key, key_len + 1);
        }
        json_decref(items);
        items = NULL;
    }
out:
    json_decref(item);
    json_decref(items);
    return rc;
}

cu_rc page_scan(struct page *page, struct store_tx *tx, const char *kind, const char *scope,
                page_view_fn view, void *ctx)
{
    struct source src = {kind, scope, NULL, false};

    return scan(page, tx, &src, view, ctx);
}

cu_rc page_find(struct page *page, struct store_tx *tx, const struct store_lookup *q,
                bool prefix, page_view_fn view, void *ctx)
{
    struct source src = {q->kind, q->within, q, prefix};

    if (!q->within)
        return CU_E_INTERNAL;
    return scan(page, tx, &src, view, ctx);
}
