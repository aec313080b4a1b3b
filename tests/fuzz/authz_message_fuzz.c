/* authz_message_fuzz.c — libFuzzer target for authz_message_decode (auth/authz_message.c),
 * the parser of DecodeAuthorizationMessage's untrusted EncodedMessage, and for the strict
 * base64url_decode under it (core/codec.c).
 *
 * Any input must decode or fail with CU_E_MALFORMED_INPUT; under a fixed random master key
 * only a message encoded here can decode, so the target also encodes the input when it is
 * a JSON object and requires the round trip to give it back. A text base64url_decode
 * accepts must be the one base64url_encode writes for its bytes (canonical). */
#include <stdlib.h>
#include <string.h>

#include "auth/authz_message.h"
#include "core/codec.h"

static struct master_key *fuzz_key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL, *input = NULL, *back = NULL;
    json_error_t jerr;
    struct buf raw, text;
    cu_rc rc;

    if (!fuzz_key && master_key_new_random(&fuzz_key) != CU_OK)
        abort();
    rc = authz_message_decode(fuzz_key, bytes_of(data, size), &doc);
    if ((rc == CU_OK) != (doc != NULL) || (rc != CU_OK && rc != CU_E_MALFORMED_INPUT) ||
        (doc && !json_is_object(doc)))
        abort();
    json_decref(doc);

    buf_init(&raw, 2 * size + 16);
    buf_init(&text, 2 * size + 16);
    if (base64url_decode(bytes_of(data, size), &raw) == CU_OK) {
        if (base64url_encode(buf_bytes(&raw), &text) != CU_OK || text.n != size ||
            (size && memcmp(text.p, data, size) != 0))
            abort();
    }
    buf_release(&raw);
    buf_release(&text);

    input = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (json_is_object(input)) {
        buf_init(&text, AUTHZ_MESSAGE_MAX);
        rc = authz_message_encode(fuzz_key, input, &text);
        if (rc == CU_OK) {
            if (authz_message_decode(fuzz_key, buf_bytes(&text), &back) != CU_OK ||
                !json_equal(input, back))
                abort();
        } else if (rc != CU_E_PAYLOAD_TOO_LARGE) {
            abort();
        }
        json_decref(back);
        buf_release(&text);
    }
    json_decref(input);
    return 0;
}
