/* Tests for proto/: Query form decoding, JSON decoding, validation messages, and the
 * XML / JSON encodings of outputs and errors, on the real generated models. */
#include "check.h"
#include "proto/proto.h"

static const struct op_model *op(const char *svc, const char *name)
{
    return model_op(model_service_by_signing_name(svc), name, strlen(name));
}

static void form_decoding(void)
{
    struct cu_err err = {0};
    json_t *t = NULL;
    const struct op_model *create = op("iam", "CreateUser");
    const struct op_model *sim = op("iam", "SimulateCustomPolicy");

    CHECK_OK(query_decode_form(bytes_str("Action=CreateUser&Version=2010-05-08&UserName=al%2Bice"
                                         "&Path=%2Fa+b%2F&Tags.member.2.Key=k2&Tags.member.2.Value=v2"
                                         "&Tags.member.1.Key=k1&Tags.member.1.Value=&Unknown=1"),
                               create->input, &t, &err));
    CHECK_STR(json_string_value(json_object_get(t, "UserName")), "al+ice");
    CHECK_STR(json_string_value(json_object_get(t, "Path")), "/a b/");
    CHECK_INT(json_array_size(json_object_get(t, "Tags")), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(t, "Tags"), 0), "Key")), "k1");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(t, "Tags"), 0), "Value")), "");
    CHECK(json_object_get(t, "Unknown") == NULL);
    json_decref(t);
    /* nested lists of structures with lists inside, integers */
    CHECK_OK(query_decode_form(bytes_str("PolicyInputList.member.1=%7B%7D&ActionNames.member.1=a&"
                                         "ContextEntries.member.1.ContextKeyName=k&"
                                         "ContextEntries.member.1.ContextKeyValues.member.1=v&MaxItems=5"),
                               sim->input, &t, &err));
    CHECK_STR(json_string_value(json_array_get(json_object_get(t, "PolicyInputList"), 0)), "{}");
    CHECK_INT(json_integer_value(json_object_get(t, "MaxItems")), 5);
    CHECK_STR(json_string_value(json_array_get(json_object_get(json_array_get(
                  json_object_get(t, "ContextEntries"), 0), "ContextKeyValues"), 0)), "v");
    json_decref(t);
    static const char *const bad[] = {
        "UserName=%zz", "UserName=a&UserName=b", "Tags.member.0.Key=k", "Tags.member.x.Key=k",
        "Tags.member.1001.Key=k", "Tags.1.Key=k", "UserName=%ff%fe", "Tags.member.1=plain",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        CHECK(query_decode_form(bytes_str(bad[i]), create->input, &t, &err) != CU_OK);
    }
    /* a number that is not one names its member, at any depth */
    CHECK_RC(query_decode_form(bytes_str("MaxItems=abc"), sim->input, &t, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value 'abc' at 'maxItems' failed to "
                       "satisfy constraint: Member must be a number");
    CHECK_RC(query_decode_form(bytes_str("MaxItems=99999999999"), sim->input, &t, &err),
             CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value '99999999999' at 'maxItems' failed "
                       "to satisfy constraint: Member must be a 32-bit integer");
}

