/* grants.c — KMS grants: CreateGrant, ListGrants, RevokeGrant, RetireGrant, and the
 * in-memory check of a loaded key's grants against a request (see grants.h).
 *
 * A grant is stored under its key (records.h: kms_grant), with the SHA-256 of each grant
 * token issued for it; the store indexes grants by those hashes (RetireGrant finds a
 * grant by token alone) and by RetiringPrincipal (ListRetirableGrants). Tokens are bearer
 * secrets of a sort, so only their hash is kept and they never reach the trail. */
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/digest.h"
#include "grants.h"
#include "kms.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"
#include "services/render.h"
#include "store/records.h"

/* GrantOperation, in the model's order: bit i of kms_grant.operations. */
static const char *const grant_operations[] = {
    "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
    "ReEncryptTo", "Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant",
    "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateMac",
    "VerifyMac", "DeriveSharedSecret"};
_Static_assert(ARRAY_LEN(grant_operations) == KMS_GRANT_OPERATIONS, "grants.h: the count");

#define GRANT_ID_BYTES 32    /* 64 hex characters, as KMS's grant ids */
#define GRANT_TOKEN_BYTES 96 /* 128 base64 characters */

/* doc[name] is the string value. */
static bool member_is(const json_t *doc, const char *name, const char *value)
{
    const char *s = json_string_value(json_object_get(doc, name));

    return s && value && strcmp(s, value) == 0;
}

static int operation_bit(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_LEN(grant_operations); i++)
        if (strcmp(grant_operations[i], name) == 0)
            return (int)i;
    return -1;
}

static cu_rc collect(const char *key, const json_t *doc, void *ctx)
{
    (void)key;
    return json_array_append((json_t *)ctx, (json_t *)doc) == 0 ? CU_OK : CU_E_NOMEM;
}

cu_rc kms_grants_load(struct call *call, struct kms_key *key)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    json_t *doc, *op;
    size_t i, j;

    key->grant_docs = json_array();
    ENSURE(key->grant_docs, CU_E_NOMEM);
    kms_key_scope(call, key->key_id, scope);
    TRY(store_each(call->tx, RECORD_KMS_GRANT, scope, collect, key->grant_docs));
    key->n_grants = json_array_size(key->grant_docs);
    if (!key->n_grants)
        goto out;
    key->grants = calloc(key->n_grants, sizeof(*key->grants));
    ENSURE(key->grants, CU_E_NOMEM);
    json_array_foreach(key->grant_docs, i, doc)
    {
        struct kms_grant *g = &key->grants[i];
        const json_t *constraints = json_object_get(doc, "Constraints");

        g->grantee = json_string_value(json_object_get(doc, "GranteePrincipal"));
        json_array_foreach(json_object_get(doc, "Operations"), j, op)
        {
            int bit = operation_bit(json_string_value(op));
            if (bit >= 0)
                g->operations |= 1u << bit;
        }
        g->subset = json_object_get(constraints, "EncryptionContextSubset");
        g->equals = json_object_get(constraints, "EncryptionContextEquals");
    }
out:
    return rc;
}

void kms_grants_free(struct kms_key *key)
{
    free(key->grants);
    key->grants = NULL;
    key->n_grants = 0;
    json_decref(key->grant_docs);
    key->grant_docs = NULL;
}

/* Every pair of want is in have, with the same value. */
static bool context_includes(const json_t *have, const json_t *want)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)want, k, v)
    {
        const json_t *got = json_object_get(have, k);
        if (!got || !json_equal(got, v))
            return false;
    }
    return true;
}

