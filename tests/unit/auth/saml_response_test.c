/* Tests for auth/saml_response.c: Responses made here (certificates from OpenSSL on the
 * RSA keys of tests/vectors/keys, signatures from xmlsec as an IdP would make them) verify
 * and read back when the Assertion, the Response or both are signed, with SHA-256 or
 * SHA-1; refused are an unsigned document, a signature by another key, a document changed
 * after signing, two signature-wrapping shapes (a forged assertion beside the signed one
 * moved away, and a forged one carrying the signed one's ID), a signature whose reference
 * names another element, a Status other than Success, DTDs, every truncation, bad base64
 * and oversize input; and the time, audience and recipient checks at their edges.
 * Encrypted assertions (auth/saml_decrypt.c through saml_response_parse_keys): encrypted
 * here with xmlsec to a service-provider key, they decrypt with it (the second of two keys
 * too) and verify; refused are one encrypted to another key, a tampered ciphertext, one
 * that holds no Assertion, one whose ciphertext lives behind a URI, an unsigned one that
 * decrypts, a plain one when encryption is required, and any without keys. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>

#include "auth/saml_decrypt.h"
#include "auth/saml_response.h"
#include "check.h"
#include "core/buf.h"
#include "core/codec.h"
#include "test_keys.h"

#define NOW 1700000000LL /* 2023-11-14T22:13:20Z */

struct idp {
    char *key_pem;  /* private key, PEM */
    char *cert_b64; /* certificate, base64 DER (as the metadata parser keeps it) */
};

/* key_name: a key of tests/vectors/keys (test_keys.h). */
static struct idp make_idp(const char *cn, const char *key_name)
{
    EVP_PKEY *key = test_key(key_name);
    X509 *x = X509_new();
    X509_NAME *name = X509_get_subject_name(x);
    BIO *bio = BIO_new(BIO_s_mem());
    unsigned char *der = NULL;
    char *pem;
    long n;
    struct buf b64;
    struct idp idp;