static void json_decoding(void)
{
    struct cu_err err = {0};
    json_t *t = NULL;
    const struct op_model *enc = op("kms", "Encrypt"), *gdk = op("kms", "GenerateDataKey");

    CHECK_OK(json_decode_body(bytes_str("{\"KeyId\":\"k\",\"Plaintext\":\"aGk=\",\"X\":1,"
                                        "\"EncryptionContext\":{\"a\":\"b\"}}"), enc->input, &t, &err));
    CHECK(json_object_get(t, "X") == NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(t, "EncryptionContext"), "a")), "b");
    json_decref(t);
    CHECK_OK(json_decode_body(bytes_of("", 0), enc->input, &t, &err));
    json_decref(t);
    static const struct {
        const char *body;
        const char *msg;
    } bad[] = {
        {"{", "Unexpected character or malformed JSON."},
        {"[]", "The request body must be a JSON object."},
        {"{\"KeyId\":\"a\",\"KeyId\":\"b\"}", "Unexpected character or malformed JSON."},
        {"{\"KeyId\":5}", "NUMBER_VALUE can not be converted to a String"},
        {"{\"NumberOfBytes\":\"5\"}", "STRING_VALUE can not be converted to an Integer"},
        {"{\"NumberOfBytes\":5.5}", "NUMBER_VALUE can not be converted to an Integer"},
        {"{\"KeyId\":{}}", "Start of structure or map found where not expected."},
        {"{\"GrantTokens\":\"t\"}", "STRING_VALUE can not be converted to a Structure"},
        {"{\"NumberOfBytes\":99999999999}", "Numeric value out of range of int"},
        {"{\"KeyId\":\"\xff\"}", "Unexpected character or malformed JSON."},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        cu_err_clear(&err);
        CHECK_RC(json_decode_body(bytes_str(bad[i].body), gdk->input, &t, &err), CU_E_SERIALIZATION);
        CHECK_STR(err.msg, bad[i].msg);
    }
    CHECK_RC(json_decode_body(bytes_str("{\"Plaintext\":\"!!\"}"), enc->input, &t, &err),
             CU_E_SERIALIZATION);
}

