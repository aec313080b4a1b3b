/* Fuzz target: policy_compile on arbitrary bytes as every kind of policy (validate.c, then
 * parse.c), and evaluation of whatever compiles against fixed requests (root, user; with
 * and without context, with an empty value; resource policies with and without a
 * boundary, for the NotPrincipal rule). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum policy_kind kinds[] = {POLICY_IDENTITY, POLICY_KEY, POLICY_BOUNDARY,
                                             POLICY_RESOURCE, POLICY_MANAGED};
    const char *values[] = {"alice", "us-east-1", "192.0.2.7", "1700000000",
                            "arn:aws:iam::111122223333:user/alice", "a*b?", "k1", "k2", ""};
    struct policy_context_entry entries[] = {{"aws:username", &values[0], 1},
                                             {"aws:RequestedRegion", &values[1], 1},
                                             {"aws:SourceIp", &values[2], 1},
                                             {"aws:EpochTime", &values[3], 1},
                                             {"aws:PrincipalArn", &values[4], 1},
                                             {"aws:PrincipalTag/team", &values[5], 1},
                                             {"aws:TagKeys", &values[6], 2},
                                             {"aws:ResourceTag/empty", &values[8], 1}};
    struct policy_context ctx = {entries, sizeof(entries) / sizeof(entries[0])};

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        struct policy *p = NULL;
        struct cu_err err = {0};
        struct policy_result res;
        struct buf msg;

        if (policy_compile(bytes_of(data, size), kinds[k], "fuzz", &p, &err) != CU_OK)
            continue;
        for (int who = 0; who < 2; who++) {
            struct policy_request req = {
                .action = "kms:Encrypt",
                .resource = "arn:aws:kms:us-east-1:111122223333:key/k",
                .principal_arn = who ? "arn:aws:iam::111122223333:user/alice"
                                     : "arn:aws:iam::111122223333:root",
                .principal_account = "111122223333",
                .principal_type = who ? POLICY_PRINCIPAL_USER : POLICY_PRINCIPAL_ROOT,
                .resource_account = "111122223333",
                .context = who ? &ctx : NULL,
                .now_s = 1700000000};
            const struct policy *ids[1] = {p};
            bool res_side = kinds[k] == POLICY_KEY || kinds[k] == POLICY_RESOURCE;
            struct policy_set set = {.identity = res_side ? NULL : ids,
                                     .n_identity = res_side ? 0 : 1,
                                     .resource = res_side ? p : NULL,
                                     .boundary = kinds[k] == POLICY_BOUNDARY || (res_side && who)
                                                     ? p
                                                     : NULL};
            policy_evaluate(&set, &req, &res);
            buf_init(&msg, 65536);
            if (res.decision != POLICY_ALLOWED && policy_denial_message(&req, &res, &msg) != CU_OK)
                abort();
            buf_release(&msg);
        }
        policy_free(p);
    }
    return 0;
}
