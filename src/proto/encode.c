/* encode.c — responses: success bodies for both protocols, AWS's error envelopes, and
 * the decode entry point that ties route, decoder and validation together.
 *
 * Query errors:  <ErrorResponse xmlns=...><Error><Type>Sender</Type><Code>..</Code>
 *                <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>
 * JSON errors:   {"__type":"NotFoundException","message":"..."}
 * Names and statuses come from errors.def; the column is the protocol's. */
#include <string.h>

#include "core/tree_write.h"
#include "proto_impl.h"

void proto_response_release(struct proto_response *resp)
{
    if (resp)
        buf_release(&resp->body);
}

cu_rc proto_encode_output(const struct proto_route *route, const json_t *output,
                          const char *request_id, bool sensitive, struct proto_response *resp)
{
    cu_rc rc = CU_OK;

    if (sensitive)
        buf_init_sensitive(&resp->body, BUF_NO_LIMIT);
    else
        buf_init(&resp->body, BUF_NO_LIMIT);
    resp->status = 200;
    if (route->svc->protocol == MODEL_QUERY) {
        resp->content_type = "text/xml";
        TRY(query_encode_output(route, output, request_id, &resp->body));
    } else {
        resp->content_type = "application/x-amz-json-1.1";
        if (output)
            TRY(tree_write_json(&resp->body, output));
        else
            TRY(buf_addstr(&resp->body, "{}"));
    }
out:
    return rc;
}

cu_rc proto_encode_error(enum model_protocol protocol, const struct service_model *svc,
                         const struct cu_err *err, const char *request_id,
                         struct proto_response *resp)
{
    cu_rc rc = CU_OK;
    bool json = protocol != MODEL_QUERY;
    const char *code = cu_code_name(err->code, json);
    json_t *body = NULL;

    buf_init(&resp->body, BUF_NO_LIMIT);
    resp->status = cu_code_status(err->code, json);
    if (json) {
        resp->content_type = "application/x-amz-json-1.1";
        body = err->msg[0] ? json_pack("{s:s, s:s}", "__type", code, "message", err->msg)
                           : json_pack("{s:s}", "__type", code);
        /* a message that is not UTF-8 (it never should be) still yields an envelope */
        if (!body)
            body = json_pack("{s:s}", "__type", code);
        ENSURE(body, CU_E_NOMEM);
        TRY(tree_write_json(&resp->body, body));
        goto out;
    }
    resp->content_type = "text/xml";
    TRY(buf_addf(&resp->body, "<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type><Code>%s</Code>"
                              "<Message>",
                 svc && svc->xml_namespace ? svc->xml_namespace
                                           : "https://iam.amazonaws.com/doc/2010-05-08/",
                 cu_code_is_server_fault(err->code) ? "Receiver" : "Sender", code));
    TRY(xml_escape(err->msg, strlen(err->msg), &resp->body));
    TRY(buf_addf(&resp->body, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>",
                 request_id));
out:
    json_decref(body);
    return rc;
}

cu_rc proto_decode(const struct http_req *req, const struct proto_route *route, json_t **input,
                   struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const struct shape *shape = route->op->input;

    *input = NULL;
    if (route->svc->protocol == MODEL_QUERY) {
        TRY(query_decode_params(&route->form, shape, input, err));
    } else {
        TRY(json_decode_body(req->body, shape, input, err));
    }
    TRY(proto_validate_hiding(*input, shape, route->secret_fields, err));
out:
    if (rc != CU_OK) {
        json_decref(*input);
        *input = NULL;
    }
    return rc;
}
