/* saml_decrypt.c — SAML encrypted assertions (SAML core 2.3.4: an EncryptedAssertion is
 * an xenc:EncryptedData of Type Element, with its data key in an xenc:EncryptedKey),
 * decrypted by xmlsec with the IAM SAML provider's private keys (IAM guide,
 * id_roles_providers_create_saml: "SAML encryption"; CreateSAMLProvider AddPrivateKey).
 *
 * It runs between the two signature checks of saml_response.c: a Response signature
 * covers the EncryptedAssertion as sent and is checked before this; an Assertion signature
 * is inside the ciphertext and is checked on what this puts in its place. Decrypting
 * proves nothing about the sender (anyone can encrypt to a public key): a decrypted
 * assertion is taken only when one of those signatures verifies. xmlsec may fetch nothing
 * outside the document: CipherReference and RetrievalMethod URIs are refused. */
#include <string.h>
#include <xmlsec/app.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmltree.h>

#include "saml_decrypt.h"

#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_XENC "http://www.w3.org/2001/04/xmlenc#"

static bool element_is(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* The one element child of n (text and comments aside), or NULL when it has none or
 * several. */
static xmlNode *only_element(xmlNode *n)
{
    xmlNode *found = NULL;

    for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (found)
            return NULL;
        found = c;
    }
    return found;
}

/* A keys manager holding only the private key pem; NULL when it does not load. One key
 * per attempt: without a KeyName xmlsec takes the first key that fits and tries no other,
 * and a provider may hold two (the one being rotated in, AddPrivateKey). */
static xmlSecKeysMngrPtr keys_manager(struct bytes pem)
{
    xmlSecKeysMngrPtr mngr = xmlSecKeysMngrCreate();
    xmlSecKeyPtr key = NULL;

    if (!mngr || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0)
        goto fail;
    key = xmlSecCryptoAppKeyLoadMemory(pem.p, (xmlSecSize)pem.n, xmlSecKeyDataFormatPem, NULL,
                                       NULL, NULL);
    if (!key || xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, key) < 0)
        goto fail;
    return mngr;
fail:
    if (key)
        xmlSecKeyDestroy(key);
    if (mngr)
        xmlSecKeysMngrDestroy(mngr);
    return NULL;
}

/* Whether data (an xenc:EncryptedData) decrypts under pem: on success it has been replaced
 * in the tree by what it held. */
static cu_rc try_key(xmlNode *data, struct bytes pem, bool *done)
{
    cu_rc rc = CU_OK;
    xmlSecKeysMngrPtr mngr = keys_manager(pem);
    xmlSecEncCtxPtr ctx = mngr ? xmlSecEncCtxCreate(mngr) : NULL;

    *done = false;
    if (!mngr)
        goto out; /* a key xmlsec cannot load decrypts nothing */
    ENSURE(ctx, CU_E_NOMEM);
    /* nothing outside the document: no CipherReference, no RetrievalMethod */
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
    ctx->keyInfoReadCtx.retrievalMethodCtx.enabledUris = xmlSecTransformUriTypeNone;
    ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;
    ctx->keyInfoReadCtx.maxEncryptedKeyLevel = 1;
    *done = xmlSecEncCtxDecrypt(ctx, data) == 0 && ctx->resultReplaced;
out:
    if (ctx)
        xmlSecEncCtxDestroy(ctx);
    if (mngr)
        xmlSecKeysMngrDestroy(mngr);
    return rc;
}

cu_rc saml_decrypt_assertion(xmlDoc *doc, xmlNode *encrypted,
                             const struct saml_private_keys *keys, const char *message,
                             xmlNode **assertion, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    xmlNode *data = only_element(encrypted), *plain;
    bool done = false;

    (void)doc;
    *assertion = NULL;
    /* SAML core 2.3.4: EncryptedData, then optional EncryptedKeys; custos takes the data
     * key from EncryptedData's own KeyInfo, so that is the one child */
    ENSURE(keys && keys->n && element_is(data, NS_XENC, "EncryptedData"),
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", message));
    for (size_t i = 0; i < keys->n && !done; i++)
        TRY(try_key(data, keys->pems[i], &done));
    ENSURE(done, cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", message));
    plain = only_element(encrypted);
    ENSURE(element_is(plain, NS_SAML, "Assertion"),
           cu_err_set(err, CU_E_STS_INVALID_IDENTITY_TOKEN, "%s", message));
    /* the Assertion takes the EncryptedAssertion's place, as if it had been sent */
    xmlUnlinkNode(plain);
    xmlReplaceNode(encrypted, plain);
    xmlFreeNode(encrypted);
    *assertion = plain;
out:
    return rc;
}
