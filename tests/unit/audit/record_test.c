/* Tests for audit/record.c: the CloudTrail fields, and that secret members never reach a
 * record at any depth while data maps keep their keys. */
#include <stdio.h>

#include "audit/audit.h"
#include "check.h"
#include "core/ids.h"

/* The resources[0].type of a record about arn. */
static void check_resource_type(struct audit_event ev, const char *service, const char *arn,
                                const char *type)
{
    struct buf out;
    json_t *rec;

    buf_init(&out, BUF_NO_LIMIT);
    ev.service = service;
    ev.resource_arn = arn;
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    CHECK(rec != NULL);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(rec, "resources"), 0), "type")),
              type);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(rec, "resources"), 0), "ARN")),
              arn);
    json_decref(rec);
    buf_release(&out);
}

/* The type follows the ARN's resource, not the service: a policy is not a user. */
static void resource_types(const struct audit_event *ev)
{
    check_resource_type(*ev, "iam", "arn:aws:iam::123456789012:user/a/b", "AWS::IAM::User");
    check_resource_type(*ev, "iam", "arn:aws:iam::123456789012:group/g", "AWS::IAM::Group");
    check_resource_type(*ev, "iam", "arn:aws:iam::123456789012:policy/p", "AWS::IAM::Policy");
    check_resource_type(*ev, "iam", "arn:aws:iam::123456789012:root", "AWS::IAM::Account");
    check_resource_type(*ev, "kms", "arn:aws:kms:us-east-1:123456789012:key/k", "AWS::KMS::Key");
    check_resource_type(*ev, "kms", "arn:aws:kms:us-east-1:123456789012:alias/a",
                        "AWS::KMS::Alias");
    check_resource_type(*ev, "iam", "arn:aws:iam::123456789012:users/x", "AWS::Resource");
    check_resource_type(*ev, "iam", "not-an-arn", "AWS::Resource");
}

/* The record's text itself, not just what a JSON parser makes of it: every member name,
 * their order, and a missing value (the region here) as null, byte for byte up to the random eventID, then
 * the tail after it. */
static void exact_text(struct audit_event ev, struct principal p)
{
    static const char head[] =
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","
        "\"principalId\":\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::123456789012:user/alice\","
        "\"accountId\":\"123456789012\",\"accessKeyId\":\"AKIAEXAMPLE\",\"userName\":\"alice\"},"
        "\"eventTime\":\"2013-10-03T01:36:12Z\",\"eventSource\":\"kms.amazonaws.com\","
        "\"eventName\":\"Encrypt\",\"awsRegion\":null,\"sourceIPAddress\":\"127.0.0.1\","
        "\"userAgent\":\"test\",\"requestParameters\":null,\"responseElements\":null,"
        "\"errorCode\":\"AccessDeniedException\",\"errorMessage\":\"a \\\"quoted\\\" word\","
        "\"requestID\":\"req-1\",\"eventID\":\"";
    static const char tail[] =
        "\",\"readOnly\":false,\"resources\":[{\"accountId\":\"123456789012\","
        "\"type\":\"AWS::KMS::Key\",\"ARN\":\"arn:aws:kms:us-east-1:123456789012:key/x\"}],"
        "\"eventType\":\"AwsApiCall\",\"managementEvent\":true,"
        "\"recipientAccountId\":\"123456789012\",\"eventCategory\":\"Management\"}";
    struct buf out;
    char event_id[IDS_UUID_LEN + 1];

    ev.region = NULL;
    ev.principal = &p;
    ev.request = ev.response = NULL;
    ev.error_code = "AccessDeniedException";
    ev.error_message = "a \"quoted\" word";
    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &out));
    CHECK(out.n == sizeof(head) - 1 + IDS_UUID_LEN + sizeof(tail) - 1);
    CHECK(memcmp(out.p, head, sizeof(head) - 1) == 0);
    memcpy(event_id, out.p + sizeof(head) - 1, IDS_UUID_LEN);
    event_id[IDS_UUID_LEN] = '\0';
    CHECK(ids_is_uuid(event_id));
    CHECK_STR(out.p + sizeof(head) - 1 + IDS_UUID_LEN, tail);
    buf_release(&out);
}

/* The userIdentity of AssumeRoleWithWebIdentity's caller (CloudTrail's WebIdentityUser:
 * principalId, userName, identityProvider, nothing else), and a web identity session's
 * webIdFederationData; a role session of AssumeRole keeps an empty one. */