bool kms_grants_cover(const struct kms_key *key, const char *principal_arn, const char *action,
                      const json_t *in)
{
    int bit = action && strncmp(action, "kms:", 4) == 0 ? operation_bit(action + 4) : -1;
    const json_t *ctx = in_obj(in, "EncryptionContext");
    size_t n_ctx = json_object_size(ctx);

    if (bit < 0 || !principal_arn)
        return false;
    for (size_t i = 0; i < key->n_grants; i++) {
        const struct kms_grant *g = &key->grants[i];

        if (!g->grantee || strcmp(g->grantee, principal_arn) != 0 ||
            !(g->operations & (1u << bit)))
            continue;
        /* KMS developer guide, grant constraints: Subset: the request's context includes
         * the pairs; Equals: it is exactly them */
        if (g->subset && !context_includes(ctx, g->subset))
            continue;
        if (g->equals &&
            !(n_ctx == json_object_size(g->equals) && context_includes(ctx, g->equals)))
            continue;
        return true;
    }
    return false;
}

void kms_grants_mark(struct call *call, const struct kms_key *key, const json_t *in)
{
    if (call->action && kms_grants_cover(key, call->principal->arn, call->action, in))
        call->target.grant_action = call->action;
}

/* A principal a grant may name: an IAM or STS ARN (KMS API reference, CreateGrant). */
static bool principal_arn_valid(const char *s)
{
    return s && (strncmp(s, "arn:aws:iam::", 13) == 0 || strncmp(s, "arn:aws:sts::", 13) == 0);
}

/* A new grant token; the grant keeps its hash (the store's token index). */
static cu_rc issue_token(struct buf *token, char hash[65])
{
    cu_rc rc = CU_OK;
    uint8_t raw[GRANT_TOKEN_BYTES];

    TRY(rand_bytes(raw, sizeof(raw)));
    TRY(b64_encode(bytes_of(raw, sizeof(raw)), token));
    digest_sha256_hex(buf_bytes(token), hash);
out:
    secret_wipe(raw, sizeof(raw));
    return rc;
}

/* An existing grant CreateGrant should answer with instead of a new one: KMS returns the
 * same grant for a repeated request with the same Name and parameters (CreateGrant, Name). */
static const json_t *same_named_grant(const struct kms_key *key, const json_t *in)
{
    static const char *const fields[] = {"GranteePrincipal", "RetiringPrincipal", "Operations",
                                         "Constraints", NULL};
    const char *name = in_str(in, "Name");
    json_t *doc;
    size_t i;

    if (!name)
        return NULL;
    json_array_foreach(key->grant_docs, i, doc)
    {
        bool same = json_equal(json_object_get(doc, "Name"), json_object_get(in, "Name"));
        for (const char *const *f = fields; same && *f; f++) {
            const json_t *a = json_object_get(doc, *f), *b = json_object_get(in, *f);
            same = (!a && !b) || (a && b && json_equal(a, b));
        }
        if (same)
            return doc;
    }
    return NULL;
}

/* The id of a named grant: the hash of its key, Name and parameters, so a repeated
 * request finds the grant in the store by its id, inside its own transaction, however
 * many nodes it races with (the key cache's list of grants can be a commit behind).
 * Grants made before ids were derived are still found by same_named_grant. */
static cu_rc named_grant_id(const struct kms_key *key, const json_t *in,
                            char id[2 * GRANT_ID_BYTES + 1])
{
    static const char *const fields[] = {"Name", "GranteePrincipal", "RetiringPrincipal",
                                         "Operations", "Constraints", NULL};
    cu_rc rc = CU_OK;
    json_t *what = json_object();
    char *text = NULL;

    ENSURE(what, CU_E_NOMEM);
    TRY(tree_set_str(what, "KeyId", key->key_id));
    for (const char *const *f = fields; *f; f++)
        if (json_object_get(in, *f))
            TRY(tree_set_new(what, *f, json_deep_copy(json_object_get(in, *f))));
    text = json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS);
    ENSURE(text, CU_E_NOMEM);
    digest_sha256_hex(bytes_str(text), id);
out:
    free(text);
    json_decref(what);
    return rc;
}

