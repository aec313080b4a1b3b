/* server_certs.c — IAM server certificates (for ELB and CloudFront): Upload, Get, List,
 * Update (rename, move), Delete, their tags, and their resolvers.
 *
 * A certificate is one "server_cert" record of the account, keyed by its lowercased
 * ServerCertificateName (records.h, iam_kinds.c) and indexed by Path for PathPrefix lists.
 * The record holds the ServerCertificateMetadata members (ServerCertificateId "ASCA...",
 * Arn arn:aws:iam::<account>:server-certificate<path><name>, UploadDate, Expiration: the
 * certificate's notAfter), the body, the chain and the tags, all rendered through the
 * model's shapes; and SealedPrivateKey, the private key sealed under the master key with
 * the ServerCertificateId as AAD, a member no shape names: no response returns the key
 * (IAM has no call that does), the trail hides it in the request (PrivateKey is
 * `sensitive` in the model), and the data directory holds it only sealed.
 *
 * An upload is checked with OpenSSL before it is stored (crypto/x509_check.h): one PEM
 * certificate in its validity period, a chain in issuing order, and a private key that is
 * the certificate's (KeyPairMismatch). At most 20 per account (IAM guide,
 * reference_iam-quotas: "Server certificates stored in an AWS account: 20"). */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/tree.h"
#include "crypto/master_key.h"
#include "crypto/x509_check.h"
#include "iam_credentials.h"
#include "iam_ops.gen.h"

#define SERVER_CERTS_PER_ACCOUNT 20

static void server_cert_arn(const char *account, const char *path, const char *name,
                            char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:server-certificate%s%s", account,
             path ? path : "/", name);
}

static cu_rc malformed(struct call *call, const char *msg)
{
    return cu_err_set(&call->err, CU_E_IAM_MALFORMED_CERTIFICATE, "%s", msg);
}

/* The checks of an upload, in the order IAM reports them; *not_after: the Expiration. */
static cu_rc check_upload(struct call *call, const json_t *in, int64_t *not_after)
{
    cu_rc rc = CU_OK;
    struct bytes body = bytes_str(in_str_or(in, "CertificateBody", ""));
    const char *chain = in_str(in, "CertificateChain");
    struct x509_check_info info;
    bool match = false;
    long bad = -1;

    ENSURE(x509_check_cert(body, &info) == CU_OK,
           malformed(call, "Unable to parse certificate. Please ensure the certificate is in "
                           "PEM format."));
    ENSURE(info.not_after_ms > call->now_ms, malformed(call, "The certificate has expired."));
    rc = x509_check_key_pair(body, bytes_str(in_str_or(in, "PrivateKey", "")), &match);
    ENSURE(rc != CU_E_MALFORMED_INPUT,
           malformed(call, "Unable to parse private key. Please ensure the private key is "
                           "unencrypted and in PEM format."));
    TRY(rc);
    ENSURE(match, cu_err_set(&call->err, CU_E_IAM_KEY_PAIR_MISMATCH,
                             "The public key certificate and the private key do not match."));
    if (chain) {
        rc = x509_check_chain(body, bytes_str(chain), &bad);
        ENSURE(rc != CU_E_MALFORMED_INPUT,
               malformed(call, "Unable to parse certificate chain. Please ensure the "
                               "certificate chain is in PEM format."));
        TRY(rc);
        /* IAM's wording, with the index of the certificate out of order */
        ENSURE(bad < 0, cu_err_set(&call->err, CU_E_IAM_MALFORMED_CERTIFICATE,
                                   "Unable to validate certificate chain. The certificate "
                                   "chain must start with the immediate signing certificate, "
                                   "followed by any intermediaries in order. The index within "
                                   "the chain of the invalid certificate is: %ld",
                                   bad));
    }
    *not_after = info.not_after_ms;
out:
    return rc;
}

