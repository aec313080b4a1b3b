/* saml_providers.c — IAM SAML identity providers: Create/Get/List/Update/DeleteSAMLProvider,
 * Tag/Untag/ListSAMLProviderTags.
 *
 * A provider is one "saml_provider" record per account keyed by its Name; its ARN is
 * arn:aws:iam::<account>:saml-provider/<name>. The record holds what the responses render
 * (Name, Arn, SAMLMetadataDocument as uploaded, CreateDate, ValidUntil, SAMLProviderUUID,
 * AssertionEncryptionMode, PrivateKeyList [{KeyId, Timestamp}], Tags) and, never rendered
 * (render.h copies only what the output shape names), what STS's AssumeRoleWithSAML checks
 * assertions against: EntityId (the metadata's entityID, which an assertion's Issuer must
 * equal) and SigningCertificates (base64 DER of the IdP's signing certificates,
 * saml_metadata.c). Each private key (AddPrivateKey, for encrypted assertions) is stored
 * only sealed under the master key with "<provider ARN>/<KeyId>" as AAD, in its
 * PrivateKeyList entry's SealedKey. */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/codec.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/tree.h"
#include "crypto/master_key.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "iam_providers.h"
#include "saml_metadata.h"

/* GetSAMLProvider's PrivateKeyList holds at most two keys (the model's privateKeyList). */
#define PRIVATE_KEYS_MAX 2
/* SAMLProviderUUID and private KeyIds: [A-Z0-9]{22,64} in the model; custos draws 32. */
#define SAML_ID_LEN 32
/* Without a validUntil in the metadata, AWS makes a provider valid for 100 calendar years
 * from the upload, to the millisecond (AWS CLI reference, get-saml-provider example:
 * CreateDate 2017-03-06T22:29:46, ValidUntil 2117-03-06T22:29:46.433). */
#define DEFAULT_VALIDITY_YEARS 100
#define SEALED_MAX 65536

static const char *const GET_LISTS[] = {"Tags", "PrivateKeyList", NULL};

static void saml_arn(const char *account, const char *name, char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:saml-provider/%s", account, name);
}

/* SAML_ID_LEN characters of [A-Z0-9], from rejection-free mapping of random bytes (36
 * symbols; the slight bias of byte % 36 is harmless for an identifier). */
static cu_rc saml_id(char out[SAML_ID_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint8_t r[SAML_ID_LEN];
    cu_rc rc = rand_bytes(r, sizeof(r));

    if (rc != CU_OK)
        return rc;
    for (size_t i = 0; i < SAML_ID_LEN; i++)
        out[i] = alphabet[r[i] % 36];
    out[SAML_ID_LEN] = '\0';
    return CU_OK;
}

/* now_ms plus DEFAULT_VALIDITY_YEARS calendar years (29 February becomes the 28th in a
 * year that has none). */
static int64_t default_valid_until(int64_t now_ms)
{
    char iso[21];
    int year;
    int64_t s;

    clock_iso8601(now_ms / 1000, iso);
    year = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0') +
           DEFAULT_VALIDITY_YEARS;
    iso[0] = (char)('0' + year / 1000 % 10);
    iso[1] = (char)('0' + year / 100 % 10);
    iso[2] = (char)('0' + year / 10 % 10);
    iso[3] = (char)('0' + year % 10);
    if (clock_parse_iso8601(iso, 20, &s) != CU_OK) {
        iso[8] = '2';
        iso[9] = '8';
        if (clock_parse_iso8601(iso, 20, &s) != CU_OK)
            return now_ms;
    }
    return s * 1000 + now_ms % 1000;
}

/* Parse the request's metadata document into rec: the document itself, ValidUntil (its
 * validUntil, else the default), EntityId and SigningCertificates. A document that is no
 * IdP metadata is InvalidInput "Could not parse metadata" (AWS's wording; the reason goes
 * to the log only, never the document). */
static cu_rc take_metadata(struct call *call, const char *text, json_t *rec)
{
    cu_rc rc = CU_OK;
    struct saml_metadata md = {0};
    struct cu_err why = {0};
    json_t *certs = json_array();

    ENSURE(certs, CU_E_NOMEM);
    if (saml_metadata_parse(bytes_str(text), &md, &why) != CU_OK) {
        log_info("CreateSAMLProvider/UpdateSAMLProvider: metadata refused: %s", why.msg);
        ENSURE(false, cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "Could not parse metadata"));
    }
    for (size_t i = 0; i < md.n_certs; i++)
        TRY(tree_append_new(certs, json_string(md.certs[i])));
    TRY(tree_set_str(rec, "SAMLMetadataDocument", text));
    TRY(tree_set_str(rec, "EntityId", md.entity_id));
    TRY(tree_set_new(rec, "SigningCertificates", certs));
    certs = NULL;
    TRY(tree_set_int(rec, "ValidUntil",
                     md.valid_until_ms ? md.valid_until_ms : default_valid_until(call->now_ms)));
out:
    json_decref(certs);
    saml_metadata_release(&md);
    return rc;
}

