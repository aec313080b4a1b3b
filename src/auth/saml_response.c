/* saml_response.c — the SAML 2.0 Response of AssumeRoleWithSAML, verified and read
 * (saml_response.h). The document is untrusted and unauthenticated until its signature
 * verifies, so the order is fixed: bounded size, no DTD (no entities, no external
 * subset), libxml2 without network; then the shape (one Response, one Assertion); then
 * each ds:Signature on the Response or the Assertion, verified by xmlsec with a key taken
 * only from the provider's metadata (never from the document's KeyInfo), only same-document
 * references and only the c14n, enveloped, RSA-SHA1/SHA256 and digest transforms; and only
 * then the facts, read from the very element the signature covers.
 *
 * Signature wrapping (moving a signed element and adding a forged one) is closed by
 * identity, not by position: the one Reference of a signature must be "#<ID>" of the
 * signature's parent, that ID is registered for that attribute alone and no other element
 * of the document may carry the same value, so what xmlsec digests is what is read here. */
#include "saml_decrypt.h"
#include "saml_response.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlerror.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/codec.h"

#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define METHOD_BEARER "urn:oasis:names:tc:SAML:2.0:cm:bearer"
/* a certificate's DER, as the metadata parser bounds its base64 */
#define CERT_DER_MAX 16384

static const char invalid_response[] = "Invalid SAML response";
static const char bad_signature[] = "Response signature invalid";

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static cu_rc init_rc = CU_E_INTERNAL;

/* xmlsec writes its errors to stderr by default: the reason a forged document fails is
 * nobody's business but the parse's own answer. */
static void quiet(const char *file, int line, const char *func, const char *object,
                  const char *subject, int reason, const char *msg)
{
    (void)file, (void)line, (void)func, (void)object, (void)subject, (void)reason, (void)msg;
}

/* libxml2's own reports (xmlsec parses a decrypted assertion in its place, saml_decrypt.c)
 * would print pieces of the document to stderr: silenced like xmlsec's. */
static void quiet_xml(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static void init_libraries(void)
{
    xmlInitParser();
    xmlThrDefSetGenericErrorFunc(NULL, quiet_xml);
    xmlSetGenericErrorFunc(NULL, quiet_xml);
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
        xmlSecCryptoInit() < 0)
        return;
    xmlSecErrorsSetCallback(quiet);
    init_rc = CU_OK;
}

cu_rc saml_response_init(void)
{
    pthread_once(&init_once, init_libraries);
    return init_rc;
}

static bool is_el(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *ns, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, ns, name))
            return c;
    return NULL;
}

static size_t count_children(const xmlNode *n, const char *ns, const char *name)
{
    size_t k = 0;

    for (const xmlNode *c = n->children; c; c = c->next)
        k += is_el(c, ns, name);
    return k;
}

/* A DOCTYPE anywhere is refused before libxml2 sees the bytes (no entity expansion). */
static bool has_doctype(struct bytes in)
{
    static const char mark[] = "<!DOCTYPE";
    const size_t m = sizeof(mark) - 1;

    for (size_t i = 0; i + m <= in.n; i++)
        if (in.p[i] == '<' && memcmp(in.p + i, mark, m) == 0)
            return true;
    return false;
}

/* The text of n (all its text, comments left out, as exclusive c14n digests it), owned,
 * or NULL when n is absent, empty or longer than SAML_VALUE_MAX. */
static char *text_of(const xmlNode *n)
{
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    char *s = NULL;

    if (t && t[0] && strlen((const char *)t) <= SAML_VALUE_MAX)
        s = strdup((const char *)t);
    xmlFree(t);
    return s;
}

static char *prop_of(const xmlNode *n, const char *name)
{
    xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
    char *s = NULL;

    if (v && strlen((const char *)v) <= SAML_VALUE_MAX)
        s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

/* An optional xs:dateTime attribute into *out (0 when absent); false when malformed. */
static bool time_prop(const xmlNode *n, const char *name, int64_t *out)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    bool ok = true;

    *out = 0;
    if (v)
        ok =
            clock_parse_iso8601((const char *)v, strlen((const char *)v), out) == CU_OK && *out > 0;
    xmlFree(v);
    return ok;
}