/* The private key sealed under the master key, bound to the certificate's id. */
static cu_rc seal_key(struct call *call, const char *key, const char *id, json_t *doc)
{
    cu_rc rc = CU_OK;
    struct buf sealed, text;

    buf_init(&sealed, MASTER_KEY_SEAL_MAX);
    buf_init(&text, 2 * MASTER_KEY_SEAL_MAX);
    TRY(master_key_seal(call->env->master_key, bytes_str(key), bytes_str(id), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    TRY(tree_set_str(doc, "SealedPrivateKey", text.p));
out:
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

cu_rc iam_upload_server_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "ServerCertificateName"), *path = in_str_or(in, "Path", "/");
    const char *chain = in_str(in, "CertificateChain");
    const json_t *tags = in_list(in, "Tags");
    char id[IDS_UNIQUE_ID_LEN + 1], arn[IAM_ARN_MAX];
    json_t *doc = json_object(), *existing = NULL;
    int64_t not_after = 0;
    size_t n = 0;

    ENSURE(doc, CU_E_NOMEM);
    /* a taken name before the parsing: the answer does not depend on the upload */
    TRY(kind_find(call, &iam_kind_server_cert, NULL, name, &existing));
    ENSURE(!existing, cu_err_set(&call->err, iam_kind_server_cert.exists,
                                 iam_kind_server_cert.exists_msg, name));
    TRY(store_count(call->tx, RECORD_SERVER_CERT, call->env->account_id, &n));
    ENSURE(n < SERVER_CERTS_PER_ACCOUNT,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for ServerCertificatesPerAccount: %d",
                      SERVER_CERTS_PER_ACCOUNT));
    TRY(check_upload(call, in, &not_after));
    TRY(ids_unique("ASCA", id));
    server_cert_arn(call->env->account_id, path, name, arn);
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "ServerCertificateName", name));
    TRY(tree_set_str(doc, "ServerCertificateId", id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "UploadDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_int(doc, "Expiration", not_after));
    TRY(tree_set_str(doc, "CertificateBody", in_str(in, "CertificateBody")));
    if (chain)
        TRY(tree_set_str(doc, "CertificateChain", chain));
    /* the model caps Tags at 50, the quota */
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    TRY(seal_key(call, in_str(in, "PrivateKey"), id, doc));
    TRY(kind_create(call, &iam_kind_server_cert, NULL, doc));
    TRY(render_output(out, "iam", "UploadServerCertificate", "ServerCertificateMetadata", doc));
    if (json_array_size(json_object_get(doc, "Tags")))
        TRY(tree_set_new(out, "Tags", json_deep_copy(json_object_get(doc, "Tags"))));
out:
    json_decref(existing);
    json_decref(doc);
    return rc;
}

cu_rc iam_get_server_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc, *view = NULL;

    TRY(kind_target(call, &iam_kind_server_cert, in_str(in, "ServerCertificateName"), &doc));
    /* ServerCertificate nests the metadata: the record is both, seen through each shape */
    view = json_pack("{s:O, s:O}", "ServerCertificateMetadata", doc, "CertificateBody",
                     json_object_get(doc, "CertificateBody"));
    ENSURE(view, CU_E_STORE);
    if (json_object_get(doc, "CertificateChain"))
        TRY(tree_set_new(view, "CertificateChain",
                         json_incref(json_object_get(doc, "CertificateChain"))));
    if (json_object_get(doc, "Tags"))
        TRY(tree_set_new(view, "Tags", json_incref(json_object_get(doc, "Tags"))));
    TRY(render_output(out, "iam", "GetServerCertificate", "ServerCertificate", view));
out:
    json_decref(view);
    return rc;
}

cu_rc iam_list_server_certificates(struct call *call, const json_t *in, json_t *out)
{
    return iam_list_by_path(call, &iam_list_server_certificates_page, in, RECORD_SERVER_CERT,
                            out);
}

/* UpdateServerCertificate: a new path, a new name, or both; the id, the dates and the
 * sealed key (bound to the id) stay. */
