/* Tests for services/sts/saml_keys.c: SubjectType as the STS API reference maps NameID
 * formats (the SAML 2.0 prefix dropped, other formats whole, none as SAML's unspecified,
 * an over-long one truncated), and the saml:* condition keys of an assertion: the fixed
 * ones, an attribute key holding every value of its urn:oid attribute, attributes AWS names
 * no key for left out, and a scratch too small for the values leaving that key out rather
 * than overrunning it. */
#include "check.h"
#include "services/sts/saml_federation.h"

static const struct policy_context_entry *find(const struct call_keys *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->entries[i].key, name) == 0)
            return &k->entries[i];
    return NULL;
}

static void test_subject_type(void)
{
    char out[SAML_SUBJECT_TYPE_MAX], long_format[SAML_SUBJECT_TYPE_MAX + 100];

    saml_subject_type("urn:oasis:names:tc:SAML:2.0:nameid-format:transient", out);
    CHECK_STR(out, "transient");
    saml_subject_type("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", out);
    CHECK_STR(out, "persistent");
    saml_subject_type("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", out);
    CHECK_STR(out, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    saml_subject_type(NULL, out);
    CHECK_STR(out, "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    saml_subject_type("urn:oasis:names:tc:SAML:2.0:nameid-format:", out);
    CHECK_STR(out, "urn:oasis:names:tc:SAML:2.0:nameid-format:");
    memset(long_format, 'x', sizeof(long_format) - 1);
    long_format[sizeof(long_format) - 1] = '\0';
    saml_subject_type(long_format, out);
    CHECK_INT(strlen(out), SAML_SUBJECT_TYPE_MAX - 1);
}

static void test_keys(void)
{
    struct saml_assertion a = {0};
    struct call_keys *k = calloc(1, sizeof(*k));
    const char *scratch[4];
    const struct policy_context_entry *e;

    a.issuer = "https://idp.example.com";
    a.subject = "alice";
    a.recipient = "https://signin.aws.amazon.com/saml";
    a.attributes = json_pack("{s:[s,s,s], s:[s], s:[s]}", "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
                             "staff", "member", "alum", "urn:oid:0.9.2342.19200300.100.1.3",
                             "alice@example.com", "https://example.com/unknown", "x");
    saml_keys_add(k, &a, "000000000000/Idp", "Qual=", "persistent", scratch, 4);
    CHECK_STR(find(k, "saml:aud")->values[0], "https://signin.aws.amazon.com/saml");
    CHECK_STR(find(k, "saml:iss")->values[0], "https://idp.example.com");
    CHECK_STR(find(k, "saml:sub")->values[0], "alice");
    CHECK_STR(find(k, "saml:sub_type")->values[0], "persistent");
    CHECK_STR(find(k, "saml:namequalifier")->values[0], "Qual=");
    CHECK_STR(find(k, "saml:doc")->values[0], "000000000000/Idp");
    e = find(k, "saml:edupersonaffiliation");
    CHECK(e && e->n_values == 3);
    CHECK_STR(e ? e->values[2] : NULL, "alum");
    CHECK_STR(find(k, "saml:mail")->values[0], "alice@example.com");
    CHECK(find(k, "saml:cn") == NULL);
    /* a scratch of two cannot hold the three affiliations: that key is left out */
    memset(k, 0, sizeof(*k));
    saml_keys_add(k, &a, "000000000000/Idp", "Qual=", "persistent", scratch, 2);
    CHECK(find(k, "saml:edupersonaffiliation") == NULL);
    CHECK(find(k, "saml:mail") != NULL);
    json_decref(a.attributes);
    free(k);
}

int main(void)
{
    test_subject_type();
    test_keys();
    TEST_END();
}
