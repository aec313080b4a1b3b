/* signing_certs.c — X.509 signing certificates of IAM users (and of the root user):
 * UploadSigningCertificate, ListSigningCertificates, UpdateSigningCertificate,
 * DeleteSigningCertificate.
 *
 * A certificate is one "signing_cert" record under its owner's scope (records.h; root's
 * under "<account>/"), keyed by its CertificateId: 32 characters of [A-Z2-7], in the form
 * of AWS's ids. The body is parsed and checked with OpenSSL (crypto/x509_check.h) before
 * anything is stored; the record also keeps the SHA-256 of the certificate's DER
 * (Fingerprint, a member no shape names), which the store indexes so that a certificate
 * is held by one user of the account only (IAM API reference, DuplicateCertificate: "the
 * same certificate is associated with an IAM user in the account"). At most 2 per user
 * (IAM guide, reference_iam-quotas: "Signing certificates assigned to an IAM user: 2"). */
#include <string.h>

#include "core/codec.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/x509_check.h"
#include "iam_credentials.h"
#include "iam_ops.gen.h"

#define SIGNING_CERTS_PER_USER 2
#define CERT_ID_LEN 32

static cu_rc cert_id(char out[CERT_ID_LEN + 1])
{
    static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint8_t r[CERT_ID_LEN];
    cu_rc rc = rand_bytes(r, sizeof(r));

    if (rc != CU_OK)
        return rc;
    for (size_t i = 0; i < CERT_ID_LEN; i++)
        out[i] = base32[r[i] & 31];
    out[CERT_ID_LEN] = '\0';
    return CU_OK;
}

/* The owner: the user the request names, the calling user, or "" for root. */
static cu_rc cert_owner(struct call *call, const json_t *in, const char **owner)
{
    cu_rc rc = CU_OK;

    TRY(iam_credential_owner(call, in, owner));
    if (!*owner)
        *owner = "";
out:
    return rc;
}

/* A certificate record rendered through shape; root's name no user. */
static cu_rc cert_view(const json_t *doc, const struct shape *shape, json_t **item)
{
    cu_rc rc = CU_OK;
    const char *owner = json_string_value(json_object_get(doc, "UserName"));

    TRY(render_record(doc, shape, item));
    if (!owner || !owner[0])
        json_object_del(*item, "UserName");
out:
    return rc;
}

/* Check an uploaded body: one PEM certificate, in its validity period (MalformedCertificate:
 * "the certificate was malformed or expired"), not held by anyone in the account yet. */
static cu_rc check_body(struct call *call, const char *body, char fp[2 * X509_CHECK_SHA256_LEN + 1])
{
    cu_rc rc = CU_OK;
    struct x509_check_info info;
    struct store_lookup q = {RECORD_SIGNING_CERT, RECORD_SIGNING_CERT_BY_FINGERPRINT, fp,
                             call->env->account_id};
    size_t n = 0;

    ENSURE(x509_check_cert(bytes_str(body), &info) == CU_OK,
           cu_err_set(&call->err, CU_E_IAM_MALFORMED_CERTIFICATE,
                      "Unable to parse certificate. Please ensure the certificate is in PEM "
                      "format."));
    ENSURE(info.not_after_ms > call->now_ms,
           cu_err_set(&call->err, CU_E_IAM_MALFORMED_CERTIFICATE, "The certificate has expired."));
    ENSURE(info.not_before_ms <= call->now_ms,
           cu_err_set(&call->err, CU_E_IAM_INVALID_CERTIFICATE,
                      "The certificate is not valid yet."));
    hex_encode_to(info.sha256, sizeof(info.sha256), fp);
    TRY(store_find_count(call->tx, &q, &n));
    ENSURE(n == 0, cu_err_set(&call->err, CU_E_IAM_DUPLICATE_CERTIFICATE,
                              "The same certificate is already associated with an IAM user in "
                              "the account."));
out:
    return rc;
}

cu_rc iam_upload_signing_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL, *body = in_str_or(in, "CertificateBody", "");
    char id[CERT_ID_LEN + 1], fp[2 * X509_CHECK_SHA256_LEN + 1];
    json_t *doc = json_object(), *item = NULL;
    size_t n = 0;

    ENSURE(doc, CU_E_NOMEM);
    TRY(cert_owner(call, in, &owner));
    TRY(check_body(call, body, fp));
    TRY(iam_credential_count(call, &iam_kind_signing_cert, owner, &n));
    ENSURE(n < SIGNING_CERTS_PER_USER,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for SigningCertificatesPerUser: %d",
                      SIGNING_CERTS_PER_USER));
    TRY(cert_id(id));
    TRY(tree_set_str(doc, "UserName", owner));
    TRY(tree_set_str(doc, "CertificateId", id));
    TRY(tree_set_str(doc, "CertificateBody", body));
    TRY(tree_set_str(doc, "Status", "Active"));
    TRY(tree_set_int(doc, "UploadDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_str(doc, "Fingerprint", fp));
    TRY(kind_create(call, &iam_kind_signing_cert, owner, doc));
    TRY(cert_view(doc, model_output_shape("iam", "UploadSigningCertificate", "Certificate"),
                  &item));
    TRY(tree_set_new(out, "Certificate", item));
    item = NULL;
out:
    json_decref(item);
    json_decref(doc);
    return rc;
}

static cu_rc cert_item(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    (void)key;
    return cert_view(doc, ctx, item);
}

cu_rc iam_list_signing_certificates(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};

    TRY(page_begin(call, &iam_list_signing_certificates_page, in, &page));
    TRY(cert_owner(call, in, &owner));
    record_user_scope(call->env->account_id, owner, scope);
    TRY(page_scan(&page, call->tx, RECORD_SIGNING_CERT, scope, cert_item,
                  (void *)iam_page_item_shape(&iam_list_signing_certificates_page)));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_update_signing_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL, *status = NULL;
    json_t *doc = NULL;

    (void)out;
    TRY(cert_owner(call, in, &owner));
    TRY(iam_credential_status(call, in, &status));
    TRY(kind_load(call, &iam_kind_signing_cert, owner, in_str(in, "CertificateId"), &doc));
    TRY(tree_set_str(doc, "Status", status));
    TRY(kind_update(call, &iam_kind_signing_cert, owner, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_signing_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;

    (void)out;
    TRY(cert_owner(call, in, &owner));
    TRY(kind_delete(call, &iam_kind_signing_cert, owner, in_str(in, "CertificateId")));
out:
    return rc;
}
