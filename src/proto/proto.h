/* proto.h — bytes on the wire <-> request and response trees, for the two protocols
 * custos speaks: AWS Query (IAM, STS: form-encoded in, XML out) and AWS JSON 1.1 (KMS:
 * JSON in and out, X-Amz-Target names the operation). Everything is driven by the
 * generated models (model/model.h); handlers never see wire formats.
 *
 * Tree conventions are those of core/tree.h: blobs base64 strings, timestamps epoch
 * seconds as JSON numbers, member names as in the model. */
#ifndef CU_PROTO_H
#define CU_PROTO_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/http_req.h"
#include "model/model.h"

/* A Query request's parameters, split and percent-decoded once (query_form_split).
 * Names and values keep every decoded byte, "%00" included; `text` holds them one after
 * another, each NUL-terminated, and each param gives offsets and lengths into it. */
struct query_param {
    size_t name, name_len, value, value_len;
};
struct query_form {
    struct buf text;
    struct query_param *params;
    size_t n, cap;
};

/* Where a request goes. For a Query request, routing splits the form once (it needs the
 * Action) and keeps the split in `form` for proto_decode: the parameters are decoded once
 * per request. Release with proto_route_release. */
struct proto_route {
    const struct service_model *svc;
    const struct op_model *op;
    struct query_form form;
    /* members whose values validation errors never echo, besides those the model marks
     * sensitive: the operation descriptor's secret fields, set by the caller before
     * proto_decode (NULL-terminated; NULL: none) */
    const char *const *secret_fields;
};

struct proto_response {
    int status;
    const char *content_type;  /* static string */
    struct buf body;
    char request_id[40];       /* sent as x-amzn-RequestId, as AWS does; may be empty */
};

/* Decide service and operation. scope_service: the SigV4 credential scope's service when
 * the request carries a signature, else NULL. JSON 1.1 requests name "<Prefix>.<Op>" in
 * X-Amz-Target; Query requests carry Action in the form body (POST) or the query string
 * (GET), and their service comes from the scope, else the Host, else the one Query
 * service that has that action. Errors: CU_E_UNKNOWN_SERVICE, CU_E_INVALID_ACTION,
 * CU_E_NOT_FOUND_PATH, CU_E_METHOD_NOT_ALLOWED, with AWS's messages. */
MUST_CHECK cu_rc proto_route(const struct http_req *req, const char *scope_service,
                             struct proto_route *out, struct cu_err *err);
/* Free what routing kept (the split form); NULL-safe members, reusable after. */
void proto_route_release(struct proto_route *route);

/* Decode the request into a tree shaped by the operation's input and validate it.
 * *input is a new object owned by the caller ({} for operations without input). */
MUST_CHECK cu_rc proto_decode(const struct http_req *req, const struct proto_route *route,
                              json_t **input, struct cu_err *err);

/* Encode a handler's output tree (NULL: none) as the protocol's success response. When
 * sensitive, the body buffer wipes itself and no intermediate copy is left unwiped. */
MUST_CHECK cu_rc proto_encode_output(const struct proto_route *route, const json_t *output,
                                     const char *request_id, bool sensitive,
                                     struct proto_response *resp);

/* Encode err in the protocol's error envelope with AWS's status (errors.def). svc may be
 * NULL when routing failed. */
MUST_CHECK cu_rc proto_encode_error(enum model_protocol protocol, const struct service_model *svc,
                                    const struct cu_err *err, const char *request_id,
                                    struct proto_response *resp);

/* Free a response's body (wiping it if sensitive); NULL-safe, reusable. */
void proto_response_release(struct proto_response *resp);

/* Pure parsers, exposed for tests and fuzzing. */
MUST_CHECK cu_rc query_decode_form(struct bytes form, const struct shape *input, json_t **out,
                                   struct cu_err *err);
MUST_CHECK cu_rc json_decode_body(struct bytes body, const struct shape *input, json_t **out,
                                  struct cu_err *err);
/* Check a decoded tree against its shape; AWS's "N validation error(s) detected: ..." */
MUST_CHECK cu_rc proto_validate(const json_t *tree, const struct shape *input,
                                struct cu_err *err);
/* proto_validate that also never echoes the value of a member named in secret (at any
 * depth; NULL-terminated, or NULL): an operation's declared secret fields, which the model
 * does not mark sensitive (IAM's AuthenticationCode1), stay out of the error and so out
 * of the trail. */
MUST_CHECK cu_rc proto_validate_hiding(const json_t *tree, const struct shape *input,
                                       const char *const *secret, struct cu_err *err);
/* Split an x-www-form-urlencoded text into its decoded parameters (at most 1,000).
 * Errors: CU_E_MALFORMED_INPUT ("The request contains an invalid URL encoding.", "Too
 * many parameters."). *f is released on failure. */
MUST_CHECK cu_rc query_form_split(struct bytes form, struct query_form *f, struct cu_err *err);
void query_form_release(struct query_form *f);
/* The value of the parameter `name` (*value NULL when absent; borrowed from f). A name
 * given more than once fails with CU_E_MALFORMED_INPUT, in the words query_decode uses
 * for any duplicated parameter: the first of two is never silently the one used. */
MUST_CHECK cu_rc query_form_get(const struct query_form *f, const char *name,
                                const char **value, size_t *len, struct cu_err *err);
/* Place a split form into a tree shaped by input (query_decode_form = split + this). */
MUST_CHECK cu_rc query_decode_params(const struct query_form *f, const struct shape *input,
                                     json_t **out, struct cu_err *err);

#endif