/* Never ask for a passphrase: an encrypted PEM is refused, not prompted for. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* Whether pem is one PEM private key OpenSSL can load (no passphrase). */
static bool private_key_ok(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    bool ok = key != NULL;

    EVP_PKEY_free(key);
    BIO_free(bio);
    return ok;
}

/* Add the request's AddPrivateKey to rec's PrivateKeyList, sealed (see the file comment):
 * InvalidInput for a key OpenSSL cannot load, LimitExceeded past two keys. */
static cu_rc add_private_key(struct call *call, json_t *rec, const char *pem)
{
    cu_rc rc = CU_OK;
    char id[SAML_ID_LEN + 1], aad[IAM_ARN_MAX + SAML_ID_LEN + 2];
    struct buf sealed, text;
    json_t *keys = json_object_get(rec, "PrivateKeyList"), *entry = NULL;

    buf_init(&sealed, SEALED_MAX);
    buf_init(&text, SEALED_MAX * 2);
    ENSURE(private_key_ok(pem),
           cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "The private key is not valid."));
    ENSURE(json_array_size(keys) < PRIVATE_KEYS_MAX,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for PrivateKeysPerSamlProvider: %d",
                      PRIVATE_KEYS_MAX));
    TRY(saml_id(id));
    snprintf(aad, sizeof(aad), "%s/%s", json_string_value(json_object_get(rec, "Arn")), id);
    TRY(master_key_seal(call->env->master_key, bytes_str(pem), bytes_str(aad), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    entry = json_pack("{s:s, s:I, s:s}", "KeyId", id, "Timestamp",
                      (json_int_t)(call->now_ms / 1000 * 1000), "SealedKey", text.p);
    ENSURE(entry, CU_E_NOMEM);
    if (!json_is_array(keys)) {
        TRY(tree_set_new(rec, "PrivateKeyList", json_array()));
        keys = json_object_get(rec, "PrivateKeyList");
    }
    TRY(tree_append_new(keys, entry));
    entry = NULL;
out:
    json_decref(entry);
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

/* Drop the private key `id` from rec; InvalidInput when the provider has none such. */
static cu_rc remove_private_key(struct call *call, json_t *rec, const char *id)
{
    json_t *keys = json_object_get(rec, "PrivateKeyList"), *k;
    size_t i;

    json_array_foreach(keys, i, k)
        if (strcmp(json_string_value(json_object_get(k, "KeyId")), id) == 0)
            return json_array_remove(keys, i) == 0 ? CU_OK : CU_E_NOMEM;
    return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "The private key %s does not exist.",
                      id);
}

/* AssertionEncryptionMode "Required" makes IAM decrypt every assertion, so the provider
 * needs a private key to decrypt with. */
static cu_rc encryption_mode_ok(struct call *call, const json_t *rec)
{
    const char *mode = json_string_value(json_object_get(rec, "AssertionEncryptionMode"));

    if (mode && strcmp(mode, "Required") == 0 &&
        json_array_size(json_object_get(rec, "PrivateKeyList")) == 0)
        return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                          "AssertionEncryptionMode Required needs a private key.");
    return CU_OK;
}

