/* saml_metadata.c — SAML 2.0 metadata of an identity provider (CreateSAMLProvider,
 * UpdateSAMLProvider): parsed with libxml2 into the facts IAM keeps and STS needs — the
 * entityID that assertions' Issuer must match, validUntil, and the signing certificates
 * whose keys verify assertion signatures (SAML metadata spec, saml-metadata-2.0-os,
 * 2.3.2 EntityDescriptor, 2.4.3 IDPSSODescriptor, 2.4.1.1 KeyDescriptor: a KeyDescriptor
 * without `use` serves both signing and encryption).
 *
 * The document is untrusted: a DTD is refused before libxml2 sees the bytes (no entity
 * expansion, no external subset), the parse never touches the network (XML_PARSE_NONET)
 * nor prints, and every kept value is bounded. Pure: no I/O, no clock. */
#include "saml_metadata.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/codec.h"

#define NS_MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define PROTOCOL_SAML2 "urn:oasis:names:tc:SAML:2.0:protocol"
/* a base64 certificate this long is no certificate anyone uses (8 KiB of DER and more) */
#define CERT_B64_MAX 16384

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2 asks to be initialised once, from one thread, before parsing in several */
static void init_parser(void)
{
    xmlInitParser();
}

static bool is_md(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, NS_MD) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static bool is_ds(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, NS_DS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, bool (*is)(const xmlNode *, const char *),
                            const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* A DOCTYPE anywhere is refused outright: metadata has no use for one, and it is the door
 * to entity expansion. (XML names are case-sensitive: "<!doctype" is no DTD and libxml2
 * rejects it as malformed.) */
static bool has_doctype(struct bytes in)
{
    static const char mark[] = "<!DOCTYPE";
    const size_t m = sizeof(mark) - 1;

    for (size_t i = 0; i + m <= in.n; i++)
        if (in.p[i] == '<' && memcmp(in.p + i, mark, m) == 0)
            return true;
    return false;
}

/* Whether the space-separated list `list` holds `word`. */
static bool list_has(const char *list, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " \t\r\n");

        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len;
        p += strspn(p, " \t\r\n");
    }
    return false;
}

/* The certificate text of an X509Certificate element, whitespace removed, checked to be
 * base64 of one DER X.509 certificate; appended to md->certs. */
static cu_rc add_cert(const xmlNode *x509cert, struct saml_metadata *md, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlChar *text = xmlNodeGetContent(x509cert);
    struct buf b64, der;
    const unsigned char *p;
    X509 *cert = NULL;

    buf_init(&b64, CERT_B64_MAX);
    buf_init(&der, CERT_B64_MAX);
    ENSURE(text, CU_E_NOMEM);
    for (const xmlChar *c = text; *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n')
            ENSURE(buf_addch(&b64, (char)*c) == CU_OK,
                   cu_err_set(err, CU_E_MALFORMED_INPUT, "certificate too long"));
    ENSURE(b64.n > 0 && b64_valid(buf_bytes(&b64)) && b64_decode(buf_bytes(&b64), &der) == CU_OK,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "certificate is not base64"));
    p = (const unsigned char *)der.p;
    cert = d2i_X509(NULL, &p, (long)der.n);
    ENSURE(cert && p == (const unsigned char *)der.p + der.n,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "certificate is not X.509 DER"));
    ENSURE(md->n_certs < SAML_METADATA_CERTS_MAX,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "too many signing certificates"));
    md->certs[md->n_certs] = buf_take(&b64, NULL);
    ENSURE(md->certs[md->n_certs], CU_E_NOMEM);
    md->n_certs++;
out:
    X509_free(cert);
    buf_release(&b64);
    buf_release(&der);
    xmlFree(text);
    return rc;
}

/* Every signing certificate of the IDPSSODescriptor: KeyDescriptor use="signing" or
 * without use, ds:KeyInfo/ds:X509Data/ds:X509Certificate (each X509Data may hold several). */
