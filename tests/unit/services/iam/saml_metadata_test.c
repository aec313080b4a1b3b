/* Tests for services/iam/saml_metadata.c: a realistic IdP document (certificates made
 * here with OpenSSL) gives its entityID, validUntil and signing certificates, skipping
 * encryption-only keys; refused are malformed XML, every truncation, trailing garbage,
 * DTDs (entity expansion, external entities), other roots and namespaces, SP-only metadata,
 * a descriptor without SAML 2.0, a missing or over-long entityID, a bad validUntil,
 * certificates that are no base64 or no X.509 (or have bytes after the DER), too many
 * certificates, none at all, and documents past the size limit. */
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check.h"
#include "core/buf.h"
#include "core/codec.h"
#include "services/iam/saml_metadata.h"

#define MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define DS "http://www.w3.org/2000/09/xmldsig#"

/* base64 of the DER of a fresh self-signed P-256 certificate for cn. */
static char *make_cert(const char *cn)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_get_subject_name(x);
    unsigned char *der = NULL;
    struct buf b64;
    int n;

    buf_init(&b64, 1 << 16);
    if (!key || !x)
        abort();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (!X509_sign(x, key, EVP_sha256()))
        abort();
    n = i2d_X509(x, &der);
    if (n <= 0 || b64_encode(bytes_of(der, (size_t)n), &b64) != CU_OK)
        abort();
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(key);
    return buf_take(&b64, NULL);
}

static char *cert_a, *cert_b;

/* A document: root attributes `attrs`, the role element `role` with its protocols, and
 * `keys` (KeyDescriptor elements) inside it. */
static char *doc(const char *attrs, const char *role, const char *protocols, const char *keys)
{
    struct buf b;

    buf_init(&b, 1 << 24);
    if (buf_addf(&b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntityDescriptor xmlns:md=\"" MD
                 "\" %s>\n <md:%s protocolSupportEnumeration=\"%s\">\n%s"
                 "  <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:"
                 "HTTP-Redirect\" Location=\"https://idp.example.com/sso\"/>\n </md:%s>\n"
                 "</md:EntityDescriptor>\n",
                 attrs, role, protocols, keys, role) != CU_OK)
        abort();
    return buf_take(&b, NULL);
}

static char *key(const char *use, const char *cert)
{
    struct buf b;

    buf_init(&b, 1 << 20);
    if (buf_addf(&b,
                 "  <md:KeyDescriptor%s%s%s><ds:KeyInfo xmlns:ds=\"" DS "\"><ds:X509Data>"
                 "<ds:X509Certificate>\n  %s\n  </ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
                 "</md:KeyDescriptor>\n",
                 use ? " use=\"" : "", use ? use : "", use ? "\"" : "", cert) != CU_OK)
        abort();
    return buf_take(&b, NULL);
}

#define IDP "IDPSSODescriptor"
#define P2 "urn:oasis:names:tc:SAML:2.0:protocol"
#define ID "entityID=\"https://idp.example.com/saml\""

static cu_rc parse_str(const char *text, struct saml_metadata *md)
{
    struct cu_err err = {0};

    return saml_metadata_parse(bytes_str(text), md, &err);
}

static void refused(const char *text)
{
    struct saml_metadata md;

    CHECK_RC(parse_str(text, &md), CU_E_MALFORMED_INPUT);
    CHECK(md.entity_id == NULL && md.n_certs == 0);
}

static void good_document(void)
{
    char *ka = key("signing", cert_a), *kb = key(NULL, cert_b), *ke = key("encryption", cert_a);
    struct buf keys;
    char *d;
    struct saml_metadata md;

    buf_init(&keys, 1 << 20);
    CHECK_OK(buf_addstrs(&keys, ka, ke, kb, (char *)NULL));
    d = doc(ID " validUntil=\"2031-02-03T04:05:06.789Z\"", IDP,
            "urn:oasis:names:tc:SAML:1.1:protocol " P2, keys.p);
    CHECK_OK(parse_str(d, &md));
    CHECK_STR(md.entity_id, "https://idp.example.com/saml");
    CHECK_INT(md.valid_until_ms, 1927857906000LL);
    CHECK_INT(md.n_certs, 2); /* the encryption-only key is not a signing key */
    CHECK_STR(md.certs[0], cert_a);
    CHECK_STR(md.certs[1], cert_b);
    saml_metadata_release(&md);
    CHECK(md.entity_id == NULL);
    saml_metadata_release(&md); /* twice is harmless */
    free(d);
    d = doc(ID, IDP, P2, ka);
    CHECK_OK(parse_str(d, &md));
    CHECK_INT(md.valid_until_ms, 0);
    CHECK_INT(md.n_certs, 1);
    saml_metadata_release(&md);
    /* every truncation is refused, never a crash or a partial result */
    for (size_t n = 0; n < strlen(d) - 2; n += 7) {
        struct cu_err err = {0};

        CHECK_RC(saml_metadata_parse(bytes_of(d, n), &md, &err), CU_E_MALFORMED_INPUT);
    }
    free(d);
    buf_release(&keys);
    free(ka);
    free(kb);
    free(ke);
}