static void validation(void)
{
    struct cu_err err = {0};
    json_t *t;
    const struct op_model *enc = op("kms", "Encrypt"), *gdk = op("kms", "GenerateDataKey");
    const struct op_model *create = op("iam", "CreateUser");
    char big[6000];

    memset(big, 'A', 5464);
    big[5464] = '\0'; /* 4098 decoded bytes */
    t = json_pack("{s:s, s:s}", "KeyId", "k", "Plaintext", big);
    CHECK_RC(proto_validate(t, enc->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value at 'plaintext' failed to satisfy "
                       "constraint: Member must have length less than or equal to 4096");
    json_decref(t);
    t = json_pack("{s:i, s:s}", "NumberOfBytes", 2000, "KeySpec", "AES_512");
    CHECK_RC(proto_validate(t, gdk->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "3 validation errors detected: Value null at 'keyId' failed to satisfy "
                       "constraint: Member must not be null; Value '2000' at 'numberOfBytes' "
                       "failed to satisfy constraint: Member must have value less than or equal to "
                       "1024; Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member "
                       "must satisfy enum value set: [AES_256, AES_128]");
    json_decref(t);
    t = json_pack("{s:s}", "UserName", "bad name!");
    CHECK_RC(proto_validate(t, create->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value 'bad name!' at 'userName' failed to "
                       "satisfy constraint: Member must satisfy regular expression pattern: "
                       "[\\w+=,.@-]+");
    json_decref(t);
    t = json_pack("{s:s, s:s}", "UserName", "good.name+1@x", "Path", "/ok/");
    CHECK_OK(proto_validate(t, create->input, &err));
    json_decref(t);
    t = json_pack("{s:s, s:s}", "UserName", "n", "Path", "no-slashes");
    CHECK_RC(proto_validate(t, create->input, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "at 'path' failed to satisfy constraint: Member must satisfy regular");
    json_decref(t);
}

/* A shape with an error of its own (CloudTrail's MaxResults, EventCategory): its failure
 * is that error, whatever else fails beside it; within range it is no error at all. */
static void own_errors(void)
{
    struct cu_err err = {0};
    const struct op_model *lookup = op("cloudtrail", "LookupEvents");
    json_t *t;

    t = json_pack("{s:i}", "MaxResults", 51);
    CHECK_RC(proto_validate(t, lookup->input, &err), CU_E_CT_INVALID_MAX_RESULTS);
    CHECK_STR(err.msg, "This exception is thrown if the limit specified is not valid.");
    json_decref(t);
    t = json_pack("{s:i, s:s}", "MaxResults", 0, "EventCategory", "insight");
    CHECK_RC(proto_validate(t, lookup->input, &err), CU_E_CT_INVALID_MAX_RESULTS);
    json_decref(t);
    t = json_pack("{s:i, s:s}", "MaxResults", 50, "EventCategory", "Insight");
    CHECK_RC(proto_validate(t, lookup->input, &err), CU_E_CT_INVALID_EVENT_CATEGORY);
    json_decref(t);
    t = json_pack("{s:i, s:s}", "MaxResults", 1, "EventCategory", "insight");
    CHECK_OK(proto_validate(t, lookup->input, &err));
    json_decref(t);
    /* another member's failure stays a ValidationException */
    t = json_pack("{s:[{s:s, s:s}]}", "LookupAttributes", "AttributeKey", "Nope",
                  "AttributeValue", "x");
    CHECK_RC(proto_validate(t, lookup->input, &err), CU_E_VALIDATION);
    json_decref(t);
}

/* A decoded NUL ("%00", "\u0000") is never a place where a value ends: strings keep it
 * and validation refuses it naming the member; other types refuse it while decoding. */
/* A member the operation declares secret (IAM's AuthenticationCode1, which the model does
 * not mark sensitive) is never echoed, at the top or nested, while other values still are. */
static void secret_members_not_echoed(void)
{
    static const char *const secret[] = {"AuthenticationCode1", "AuthenticationCode2", NULL};
    static const char *const tag_secret[] = {"Value", NULL};
    struct cu_err err = {0};
    const struct op_model *enable = op("iam", "EnableMFADevice");
    const struct op_model *tag = op("iam", "TagUser");
    json_t *t = json_pack("{s:s, s:s, s:s, s:s}", "UserName", "bad name!", "SerialNumber",
                          "arn:aws:iam::123456789012:mfa/x", "AuthenticationCode1",
                          "hush-one-secret", "AuthenticationCode2", "12");

    CHECK_RC(proto_validate(t, enable->input, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "hush-one-secret"); /* what hiding prevents */
    CHECK_RC(proto_validate_hiding(t, enable->input, secret, &err), CU_E_VALIDATION);
    CHECK(strstr(err.msg, "hush-one-secret") == NULL);
    CHECK(strstr(err.msg, "'12'") == NULL);
    CHECK_CONTAINS(err.msg, "Value 'bad name!' at 'userName'");
    CHECK_CONTAINS(err.msg, "Value at 'authenticationCode1' failed to satisfy constraint: "
                            "Member must have length less than or equal to 6");
    CHECK_CONTAINS(err.msg, "Value at 'authenticationCode2' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 6");
    json_decref(t);
    /* nested: a tag value inside a list of structures */
    t = json_pack("{s:s, s:[{s:s, s:s}]}", "UserName", "u", "Tags", "Key", "bad\x01key",
                  "Value", "hush\x01value");
    CHECK_RC(proto_validate_hiding(t, tag->input, tag_secret, &err), CU_E_VALIDATION);
    CHECK(strstr(err.msg, "hush") == NULL);
    json_decref(t);
    /* no secret names: as proto_validate */
    t = json_pack("{s:s, s:s, s:s, s:s}", "UserName", "u", "SerialNumber",
                  "arn:aws:iam::123456789012:mfa/x", "AuthenticationCode1", "1234567",
                  "AuthenticationCode2", "123456");
    CHECK_RC(proto_validate_hiding(t, enable->input, NULL, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "Value '1234567' at 'authenticationCode1'");
    json_decref(t);
}

static void nul_characters(void)
{
    struct cu_err err = {0};
    json_t *t = NULL;
    const struct op_model *create = op("iam", "CreateUser"), *sim = op("iam", "SimulateCustomPolicy");
    const struct op_model *getpol = op("iam", "GetPolicy"), *enc = op("kms", "Encrypt");
    const struct op_model *alias = op("kms", "CreateAlias"), *gdk = op("kms", "GenerateDataKey");

    CHECK_OK(query_decode_form(bytes_str("Action=CreateUser&UserName=nulB%00%3Cscript%3E"),
                               create->input, &t, &err));
    CHECK_INT(json_string_length(json_object_get(t, "UserName")), 13);
    CHECK_RC(proto_validate(t, create->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value 'nulB\\u0000<script>' at 'userName' "
                       "failed to satisfy constraint: Member must satisfy regular expression "
                       "pattern: [\\w+=,.@-]+");
    json_decref(t);
    CHECK_OK(query_decode_form(bytes_str("UserName=u&Tags.member.1.Key=k%00x&Tags.member.1.Value=v"),
                               create->input, &t, &err));
    CHECK_RC(proto_validate(t, create->input, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "at 'tags.1.member.key' failed to satisfy constraint: Member must "
                            "satisfy regular expression pattern");
    json_decref(t);
    /* a member without a pattern refuses it too (arnType has none) */
    CHECK_OK(query_decode_form(bytes_str("PolicyArn=arn:aws:iam::aws:policy/A%00B"),
                               getpol->input, &t, &err));
    CHECK_RC(proto_validate(t, getpol->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value 'arn:aws:iam::aws:policy/A\\u0000B' "
                       "at 'policyArn' failed to satisfy constraint: Member must not contain null "
                       "characters");
    json_decref(t);
    t = NULL;
    /* numbers stop at a NUL: refused while decoding, never read as 5 */
    CHECK_RC(query_decode_form(bytes_str("MaxItems=5%00"), sim->input, &t, &err), CU_E_VALIDATION);
    CHECK(t == NULL);
    CHECK(query_decode_form(bytes_str("Action=A&Action=B"), create->input, &t, &err) ==
          CU_E_MALFORMED_INPUT);
    CHECK_STR(err.msg, "A parameter was given more than once.");
    CHECK(query_decode_form(bytes_str("Version=1&UserName=u&Version=1"), create->input, &t, &err) ==
          CU_E_MALFORMED_INPUT);
    CHECK(query_decode_form(bytes_str("User%00Name=u"), create->input, &t, &err) ==
          CU_E_MALFORMED_INPUT);

    /* JSON 1.1: \u0000 in a value decodes, then fails the member's constraint */
    CHECK_OK(json_decode_body(bytes_str("{\"KeyId\":\"k\\u0000x\",\"Plaintext\":\"aGk=\"}"),
                              enc->input, &t, &err));
    CHECK_INT(json_string_length(json_object_get(t, "KeyId")), 3);
    CHECK_RC(proto_validate(t, enc->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value 'k\\u0000x' at 'keyId' failed to "
                       "satisfy constraint: Member must not contain null characters");
    json_decref(t);
    CHECK_OK(json_decode_body(bytes_str("{\"KeyId\":\"k\",\"Plaintext\":\"aGk=\","
                                        "\"EncryptionContext\":{\"a\":\"b\\u0000\"}}"),
                              enc->input, &t, &err));
    CHECK_RC(proto_validate(t, enc->input, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "at 'encryptionContext.a' failed to satisfy constraint: Member must "
                            "not contain null characters");
    json_decref(t);
    CHECK_OK(json_decode_body(bytes_str("{\"AliasName\":\"alias/a\\u0000b\",\"TargetKeyId\":\"k\"}"),
                              alias->input, &t, &err));
    CHECK_RC(proto_validate(t, alias->input, &err), CU_E_VALIDATION);
    CHECK_STR(err.msg, "1 validation error detected: Value 'alias/a\\u0000b' at 'aliasName' failed "
                       "to satisfy constraint: Member must satisfy regular expression pattern: "
                       "^[a-zA-Z0-9:/_-]+$");
    json_decref(t);
    CHECK_OK(json_decode_body(bytes_str("{\"KeyId\":\"k\",\"KeySpec\":\"AES_256\\u0000\"}"),
                              gdk->input, &t, &err));
    CHECK_RC(proto_validate(t, gdk->input, &err), CU_E_VALIDATION);
    CHECK_CONTAINS(err.msg, "at 'keySpec' failed to satisfy constraint: Member must satisfy enum");
    json_decref(t);
    /* a map key with a NUL cannot be held at all */
    CHECK_RC(json_decode_body(bytes_str("{\"KeyId\":\"k\",\"EncryptionContext\":{\"a\\u0000\":\"b\"}}"),
                              enc->input, &t, &err), CU_E_SERIALIZATION);
}

static void encoding(void)
{
    const struct service_model *iam = model_service_by_signing_name("iam");
    const struct service_model *kms = model_service_by_signing_name("kms");
    struct proto_route list = {.svc = iam, .op = op("iam", "ListUsers")};
    struct proto_route del = {.svc = iam, .op = op("iam", "DeleteUser")};
    struct proto_route desc = {.svc = kms, .op = op("kms", "DescribeKey")};
    struct proto_response r = {0};
    struct cu_err err = {0};
    json_t *out = json_pack("{s:[{s:s, s:s, s:s, s:s, s:f}], s:b}", "Users", "Path", "/",
                            "UserName", "a<&>", "UserId", "AIDA", "Arn", "arn", "CreateDate",
                            1380764172.0, "IsTruncated", 0);

    CHECK_OK(proto_encode_output(&list, out, "rid", false, &r));
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.p, "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                        "<ListUsersResult><Users><member><Path>/</Path><UserName>a&lt;&amp;&gt;"
                        "</UserName><UserId>AIDA</UserId><Arn>arn</Arn><CreateDate>"
                        "2013-10-03T01:36:12Z</CreateDate></member></Users><IsTruncated>false"
                        "</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>rid"
                        "</RequestId></ResponseMetadata></ListUsersResponse>");
    proto_response_release(&r);
    json_decref(out);
    CHECK_OK(proto_encode_output(&del, NULL, "rid", false, &r));
    CHECK_STR(r.body.p, "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                        "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
                        "</DeleteUserResponse>");
    proto_response_release(&r);
    out = json_pack("{s:{s:s, s:b}}", "KeyMetadata", "KeyId", "k", "Enabled", 1);
    CHECK_OK(proto_encode_output(&desc, out, "rid", true, &r));
    CHECK_STR(r.body.p, "{\"KeyMetadata\":{\"KeyId\":\"k\",\"Enabled\":true}}");
    CHECK(r.body.sensitive);
    proto_response_release(&r);
    json_decref(out);

    cu_err_set(&err, CU_E_IAM_NO_SUCH_ENTITY, "The user with name <x> cannot be found.");
    CHECK_OK(proto_encode_error(MODEL_QUERY, iam, &err, "rid", &r));
    CHECK_INT(r.status, 404);
    CHECK_STR(r.body.p, "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
                        "<Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name "
                        "&lt;x&gt; cannot be found.</Message></Error><RequestId>rid</RequestId>"
                        "</ErrorResponse>");
    proto_response_release(&r);
    cu_err_set(&err, CU_E_KMS_INVALID_CIPHERTEXT, "%s", "");
    CHECK_OK(proto_encode_error(MODEL_JSON, kms, &err, "rid", &r));
    CHECK_INT(r.status, 400);
    CHECK_STR(r.body.p, "{\"__type\":\"InvalidCiphertextException\"}");
    proto_response_release(&r);
    cu_err_set(&err, CU_E_INTERNAL, "oops");
    CHECK_OK(proto_encode_error(MODEL_QUERY, NULL, &err, "rid", &r));
    CHECK_INT(r.status, 500);
    CHECK_CONTAINS(r.body.p, "<Type>Receiver</Type>");
    proto_response_release(&r);
}

int main(void)
{
    form_decoding();
    json_decoding();
    validation();
    own_errors();
    secret_members_not_echoed();
    nul_characters();
    encoding();
    TEST_END();
}
