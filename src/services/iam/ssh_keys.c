/* ssh_keys.c — SSH public keys of IAM users (for CodeCommit): UploadSSHPublicKey,
 * GetSSHPublicKey, ListSSHPublicKeys, UpdateSSHPublicKey, DeleteSSHPublicKey.
 *
 * A key is one "ssh_public_key" record under its user (records.h), keyed by its
 * SSHPublicKeyId ("APKA" + 16). The upload is parsed for real — the OpenSSH one-line
 * form (core/ssh_key.h) or a PEM RSA public key (crypto/x509_check.h) — and kept in one
 * canonical form, "ssh-rsa <base64 blob>", so a key is the same record however it was
 * sent: its Fingerprint is the MD5 of the blob (what ssh-keygen -l -E md5 prints), the
 * duplicate check compares fingerprints, and GetSSHPublicKey answers either encoding from
 * the blob. IAM accepts RSA keys of at least 2048 bits (API reference, UploadSSHPublicKey:
 * "The minimum bit-length of the public key is 2048 bits"), at most 5 per user (IAM guide,
 * reference_iam-quotas: "SSH public keys per IAM user: 5"). */
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/ssh_key.h"
#include "core/tree.h"
#include "crypto/x509_check.h"
#include "iam_credentials.h"
#include "iam_ops.gen.h"

#define SSH_KEYS_PER_USER 5
#define SSH_KEY_BITS_MIN 2048

/* The error texts are the model's descriptions of the two errors. */
static cu_rc invalid_key(struct call *call)
{
    return cu_err_set(&call->err, CU_E_IAM_INVALID_PUBLIC_KEY,
                      "The request was rejected because the public key is malformed or "
                      "otherwise invalid.");
}

static cu_rc unrecognized(struct call *call)
{
    return cu_err_set(&call->err, CU_E_IAM_UNRECOGNIZED_KEY_ENCODING,
                      "The request was rejected because the public key encoding format is "
                      "unsupported or unrecognized.");
}

static bool looks_pem(const char *body)
{
    return strstr(body, "-----BEGIN ") != NULL;
}

/* The wire blob of an uploaded key, in either encoding, appended to *blob. */
static cu_rc parse_body(struct call *call, const char *body, struct buf *blob)
{
    cu_rc rc = CU_OK;
    struct buf e, n;
    struct ssh_key_rsa key;
    bool recognized = false;

    buf_init(&e, SSH_KEY_TEXT_MAX);
    buf_init(&n, SSH_KEY_TEXT_MAX);
    if (looks_pem(body)) {
        rc = x509_check_rsa_from_pem(bytes_str(body), &e, &n);
        ENSURE(rc != CU_E_MALFORMED_INPUT, invalid_key(call));
        TRY(rc);
        TRY(ssh_key_blob(buf_bytes(&e), buf_bytes(&n), blob));
    } else {
        rc = ssh_key_parse_text(bytes_str(body), blob, &recognized);
        ENSURE(rc != CU_E_MALFORMED_INPUT || recognized, unrecognized(call));
        ENSURE(rc != CU_E_MALFORMED_INPUT && rc != CU_E_PAYLOAD_TOO_LARGE, invalid_key(call));
        TRY(rc);
    }
    ENSURE(ssh_key_parse_blob(buf_bytes(blob), &key) == CU_OK, invalid_key(call));
    ENSURE(key.bits >= SSH_KEY_BITS_MIN, invalid_key(call));
out:
    buf_release(&e);
    buf_release(&n);
    return rc;
}

struct same_key {
    const char *fingerprint;
    bool found;
};

static cu_rc same_fingerprint(const char *key, const json_t *doc, void *ctx)
{
    struct same_key *s = ctx;
    const char *fp = json_string_value(json_object_get(doc, "Fingerprint"));

    (void)key;
    if (fp && strcmp(fp, s->fingerprint) == 0)
        s->found = true;
    return CU_OK;
}

/* The user the request names: UserName is required everywhere but in the list. */
static cu_rc key_owner(struct call *call, const json_t *in, const char **owner)
{
    cu_rc rc = CU_OK;

    TRY(iam_credential_owner(call, in, owner));
    ENSURE(*owner, cu_err_set(&call->err, CU_E_VALIDATION,
                              "The root user has no SSH public keys: name an IAM user."));
out:
    return rc;
}