static void bad_documents(void)
{
    char *ka = key("signing", cert_a), *d;
    struct buf many, b;

    refused("");
    refused("not xml");
    refused("<md:EntityDescriptor xmlns:md=\"" MD "\" " ID ">");
    d = doc(ID, IDP, P2, ka);
    buf_init(&b, 1 << 20);
    CHECK_OK(buf_addstrs(&b, d, "<trailing/>", (char *)NULL));
    refused(b.p);
    buf_reset(&b);
    /* a DTD: entity expansion and external entities never get a chance */
    CHECK_OK(buf_addstrs(&b, "<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>",
                         strchr(d, '\n') + 1, (char *)NULL));
    refused(b.p);
    buf_reset(&b);
    CHECK_OK(buf_addstrs(&b, "<!DOCTYPE x SYSTEM \"http://127.0.0.1:1/x.dtd\">",
                         strchr(d, '\n') + 1, (char *)NULL));
    refused(b.p);
    free(d);
    refused("<x:EntityDescriptor xmlns:x=\"urn:example\" " ID "/>");
    refused("<EntityDescriptor " ID "/>");
    d = doc(ID, "SPSSODescriptor", P2, ka);
    refused(d);
    free(d);
    d = doc(ID, IDP, "urn:oasis:names:tc:SAML:1.1:protocol", ka);
    refused(d);
    free(d);
    d = doc(ID, IDP, P2 "x", ka);
    refused(d);
    free(d);
    d = doc("", IDP, P2, ka);
    refused(d);
    free(d);
    d = doc("entityID=\"\"", IDP, P2, ka);
    refused(d);
    free(d);
    buf_reset(&b);
    CHECK_OK(buf_addstr(&b, "entityID=\""));
    for (int i = 0; i < SAML_METADATA_ENTITY_ID_MAX; i++)
        CHECK_OK(buf_addch(&b, 'e'));
    CHECK_OK(buf_addstr(&b, "e\""));
    d = doc(b.p, IDP, P2, ka);
    refused(d);
    free(d);
    d = doc(ID " validUntil=\"tomorrow\"", IDP, P2, ka);
    refused(d);
    free(d);
    d = doc(ID, IDP, P2, "");
    refused(d);
    free(d);
    free(ka);
    ka = key("encryption", cert_a);
    d = doc(ID, IDP, P2, ka);
    refused(d);
    free(d);
    free(ka);
    ka = key("signing", "!!!not base64!!!");
    d = doc(ID, IDP, P2, ka);
    refused(d);
    free(d);
    free(ka);
    ka = key("signing", "QUJDRA=="); /* base64 of "ABCD": no certificate */
    d = doc(ID, IDP, P2, ka);
    refused(d);
    free(d);
    free(ka);
    /* the DER of cert_a with bytes after it */
    {
        struct buf der, text;

        buf_init(&der, 1 << 16);
        buf_init(&text, 1 << 16);
        CHECK_OK(b64_decode(bytes_str(cert_a), &der));
        CHECK_OK(buf_add(&der, "ABC", 3));
        CHECK_OK(b64_encode(buf_bytes(&der), &text));
        ka = key("signing", text.p);
        d = doc(ID, IDP, P2, ka);
        refused(d);
        free(d);
        free(ka);
        buf_release(&der);
        buf_release(&text);
    }
    /* nine signing certificates: more than kept */
    buf_init(&many, 1 << 20);
    ka = key("signing", cert_a);
    for (int i = 0; i < SAML_METADATA_CERTS_MAX + 1; i++)
        CHECK_OK(buf_addstr(&many, ka));
    d = doc(ID, IDP, P2, many.p);
    refused(d);
    free(d);
    buf_release(&many);
    free(ka);
    buf_release(&b);
}

static void sizes(void)
{
    struct saml_metadata md;
    struct cu_err err = {0};
    static const char tiny[] = "<a/>";

    CHECK_RC(saml_metadata_parse((struct bytes){NULL, 0}, &md, &err), CU_E_MALFORMED_INPUT);
    /* a view past the limit is refused before any byte is read */
    CHECK_RC(saml_metadata_parse(bytes_of(tiny, (size_t)SAML_METADATA_MAX + 1), &md, &err),
             CU_E_MALFORMED_INPUT);
}

int main(void)
{
    cert_a = make_cert("a.idp.example.com");
    cert_b = make_cert("b.idp.example.com");
    good_document();
    bad_documents();
    sizes();
    free(cert_a);
    free(cert_b);
    TEST_END();
}
