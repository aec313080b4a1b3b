/* page.h — one pagination scheme for every list operation, driven by botocore's
 * paginators-1.json: tools/gen_ops.py turns each paginated operation's entry (input
 * token, limit key, output token, more-results member, result key) and the limit's
 * default and maximum from the model's documentation into a struct page_desc, named
 * <handler>_page in <svc>_ops.gen.h and hung on the operation's descriptor.
 *
 * A handler holds only its operation's logic:
 *
 *     struct page page = {0};
 *     TRY(page_begin(call, &iam_list_users_page, in, &page));
 *     ... for each item after page_after(&page), in key order, until page_full(&page):
 *         TRY(page_add(&page, key, item));
 *     TRY(page_end(&page, out));
 *   out:
 *     page_release(&page);
 *
 * Markers are opaque: base64url (no padding) of a version byte, a 4-byte check (SHA-256
 * of the operation name and the key) and the key of the last item shown. A marker that
 * does not decode, has another version, or fails the check — a tampered one, or one
 * another operation issued — is refused with the operation's bad-marker error. */
#ifndef CU_PAGE_H
#define CU_PAGE_H

#include "services/call.h"

/* The operation's paginator (generated; see above). */
struct page_desc {
    const char *op;           /* operation name: binds a marker to the operation */
    const char *input_token;  /* request member holding the marker: "Marker" */
    const char *limit_key;    /* request member holding the page size: "MaxItems", "Limit" */
    const char *output_token; /* response member for the next marker: "Marker", "NextMarker" */
    const char *more_results; /* response flag: "IsTruncated", "Truncated" */
    const char *result_key;   /* response array: "Users" */
    /* several response arrays (ListEntitiesForPolicy: PolicyGroups, PolicyUsers,
     * PolicyRoles), NULL-terminated, or NULL: one page across them, each item offered as
     * {"<its array>": entry} and moved into that array by page_end() */
    const char *const *result_keys;
    size_t limit_default;     /* page size when the request names none */
    size_t limit_max;         /* largest page served; a larger limit is served this many */
    cu_rc bad_marker;         /* code of the error refusing a bad marker */
    const char *bad_marker_message;
};

/* Longest item key a marker carries (bytes, without the terminator). */
#define PAGE_KEY_MAX 200

struct page {
    const struct page_desc *desc;
    size_t limit;
    char after[PAGE_KEY_MAX + 1]; /* key of the last item of the previous page; "" first */
    char last[PAGE_KEY_MAX + 1];  /* key of the last item added */
    json_t *items;                /* owned until page_end() hands it to the response */
    bool more;                    /* an item was offered past the limit */
};

/* Start a page: read the limit (validation has checked the model's min/max; a limit
 * above desc->limit_max is served as limit_max, which AWS's "might return fewer"
 * allows) and decode the marker. A bad marker fails with desc->bad_marker (message in
 * call->err). *page must be zeroed; release it with page_release() in every case. */
MUST_CHECK cu_rc page_begin(struct call *call, const struct page_desc *desc, const json_t *in,
                            struct page *page);

/* The key to list after (the marker's), or NULL on the first page. Borrowed from page. */
const char *page_after(const struct page *page);

/* Offer the next item, keyed by `key` (its position: store key, or an index for
 * in-memory lists). The item is stolen (NULL fails with CU_E_NOMEM, so a failed
 * jansson constructor can be passed straight in). Past the limit the item is dropped
 * and page_full() turns true: that an item was left over is what sets the flag. A key
 * longer than PAGE_KEY_MAX fails with CU_E_INTERNAL. */
MUST_CHECK cu_rc page_add(struct page *page, const char *key, json_t *item);

/* True once an item beyond the limit was offered: stop listing. */
bool page_full(const struct page *page);

/* In-memory lists keyed by position: the first index to show (0 on the first page), or
 * the bad-marker error when the marker's key is not an index. */
MUST_CHECK cu_rc page_first_index(struct call *call, const struct page *page, size_t *first);

/* page_add() with the decimal index i as the key. */
MUST_CHECK cu_rc page_add_index(struct page *page, size_t i, json_t *item);

/* Fill the response: desc->result_key (the items, moved out of page) — or each of
 * desc->result_keys, every item moved into the array its one member names —,
 * desc->more_results, and desc->output_token when more items follow. */
MUST_CHECK cu_rc page_end(struct page *page, json_t *out);

/* Free what page still owns; NULL-safe, idempotent. */
void page_release(struct page *page);

/* A store list as a page: view() turns each record after page_after() into the item to
 * show, or leaves *item NULL to skip it (a filter); listing stops when the page is full
 * or the records end. key and doc are borrowed for the call. */
typedef cu_rc (*page_view_fn)(const char *key, const json_t *doc, void *ctx, json_t **item);
MUST_CHECK cu_rc page_scan(struct page *page, struct store_tx *tx, const char *kind,
                           const char *scope, page_view_fn view, void *ctx);
/* page_scan over the matches of an index lookup (store_find, or store_find_prefix when
 * prefix) instead of a whole list:
 * q->within must be set, and the matches must all be records of that one scope (their
 * keys are then their order, and the markers are those page_scan makes). */
MUST_CHECK cu_rc page_find(struct page *page, struct store_tx *tx, const struct store_lookup *q,
                           bool prefix, page_view_fn view, void *ctx);

/* The marker for key under desc (for tests and tools): NUL-terminated into out, which
 * holds PAGE_MARKER_MAX + 1 bytes. Fails with CU_E_INTERNAL when key is too long. */
#define PAGE_MARKER_MAX 280
MUST_CHECK cu_rc page_marker_encode(const struct page_desc *desc, const char *key,
                                    char out[PAGE_MARKER_MAX + 1]);

/* Decode a marker into its key (out: PAGE_KEY_MAX + 1 bytes); pure. Fails with
 * CU_E_MALFORMED_INPUT on anything but a marker page_marker_encode() made for desc
 * (CU_E_NOMEM when memory runs out). Fuzzed: tests/fuzz/page_marker_fuzz.c. */
MUST_CHECK cu_rc page_marker_decode(const struct page_desc *desc, struct bytes marker,
                                    char out[PAGE_KEY_MAX + 1]);

#endif
