/* Tests for proto/route.c and the form parameter reader. */
#include "check.h"
#include "proto/proto.h"

static struct http_req form_post(const char *body, const struct http_header *h, size_t n)
{
    return (struct http_req){.method = "POST", .path = "/", .query = "", .headers = h,
                             .n_headers = n, .body = bytes_str(body), .source_ip = "127.0.0.1"};
}

int main(void)
{
    struct http_header form[] = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    struct http_header kms[] = {{"Content-Type", "application/x-amz-json-1.1"},
                                {"X-Amz-Target", "TrentService.Encrypt"}};
    struct http_header bad_target[] = {{"X-Amz-Target", "Nope.Encrypt"}};
    struct proto_route r;
    struct cu_err err = {0};
    struct buf v;
    bool found = false;
    struct http_req req;

    buf_init(&v, 100);
    CHECK_OK(query_form_param(bytes_str("Action=GetCallerIdentity&Version=2011-06-15"), "Action",
                              &v, &found, &err));
    CHECK(found);
    CHECK_STR(v.p, "GetCallerIdentity");
    buf_reset(&v);
    CHECK_RC(query_form_param(bytes_str("Action=A&Version=1&Action=B"), "Action", &v, &found, &err),
             CU_E_MALFORMED_INPUT);
    CHECK_STR(err.msg, "A parameter was given more than once.");
    buf_release(&v);

    req = form_post("Action=GetCallerIdentity&Version=2011-06-15", form, 1);
    CHECK_OK(proto_route(&req, "sts", &r, &err));
    CHECK_STR(r.svc->id, "sts");
    CHECK_STR(r.op->name, "GetCallerIdentity");
    /* without a scope, the one Query service with that action */
    CHECK_OK(proto_route(&req, NULL, &r, &err));
    CHECK_STR(r.svc->id, "sts");
    req = form_post("Action=CreateUser&Version=2010-05-08&UserName=a", form, 1);
    CHECK_OK(proto_route(&req, "iam", &r, &err));
    CHECK_STR(r.op->name, "CreateUser");
    req = form_post("Action=Nope&Version=2010-05-08", form, 1);
    CHECK_RC(proto_route(&req, "iam", &r, &err), CU_E_INVALID_ACTION);
    CHECK_STR(err.msg, "Could not find operation Nope for version 2010-05-08");
    req = form_post("{}", kms, 2);
    CHECK_OK(proto_route(&req, "kms", &r, &err));
    CHECK_STR(r.svc->id, "kms");
    CHECK_STR(r.op->name, "Encrypt");
    req = form_post("{}", bad_target, 1);
    CHECK_RC(proto_route(&req, NULL, &r, &err), CU_E_UNKNOWN_SERVICE);
    /* a duplicated Action runs neither; refused like any duplicated parameter */
    req = form_post("Action=GetCallerIdentity&Version=2011-06-15&Action=GetSessionToken", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_MALFORMED_INPUT);
    CHECK_STR(err.msg, "A parameter was given more than once.");
    req = form_post("Action=GetCallerIdentity&Action=GetCallerIdentity", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_MALFORMED_INPUT);
    req = form_post("Action=GetCallerIdentity&Version=2011-06-15&Version=2011-06-15", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_MALFORMED_INPUT);
    /* an Action with a NUL names no operation, even when its first part does */
    req = form_post("Action=GetCallerIdentity%00x&Version=2011-06-15", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_INVALID_ACTION);
    req = form_post("Action=%zz", form, 1);
    CHECK_RC(proto_route(&req, "iam", &r, &err), CU_E_MALFORMED_INPUT);
    req = form_post("{}", kms, 2);
    req.path = "/other";
    CHECK_RC(proto_route(&req, "kms", &r, &err), CU_E_NOT_FOUND_PATH);
    TEST_END();
}
