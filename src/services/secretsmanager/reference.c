/* reference.c — a secret read through Parameter Store's reference path
 * (/aws/reference/secretsmanager/<secret-id>, Systems Manager user guide,
 * integration-ps-secretsmanager): SSM's GetParameter(s) with WithDecryption asks Secrets
 * Manager for the secret's value on the caller's behalf, so the caller must also be allowed
 * secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key).
 *
 * SSM's reads run in a read transaction: the reference read leaves the secret's record as
 * it is (no LastAccessedDate written). */
#include <string.h>

#include "core/tree.h"
#include "secretsmanager.h"

#define DAY_MS (24LL * 3600 * 1000)

cu_rc sm_reference_value(struct call *call, const char *id, const char *vid, const char *stage,
                         json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret = NULL, *copy = NULL;

    TRY(sm_find(call, id, &secret));
    TRY(sm_check_secret(call, secret, true));
    ENSURE(sm_caller_may(call, "secretsmanager:GetSecretValue", secret),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: secretsmanager:GetSecretValue on "
                      "resource: %s",
                      call->principal->arn, json_string_value(json_object_get(secret, "ARN"))));
    /* a private copy already marked accessed today, so sm_read_value saves nothing */
    copy = json_deep_copy(secret);
    ENSURE(copy, CU_E_NOMEM);
    TRY(tree_set_int(copy, "LastAccessedDate", call->now_ms / DAY_MS * DAY_MS));
    TRY(sm_read_value(call, copy, vid, stage, out));
out:
    json_decref(copy);
    json_decref(secret);
    return rc;
}
