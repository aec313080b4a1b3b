/* ssm_policies_fuzz.c — libFuzzer target for services/ssm/ssm_policies.c and the reference
 * parser of ssm_names.c: any bytes, no crash; what the policies parser accepts holds at
 * most 10 policies, each of a known type; a parsed reference's name fits its buffer. */
#include <stdlib.h>
#include <string.h>

#include "services/ssm/ssm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ssm_policies p;
    struct ssm_ref ref;
    struct cu_err err = {0};

    if (ssm_policies_parse(bytes_of(data, size), &p, &err) == CU_OK) {
        if (p.n > SSM_MAX_POLICIES)
            abort();
        for (size_t i = 0; i < p.n; i++)
            if (p.items[i].type > SSM_POLICY_NO_CHANGE_NOTIFICATION)
                abort();
    }
    if (!memchr(data, '\0', size) &&
        ssm_ref_parse(bytes_of(data, size), "us-east-1", "123456789012", &ref, &err) == CU_OK &&
        strlen(ref.name) > SSM_NAME_MAX)
        abort();
    return 0;
}
