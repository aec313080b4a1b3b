/* Tests for services/ssm/ssm_policies.c: the three policy types with their attributes, and
 * every refusal: not JSON, not an array, an unknown type or version, missing, extra and
 * malformed attributes, a type twice, more than 10 policies, truncated text. */
#include "check.h"
#include "services/ssm/ssm.h"

static cu_rc parse(const char *text, struct ssm_policies *out)
{
    struct cu_err err = {0};

    return ssm_policies_parse(bytes_str(text), out, &err);
}

int main(void)
{
    struct ssm_policies p;
    const char *all =
        "[{\"Type\":\"Expiration\",\"Version\":\"1.0\",\"Attributes\":{\"Timestamp\":"
        "\"2030-01-02T03:04:05.000Z\"}},{\"Type\":\"ExpirationNotification\",\"Version\":"
        "\"1.0\",\"Attributes\":{\"Before\":\"15\",\"Unit\":\"Days\"}},{\"Type\":"
        "\"NoChangeNotification\",\"Version\":\"1.0\",\"Attributes\":{\"After\":\"20\","
        "\"Unit\":\"Hours\"}}]";
    char many[2048] = "[";
    size_t n = 1;

    CHECK_OK(parse(all, &p));
    CHECK_INT(p.n, 3);
    CHECK_INT(p.items[0].type, SSM_POLICY_EXPIRATION);
    CHECK_INT(p.items[0].timestamp_s, 1893553445);
    CHECK_INT(p.items[1].amount, 15);
    CHECK(!p.items[1].hours);
    CHECK_INT(p.items[2].amount, 20);
    CHECK(p.items[2].hours);
    CHECK_STR(ssm_policy_type_name(SSM_POLICY_NO_CHANGE_NOTIFICATION), "NoChangeNotification");
    CHECK_OK(parse("[]", &p));
    CHECK_INT(p.n, 0);

    CHECK_RC(parse("not json", &p), CU_E_VALIDATION);
    CHECK_RC(parse("{}", &p), CU_E_VALIDATION);
    CHECK_RC(parse("[{\"Type\":\"Expir", &p), CU_E_VALIDATION);
    CHECK_RC(parse("[1]", &p), CU_E_VALIDATION);
    CHECK_RC(parse("[{\"Type\":\"Rotation\",\"Version\":\"1.0\",\"Attributes\":{}}]", &p),
             CU_E_SSM_INVALID_POLICY_TYPE);
    CHECK_RC(parse("[{\"Type\":\"Expiration\",\"Version\":\"2.0\",\"Attributes\":{\"Timestamp\":"
                   "\"2030-01-01T00:00:00Z\"}}]", &p),
             CU_E_SSM_INVALID_POLICY_TYPE);
    CHECK_RC(parse("[{\"Type\":\"Expiration\",\"Version\":\"1.0\"}]", &p),
             CU_E_SSM_INVALID_POLICY_ATTRIBUTE);
    CHECK_RC(parse("[{\"Type\":\"Expiration\",\"Version\":\"1.0\",\"Attributes\":{\"Timestamp\":"
                   "\"tomorrow\"}}]", &p),
             CU_E_SSM_INVALID_POLICY_ATTRIBUTE);
    CHECK_RC(parse("[{\"Type\":\"Expiration\",\"Version\":\"1.0\",\"Attributes\":{\"Timestamp\":"
                   "\"2030-01-01T00:00:00Z\",\"Extra\":\"1\"}}]", &p),
             CU_E_SSM_INVALID_POLICY_ATTRIBUTE);
    CHECK_RC(parse("[{\"Type\":\"ExpirationNotification\",\"Version\":\"1.0\",\"Attributes\":"
                   "{\"Before\":\"0\",\"Unit\":\"Days\"}}]", &p),
             CU_E_SSM_INVALID_POLICY_ATTRIBUTE);
    CHECK_RC(parse("[{\"Type\":\"ExpirationNotification\",\"Version\":\"1.0\",\"Attributes\":"
                   "{\"Before\":\"5\",\"Unit\":\"Weeks\"}}]", &p),
             CU_E_SSM_INVALID_POLICY_ATTRIBUTE);
    CHECK_RC(parse("[{\"Type\":\"NoChangeNotification\",\"Version\":\"1.0\",\"Attributes\":"
                   "{\"After\":\"-3\",\"Unit\":\"Days\"}}]", &p),
             CU_E_SSM_INVALID_POLICY_ATTRIBUTE);
    CHECK_RC(parse("[{\"Type\":\"NoChangeNotification\",\"Version\":\"1.0\",\"Attributes\":"
                   "{\"After\":\"3\",\"Unit\":\"Days\"}},{\"Type\":\"NoChangeNotification\","
                   "\"Version\":\"1.0\",\"Attributes\":{\"After\":\"4\",\"Unit\":\"Days\"}}]",
                   &p),
             CU_E_SSM_INCOMPATIBLE_POLICY);
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%s{\"Type\":\"Expiration\"}",
                              i ? "," : "");
    memcpy(many + n, "]", 2);
    CHECK_RC(parse(many, &p), CU_E_SSM_POLICIES_LIMIT);
    TEST_END();
}
