/* decode_message.c — STS DecodeAuthorizationMessage: the decision document inside an
 * encoded authorization failure message (auth/authz_message.h), for a caller allowed
 * sts:DecodeAuthorizationMessage (the pipeline has authorized it on "*").
 *
 * Only certain AWS operations return such a message (EC2's UnauthorizedOperation is the
 * common one); none of the IAM, STS and KMS operations custos serves does in AWS, so no
 * custos response carries one yet. A message custos did not encode under this master key
 * — bad characters, truncated, tampered — is InvalidAuthorizationMessageException, with
 * the wording AWS sends (unverified against AWS itself). */
#include "auth/authz_message.h"
#include "core/tree.h"
#include "core/tree_write.h"
#include "services/in.h"
#include "sts_credentials.h"
#include "sts_ops.gen.h"

cu_rc sts_decode_authorization_message(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *msg = in_str(in, "EncodedMessage") ?: "";
    json_t *doc = NULL;
    struct buf text;

    buf_init(&text, 4 * AUTHZ_MESSAGE_MAX);
    TRY(sts_session_refuse(call));
    ENSURE(authz_message_decode(call->env->master_key, bytes_str(msg), &doc) == CU_OK,
           cu_err_set(&call->err, CU_E_STS_INVALID_AUTHORIZATION_MESSAGE,
                      "Message is not valid"));
    TRY(tree_write_json(&text, doc));
    TRY(tree_set_strn(out, "DecodedMessage", text.p, text.n));
out:
    json_decref(doc);
    buf_release(&text);
    return rc;
}