/* Every operation of ops is in the grant's. */
static bool operations_within(const json_t *ops, const struct kms_grant *g)
{
    const json_t *op;
    size_t i;

    json_array_foreach((json_t *)ops, i, op)
    {
        int bit = operation_bit(json_string_value(op));
        if (bit < 0 || !(g->operations & (1u << bit)))
            return false;
    }
    return true;
}

/* A grantee whose right to CreateGrant comes from a grant (and not also from policies)
 * may only pass on what it holds: the new grant's operations within one of its grants
 * that allows CreateGrant, under the same encryption-context constraint (KMS developer
 * guide, grants: a grant that allows CreateGrant lets its grantee create grants with the
 * same or fewer permissions). */
static cu_rc check_delegation(struct call *call, const struct kms_key *key, const json_t *in)
{
    const json_t *constraints = in_obj(in, "Constraints");
    int create_bit = operation_bit("CreateGrant");

    /* kms.ops declares CreateGrant by-policy: the pipeline has judged the policies alone */
    if (call->allowed_by_policy)
        return CU_OK;
    for (size_t i = 0; i < key->n_grants; i++) {
        const struct kms_grant *g = &key->grants[i];
        const json_t *held = json_object_get(json_array_get(key->grant_docs, i), "Constraints");

        if (!g->grantee || strcmp(g->grantee, call->principal->arn) != 0 ||
            !(g->operations & (1u << create_bit)))
            continue;
        if (operations_within(in_list(in, "Operations"), g) &&
            ((!held && !constraints) || (held && constraints && json_equal(held, constraints))))
            return CU_OK;
    }
    return cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: kms:CreateGrant on resource: %s "
                      "because no grant allows the requested operations and constraints",
                      call->principal->arn, key->arn);
}

cu_rc kms_create_grant(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    const char *grantee = in_str(in, "GranteePrincipal");
    const char *retiring = in_str(in, "RetiringPrincipal");
    const json_t *existing;
    uint8_t raw[GRANT_ID_BYTES];
    char grant_id[2 * GRANT_ID_BYTES + 1], hash[65];
    struct buf token;
    json_t *doc = NULL;
    static const char *const copied[] = {"GranteePrincipal", "RetiringPrincipal", "Operations",
                                         "Constraints", "Name", NULL};

    buf_init_sensitive(&token, 4096);
    ENSURE(principal_arn_valid(grantee),
           cu_err_set(&call->err, CU_E_KMS_INVALID_ARN, "ARN does not refer to a valid principal: %s",
                      grantee ? grantee : ""));
    ENSURE(!retiring || principal_arn_valid(retiring),
           cu_err_set(&call->err, CU_E_KMS_INVALID_ARN, "ARN does not refer to a valid principal: %s",
                      retiring));
    TRY(kms_grant_operations_fit(call, key, in_list(in, "Operations")));
    TRY(check_delegation(call, key, in));
    /* a disabled key takes grants, a key pending deletion does not (key-state.html) */
    TRY(kms_key_check_not_pending(call, key));
    TRY(kms_check_dry_run(call, in));
    existing = same_named_grant(key, in);
    if (existing) {
        snprintf(grant_id, sizeof(grant_id), "%s",
                 json_string_value(json_object_get(existing, "GrantId")));
    } else if (in_str(in, "Name")) {
        TRY(named_grant_id(key, in, grant_id));
    } else {
        TRY(rand_bytes(raw, sizeof(raw)));
        hex_encode_to(raw, sizeof(raw), grant_id);
    }
    TRY(issue_token(&token, hash));
    if (existing) {
        /* the key's grants come from the key cache: the grant is read in this transaction,
         * since the update below is compare-and-set on the version read */
        TRY(kind_load(call, &kms_kind_grant, key->key_id, grant_id, &doc));
    } else if (in_str(in, "Name")) {
        /* made meanwhile by a request the key cache has not seen yet (another node's) */
        TRY(kind_find(call, &kms_kind_grant, key->key_id, grant_id, &doc));
        existing = doc;
    }
    if (!doc) {
        doc = json_object();
        ENSURE(doc, CU_E_NOMEM);
        for (const char *const *f = copied; *f; f++)
            if (json_object_get(in, *f))
                TRY(tree_set_new(doc, *f, json_deep_copy(json_object_get(in, *f))));
        TRY(tree_set_str(doc, "GrantId", grant_id));
        TRY(tree_set_int(doc, "CreationDate", call->now_ms / 1000));
        TRY(tree_set_new(doc, "TokenHashes", json_array()));
    }
    TRY(tree_append_new(json_object_get(doc, "TokenHashes"), json_string(hash)));
    if (existing)
        TRY(kind_update(call, &kms_kind_grant, key->key_id, doc));
    else
        TRY(kind_create(call, &kms_kind_grant, key->key_id, doc));
    TRY(tree_set_strn(out, "GrantToken", token.p, token.n));
    TRY(tree_set_str(out, "GrantId", grant_id));
out:
    buf_release(&token);
    json_decref(doc);
    return rc;
}

