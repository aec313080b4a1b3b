/* Fuzz target: Query form decoding against real input shapes (IAM CreateUser, which has
 * a list of structures, and STS GetCallerIdentity), then validation and XML encoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

static void one(const struct service_model *svc, const char *op_name, const uint8_t *data,
                size_t size)
{
    const struct op_model *op = model_op(svc, op_name, strlen(op_name));
    struct proto_route route = {.svc = svc, .op = op};
    struct proto_response resp = {0};
    struct cu_err err = {0};
    json_t *tree = NULL;

    if (query_decode_form(bytes_of(data, size), op->input, &tree, &err) == CU_OK) {
        (void)proto_validate(tree, op->input, &err);
        if (proto_encode_output(&route, NULL, "fuzz", false, &resp) != CU_OK)
            abort();
        proto_response_release(&resp);
    }
    json_decref(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(model_service_by_signing_name("iam"), "CreateUser", data, size);
    one(model_service_by_signing_name("iam"), "SimulateCustomPolicy", data, size);
    one(model_service_by_signing_name("sts"), "GetCallerIdentity", data, size);
    return 0;
}