/* How many elements under n carry an ID (or xml:id) attribute equal to id. */
static size_t id_count(const xmlNode *n, const char *id)
{
    size_t k = 0;

    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        for (const xmlAttr *a = c->properties; a; a = a->next) {
            xmlChar *v;
            bool named = strcmp((const char *)a->name, "ID") == 0 ||
                         strcmp((const char *)a->name, "id") == 0 ||
                         strcmp((const char *)a->name, "Id") == 0;
            if (!named)
                continue;
            v = xmlNodeListGetString(c->doc, a->children, 1);
            k += v && strcmp((const char *)v, id) == 0;
            xmlFree(v);
        }
        k += id_count(c->children, id);
    }
    return k;
}

/* Register the ID attribute of el as the document's one element of that ID, so that the
 * reference "#<ID>" resolves to el and nothing else; its value into id (owned). */
static cu_rc register_id(xmlDoc *doc, xmlNode *el, xmlChar **id, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlAttr *attr = xmlHasNsProp(el, (const xmlChar *)"ID", NULL);

    *id = attr ? xmlNodeListGetString(doc, attr->children, 1) : NULL;
    ENSURE(*id && (*id)[0] && strlen((const char *)*id) <= SAML_VALUE_MAX,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    ENSURE(id_count(xmlDocGetRootElement(doc), (const char *)*id) == 1,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", bad_signature));
    if (!xmlGetID(doc, *id))
        ENSURE(xmlAddID(NULL, doc, *id, attr), CU_E_NOMEM);
    ENSURE(xmlGetID(doc, *id) == attr,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", bad_signature));
out:
    return rc;
}

/* Only these algorithms: canonicalisation, the enveloped transform, the two digests and
 * the two RSA signatures. Anything else (XSLT, XPath, HMAC, a retrieval) fails the
 * signature. RSA-SHA1 stays accepted as IdPs still sign with it and AWS has not published
 * a refusal (unverified). */
static cu_rc restrict_transforms(xmlSecDSigCtxPtr ctx)
{
    xmlSecTransformId sig[] = {xmlSecTransformExclC14NId,  xmlSecTransformExclC14NWithCommentsId,
                               xmlSecTransformInclC14NId,  xmlSecTransformInclC14NWithCommentsId,
                               xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha1Id};
    xmlSecTransformId ref[] = {xmlSecTransformExclC14NId,  xmlSecTransformExclC14NWithCommentsId,
                               xmlSecTransformInclC14NId,  xmlSecTransformInclC14NWithCommentsId,
                               xmlSecTransformEnvelopedId, xmlSecTransformSha256Id,
                               xmlSecTransformSha1Id};

    for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
        if (xmlSecDSigCtxEnableSignatureTransform(ctx, sig[i]) < 0)
            return CU_E_INTERNAL;
    for (size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++)
        if (xmlSecDSigCtxEnableReferenceTransform(ctx, ref[i]) < 0)
            return CU_E_INTERNAL;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    return CU_OK;
}

/* Whether sig verifies with the key of one certificate (base64 DER) and its one
 * Reference is "#<id>". */
static bool verify_with(xmlNode *sig, const char *cert, const xmlChar *id)
{
    struct buf der;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlSecDSigReferenceCtxPtr ref;
    bool ok = false;

    buf_init(&der, CERT_DER_MAX);
    if (b64_decode(bytes_str(cert), &der) != CU_OK)
        goto out;
    ctx = xmlSecDSigCtxCreate(NULL);
    if (!ctx || restrict_transforms(ctx) != CU_OK)
        goto out;
    /* the key is the metadata's, set before verifying: xmlsec then looks at no KeyInfo */
    ctx->signKey = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)der.p, (xmlSecSize)der.n,
                                                xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
    if (!ctx->signKey || xmlSecDSigCtxVerify(ctx, sig) < 0 ||
        ctx->status != xmlSecDSigStatusSucceeded ||
        xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
        goto out;
    ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
    ok = ref && ref->status == xmlSecDSigStatusSucceeded && ref->uri && ref->uri[0] == '#' &&
         strcmp((const char *)ref->uri + 1, (const char *)id) == 0;
out:
    if (ctx)
        xmlSecDSigCtxDestroy(ctx);
    buf_release(&der);
    return ok;
}

/* The ds:Signature child of el, if any, must verify for el under one of the certs.
 * *signed_out tells whether el had one. */
static cu_rc verify_element(xmlDoc *doc, xmlNode *el, const char *const *certs, size_t n_certs,
                            bool *signed_out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlNode *sig = (xmlNode *)child(el, NS_DS, "Signature");
    xmlChar *id = NULL;
    bool ok = false;

    *signed_out = sig != NULL;
    if (!sig)
        goto out;
    ENSURE(count_children(el, NS_DS, "Signature") == 1,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", bad_signature));
    TRY(register_id(doc, el, &id, err));
    for (size_t i = 0; i < n_certs && !ok; i++)
        ok = verify_with(sig, certs[i], id);
    ENSURE(ok, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", bad_signature));
out:
    xmlFree(id);
    return rc;
}

/* Subject: NameID (+Format) and the bearer SubjectConfirmation's data. */
static cu_rc read_subject(const xmlNode *assertion, struct saml_assertion *a, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const xmlNode *subject = child(assertion, NS_SAML, "Subject");
    const xmlNode *name_id = child(subject, NS_SAML, "NameID"), *data = NULL;

    a->subject = text_of(name_id);
    ENSURE(a->subject, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    if (xmlHasNsProp(name_id, (const xmlChar *)"Format", NULL)) {
        a->subject_format = prop_of(name_id, "Format");
        ENSURE(a->subject_format,
               cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    }
    for (const xmlNode *c = subject->children; c && !data; c = c->next) {
        char *method;
        if (!is_el(c, NS_SAML, "SubjectConfirmation"))
            continue;
        method = prop_of(c, "Method");
        if (method && strcmp(method, METHOD_BEARER) == 0)
            data = child(c, NS_SAML, "SubjectConfirmationData");
        free(method);
    }
    ENSURE(data, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    a->recipient = prop_of(data, "Recipient");
    ENSURE(time_prop(data, "NotOnOrAfter", &a->confirm_not_on_or_after_s),
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
out:
    return rc;
}

/* Conditions: the validity window and each AudienceRestriction's audiences. */
static cu_rc read_conditions(const xmlNode *assertion, struct saml_assertion *a, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const xmlNode *cond = child(assertion, NS_SAML, "Conditions");
    json_t *list = NULL;

    a->audiences = json_array();
    ENSURE(a->audiences, CU_E_NOMEM);
    if (!cond)
        goto out;
    ENSURE(time_prop(cond, "NotBefore", &a->not_before_s) &&
               time_prop(cond, "NotOnOrAfter", &a->not_on_or_after_s),
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    for (const xmlNode *r = cond->children; r; r = r->next) {
        if (!is_el(r, NS_SAML, "AudienceRestriction"))
            continue;
        list = json_array();
        ENSURE(list, CU_E_NOMEM);
        for (const xmlNode *aud = r->children; aud; aud = aud->next) {
            char *s;
            if (!is_el(aud, NS_SAML, "Audience"))
                continue;
            s = text_of(aud);
            ENSURE(s, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
            rc = json_array_append_new(list, json_string(s)) == 0 ? CU_OK : CU_E_NOMEM;
            free(s);
            TRY(rc);
        }
        ENSURE(json_array_append_new(a->audiences, list) == 0, CU_E_NOMEM);
        list = NULL;
    }
out:
    json_decref(list);
    return rc;
}

/* Every AttributeStatement's Attributes: Name -> values, at most SAML_VALUES_MAX in all. */
static cu_rc read_attributes(const xmlNode *assertion, struct saml_assertion *a, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    size_t total = 0;
    char *name = NULL, *value = NULL;

    a->attributes = json_object();
    ENSURE(a->attributes, CU_E_NOMEM);
    for (const xmlNode *st = assertion->children; st; st = st->next) {
        if (!is_el(st, NS_SAML, "AttributeStatement"))
            continue;
        for (const xmlNode *at = st->children; at; at = at->next) {
            json_t *values;
            if (!is_el(at, NS_SAML, "Attribute"))
                continue;
            name = prop_of(at, "Name");
            ENSURE(name && name[0],
                   cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
            values = json_object_get(a->attributes, name);
            if (!values) {
                values = json_array();
                ENSURE(values && json_object_set_new(a->attributes, name, values) == 0, CU_E_NOMEM);
            }
            for (const xmlNode *v = at->children; v; v = v->next) {
                if (!is_el(v, NS_SAML, "AttributeValue"))
                    continue;
                ENSURE(++total <= SAML_VALUES_MAX,
                       cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
                value = text_of(v);
                if (value)
                    ENSURE(json_array_append_new(values, json_string(value)) == 0, CU_E_NOMEM);
                free(value);
                value = NULL;
            }
            free(name);
            name = NULL;
        }
    }
out:
    free(name);
    free(value);
    return rc;
}

/* The assertion's facts, once its signature (or its Response's) has verified. */
static cu_rc read_assertion(const xmlNode *assertion, struct saml_assertion *a, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const xmlNode *authn = child(assertion, NS_SAML, "AuthnStatement");

    a->issuer = text_of(child(assertion, NS_SAML, "Issuer"));
    ENSURE(a->issuer, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    ENSURE(time_prop(assertion, "IssueInstant", &a->issue_instant_s) && a->issue_instant_s,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    TRY(read_subject(assertion, a, err));
    TRY(read_conditions(assertion, a, err));
    if (authn)
        ENSURE(time_prop(authn, "SessionNotOnOrAfter", &a->session_not_on_or_after_s),
               cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    TRY(read_attributes(assertion, a, err));
out:
    return rc;
}

/* The Response's Status must be Success: anything else is the IdP saying no. */
static cu_rc check_status(const xmlNode *response, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const xmlNode *code = child(child(response, NS_SAMLP, "Status"), NS_SAMLP, "StatusCode");
    char *value = prop_of(code, "Value");

    ENSURE(value && strcmp(value, STATUS_SUCCESS) == 0,
           cu_err_set(err, CU_E_STS_IDP_REJECTED_CLAIM,
                      "The identity provider did not report a successful authentication."));
out:
    free(value);
    return rc;
}

cu_rc saml_response_parse_keys(struct bytes xml, const char *const *certs, size_t n_certs,
                               const struct saml_private_keys *keys,
                               struct saml_assertion *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlDoc *doc = NULL;
    xmlNode *root, *assertion;
    bool response_signed = false, assertion_signed = false;
    size_t plain, sealed;

    memset(out, 0, sizeof(*out));
    TRY(saml_response_init());
    ENSURE(xml.p && xml.n > 0 && xml.n <= SAML_RESPONSE_XML_MAX && !has_doctype(xml),
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    doc = xmlReadMemory((const char *)xml.p, (int)xml.n, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ENSURE(doc && !doc->intSubset && !doc->extSubset,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    root = xmlDocGetRootElement(doc);
    plain = count_children(root, NS_SAML, "Assertion");
    sealed = count_children(root, NS_SAML, "EncryptedAssertion");
    ENSURE(is_el(root, NS_SAMLP, "Response") && plain + sealed == 1,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    /* a provider whose AssertionEncryptionMode is Required takes encrypted ones only */
    ENSURE(!sealed || (keys && keys->n), cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN,
                                                   "%s", invalid_response));
    ENSURE(sealed || !keys || !keys->required,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    /* the Response's signature covers what was sent, the EncryptedAssertion included, so
     * it is checked before decrypting (saml_decrypt.c); the Assertion's after */
    TRY(verify_element(doc, root, certs, n_certs, &response_signed, err));
    if (sealed)
        TRY(saml_decrypt_assertion(doc, (xmlNode *)child(root, NS_SAML, "EncryptedAssertion"),
                                   keys, invalid_response, &assertion, err));
    else
        assertion = (xmlNode *)child(root, NS_SAML, "Assertion");
    TRY(verify_element(doc, assertion, certs, n_certs, &assertion_signed, err));
    ENSURE(response_signed || assertion_signed,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", bad_signature));
    TRY(check_status(root, err));
    TRY(read_assertion(assertion, out, err));
out:
    xmlFreeDoc(doc);
    if (rc != CU_OK)
        saml_assertion_release(out);
    return rc;
}

cu_rc saml_response_parse(struct bytes xml, const char *const *certs, size_t n_certs,
                          struct saml_assertion *out, struct cu_err *err)
{
    return saml_response_parse_keys(xml, certs, n_certs, NULL, out, err);
}

cu_rc saml_response_decode_keys(struct bytes b64, const char *const *certs, size_t n_certs,
                                const struct saml_private_keys *keys,
                                struct saml_assertion *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf packed, xml;

    memset(out, 0, sizeof(*out));
    buf_init(&packed, SAML_RESPONSE_B64_MAX);
    buf_init(&xml, SAML_RESPONSE_XML_MAX);
    ENSURE(b64.n <= SAML_RESPONSE_B64_MAX,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    for (size_t i = 0; i < b64.n; i++)
        if (b64.p[i] != ' ' && b64.p[i] != '\t' && b64.p[i] != '\r' && b64.p[i] != '\n')
            TRY(buf_addch(&packed, (char)b64.p[i]));
    ENSURE(packed.n > 0 && b64_valid(buf_bytes(&packed)) &&
               b64_decode(buf_bytes(&packed), &xml) == CU_OK,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    TRY(saml_response_parse_keys(buf_bytes(&xml), certs, n_certs, keys, out, err));
out:
    buf_release(&packed);
    buf_release(&xml);
    return rc;
}

cu_rc saml_response_decode(struct bytes b64, const char *const *certs, size_t n_certs,
                           struct saml_assertion *out, struct cu_err *err)
{
    return saml_response_decode_keys(b64, certs, n_certs, NULL, out, err);
}

bool saml_audience_accepted(const char *aud)
{
    static const char https[] = "https://", tail[] = ".signin.aws.amazon.com/saml";
    size_t n = strlen(aud), region;

    if (strcmp(aud, "urn:amazon:webservices") == 0 ||
        strcmp(aud, "https://signin.aws.amazon.com/saml") == 0)
        return true;
    /* https://<region-code>.signin.aws.amazon.com/saml (IAM guide,
     * id_roles_providers_create_saml_relying-party: the regional sign-in endpoints) */
    if (n <= strlen(https) + strlen(tail) || strncmp(aud, https, strlen(https)) != 0 ||
        strcmp(aud + n - strlen(tail), tail) != 0)
        return false;
    region = n - strlen(https) - strlen(tail);
    for (size_t i = 0; i < region; i++) {
        char c = aud[strlen(https) + i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* The Recipient must be a sign-in endpoint (not the urn, which names AWS, not a URL). */
static bool recipient_accepted(const char *r)
{
    return r && strncmp(r, "https://", 8) == 0 && saml_audience_accepted(r);
}

cu_rc saml_assertion_check(const struct saml_assertion *a, int64_t now_s, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    size_t i, j;
    json_t *list, *aud;

    /* AWS's own bound, before the assertion's: redeemed within five minutes of issuance
     * (the wording is AWS's ExpiredTokenException as clients report it) */
    ENSURE(!a->issue_instant_s || now_s - a->issue_instant_s <= SAML_REDEEM_WINDOW_S,
           cu_err_set(err, CU_E_STS_EXPIRED_TOKEN,
                      "Token must be redeemed within 5 minutes of issuance"));
    /* SAML core 2.5.1.2: valid from NotBefore, up to but excluding NotOnOrAfter */
    ENSURE(!a->not_before_s || now_s >= a->not_before_s,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "SAML assertion is not yet valid"));
    ENSURE((!a->not_on_or_after_s || now_s < a->not_on_or_after_s) &&
               (!a->confirm_not_on_or_after_s || now_s < a->confirm_not_on_or_after_s),
           cu_err_set(err, CU_E_STS_EXPIRED_TOKEN, "Response has expired"));
    /* the bearer confirmation must bound its own use in time (SAML profiles 4.1.4.2) */
    ENSURE(a->confirm_not_on_or_after_s,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", invalid_response));
    ENSURE(json_array_size(a->audiences) > 0,
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "Invalid audience"));
    /* SAML core 2.5.1.4: every AudienceRestriction must be met by one of its Audiences */
    json_array_foreach(a->audiences, i, list)
    {
        bool met = false;
        json_array_foreach(list, j, aud) met |= saml_audience_accepted(json_string_value(aud));
        ENSURE(met, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "Invalid audience"));
    }
    ENSURE(recipient_accepted(a->recipient),
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "Invalid recipient"));
out:
    return rc;
}

const char *saml_assertion_attr(const struct saml_assertion *a, const char *name)
{
    return json_string_value(json_array_get(json_object_get(a->attributes, name), 0));
}

void saml_assertion_release(struct saml_assertion *a)
{
    if (!a)
        return;
    free(a->issuer);
    free(a->subject);
    free(a->subject_format);
    free(a->recipient);
    json_decref(a->audiences);
    json_decref(a->attributes);
    memset(a, 0, sizeof(*a));
}