    buf_init(&b64, 1 << 16);
    if (!key || !x || !bio)
        abort();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (!X509_sign(x, key, EVP_sha256()) ||
        !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
        abort();
    n = BIO_get_mem_data(bio, &pem);
    idp.key_pem = strndup(pem, (size_t)n);
    n = i2d_X509(x, &der);
    if (n <= 0 || b64_encode(bytes_of(der, (size_t)n), &b64) != CU_OK)
        abort();
    idp.cert_b64 = buf_take(&b64, NULL);
    OPENSSL_free(der);
    BIO_free(bio);
    X509_free(x);
    EVP_PKEY_free(key);
    return idp;
}

static struct idp idp_a, idp_b;

#define SIG_TEMPLATE(uri, sig_alg, digest_alg)                                                     \
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"                \
    "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"           \
    "<ds:SignatureMethod Algorithm=\"" sig_alg "\"/><ds:Reference URI=\"" uri "\">"                \
    "<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-"        \
    "signature\"/><ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"           \
    "</ds:Transforms><ds:DigestMethod Algorithm=\"" digest_alg "\"/><ds:DigestValue/>"             \
    "</ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>"
#define RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define SHA256 "http://www.w3.org/2001/04/xmlenc#sha256"
#define RSA_SHA1 "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
#define SHA1 "http://www.w3.org/2000/09/xmldsig#sha1"
#define ASSERTION_SIG SIG_TEMPLATE("#_a1", RSA_SHA256, SHA256)
#define RESPONSE_SIG SIG_TEMPLATE("#_r1", RSA_SHA256, SHA256)

#define ROLE_ATTR "https://aws.amazon.com/SAML/Attributes/Role"
#define ROLE_VALUE "arn:aws:iam::000000000000:role/Dev,arn:aws:iam::000000000000:saml-provider/Idp"

/* A Response: resp_sig and asrt_sig are signature templates (or ""), status the StatusCode
 * value, extra goes inside the Response before the Assertion. */
static char *response(const char *resp_sig, const char *asrt_sig, const char *status,
                      const char *extra)
{
    struct buf b;

    buf_init(&b, 1 << 20);
    if (buf_addf(&b,
                 "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r1\" "
                 "Version=\"2.0\" IssueInstant=\"2023-11-14T22:10:00Z\" "
                 "Destination=\"https://signin.aws.amazon.com/saml\">"
                 "<saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">"
                 "https://idp.example.com</saml:Issuer>%s"
                 "<samlp:Status><samlp:StatusCode Value=\"%s\"/></samlp:Status>%s"
                 "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a1\" "
                 "Version=\"2.0\" IssueInstant=\"2023-11-14T22:10:00Z\">"
                 "<saml:Issuer>https://idp.example.com</saml:Issuer>%s"
                 "<saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:"
                 "persistent\">alice@example.com</saml:NameID>"
                 "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
                 "<saml:SubjectConfirmationData NotOnOrAfter=\"2023-11-14T22:18:20Z\" "
                 "Recipient=\"https://signin.aws.amazon.com/saml\"/></saml:SubjectConfirmation>"
                 "</saml:Subject>"
                 "<saml:Conditions NotBefore=\"2023-11-14T22:08:20Z\" "
                 "NotOnOrAfter=\"2023-11-14T22:18:20.500Z\"><saml:AudienceRestriction>"
                 "<saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction>"
                 "</saml:Conditions>"
                 "<saml:AuthnStatement AuthnInstant=\"2023-11-14T22:10:00Z\" "
                 "SessionNotOnOrAfter=\"2023-11-14T23:13:20Z\"/>"
                 "<saml:AttributeStatement>"
                 "<saml:Attribute Name=\"" ROLE_ATTR "\"><saml:AttributeValue>" ROLE_VALUE
                 "</saml:AttributeValue></saml:Attribute>"
                 "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\">"
                 "<saml:AttributeValue>alice</saml:AttributeValue></saml:Attribute>"
                 "<saml:Attribute Name=\"urn:oid:1.3.6.1.4.1.5923.1.1.1.1\">"
                 "<saml:AttributeValue>staff</saml:AttributeValue>"
                 "<saml:AttributeValue>member</saml:AttributeValue></saml:Attribute>"
                 "</saml:AttributeStatement></saml:Assertion></samlp:Response>",
                 resp_sig, status, extra, asrt_sig) != CU_OK)
        abort();
    return buf_take(&b, NULL);
}

static xmlNode *find(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        xmlNode *hit;
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
        hit = find(n->children, name);
        if (hit)
            return hit;
    }
    return NULL;
}

/* Sign the Assertion's template, then the Response's (enveloping the signed Assertion). */
static char *sign_both(const char *xml, const char *key_pem)
{
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    xmlNode *order[2];
    xmlChar *outp = NULL;
    int outn = 0;
    char *signed_xml;

    if (!doc)
        abort();
    order[0] = find(xmlDocGetRootElement(doc)->children, "Assertion");
    order[1] = xmlDocGetRootElement(doc);
    for (int i = 0; i < 2; i++) { /* both IDs, so that a reference may name either */
        xmlAttr *id = order[i] ? xmlHasProp(order[i], (const xmlChar *)"ID") : NULL;
        xmlChar *v = id ? xmlNodeListGetString(doc, id->children, 1) : NULL;
        if (v && !xmlGetID(doc, v))
            xmlAddID(NULL, doc, v, id);
        xmlFree(v);
    }
    for (int i = 0; i < 2; i++) {
        xmlNode *el = order[i], *sig = NULL;
        for (xmlNode *c = el ? el->children : NULL; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Signature") == 0)
                sig = c;
        if (sig) {
            xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
            ctx->signKey = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)key_pem,
                                                        (xmlSecSize)strlen(key_pem),
                                                        xmlSecKeyDataFormatPem, NULL, NULL, NULL);
            if (!ctx->signKey || xmlSecDSigCtxSign(ctx, sig) < 0)
                abort();
            xmlSecDSigCtxDestroy(ctx);
        }
    }
    xmlDocDumpMemory(doc, &outp, &outn);
    signed_xml = strndup((const char *)outp, (size_t)outn);
    xmlFree(outp);
    xmlFreeDoc(doc);
    return signed_xml;
}