cu_rc iam_upload_ssh_public_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;
    char id[IDS_ACCESS_KEY_ID_LEN + 1], fp[SSH_KEY_FINGERPRINT_LEN + 1];
    char scope[RECORD_NAME_MAX];
    struct same_key same = {fp, false};
    struct buf blob, text;
    json_t *doc = json_object();
    size_t n = 0;

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    buf_init(&text, 2 * SSH_KEY_TEXT_MAX);
    ENSURE(doc, CU_E_NOMEM);
    TRY(key_owner(call, in, &owner));
    TRY(parse_body(call, in_str_or(in, "SSHPublicKeyBody", ""), &blob));
    TRY(ssh_key_fingerprint(buf_bytes(&blob), fp));
    record_user_scope(call->env->account_id, owner, scope);
    TRY(store_each(call->tx, RECORD_SSH_PUBLIC_KEY, scope, same_fingerprint, &same));
    ENSURE(!same.found, cu_err_set(&call->err, CU_E_IAM_DUPLICATE_SSH_KEY,
                                   "The request was rejected because the SSH public key is "
                                   "already associated with the specified IAM user."));
    TRY(iam_credential_count(call, &iam_kind_ssh_public_key, owner, &n));
    ENSURE(n < SSH_KEYS_PER_USER,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for PublicKeysPerUser: %d", SSH_KEYS_PER_USER));
    TRY(ids_access_key_id("APKA", id));
    TRY(ssh_key_text(buf_bytes(&blob), &text));
    TRY(tree_set_str(doc, "UserName", owner));
    TRY(tree_set_str(doc, "SSHPublicKeyId", id));
    TRY(tree_set_str(doc, "Fingerprint", fp));
    TRY(tree_set_str(doc, "SSHPublicKeyBody", text.p));
    TRY(tree_set_str(doc, "Status", "Active"));
    TRY(tree_set_int(doc, "UploadDate", call->now_ms / 1000 * 1000));
    TRY(kind_create(call, &iam_kind_ssh_public_key, owner, doc));
    TRY(render_output(out, "iam", "UploadSSHPublicKey", "SSHPublicKey", doc));
out:
    buf_release(&blob);
    buf_release(&text);
    json_decref(doc);
    return rc;
}

/* The stored key's body in PEM (SubjectPublicKeyInfo), replacing it in the rendered key. */
static cu_rc body_as_pem(json_t *key)
{
    cu_rc rc = CU_OK;
    const char *text = json_string_value(json_object_get(key, "SSHPublicKeyBody"));
    struct buf blob, pem;
    struct ssh_key_rsa rsa;
    bool recognized;

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    buf_init(&pem, 2 * SSH_KEY_TEXT_MAX);
    ENSURE(text, CU_E_STORE);
    /* what the upload stored parses: anything else is a broken record */
    ENSURE(ssh_key_parse_text(bytes_str(text), &blob, &recognized) == CU_OK, CU_E_STORE);
    ENSURE(ssh_key_parse_blob(buf_bytes(&blob), &rsa) == CU_OK, CU_E_STORE);
    TRY(x509_check_rsa_to_pem(rsa.e, rsa.n, &pem));
    TRY(tree_set_str(key, "SSHPublicKeyBody", pem.p));
out:
    buf_release(&blob);
    buf_release(&pem);
    return rc;
}

cu_rc iam_get_ssh_public_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL, *encoding = in_str_or(in, "Encoding", "SSH");
    json_t *doc = NULL;

    TRY(key_owner(call, in, &owner));
    TRY(kind_load(call, &iam_kind_ssh_public_key, owner, in_str(in, "SSHPublicKeyId"), &doc));
    TRY(render_output(out, "iam", "GetSSHPublicKey", "SSHPublicKey", doc));
    if (strcmp(encoding, "PEM") == 0)
        TRY(body_as_pem(json_object_get(out, "SSHPublicKey")));
out:
    json_decref(doc);
    return rc;
}

static cu_rc key_item(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    (void)key;
    return render_record(doc, ctx, item);
}

cu_rc iam_list_ssh_public_keys(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;
    char scope[RECORD_NAME_MAX];
    struct page page = {0};

    TRY(page_begin(call, &iam_list_ssh_public_keys_page, in, &page));
    TRY(iam_credential_owner(call, in, &owner));
    /* root (no user named) holds no SSH keys: an empty list */
    if (owner) {
        record_user_scope(call->env->account_id, owner, scope);
        TRY(page_scan(&page, call->tx, RECORD_SSH_PUBLIC_KEY, scope, key_item,
                      (void *)iam_page_item_shape(&iam_list_ssh_public_keys_page)));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_update_ssh_public_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL, *status = NULL;
    json_t *doc = NULL;

    (void)out;
    TRY(key_owner(call, in, &owner));
    TRY(iam_credential_status(call, in, &status));
    TRY(kind_load(call, &iam_kind_ssh_public_key, owner, in_str(in, "SSHPublicKeyId"), &doc));
    TRY(tree_set_str(doc, "Status", status));
    TRY(kind_update(call, &iam_kind_ssh_public_key, owner, doc));
out:
    json_decref(doc);
    return rc;
}

cu_rc iam_delete_ssh_public_key(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner = NULL;

    (void)out;
    TRY(key_owner(call, in, &owner));
    TRY(kind_delete(call, &iam_kind_ssh_public_key, owner, in_str(in, "SSHPublicKeyId")));
out:
    return rc;
}
