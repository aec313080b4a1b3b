/* Fuzz target: JSON 1.1 body decoding against KMS input shapes (blobs, maps, enums,
 * integers), validation, and JSON encoding of the decoded tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ops[] = {"Encrypt", "GenerateDataKey", "CreateKey", "ListAliases"};
    const struct service_model *kms = model_service_by_signing_name("kms");

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        const struct op_model *op = model_op(kms, ops[i], strlen(ops[i]));
        struct proto_route route = {.svc = kms, .op = op};
        struct proto_response resp = {0};
        struct cu_err err = {0};
        json_t *tree = NULL;

        if (json_decode_body(bytes_of(data, size), op->input, &tree, &err) == CU_OK) {
            (void)proto_validate(tree, op->input, &err);
            if (proto_encode_output(&route, tree, "fuzz", true, &resp) != CU_OK)
                abort();
            proto_response_release(&resp);
        }
        json_decref(tree);
    }
    return 0;
}