cu_rc iam_update_server_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *old_name, *new_name, *new_path;
    char arn[IAM_ARN_MAX];
    json_t *doc, *renamed = NULL, *taken = NULL;
    char a[RECORD_NAME_MAX], b[RECORD_NAME_MAX];

    (void)out;
    TRY(kind_target(call, &iam_kind_server_cert, in_str(in, "ServerCertificateName"), &doc));
    old_name = kind_name(&iam_kind_server_cert, doc);
    ENSURE(old_name, CU_E_STORE);
    new_name = in_str_or(in, "NewServerCertificateName", old_name);
    new_path = in_str_or(in, "NewPath", json_string_value(json_object_get(doc, "Path")));
    renamed = json_deep_copy(doc);
    ENSURE(renamed, CU_E_NOMEM);
    server_cert_arn(call->env->account_id, new_path, new_name, arn);
    TRY(tree_set_str(renamed, "ServerCertificateName", new_name));
    TRY(tree_set_str(renamed, "Path", new_path));
    TRY(tree_set_str(renamed, "Arn", arn));
    record_fold(old_name, a);
    record_fold(new_name, b);
    if (strcmp(a, b) == 0) {
        TRY(kind_update(call, &iam_kind_server_cert, NULL, renamed));
        goto out;
    }
    TRY(kind_find(call, &iam_kind_server_cert, NULL, new_name, &taken));
    ENSURE(!taken, cu_err_set(&call->err, iam_kind_server_cert.exists,
                              iam_kind_server_cert.exists_msg, new_name));
    TRY(kind_remove(call, &iam_kind_server_cert, NULL, doc));
    TRY(kind_create(call, &iam_kind_server_cert, NULL, renamed));
out:
    json_decref(taken);
    json_decref(renamed);
    return rc;
}

cu_rc iam_delete_server_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    (void)out;
    TRY(kind_target(call, &iam_kind_server_cert, in_str(in, "ServerCertificateName"), &doc));
    TRY(kind_remove(call, &iam_kind_server_cert, NULL, doc));
out:
    return rc;
}

cu_rc iam_tag_server_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    (void)out;
    TRY(kind_target(call, &iam_kind_server_cert, in_str(in, "ServerCertificateName"), &doc));
    TRY(iam_tags_add(call, doc, in_list(in, "Tags"), "TagsPerServerCertificate"));
    TRY(kind_update(call, &iam_kind_server_cert, NULL, doc));
out:
    return rc;
}

cu_rc iam_untag_server_certificate(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *doc;

    (void)out;
    TRY(kind_target(call, &iam_kind_server_cert, in_str(in, "ServerCertificateName"), &doc));
    iam_tags_remove(doc, in_list(in, "TagKeys"));
    TRY(kind_update(call, &iam_kind_server_cert, NULL, doc));
out:
    return rc;
}

cu_rc iam_list_server_certificate_tags(struct call *call, const json_t *in, json_t *out)
{
    return iam_tags_list(call, &iam_list_server_certificate_tags_page, in,
                         &iam_kind_server_cert, in_str(in, "ServerCertificateName"), out);
}

/* Resolver for operations on one server certificate: its ARN with its path when it
 * exists (else with "/"); the record stays in call->target.doc, its tags are the
 * resource's. */
cu_rc iam_resolve_server_certificate(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *name = in_str_or(in, "ServerCertificateName", "");

    iam_set_account_target(call);
    TRY(kind_find(call, &iam_kind_server_cert, NULL, name, &call->target.doc));
    if (call->target.doc) {
        snprintf(call->target.arn, sizeof(call->target.arn), "%s",
                 json_string_value(json_object_get(call->target.doc, "Arn")));
        call_keys_resource_tags(call->keys, json_object_get(call->target.doc, "Tags"));
    } else {
        server_cert_arn(call->env->account_id, "/", name, call->target.arn);
    }
out:
    return rc;
}

/* Resolver for UploadServerCertificate: the ARN the certificate will have. */
cu_rc iam_resolve_new_server_certificate(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    server_cert_arn(call->env->account_id, in_str(in, "Path"),
                    in_str_or(in, "ServerCertificateName", ""), call->target.arn);
    return CU_OK;
}

/* Also-resolver of UpdateServerCertificate: the certificate as it will be named and
 * placed (API reference: "the person making the request ... must have permission on both
 * the source object and the target object"). */
cu_rc iam_resolve_renamed_server_certificate(struct call *call, const json_t *in)
{
    const json_t *doc = call->target.doc;
    const char *path = json_string_value(json_object_get(doc, "Path"));
    const char *name = in_str_or(in, "ServerCertificateName", "");

    snprintf(call->also.account_id, sizeof(call->also.account_id), "%s", call->env->account_id);
    server_cert_arn(call->env->account_id, in_str_or(in, "NewPath", path ? path : "/"),
                    in_str_or(in, "NewServerCertificateName", name), call->also.arn);
    return CU_OK;
}
