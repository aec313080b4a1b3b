/* authz_message.c — encode and decode authorization failure messages (authz_message.h).
 *
 * decode() reads untrusted input (whatever a client passes to DecodeAuthorizationMessage)
 * and is fuzzed (tests/fuzz/authz_message_fuzz.c): every length is checked before use,
 * the GCM tag before anything is parsed, and only then the JSON, which must be an object.
 * The per-message key comes from HKDF over the master key, so no key is stored. */
#include "authz_message.h"

#include <string.h>

#include "core/codec.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "core/tree_write.h"
#include "crypto/aead.h"

#define VERSION 1
#define PURPOSE "sts-authorization-message"
#define HEADER_LEN (1 + AEAD_IV_LEN)
#define OVERHEAD (HEADER_LEN + AEAD_TAG_LEN)
/* the largest blob an AUTHZ_MESSAGE_MAX text decodes to */
#define BLOB_MAX (AUTHZ_MESSAGE_MAX / 4 * 3)

/* {"items": [ ... ]} with each string of v wrapped as {name: v[i]} (name NULL: as is). */
static json_t *items(const char *const *v, size_t n, const char *name)
{
    json_t *list = json_array(), *wrap = json_object();

    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, name ? json_pack("{s:s}", name, v[i]) : json_string(v[i]));
    if (!list || !wrap || json_object_set_new(wrap, "items", list) != 0) {
        json_decref(wrap);
        return NULL;
    }
    return wrap;
}

cu_rc authz_message_document(const struct authz_decision *d, json_t **out)
{
    cu_rc rc = CU_OK;
    json_t *conds = json_array(), *doc = NULL;

    ENSURE(conds, CU_E_NOMEM);
    for (size_t i = 0; i < d->n_conditions; i++) {
        const struct authz_condition *c = &d->conditions[i];
        TRY(tree_append_new(conds, json_pack("{s:s, s:o}", "key", c->key, "values",
                                             items(c->values, c->n_values, "value"))));
    }
    doc = json_pack("{s:b, s:b, s:o, s:{s:[]}, s:{s:{s:s, s:s}, s:s, s:s, s:{s:o}}}", "allowed",
                    0, "explicitDeny", d->explicit_deny, "matchedStatements",
                    items(d->matched_statements, d->n_matched, "statementId"), "failures",
                    "items", "context", "principal", "id", d->principal_id ?: "", "arn",
                    d->principal_arn ?: "", "action", d->action ?: "", "resource",
                    d->resource ?: "", "conditions", "items", conds);
    conds = NULL; /* json_pack's "o" took it, or freed it on failure */
    ENSURE(doc, CU_E_NOMEM);
    *out = doc;
out:
    json_decref(conds);
    return rc;
}

static cu_rc derive(const struct master_key *mk, struct secret **key)
{
    return master_key_derive(mk, PURPOSE, AEAD_KEY_LEN, key);
}

cu_rc authz_message_encode(const struct master_key *mk, const json_t *doc, struct buf *out)
{
    cu_rc rc = CU_OK;
    struct secret *key = NULL;
    struct buf plain, blob;
    const uint8_t version = VERSION;

    buf_init(&plain, BLOB_MAX);
    buf_init(&blob, BLOB_MAX);
    ENSURE(json_is_object(doc), CU_E_INTERNAL);
    TRY(tree_write_json(&plain, doc));
    ENSURE(plain.n + OVERHEAD <= BLOB_MAX, CU_E_PAYLOAD_TOO_LARGE);
    TRY(buf_reserve(&blob, plain.n + OVERHEAD));
    blob.p[0] = (char)version;
    TRY(rand_bytes(blob.p + 1, AEAD_IV_LEN));
    TRY(derive(mk, &key));
    TRY(aead_seal(key->p, (const uint8_t *)blob.p + 1, bytes_of(&version, 1), buf_bytes(&plain),
                  (uint8_t *)blob.p + HEADER_LEN, (uint8_t *)blob.p + HEADER_LEN + plain.n));
    blob.n = plain.n + OVERHEAD;
    blob.p[blob.n] = '\0';
    TRY(base64url_encode(buf_bytes(&blob), out));
out:
    secret_free(key);
    buf_release(&plain);
    buf_release(&blob);
    return rc;
}

cu_rc authz_message_decode(const struct master_key *mk, struct bytes text, json_t **doc)
{
    cu_rc rc = CU_OK;
    struct secret *key = NULL;
    struct buf blob, plain;
    const uint8_t version = VERSION;
    json_error_t jerr;
    json_t *d = NULL;
    size_t n;

    buf_init(&blob, BLOB_MAX);
    buf_init(&plain, BLOB_MAX);
    ENSURE(text.n <= AUTHZ_MESSAGE_MAX, CU_E_MALFORMED_INPUT);
    ENSURE(base64url_decode(text, &blob) == CU_OK, CU_E_MALFORMED_INPUT);
    ENSURE(blob.n > OVERHEAD && (uint8_t)blob.p[0] == VERSION, CU_E_MALFORMED_INPUT);
    n = blob.n - OVERHEAD;
    TRY(buf_reserve(&plain, n));
    TRY(derive(mk, &key));
    ENSURE(aead_open(key->p, (const uint8_t *)blob.p + 1, bytes_of(&version, 1),
                     bytes_of(blob.p + HEADER_LEN, n), (const uint8_t *)blob.p + HEADER_LEN + n,
                     (uint8_t *)plain.p) == CU_OK,
           CU_E_MALFORMED_INPUT);
    d = json_loadb(plain.p, n, JSON_REJECT_DUPLICATES, &jerr);
    ENSURE(json_is_object(d), CU_E_MALFORMED_INPUT);
    *doc = d;
    d = NULL;
out:
    json_decref(d);
    secret_free(key);
    buf_release(&blob);
    buf_release(&plain);
    return rc;
}