static cu_rc new_record(struct call *call, const json_t *in, const char *arn, json_t **out)
{
    cu_rc rc = CU_OK;
    const json_t *tags = in_list(in, "Tags");
    const char *pem = in_str(in, "AddPrivateKey");
    char uuid[SAML_ID_LEN + 1];
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    TRY(saml_id(uuid));
    TRY(tree_set_str(doc, "Name", in_str(in, "Name")));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(take_metadata(call, in_str(in, "SAMLMetadataDocument"), doc));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_str(doc, "SAMLProviderUUID", uuid));
    /* AWS's default when the request names no mode (GetSAMLProvider snapshot: "Allowed") */
    TRY(tree_set_str(doc, "AssertionEncryptionMode",
                     in_str_or(in, "AssertionEncryptionMode", "Allowed")));
    TRY(tree_set_new(doc, "PrivateKeyList", json_array()));
    if (pem)
        TRY(add_private_key(call, doc, pem));
    TRY(encryption_mode_ok(call, doc));
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    *out = doc;
    doc = NULL;
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_create_saml_provider(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char arn[IAM_ARN_MAX];
    size_t n = 0;
    json_t *doc = NULL;

    saml_arn(call->env->account_id, in_str(in, "Name"), arn);
    TRY(new_record(call, in, arn, &doc));
    TRY(store_count(call->tx, RECORD_SAML_PROVIDER, call->env->account_id, &n));
    /* worded as IAM's other quotas; the quota's own name is unverified against AWS */
    ENSURE(n < IAM_PROVIDERS_PER_ACCOUNT,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for SAMLProvidersPerAccount: %d",
                      IAM_PROVIDERS_PER_ACCOUNT));
    TRY(kind_create(call, &iam_kind_saml_provider, NULL, doc)); /* EntityAlreadyExists */
    TRY(tree_set_str(out, "SAMLProviderArn", arn));
    if (json_array_size(json_object_get(doc, "Tags")))
        TRY(tree_set_new(out, "Tags", json_deep_copy(json_object_get(doc, "Tags"))));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_get_saml_provider(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    TRY(kind_target(call, &iam_kind_saml_provider, in_str(in, "SAMLProviderArn"), &doc));
    TRY(iam_provider_render(out, "GetSAMLProvider", doc, GET_LISTS));
out:
    return rc;
}

/* Every provider of the account in key order; the model gives the list no Marker. */
cu_rc iam_list_saml_providers(struct call *call, const json_t *in, json_t *out)
{
    (void)in;
    return iam_provider_list(call, RECORD_SAML_PROVIDER, "ListSAMLProviders", "SAMLProviderList",
                             out);
}

/* Each member the request gives changes the record; the metadata is checked as on
 * creation, and the encryption mode against the keys the provider holds afterwards. */
cu_rc iam_update_saml_provider(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *text = in_str(in, "SAMLMetadataDocument"), *mode;
    const char *add = in_str(in, "AddPrivateKey"), *remove = in_str(in, "RemovePrivateKey");
    json_t *doc;

    TRY(kind_target(call, &iam_kind_saml_provider, in_str(in, "SAMLProviderArn"), &doc));
    if (text)
        TRY(take_metadata(call, text, doc));
    mode = in_str(in, "AssertionEncryptionMode");
    if (mode)
        TRY(tree_set_str(doc, "AssertionEncryptionMode", mode));
    if (remove)
        TRY(remove_private_key(call, doc, remove));
    if (add)
        TRY(add_private_key(call, doc, add));
    TRY(encryption_mode_ok(call, doc));
    TRY(kind_update(call, &iam_kind_saml_provider, NULL, doc));
    TRY(tree_set_str(out, "SAMLProviderArn", json_string_value(json_object_get(doc, "Arn"))));
out:
    return rc;
}

cu_rc iam_delete_saml_provider(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    (void)out;
    TRY(kind_target(call, &iam_kind_saml_provider, in_str(in, "SAMLProviderArn"), &doc));
    TRY(kind_remove(call, &iam_kind_saml_provider, NULL, doc));
out:
    return rc;
}

cu_rc iam_tag_saml_provider(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    (void)out;
    TRY(kind_target(call, &iam_kind_saml_provider, in_str(in, "SAMLProviderArn"), &doc));
    TRY(iam_provider_tag(call, doc, in_list(in, "Tags")));
    TRY(kind_update(call, &iam_kind_saml_provider, NULL, doc));
out:
    return rc;
}

cu_rc iam_untag_saml_provider(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    (void)out;
    TRY(kind_target(call, &iam_kind_saml_provider, in_str(in, "SAMLProviderArn"), &doc));
    iam_tags_remove(doc, in_list(in, "TagKeys"));
    TRY(kind_update(call, &iam_kind_saml_provider, NULL, doc));
out:
    return rc;
}

cu_rc iam_list_saml_provider_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_saml_provider_tags_page, in, &iam_kind_saml_provider,
                         in_str(in, "SAMLProviderArn"), out);
}

/* Resolver for operations on one provider (SAMLProviderArn): the ARN the request gives;
 * the record, when it is one of the account's, in call->target.doc. */
cu_rc iam_resolve_saml_provider(struct call *call, const json_t *in)
{
    return iam_provider_resolve(call, &iam_kind_saml_provider, "saml-provider",
                                in_str_or(in, "SAMLProviderArn", ""));
}

/* Resolver for CreateSAMLProvider: the ARN the new provider will have. */
cu_rc iam_resolve_new_saml_provider(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    saml_arn(call->env->account_id, in_str_or(in, "Name", ""), call->target.arn);
    return CU_OK;
}