static cu_rc parse_with(const char *xml, const char *cert, struct saml_assertion *a,
                        struct cu_err *err)
{
    const char *certs[] = {cert};
    return saml_response_parse(bytes_str(xml), certs, 1, a, err);
}

/* Replace the first `from` in s by `to`; a new string. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    struct buf b;

    if (!at)
        abort();
    buf_init(&b, 1 << 20);
    if (buf_add(&b, s, (size_t)(at - s)) != CU_OK || buf_addstr(&b, to) != CU_OK ||
        buf_addstr(&b, at + strlen(from)) != CU_OK)
        abort();
    return buf_take(&b, NULL);
}

static void test_signed_assertion(void)
{
    char *xml = response("", ASSERTION_SIG, "urn:oasis:names:tc:SAML:2.0:status:Success", "");
    char *signed_xml = sign_both(xml, idp_a.key_pem);
    const char *certs[] = {idp_b.cert_b64, idp_a.cert_b64}; /* the second key signed */
    struct saml_assertion a;
    struct cu_err err = {0};
    json_t *aff;

    CHECK_OK(saml_response_parse(bytes_str(signed_xml), certs, 2, &a, &err));
    CHECK_STR(a.issuer, "https://idp.example.com");
    CHECK_STR(a.subject, "alice@example.com");
    CHECK_STR(a.subject_format, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
    CHECK_STR(a.recipient, "https://signin.aws.amazon.com/saml");
    CHECK_INT(a.issue_instant_s, NOW - 200);
    CHECK_INT(a.not_before_s, NOW - 300);
    CHECK_INT(a.not_on_or_after_s, NOW + 300);
    CHECK_INT(a.confirm_not_on_or_after_s, NOW + 300);
    CHECK_INT(a.session_not_on_or_after_s, NOW + 3600);
    CHECK_STR(saml_assertion_attr(&a, ROLE_ATTR), ROLE_VALUE);
    CHECK_STR(saml_assertion_attr(&a, "https://aws.amazon.com/SAML/Attributes/RoleSessionName"),
              "alice");
    aff = json_object_get(a.attributes, "urn:oid:1.3.6.1.4.1.5923.1.1.1.1");
    CHECK_INT(json_array_size(aff), 2);
    CHECK_STR(json_string_value(json_array_get(aff, 1)), "member");
    CHECK_OK(saml_assertion_check(&a, NOW, &err));
    saml_assertion_release(&a);
    free(xml);
    free(signed_xml);
}

static void test_signed_response_and_both_and_sha1(void)
{
    const char *ok = "urn:oasis:names:tc:SAML:2.0:status:Success";
    char *r = response(RESPONSE_SIG, "", ok, "");
    char *both = response(RESPONSE_SIG, ASSERTION_SIG, ok, "");
    char *sha1 = response("", SIG_TEMPLATE("#_a1", RSA_SHA1, SHA1), ok, "");
    char *s1 = sign_both(r, idp_a.key_pem), *s2 = sign_both(both, idp_a.key_pem);
    char *s3 = sign_both(sha1, idp_a.key_pem);
    struct saml_assertion a;
    struct cu_err err = {0};

    CHECK_OK(parse_with(s1, idp_a.cert_b64, &a, &err));
    CHECK_STR(a.subject, "alice@example.com");
    saml_assertion_release(&a);
    CHECK_OK(parse_with(s2, idp_a.cert_b64, &a, &err));
    saml_assertion_release(&a);
    CHECK_OK(parse_with(s3, idp_a.cert_b64, &a, &err));
    saml_assertion_release(&a);
    free(r), free(both), free(sha1), free(s1), free(s2), free(s3);
}