static void web_identity(struct audit_event ev)
{
    static const char provider[] =
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X";
    static struct principal p;
    struct buf out;
    json_t *rec, *id, *web;

    p.type = PRINCIPAL_WEB_IDENTITY_USER;
    snprintf(p.arn, sizeof(p.arn), "%s:sts.amazonaws.com:system:serviceaccount:ns:sa", provider);
    snprintf(p.web_provider, sizeof(p.web_provider), "%s", provider);
    snprintf(p.web_subject, sizeof(p.web_subject), "system:serviceaccount:ns:sa");
    snprintf(p.account_id, sizeof(p.account_id), "123456789012");
    ev.principal = &p;
    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    id = json_object_get(rec, "userIdentity");
    CHECK_STR(json_string_value(json_object_get(id, "type")), "WebIdentityUser");
    CHECK_STR(json_string_value(json_object_get(id, "principalId")), p.arn);
    CHECK_STR(json_string_value(json_object_get(id, "userName")), "system:serviceaccount:ns:sa");
    CHECK_STR(json_string_value(json_object_get(id, "identityProvider")), provider);
    CHECK_INT(json_object_size(id), 4);
    json_decref(rec);
    /* the session it made */
    memset(&p, 0, sizeof(p));
    p.type = PRINCIPAL_ROLE_SESSION;
    snprintf(p.arn, sizeof(p.arn), "arn:aws:sts::123456789012:assumed-role/r/s");
    snprintf(p.user_id, sizeof(p.user_id), "AROAEXAMPLE:s");
    snprintf(p.role_arn, sizeof(p.role_arn), "arn:aws:iam::123456789012:role/r");
    snprintf(p.web_provider, sizeof(p.web_provider), "%s", provider);
    p.session_issued_s = 1380764172;
    buf_reset(&out);
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    web = json_object_get(json_object_get(json_object_get(rec, "userIdentity"), "sessionContext"),
                          "webIdFederationData");
    CHECK_STR(json_string_value(json_object_get(web, "federatedProvider")), provider);
    CHECK(json_is_object(json_object_get(web, "attributes")));
    json_decref(rec);
    p.web_provider[0] = '\0';
    buf_reset(&out);
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    web = json_object_get(json_object_get(json_object_get(rec, "userIdentity"), "sessionContext"),
                          "webIdFederationData");
    CHECK(json_is_object(web) && json_object_size(web) == 0);
    json_decref(rec);
    buf_release(&out);
}

/* KMS deleting a key on its own: an AwsServiceEvent invoked by the service, with the
 * change's commitSeq like a mutation's; a quote in an ARN stays escaped. */
static void service_event(void)
{
    struct audit_service_event e = {.time_ms = 1380764172123, .service = "kms",
                                    .event_name = "DeleteKey", .region = "us-east-1",
                                    .account_id = "123456789012",
                                    .resource_arn = "arn:aws:kms:us-east-1:123456789012:key/k\"1",
                                    .commit_seq = 42};
    struct buf out;
    json_t *rec, *res;

    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build_service_event(&e, &out));
    rec = json_loads(out.p, 0, NULL);
    CHECK(rec != NULL);
    CHECK_STR(json_string_value(json_object_get(rec, "eventType")), "AwsServiceEvent");
    CHECK_STR(json_string_value(json_object_get(rec, "eventName")), "DeleteKey");
    CHECK_STR(json_string_value(json_object_get(rec, "eventTime")), "2013-10-03T01:36:12Z");
    CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "userIdentity"), "invokedBy")),
              "kms.amazonaws.com");
    CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "userIdentity"), "accountId")),
              "123456789012");
    CHECK_STR(json_string_value(json_object_get(rec, "sourceIPAddress")), "kms.amazonaws.com");
    CHECK(json_is_null(json_object_get(rec, "requestParameters")));
    CHECK(json_is_false(json_object_get(rec, "readOnly")));
    CHECK(json_integer_value(json_object_get(json_object_get(rec, "additionalEventData"),
                                             "commitSeq")) == 42);
    res = json_array_get(json_object_get(rec, "resources"), 0);
    CHECK_STR(json_string_value(json_object_get(res, "type")), "AWS::KMS::Key");
    CHECK_STR(json_string_value(json_object_get(res, "ARN")), e.resource_arn);
    CHECK(ids_is_uuid(json_string_value(json_object_get(rec, "requestID"))));
    json_decref(rec);
    buf_release(&out);
}

/* Over HTTPS the record carries tlsDetails (version, cipher suite, Host header); over
 * plain HTTP none (exact_text above has no tlsDetails member). */
