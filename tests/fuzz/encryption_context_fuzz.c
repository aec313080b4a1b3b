/* encryption_context_fuzz.c — libFuzzer target for services/kms/encryption_context.c.
 *
 * The input is tried two ways. As canonical bytes: if encryption_context_parse accepts it,
 * to_json then canonical must reproduce it byte for byte (one encoding per context). As
 * JSON text: if it is an object the canonicaliser accepts, the parser must accept the
 * result and give back an equal object. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "services/kms/encryption_context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void as_canonical(const uint8_t *data, size_t size)
{
    struct encryption_context ec;
    struct cu_err err = {0};
    json_t *obj = NULL;
    struct buf again;

    if (encryption_context_parse(bytes_of(data, size), &ec, &err) != CU_OK)
        return;
    buf_init(&again, ENCRYPTION_CONTEXT_MAX_BYTES);
    if (encryption_context_to_json(&ec, &obj) != CU_OK || json_object_size(obj) != ec.count ||
        encryption_context_canonical(obj, &again, &err) != CU_OK || again.n != size ||
        memcmp(again.p, data, size) != 0)
        abort();
    buf_release(&again);
    json_decref(obj);
}

static void as_json(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    json_t *back = NULL;
    struct encryption_context ec;
    struct cu_err err = {0};
    struct buf canon;

    buf_init(&canon, 1 << 20);
    if (in && encryption_context_canonical(in, &canon, &err) == CU_OK) {
        if (encryption_context_parse(buf_bytes(&canon), &ec, &err) != CU_OK ||
            encryption_context_to_json(&ec, &back) != CU_OK)
            abort();
        if (json_is_object(in) ? !json_equal(in, back) : json_object_size(back) != 0)
            abort();
    }
    buf_release(&canon);
    json_decref(back);
    json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_canonical(data, size);
    as_json(data, size);
    return 0;
}