/* A stored grant rendered through GrantListEntry (the list's element shape), with what
 * the record does not hold: the key's ARN and the issuing account. Grants store their
 * CreationDate in epoch seconds (not records.h's milliseconds: every grant stored so far
 * does), so the rendered value is replaced by the stored one, as ListGrants has always
 * answered it. */
static cu_rc grant_view(const struct call *call, const struct shape *entry, const char *key_arn,
                        const json_t *doc, json_t **item)
{
    cu_rc rc = CU_OK;
    json_t *v = NULL;
    char issuing[64];

    TRY(render_record(doc, entry, &v));
    snprintf(issuing, sizeof(issuing), "arn:aws:iam::%s:root", call->env->account_id);
    TRY(tree_set_str(v, "KeyId", key_arn));
    TRY(tree_set_str(v, "IssuingAccount", issuing));
    TRY(tree_set_int(v, "CreationDate", json_integer_value(json_object_get(doc, "CreationDate"))));
    *item = v;
    v = NULL;
out:
    json_decref(v);
    return rc;
}

/* ListGrants' filters: GrantId and GranteePrincipal narrow the key's grants. */
struct grant_filter {
    const struct call *call;
    const struct shape *entry;
    const char *key_arn, *only_id, *only_grantee;
};

static cu_rc grant_entry_view(const char *grant_id, const json_t *doc, void *ctx, json_t **item)
{
    const struct grant_filter *f = ctx;

    *item = NULL;
    if (f->only_id && strcmp(f->only_id, grant_id) != 0)
        return CU_OK;
    if (f->only_grantee && !member_is(doc, "GranteePrincipal", f->only_grantee))
        return CU_OK;
    return grant_view(f->call, f->entry, f->key_arn, doc, item);
}

static const struct shape *grant_entry(const char *op)
{
    return model_list_element(model_output_shape("kms", op, "Grants"));
}