static void tls_details(struct audit_event ev)
{
    struct buf out;
    json_t *rec, *tls;

    ev.tls_version = "TLSv1.3";
    ev.tls_cipher = "TLS_AES_256_GCM_SHA384";
    ev.host = "kms.us-east-1.amazonaws.com";
    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    tls = json_object_get(rec, "tlsDetails");
    CHECK_STR(json_string_value(json_object_get(tls, "tlsVersion")), "TLSv1.3");
    CHECK_STR(json_string_value(json_object_get(tls, "cipherSuite")), "TLS_AES_256_GCM_SHA384");
    CHECK_STR(json_string_value(json_object_get(tls, "clientProvidedHostHeader")),
              "kms.us-east-1.amazonaws.com");
    CHECK_STR(json_string_value(json_object_get(rec, "eventCategory")), "Management");
    json_decref(rec);
    buf_release(&out);
}

int main(void)
{
    static const char *const secrets[] = {"Plaintext", "SecretAccessKey", NULL};
    struct principal p = {.type = PRINCIPAL_USER, .account_id = "123456789012",
                          .arn = "arn:aws:iam::123456789012:user/alice", .user_id = "AIDAEXAMPLE",
                          .name = "alice", .access_key_id = "AKIAEXAMPLE"};
    json_t *req = json_pack("{s:s, s:s, s:{s:s, s:s}}", "KeyId", "k1", "Plaintext", "c2VjcmV0",
                            "EncryptionContext", "Plaintext", "visible-context", "Tenant", "t1");
    json_t *resp = json_pack("{s:{s:s, s:s}}", "AccessKey", "AccessKeyId", "AKIA2",
                             "SecretAccessKey", "wJalrXUtnFEMI");
    struct audit_event ev = {.request_id = "req-1", .time_ms = 1380764172123, .service = "kms",
                             .event_name = "Encrypt", .region = "us-east-1",
                             .source_ip = "127.0.0.1", .user_agent = "test",
                             .principal = &p, .request = req, .response = resp,
                             .secret_fields = secrets, .read_only = false,
                             .resource_arn = "arn:aws:kms:us-east-1:123456789012:key/x",
                             .account_id = "123456789012"};
    struct buf out;
    json_t *rec;

    resource_types(&ev);
    web_identity(ev);
    exact_text(ev, p);
    tls_details(ev);
    service_event();
    buf_init(&out, BUF_NO_LIMIT);
    CHECK_OK(audit_record_build(&ev, &out));
    CHECK(strstr(out.p, "c2VjcmV0") == NULL);
    CHECK(strstr(out.p, "wJalrXUtnFEMI") == NULL);
    rec = json_loads(out.p, 0, NULL);
    CHECK(rec != NULL);
    CHECK_STR(json_string_value(json_object_get(rec, "eventSource")), "kms.amazonaws.com");
    CHECK_STR(json_string_value(json_object_get(rec, "eventTime")), "2013-10-03T01:36:12Z");
    CHECK_STR(json_string_value(json_object_get(rec, "requestID")), "req-1");
    CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "userIdentity"), "type")),
              "IAMUser");
    CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "requestParameters"), "keyId")),
              "k1");
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(rec, "requestParameters"), "plaintext")),
              AUDIT_HIDDEN);
    /* the encryption context is the caller's data: its keys keep their case and are kept */
    CHECK_STR(json_string_value(json_object_get(
                  json_object_get(json_object_get(rec, "requestParameters"), "encryptionContext"),
                  "Plaintext")),
              "visible-context");
    CHECK_STR(json_string_value(json_object_get(
                  json_object_get(json_object_get(rec, "responseElements"), "accessKey"),
                  "secretAccessKey")),
              AUDIT_HIDDEN);
    CHECK(json_object_get(rec, "errorCode") == NULL);
    json_decref(rec);

    /* a failed, unauthenticated call */
    buf_reset(&out);
    ev.principal = NULL;
    ev.access_key_id = "AKIAUNKNOWN";
    ev.request = ev.response = NULL;
    ev.error_code = "InvalidClientTokenId";
    ev.error_message = "The security token included in the request is invalid.";
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(rec, "errorCode")), "InvalidClientTokenId");
    CHECK_STR(json_string_value(json_object_get(json_object_get(rec, "userIdentity"), "accessKeyId")),
              "AKIAUNKNOWN");
    CHECK(json_is_null(json_object_get(rec, "requestParameters")));
    json_decref(rec);

    /* the caller's bytes (User-Agent) are escaped and made valid UTF-8 */
    buf_reset(&out);
    ev.user_agent = "a\"b\xff\x01\xe1\x88\xb4";
    CHECK_OK(audit_record_build(&ev, &out));
    rec = json_loads(out.p, 0, NULL);
    CHECK(rec != NULL);
    CHECK_STR(json_string_value(json_object_get(rec, "userAgent")), "a\"b\xef\xbf\xbd\x01\xe1\x88\xb4");
    json_decref(rec);

    buf_release(&out);
    json_decref(req);
    json_decref(resp);
    TEST_END();
}
