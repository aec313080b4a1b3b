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
    /* a target prefix with dots of its own: the operation follows the last one */
    struct http_header cloudtrail[] = {
        {"Content-Type", "application/x-amz-json-1.1"},
        {"X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"}};
    struct proto_route r;
    struct cu_err err = {0};
    struct query_form f;
    const char *value;
    size_t len;
    json_t *input = NULL;
    struct http_req req;

    /* the form is split and decoded once; Action and Version are read from the split */
    CHECK_OK(query_form_split(bytes_str("Action=GetCallerIdentity&Version=2011-06-15&A%2Bb=c+d"),
                              &f, &err));
    CHECK(f.n == 3);
    CHECK_OK(query_form_get(&f, "Action", &value, &len, &err));
    CHECK_STR(value, "GetCallerIdentity");
    CHECK(len == 17);
    CHECK_OK(query_form_get(&f, "A+b", &value, &len, &err));
    CHECK_STR(value, "c d");
    CHECK_OK(query_form_get(&f, "Nope", &value, &len, &err));
    CHECK(value == NULL);
    query_form_release(&f);
    CHECK_OK(query_form_split(bytes_str("Action=A&Version=1&Action=B"), &f, &err));
    CHECK_RC(query_form_get(&f, "Action", &value, &len, &err), CU_E_MALFORMED_INPUT);
    CHECK_STR(err.msg, "A parameter was given more than once.");
    query_form_release(&f);
    CHECK_RC(query_form_split(bytes_str("Action=A&UserName=%zz"), &f, &err), CU_E_MALFORMED_INPUT);
    CHECK_STR(err.msg, "The request contains an invalid URL encoding.");
    CHECK(f.params == NULL && f.text.p == NULL);

    /* proto_decode places the split routing made: no second parse of the body */
    req = form_post("Action=CreateUser&Version=2010-05-08&UserName=al%2Bice", form, 1);
    CHECK_OK(proto_route(&req, "iam", &r, &err));
    req.body = bytes_str("Action=CreateUser&UserName=someone-else");
    CHECK_OK(proto_decode(&req, &r, &input, &err));
    CHECK_STR(json_string_value(json_object_get(input, "UserName")), "al+ice");
    json_decref(input);
    proto_route_release(&r);

    req = form_post("Action=GetCallerIdentity&Version=2011-06-15", form, 1);
    CHECK_OK(proto_route(&req, "sts", &r, &err));
    proto_route_release(&r);
    CHECK_STR(r.svc->id, "sts");
    CHECK_STR(r.op->name, "GetCallerIdentity");
    /* without a scope, the one Query service with that action */
    CHECK_OK(proto_route(&req, NULL, &r, &err));
    proto_route_release(&r);
    CHECK_STR(r.svc->id, "sts");
    req = form_post("Action=CreateUser&Version=2010-05-08&UserName=a", form, 1);
    CHECK_OK(proto_route(&req, "iam", &r, &err));
    proto_route_release(&r);
    CHECK_STR(r.op->name, "CreateUser");
    req = form_post("Action=Nope&Version=2010-05-08", form, 1);
    CHECK_RC(proto_route(&req, "iam", &r, &err), CU_E_INVALID_ACTION);
    proto_route_release(&r);
    CHECK_STR(err.msg, "Could not find operation Nope for version 2010-05-08");
    req = form_post("{}", kms, 2);
    CHECK_OK(proto_route(&req, "kms", &r, &err));
    proto_route_release(&r);
    CHECK_STR(r.svc->id, "kms");
    CHECK_STR(r.op->name, "Encrypt");
    req = form_post("{}", cloudtrail, 2);
    CHECK_OK(proto_route(&req, "cloudtrail", &r, &err));
    proto_route_release(&r);
    CHECK_STR(r.svc->id, "cloudtrail");
    CHECK_STR(r.op->name, "LookupEvents");
    req = form_post("{}", bad_target, 1);
    CHECK_RC(proto_route(&req, NULL, &r, &err), CU_E_UNKNOWN_SERVICE);
    proto_route_release(&r);
    /* a duplicated Action runs neither; refused like any duplicated parameter */
    req = form_post("Action=GetCallerIdentity&Version=2011-06-15&Action=GetSessionToken", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_MALFORMED_INPUT);
    proto_route_release(&r);
    CHECK_STR(err.msg, "A parameter was given more than once.");
    req = form_post("Action=GetCallerIdentity&Action=GetCallerIdentity", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_MALFORMED_INPUT);
    proto_route_release(&r);
    req = form_post("Action=GetCallerIdentity&Version=2011-06-15&Version=2011-06-15", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_MALFORMED_INPUT);
    proto_route_release(&r);
    /* an Action with a NUL names no operation, even when its first part does */
    req = form_post("Action=GetCallerIdentity%00x&Version=2011-06-15", form, 1);
    CHECK_RC(proto_route(&req, "sts", &r, &err), CU_E_INVALID_ACTION);
    proto_route_release(&r);
    req = form_post("Action=%zz", form, 1);
    CHECK_RC(proto_route(&req, "iam", &r, &err), CU_E_MALFORMED_INPUT);
    proto_route_release(&r);
    req = form_post("{}", kms, 2);
    req.path = "/other";
    CHECK_RC(proto_route(&req, "kms", &r, &err), CU_E_NOT_FOUND_PATH);
    proto_route_release(&r);
    TEST_END();
}