cu_rc kms_list_grants(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct kms_key *key = kms_target_key(call);
    struct grant_filter f = {call, grant_entry("ListGrants"), key->arn, in_str(in, "GrantId"),
                             in_str(in, "GranteePrincipal")};
    char scope[RECORD_NAME_MAX];
    struct page page = {0};

    TRY(page_begin(call, &kms_list_grants_page, in, &page));
    kms_key_scope(call, key->key_id, scope);
    TRY(page_scan(&page, call->tx, RECORD_KMS_GRANT, scope, grant_entry_view, &f));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

/* ListRetirableGrants: the store's index of grants by RetiringPrincipal, within the
 * call's account and region, in key id then grant id order; a page's position is
 * "<key id>/<grant id>" of the last grant shown. */
static cu_rc retirable_view(const json_t *match, void *ctx, json_t **item)
{
    const struct call *call = ctx;
    char arn[KMS_ARN_MAX];

    kms_key_arn(call, kms_scope_key_id(json_string_value(json_object_get(match, "scope"))), arn);
    return grant_view(call, grant_entry("ListRetirableGrants"), arn,
                      json_object_get(match, "doc"), item);
}

cu_rc kms_list_retirable_grants(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    char scope[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_RETIRING,
                             in_str(in, "RetiringPrincipal"), scope};

    TRY(page_begin(call, &kms_list_retirable_grants_page, in, &page));
    kms_scope(call, RECORD_KMS_GRANT, scope);
    TRY(kms_page_find(call, &page, &q, true, retirable_view, call));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

/* Nothing of the grant is needed to revoke it: deleted by id (NotFoundException naming the
 * id when the key has no such grant), not read first. */
cu_rc kms_revoke_grant(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;

    (void)out;
    TRY(kms_check_dry_run(call, in));
    TRY(kind_delete(call, &kms_kind_grant, kms_target_key(call)->key_id, in_str(in, "GrantId")));
out:
    return rc;
}

/* RetireGrant is not governed by policies (KMS API reference, RetireGrant): the grant's
 * retiring principal may retire it, its grantee when the grant allows RetireGrant, and
 * the account that owns the key (its root user). */
static bool may_retire(const struct call *call, const json_t *doc)
{
    const char *arn = call->principal->arn;
    const json_t *op;
    size_t i;

    if (call->principal->type == PRINCIPAL_ROOT)
        return true;
    if (member_is(doc, "RetiringPrincipal", arn))
        return true;
    if (!member_is(doc, "GranteePrincipal", arn))
        return false;
    json_array_foreach(json_object_get(doc, "Operations"), i, op)
        if (strcmp(json_string_value(op), "RetireGrant") == 0)
            return true;
    return false;
}

cu_rc kms_retire_grant(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *token = in_str(in, "GrantToken"), *key_name = in_str(in, "KeyId");
    const char *grant_id = in_str(in, "GrantId");
    struct kms_key *key = NULL;
    json_t *found = NULL, *doc = NULL;
    char hash[65], scope[RECORD_NAME_MAX], found_id[RECORD_NAME_MAX];
    struct store_lookup q = {RECORD_KMS_GRANT, RECORD_KMS_GRANT_BY_TOKEN, hash, scope};

    (void)out;
    TRY(kms_check_dry_run(call, in));
    if (token) {
        digest_sha256_hex(bytes_str(token), hash);
        kms_scope(call, RECORD_KMS_GRANT, scope);
        /* within the call's account and region: another's token is no token here */
        TRY(store_find_one(call->tx, &q, scope, found_id, &found));
        ENSURE(found,
               cu_err_set(&call->err, CU_E_KMS_INVALID_GRANT_TOKEN, "Grant token is invalid"));
        TRY(kms_key_by_id(call, kms_scope_key_id(scope), &key));
        grant_id = found_id;
    } else {
        ENSURE(key_name && grant_id,
               cu_err_set(&call->err, CU_E_VALIDATION,
                          "Either GrantToken or both KeyId and GrantId must be specified"));
        TRY(kms_key_find(call, key_name, &key));
    }
    /* the call now holds the key (and names it in the trail); authorization is past, so
     * no condition keys */
    kms_target_set(call, key, NULL);
    TRY(kind_load(call, &kms_kind_grant, key->key_id, grant_id, &doc));
    ENSURE(may_retire(call, doc),
           cu_err_set(&call->err, CU_E_ACCESS_DENIED,
                      "User: %s is not authorized to perform: kms:RetireGrant on resource: %s",
                      call->principal->arn, key->arn));
    TRY(kind_remove(call, &kms_kind_grant, key->key_id, doc));
out:
    if (key && call->target.pin != key)
        kms_key_unref(key);
    json_decref(found);
    json_decref(doc);
    return rc;
}
