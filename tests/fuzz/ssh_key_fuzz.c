/* ssh_key_fuzz.c — libFuzzer target for ssh_key_parse_text and ssh_key_parse_blob
 * (core/ssh_key.c).
 *
 * Any input must parse or fail with CU_E_MALFORMED_INPUT (CU_E_PAYLOAD_TOO_LARGE for a
 * blob past the buffer's limit), leaving nothing in the blob on failure; a parsed key's
 * blob must parse as a blob, rebuild from its (e, n) byte for byte, and its canonical text
 * must parse back to the same blob. The input is also tried as a blob directly. */
#include <stdlib.h>
#include <string.h>

#include "core/ssh_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_blob(struct bytes blob)
{
    struct ssh_key_rsa key;
    struct buf again, text, back;
    bool recognized = false;

    if (ssh_key_parse_blob(blob, &key) != CU_OK)
        abort();
    buf_init(&again, SSH_KEY_TEXT_MAX);
    buf_init(&text, 2 * SSH_KEY_TEXT_MAX);
    buf_init(&back, 2 * SSH_KEY_TEXT_MAX);
    if (ssh_key_blob(key.e, key.n, &again) != CU_OK || again.n != blob.n ||
        memcmp(again.p, blob.p, blob.n) != 0)
        abort();
    if (ssh_key_text(blob, &text) != CU_OK)
        abort();
    if (text.n <= SSH_KEY_TEXT_MAX &&
        (ssh_key_parse_text(buf_bytes(&text), &back, &recognized) != CU_OK ||
         back.n != blob.n || memcmp(back.p, blob.p, blob.n) != 0))
        abort();
    buf_release(&again);
    buf_release(&text);
    buf_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf blob;
    struct ssh_key_rsa key;
    bool recognized = false;
    cu_rc rc;

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    rc = ssh_key_parse_text(bytes_of(data, size), &blob, &recognized);
    if (rc == CU_OK)
        check_blob(buf_bytes(&blob));
    else if ((rc != CU_E_MALFORMED_INPUT && rc != CU_E_PAYLOAD_TOO_LARGE) || blob.n != 0)
        abort();
    buf_release(&blob);
    rc = ssh_key_parse_blob(bytes_of(data, size), &key);
    if (rc == CU_OK)
        check_blob(bytes_of(data, size));
    else if (rc != CU_E_MALFORMED_INPUT)
        abort();
    return 0;
}