static cu_rc signing_certs(const xmlNode *idp, struct saml_metadata *md, struct cu_err *err)
{
    cu_rc rc = CU_OK;

    for (const xmlNode *kd = idp->children; kd; kd = kd->next) {
        const xmlNode *data;
        xmlChar *use;
        bool signing;

        if (!is_md(kd, "KeyDescriptor"))
            continue;
        use = xmlGetNoNsProp(kd, (const xmlChar *)"use");
        signing = !use || strcmp((const char *)use, "signing") == 0;
        xmlFree(use);
        if (!signing)
            continue;
        data = child(child(kd, is_ds, "KeyInfo"), is_ds, "X509Data");
        for (const xmlNode *x = data ? data->children : NULL; x; x = x->next)
            if (is_ds(x, "X509Certificate"))
                TRY(add_cert(x, md, err));
    }
    ENSURE(md->n_certs > 0, cu_err_set(err, CU_E_MALFORMED_INPUT, "no signing certificate"));
out:
    return rc;
}

/* The EntityDescriptor's entityID (required, 1-1024 characters) and validUntil
 * (optional, an xs:dateTime). */
static cu_rc entity_attrs(const xmlNode *root, struct saml_metadata *md, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlChar *id = xmlGetNoNsProp(root, (const xmlChar *)"entityID");
    xmlChar *until = xmlGetNoNsProp(root, (const xmlChar *)"validUntil");
    int64_t s = 0;

    ENSURE(id && id[0] && strlen((const char *)id) <= SAML_METADATA_ENTITY_ID_MAX,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "no usable entityID"));
    md->entity_id = strdup((const char *)id);
    ENSURE(md->entity_id, CU_E_NOMEM);
    if (until) {
        ENSURE(clock_parse_iso8601((const char *)until, strlen((const char *)until), &s) ==
                       CU_OK &&
                   s > 0,
               cu_err_set(err, CU_E_MALFORMED_INPUT, "validUntil is not a dateTime"));
        md->valid_until_ms = s * 1000;
    }
out:
    xmlFree(id);
    xmlFree(until);
    return rc;
}

cu_rc saml_metadata_parse(struct bytes in, struct saml_metadata *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlDoc *doc = NULL;
    const xmlNode *root, *idp;
    xmlChar *protocols = NULL;

    memset(out, 0, sizeof(*out));
    ENSURE(in.p && in.n > 0 && in.n <= SAML_METADATA_MAX && in.n <= (size_t)INT32_MAX,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "document size"));
    ENSURE(!has_doctype(in), cu_err_set(err, CU_E_MALFORMED_INPUT, "document has a DTD"));
    pthread_once(&init_once, init_parser);
    doc = xmlReadMemory((const char *)in.p, (int)in.n, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ENSURE(doc, cu_err_set(err, CU_E_MALFORMED_INPUT, "not well-formed XML"));
    ENSURE(!doc->intSubset && !doc->extSubset,
           cu_err_set(err, CU_E_MALFORMED_INPUT, "document has a DTD"));
    root = xmlDocGetRootElement(doc);
    ENSURE(root && is_md(root, "EntityDescriptor"),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "root is not md:EntityDescriptor"));
    TRY(entity_attrs(root, out, err));
    idp = child(root, is_md, "IDPSSODescriptor");
    ENSURE(idp, cu_err_set(err, CU_E_MALFORMED_INPUT, "no md:IDPSSODescriptor"));
    protocols = xmlGetNoNsProp(idp, (const xmlChar *)"protocolSupportEnumeration");
    ENSURE(list_has((const char *)protocols, PROTOCOL_SAML2),
           cu_err_set(err, CU_E_MALFORMED_INPUT, "IDPSSODescriptor does not support SAML 2.0"));
    TRY(signing_certs(idp, out, err));
out:
    xmlFree(protocols);
    xmlFreeDoc(doc);
    if (rc != CU_OK)
        saml_metadata_release(out);
    return rc;
}

void saml_metadata_release(struct saml_metadata *md)
{
    if (!md)
        return;
    free(md->entity_id);
    for (size_t i = 0; i < md->n_certs; i++)
        free(md->certs[i]);
    memset(md, 0, sizeof(*md));
}