static void test_bad_signatures(void)
{
    const char *ok = "urn:oasis:names:tc:SAML:2.0:status:Success";
    char *unsigned_xml = response("", "", ok, "");
    char *xml = response("", ASSERTION_SIG, ok, "");
    char *signed_xml = sign_both(xml, idp_a.key_pem);
    char *tampered = replace(signed_xml, "alice@example.com", "admin@example.com");
    char *tampered_attr = replace(signed_xml, "role/Dev", "role/Adm");
    char *template_only = response("", ASSERTION_SIG, ok, "");
    /* a Response signature whose one reference names the Assertion, not the Response */
    char *elsewhere_xml = response(SIG_TEMPLATE("#_a1", RSA_SHA256, SHA256), "", ok, "");
    char *elsewhere = sign_both(elsewhere_xml, idp_a.key_pem);
    struct saml_assertion a;
    struct cu_err err = {0};

    CHECK_RC(parse_with(unsigned_xml, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_STR(err.msg, "Response signature invalid");
    CHECK(a.issuer == NULL && a.attributes == NULL);
    CHECK_RC(parse_with(signed_xml, idp_b.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_STR(err.msg, "Response signature invalid");
    CHECK_RC(parse_with(tampered, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with(tampered_attr, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with(template_only, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with(elsewhere, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(saml_response_parse(bytes_str(signed_xml), NULL, 0, &a, &err),
             CU_E_STS_INVALID_IDENTITY_TOKEN);
    free(unsigned_xml), free(xml), free(signed_xml), free(tampered), free(tampered_attr);
    free(template_only), free(elsewhere), free(elsewhere_xml);
}

/* The two classic wrappings of a signed assertion (XSW): the signed one moved into
 * samlp:Extensions and a forged one put where the reader looks, with or without the
 * signed one's ID and signature. */
static void test_signature_wrapping(void)
{
    const char *ok = "urn:oasis:names:tc:SAML:2.0:status:Success";
    char *xml = response("", ASSERTION_SIG, ok, "");
    char *signed_xml = sign_both(xml, idp_a.key_pem);
    const char *start = strstr(signed_xml, "<saml:Assertion");
    const char *end = strstr(signed_xml, "</saml:Assertion>") + strlen("</saml:Assertion>");
    char *original = strndup(start, (size_t)(end - start));
    char *forged = replace(original, "alice@example.com", "admin@example.com");
    char *forged_new_id = replace(forged, "ID=\"_a1\"", "ID=\"_evil\"");
    struct buf w1, w2;
    struct saml_assertion a;
    struct cu_err err = {0};

    buf_init(&w1, 1 << 20);
    buf_init(&w2, 1 << 20);
    /* forged (same ID, the copied signature) in place, the original in Extensions */
    if (buf_add(&w1, signed_xml, (size_t)(start - signed_xml)) != CU_OK ||
        buf_addstrs(&w1, "<samlp:Extensions>", original, "</samlp:Extensions>", forged, end,
                    NULL) != CU_OK)
        abort();
    /* forged under a new ID (its copied signature then names another element) */
    if (buf_add(&w2, signed_xml, (size_t)(start - signed_xml)) != CU_OK ||
        buf_addstrs(&w2, "<samlp:Extensions>", original, "</samlp:Extensions>", forged_new_id, end,
                    NULL) != CU_OK)
        abort();
    CHECK_RC(parse_with(w1.p, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with(w2.p, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    buf_release(&w1);
    buf_release(&w2);
    free(xml), free(signed_xml), free(original), free(forged), free(forged_new_id);
}

static void test_status_and_shape(void)
{
    char *xml = response(RESPONSE_SIG, "", "urn:oasis:names:tc:SAML:2.0:status:Responder", "");
    char *signed_xml = sign_both(xml, idp_a.key_pem);
    char *dtd = NULL;
    struct saml_assertion a;
    struct cu_err err = {0};
    struct buf b;

    CHECK_RC(parse_with(signed_xml, idp_a.cert_b64, &a, &err), CU_E_STS_IDP_REJECTED_CLAIM);
    buf_init(&b, 1 << 20);
    if (buf_addstrs(&b, "<!DOCTYPE r [<!ENTITY x \"alice\">]>", signed_xml, NULL) != CU_OK)
        abort();
    dtd = buf_take(&b, NULL);
    CHECK_RC(parse_with(dtd, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>",
                        idp_a.cert_b64, &a, &err),
             CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with("not xml", idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(saml_response_parse(bytes_of("", 0), NULL, 0, &a, &err),
             CU_E_STS_INVALID_IDENTITY_TOKEN);
    free(xml), free(signed_xml), free(dtd);
}

/* Every truncation of a good document is refused cleanly, and nothing is kept. */
static void test_truncations(void)
{
    char *xml = response("", ASSERTION_SIG, "urn:oasis:names:tc:SAML:2.0:status:Success", "");
    char *signed_xml = sign_both(xml, idp_a.key_pem);
    size_t n = strlen(signed_xml);
    const char *certs[] = {idp_a.cert_b64};
    struct saml_assertion a;
    struct cu_err err = {0};
    int refused = 0, total = 0;

    for (size_t len = 0; len < n; len += 13, total++)
        refused += saml_response_parse(bytes_of(signed_xml, len), certs, 1, &a, &err) ==
                       CU_E_STS_INVALID_IDENTITY_TOKEN &&
                   !a.issuer;
    CHECK_INT(refused, total);
    free(xml), free(signed_xml);
}

static void test_base64(void)
{
    char *xml = response("", ASSERTION_SIG, "urn:oasis:names:tc:SAML:2.0:status:Success", "");
    char *signed_xml = sign_both(xml, idp_a.key_pem);
    const char *certs[] = {idp_a.cert_b64};
    struct buf b64, wrapped;
    struct saml_assertion a;
    struct cu_err err = {0};
    char *big = calloc(1, SAML_RESPONSE_B64_MAX + 2);

    buf_init(&b64, 1 << 20);
    buf_init(&wrapped, 1 << 20);
    if (b64_encode(bytes_str(signed_xml), &b64) != CU_OK)
        abort();
    for (size_t i = 0; i < b64.n; i++)
        if (buf_addch(&wrapped, b64.p[i]) != CU_OK || (i % 76 == 75 && buf_addch(&wrapped, '\n')))
            abort();
    CHECK_OK(saml_response_decode(buf_bytes(&wrapped), certs, 1, &a, &err));
    CHECK_STR(a.subject, "alice@example.com");
    saml_assertion_release(&a);
    CHECK_RC(saml_response_decode(bytes_str("%%%not base64%%%"), certs, 1, &a, &err),
             CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_STR(err.msg, "Invalid SAML response");
    memset(big, 'A', SAML_RESPONSE_B64_MAX + 1);
    CHECK_RC(saml_response_decode(bytes_str(big), certs, 1, &a, &err),
             CU_E_STS_INVALID_IDENTITY_TOKEN);
    buf_release(&b64);
    buf_release(&wrapped);
    free(big), free(xml), free(signed_xml);
}

static void test_check(void)
{
    struct saml_assertion a = {0};
    struct cu_err err = {0};
    json_t *list = json_pack("[s, s]", "https://sp.example.com", "urn:amazon:webservices");

    a.not_before_s = NOW - 300;
    a.not_on_or_after_s = NOW + 300;
    a.confirm_not_on_or_after_s = NOW + 300;
    a.recipient = strdup("https://us-west-2.signin.aws.amazon.com/saml");
    a.audiences = json_pack("[o]", list);
    CHECK_OK(saml_assertion_check(&a, NOW, &err));
    CHECK_OK(saml_assertion_check(&a, NOW - 300, &err));
    CHECK_RC(saml_assertion_check(&a, NOW - 301, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(saml_assertion_check(&a, NOW + 300, &err), CU_E_STS_EXPIRED_TOKEN);
    CHECK_STR(err.msg, "Response has expired");
    /* issued more than five minutes ago, however long the assertion says it lasts */
    a.issue_instant_s = NOW - 301;
    CHECK_RC(saml_assertion_check(&a, NOW, &err), CU_E_STS_EXPIRED_TOKEN);
    CHECK_STR(err.msg, "Token must be redeemed within 5 minutes of issuance");
    a.issue_instant_s = NOW - 300;
    CHECK_OK(saml_assertion_check(&a, NOW, &err));
    a.not_on_or_after_s = 0;
    CHECK_RC(saml_assertion_check(&a, NOW + 300, &err), CU_E_STS_EXPIRED_TOKEN);
    a.confirm_not_on_or_after_s = 0;
    CHECK_RC(saml_assertion_check(&a, NOW, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    a.confirm_not_on_or_after_s = NOW + 300;
    /* a second restriction that names no AWS audience */
    json_array_append_new(a.audiences, json_pack("[s]", "https://sp.example.com"));
    CHECK_RC(saml_assertion_check(&a, NOW, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_STR(err.msg, "Invalid audience");
    json_array_remove(a.audiences, 1);
    free(a.recipient);
    a.recipient = strdup("urn:amazon:webservices");
    CHECK_RC(saml_assertion_check(&a, NOW, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK(saml_audience_accepted("https://signin.aws.amazon.com/saml"));
    CHECK(saml_audience_accepted("https://eu-central-1.signin.aws.amazon.com/saml"));
    CHECK(!saml_audience_accepted("https://evil.com/.signin.aws.amazon.com/saml"));
    CHECK(!saml_audience_accepted("https://.signin.aws.amazon.com/saml"));
    CHECK(!saml_audience_accepted("urn:amazon:webservices:evil"));
    saml_assertion_release(&a);
}

/* xml with the element `name` (an Assertion, or what a forger puts in its place) encrypted
 * to the certificate cert_b64 (AES-256-CBC, key wrapped with RSA-OAEP) inside a
 * saml:EncryptedAssertion, as an IdP encrypts for AWS. A new string. */
static char *encrypt_to(const char *xml, const char *name, const char *cert_b64)
{
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    xmlNode *target = doc ? find(xmlDocGetRootElement(doc)->children, name) : NULL;
    xmlNode *tmpl, *key_info, *enc_key, *wrapper;
    xmlSecKeysMngrPtr mngr = xmlSecKeysMngrCreate();
    xmlSecEncCtxPtr ctx;
    xmlSecKeyPtr cert;
    struct buf der;
    xmlChar *outp = NULL;
    int outn = 0;
    char *out;

    buf_init(&der, 1 << 16);
    if (!target || !mngr || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0 ||
        b64_decode(bytes_str(cert_b64), &der) != CU_OK)
        abort();
    cert = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)der.p, (xmlSecSize)der.n,
                                        xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
    if (!cert || xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, cert) < 0)
        abort();
    tmpl = xmlSecTmplEncDataCreate(doc, xmlSecTransformAes256CbcId, NULL, xmlSecTypeEncElement,
                                   NULL, NULL);
    key_info = tmpl ? xmlSecTmplEncDataEnsureKeyInfo(tmpl, NULL) : NULL;
    enc_key = key_info ? xmlSecTmplKeyInfoAddEncryptedKey(key_info, xmlSecTransformRsaOaepId,
                                                          NULL, NULL, NULL) : NULL;
    if (!enc_key || !xmlSecTmplEncDataEnsureCipherValue(tmpl) ||
        !xmlSecTmplEncDataEnsureCipherValue(enc_key))
        abort();
    ctx = xmlSecEncCtxCreate(mngr);
    ctx->encKey = xmlSecKeyGenerate(xmlSecKeyDataAesId, 256, xmlSecKeyDataTypeSession);
    if (!ctx->encKey || xmlSecEncCtxXmlEncrypt(ctx, tmpl, target) < 0)
        abort();
    wrapper = xmlNewNode(NULL, (const xmlChar *)"EncryptedAssertion");
    xmlSetNs(wrapper, xmlNewNs(wrapper, (const xmlChar *)"urn:oasis:names:tc:SAML:2.0:assertion",
                               (const xmlChar *)"saml"));
    xmlReplaceNode(tmpl, wrapper);
    xmlAddChild(wrapper, tmpl);
    xmlDocDumpMemory(doc, &outp, &outn);
    out = strndup((const char *)outp, (size_t)outn);
    xmlFree(outp);
    xmlSecEncCtxDestroy(ctx);
    xmlSecKeysMngrDestroy(mngr);
    xmlFreeDoc(doc);
    buf_release(&der);
    return out;
}

static cu_rc parse_encrypted(const char *xml, const char *const *pems, size_t n, bool required,
                             struct saml_assertion *a, struct cu_err *err)
{
    const char *certs[] = {idp_a.cert_b64};
    struct bytes keys[2];
    struct saml_private_keys k = {keys, n, required};

    for (size_t i = 0; i < n; i++)
        keys[i] = bytes_str(pems[i]);
    return saml_response_parse_keys(bytes_str(xml), certs, 1, &k, a, err);
}

static void test_encrypted_assertion(void)
{
    char *plain = response("", ASSERTION_SIG, "urn:oasis:names:tc:SAML:2.0:status:Success", "");
    char *signed_xml = sign_both(plain, idp_a.key_pem);
    char *enc = encrypt_to(signed_xml, "Assertion", idp_b.cert_b64);
    const char *sp_key[] = {idp_b.key_pem}, *both[] = {idp_a.key_pem, idp_b.key_pem};
    const char *wrong[] = {idp_a.key_pem};
    struct saml_assertion a;
    struct cu_err err = {0};

    CHECK(strstr(enc, "EncryptedAssertion") && !strstr(enc, "alice@example.com"));
    CHECK_OK(parse_encrypted(enc, sp_key, 1, true, &a, &err));
    CHECK_STR(a.subject, "alice@example.com");
    CHECK_STR(saml_assertion_attr(&a, ROLE_ATTR), ROLE_VALUE);
    saml_assertion_release(&a);
    /* the second of two keys: each is tried */
    CHECK_OK(parse_encrypted(enc, both, 2, false, &a, &err));
    saml_assertion_release(&a);
    /* another key, no key, no keys at all (saml_response_parse) */
    CHECK_RC(parse_encrypted(enc, wrong, 1, true, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_STR(err.msg, "Invalid SAML response");
    CHECK_RC(parse_encrypted(enc, NULL, 0, false, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_RC(parse_with(enc, idp_a.cert_b64, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    /* plain when encryption is required; plain is fine when it is only allowed */
    CHECK_RC(parse_encrypted(signed_xml, sp_key, 1, true, &a, &err),
             CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_OK(parse_encrypted(signed_xml, sp_key, 1, false, &a, &err));
    saml_assertion_release(&a);
    /* the Response signed after the Assertion was encrypted: its signature covers the
     * ciphertext, checked before decrypting */
    {
        char *resp = response(RESPONSE_SIG, "", "urn:oasis:names:tc:SAML:2.0:status:Success", "");
        char *e = encrypt_to(resp, "Assertion", idp_b.cert_b64);
        char *s2 = sign_both(e, idp_a.key_pem);
        char *t;
        CHECK_OK(parse_encrypted(s2, sp_key, 1, true, &a, &err));
        saml_assertion_release(&a);
        /* and a change to the ciphertext breaks that signature */
        t = replace(s2, "<CipherValue>", "<CipherValue>AAAA");
        CHECK_RC(parse_encrypted(t, sp_key, 1, true, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
        free(t), free(s2), free(e), free(resp);
    }
    free(enc), free(signed_xml), free(plain);
}

static void test_encrypted_refusals(void)
{
    char *plain = response("", ASSERTION_SIG, "urn:oasis:names:tc:SAML:2.0:status:Success", "");
    char *unsigned_xml = response("", "", "urn:oasis:names:tc:SAML:2.0:status:Success", "");
    char *signed_xml = sign_both(plain, idp_a.key_pem);
    const char *sp_key[] = {idp_b.key_pem};
    struct saml_assertion a;
    struct cu_err err = {0};
    char *enc, *t, *u;

    /* decrypting proves nothing: an unsigned assertion that decrypts is refused */
    enc = encrypt_to(unsigned_xml, "Assertion", idp_b.cert_b64);
    CHECK_RC(parse_encrypted(enc, sp_key, 1, true, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    CHECK_STR(err.msg, "Response signature invalid");
    free(enc);
    /* tampered ciphertext: the last CipherValue (the data) with its first bytes changed */
    enc = encrypt_to(signed_xml, "Assertion", idp_b.cert_b64);
    t = strstr(enc, "</EncryptedKey>");
    CHECK(t != NULL);
    t = strstr(t, "<CipherValue>") + strlen("<CipherValue>");
    t[0] = t[0] == 'A' ? 'B' : 'A', t[1] = t[1] == 'A' ? 'B' : 'A';
    CHECK_RC(parse_encrypted(enc, sp_key, 1, true, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    free(enc);
    /* what decrypts is not an Assertion (the Response's Status, encrypted; the plain
     * Assertion renamed so that only the encrypted element counts) */
    enc = encrypt_to(signed_xml, "Status", idp_b.cert_b64);
    u = replace(enc, "<saml:Assertion", "<saml:Other");
    CHECK_RC(parse_encrypted(u, sp_key, 1, false, &a, &err), CU_E_STS_INVALID_IDENTITY_TOKEN);
    free(u), free(enc);
    /* the ciphertext behind a URI (the data's CipherValue made a CipherReference): never
     * fetched, so nothing decrypts */
    enc = encrypt_to(signed_xml, "Assertion", idp_b.cert_b64);
    t = strstr(strstr(enc, "</EncryptedKey>"), "<CipherValue>");
    u = strstr(t, "</CipherValue>") + strlen("</CipherValue>");
    {
        struct buf whole;
        buf_init(&whole, 1 << 20);
        CHECK_OK(buf_add(&whole, enc, (size_t)(t - enc)));
        CHECK_OK(buf_addstr(&whole, "<CipherReference URI=\"file:///etc/hostname\"/>"));
        CHECK_OK(buf_addstr(&whole, u));
        CHECK_RC(parse_encrypted(whole.p, sp_key, 1, true, &a, &err),
                 CU_E_STS_INVALID_IDENTITY_TOKEN);
        buf_release(&whole);
    }
    free(enc);
    /* truncated anywhere: refused, never a crash */
    enc = encrypt_to(signed_xml, "Assertion", idp_b.cert_b64);
    for (size_t n = 0; n < strlen(enc); n += 397) { /* coarse: valgrind runs this too */
        char *cut = strndup(enc, n);
        CHECK(parse_encrypted(cut, sp_key, 1, true, &a, &err) != CU_OK);
        free(cut);
    }
    free(enc), free(signed_xml), free(unsigned_xml), free(plain);
}

int main(void)
{
    if (saml_response_init() != CU_OK)
        abort();
    idp_a = make_idp("idp-a", "rsa2048-a");
    idp_b = make_idp("idp-b", "rsa2048-b");
    test_signed_assertion();
    test_signed_response_and_both_and_sha1();
    test_bad_signatures();
    test_signature_wrapping();
    test_status_and_shape();
    test_truncations();
    test_base64();
    test_check();
    test_encrypted_assertion();
    test_encrypted_refusals();
    free(idp_a.key_pem), free(idp_a.cert_b64), free(idp_b.key_pem), free(idp_b.cert_b64);
    TEST_END();
}
