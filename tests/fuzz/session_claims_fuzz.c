/* session_claims_fuzz.c — libFuzzer target for session_claims_parse
 * (auth/session_token_format.c).
 *
 * Any input must parse or fail with CU_E_UNKNOWN_ACCESS_KEY and AWS's invalid-token
 * message, leaving the claims zeroed; parsed claims must write back to exactly the input
 * (one encoding per set of claims) and parse again to the same claims. */
#include <stdlib.h>
#include <string.h>

#include "auth/session_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char invalid[] = "The security token included in the request is invalid.";
    static const struct session_claims zero;
    static struct session_claims c, again;
    struct cu_err err = {0};
    struct buf out;
    cu_rc rc;

    rc = session_claims_parse(bytes_of(data, size), &c, &err);
    if (rc != CU_OK) {
        if (rc != CU_E_UNKNOWN_ACCESS_KEY || strcmp(err.msg, invalid) != 0 ||
            memcmp(&c, &zero, sizeof(c)) != 0)
            abort();
        return 0;
    }
    buf_init(&out, BUF_NO_LIMIT);
    if (session_claims_write(&c, &out) != CU_OK || out.n != size ||
        memcmp(out.p, data, size) != 0 ||
        session_claims_parse(buf_bytes(&out), &again, &err) != CU_OK ||
        memcmp(&c, &again, sizeof(c)) != 0)
        abort();
    buf_release(&out);
    return 0;
}
