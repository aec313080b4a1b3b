/* outbound.c — the account's outbound web identity federation record, its keys, and the
 * OIDC discovery documents of its issuer (outbound.h).
 *
 * Each key pair is sealed under the master key with an AAD naming its purpose, account,
 * algorithm and kid, so a sealed key copied into another account's record, or under
 * another algorithm, does not open. The public JWK is computed once, at creation, and
 * kept beside the sealed key: the discovery endpoint, which any unauthenticated client
 * may call, serves it without opening any key material. */
#include "outbound.h"

#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/ids.h"
#include "core/tree.h"
#include "core/tree_write.h"
#include "store/records.h"

#define AAD_PURPOSE "custos/v1/outbound-jwt-key"
#define SEALED_MAX 8192
#define WELL_KNOWN_CONFIG "/.well-known/openid-configuration"
#define WELL_KNOWN_JWKS "/.well-known/jwks.json"

cu_rc outbound_load(struct store_tx *tx, const char *account, json_t **rec)
{
    return store_get(tx, RECORD_OUTBOUND_FEDERATION, account, RECORD_OUTBOUND_FEDERATION_KEY,
                     rec);
}

bool outbound_enabled(const json_t *rec)
{
    return rec && json_is_true(json_object_get(rec, "Enabled"));
}

void outbound_issuer(const char *public_url, const json_t *rec, char out[OUTBOUND_ISSUER_MAX])
{
    const char *id = json_string_value(json_object_get(rec, "IssuerId"));

    snprintf(out, OUTBOUND_ISSUER_MAX, "%s%s%s", public_url, OUTBOUND_PATH_PREFIX, id ? id : "");
}

/* The AAD binding a sealed key to (account, alg, kid): NUL-separated fields, none of
 * which can hold a NUL, so no two tuples share an encoding. */
static cu_rc key_aad(const char *account, enum jwt_alg alg, const char *kid, struct buf *aad)
{
    cu_rc rc = CU_OK;

    TRY(buf_add(aad, AAD_PURPOSE, sizeof(AAD_PURPOSE)));
    TRY(buf_add(aad, account, strlen(account) + 1));
    TRY(buf_add(aad, jwt_alg_name(alg), strlen(jwt_alg_name(alg)) + 1));
    TRY(buf_add(aad, kid, strlen(kid)));
out:
    return rc;
}

/* One {Alg, Kid, Sealed, Jwk} entry with a fresh key pair for alg. */
static cu_rc new_key_entry(const struct master_key *mk, const char *account, enum jwt_alg alg,
                           json_t **entry)
{
    cu_rc rc = CU_OK;
    struct jwt_key *key = NULL;
    struct buf aad, sealed, jwk;
    char kid[IDS_UUID_LEN + 1];
    json_error_t jerr;
    json_t *e = json_object();

    buf_init(&aad, 1024);
    buf_init(&sealed, SEALED_MAX);
    buf_init(&jwk, 4096);
    ENSURE(e, CU_E_NOMEM);
    TRY(ids_uuid(kid));
    TRY(jwt_key_generate(alg, &key));
    TRY(key_aad(account, alg, kid, &aad));
    TRY(jwt_key_seal(mk, key, buf_bytes(&aad), &sealed));
    TRY(jwt_key_public_jwk(key, kid, &jwk));
    TRY(tree_set_str(e, "Alg", jwt_alg_name(alg)));
    TRY(tree_set_str(e, "Kid", kid));
    TRY(tree_set_blob(e, "Sealed", buf_bytes(&sealed)));
    TRY(tree_set_new(e, "Jwk", json_loadb(jwk.p, jwk.n, 0, &jerr)));
    *entry = e;
    e = NULL;
out:
    json_decref(e);
    jwt_key_free(key);
    buf_release(&aad);
    buf_release(&sealed);
    buf_release(&jwk);
    return rc;
}

cu_rc outbound_enable(struct store_tx *tx, const struct master_key *mk, const char *account,
                      json_t *existing, json_t **rec)
{
    cu_rc rc = CU_OK;
    json_t *r = existing ? json_incref(existing) : json_object(), *keys = NULL, *entry = NULL;
    char id[IDS_UUID_LEN + 1];

    ENSURE(r, CU_E_NOMEM);
    if (!existing) {
        TRY(ids_uuid(id));
        TRY(tree_set_str(r, "IssuerId", id));
        keys = json_array();
        ENSURE(keys, CU_E_NOMEM);
        for (unsigned a = 0; a < JWT_SIGN_ALG_COUNT; a++) {
            TRY(new_key_entry(mk, account, jwt_sign_algs[a], &entry));
            TRY(tree_append_new(keys, entry));
            entry = NULL;
        }
        TRY(tree_set_new(r, "Keys", keys));
        keys = NULL;
    }
    TRY(tree_set_bool(r, "Enabled", true));
    TRY(store_put(tx, RECORD_OUTBOUND_FEDERATION, account, RECORD_OUTBOUND_FEDERATION_KEY, r,
                  STORE_UPSERT));
    *rec = r;
    r = NULL;
out:
    json_decref(entry);
    json_decref(keys);
    json_decref(r);
    return rc;
}

cu_rc outbound_disable(struct store_tx *tx, const char *account, json_t *rec)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_bool(rec, "Enabled", false));
    TRY(store_put(tx, RECORD_OUTBOUND_FEDERATION, account, RECORD_OUTBOUND_FEDERATION_KEY, rec,
                  STORE_REPLACE));
out:
    return rc;
}

cu_rc outbound_signing_key(const struct master_key *mk, const char *account, const json_t *rec,
                           enum jwt_alg alg, struct jwt_key **key, const char **kid)
{
    cu_rc rc = CU_OK;
    const json_t *keys = json_object_get(rec, "Keys"), *e = NULL, *it;
    struct buf aad, sealed;
    size_t i;
    bool present = false;

    buf_init(&aad, 1024);
    buf_init(&sealed, SEALED_MAX);
    json_array_foreach(keys, i, it)
        if (strcmp(json_string_value(json_object_get(it, "Alg")) ?: "", jwt_alg_name(alg)) == 0)
            e = it;
    ENSURE(e && json_is_string(json_object_get(e, "Kid")), CU_E_INTERNAL);
    *kid = json_string_value(json_object_get(e, "Kid"));
    TRY(tree_opt_blob(e, "Sealed", &sealed, &present));
    ENSURE(present, CU_E_SEAL_BROKEN);
    TRY(key_aad(account, alg, *kid, &aad));
    TRY(jwt_key_open(mk, alg, buf_bytes(&sealed), buf_bytes(&aad), key));
out:
    buf_release(&aad);
    buf_release(&sealed);
    return rc;
}

static cu_rc write_config(const char *issuer, struct buf *body)
{
    cu_rc rc = CU_OK;

    /* OpenID Connect Discovery 1.0 §3: the members a verifier of ID tokens needs */
    TRY(buf_addstr(body, "{\"issuer\":"));
    TRY(tree_write_string(body, issuer, strlen(issuer)));
    TRY(buf_addstr(body, ",\"jwks_uri\":\""));
    TRY(buf_addstrs(body, issuer, WELL_KNOWN_JWKS, "\"", (char *)NULL));
    TRY(buf_addstr(body, ",\"response_types_supported\":[\"id_token\"],"
                         "\"subject_types_supported\":[\"public\"],"
                         "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES384\"],"
                         "\"claims_supported\":[\"aud\",\"exp\",\"iat\",\"iss\",\"jti\","
                         "\"sub\",\"https://sts.amazonaws.com/\"]}"));
out:
    return rc;
}

static cu_rc write_jwks(const json_t *rec, struct buf *body)
{
    cu_rc rc = CU_OK;
    const json_t *it;
    size_t i;

    TRY(buf_addstr(body, "{\"keys\":["));
    json_array_foreach(json_object_get(rec, "Keys"), i, it) {
        if (i)
            TRY(buf_addch(body, ','));
        TRY(tree_write_json(body, json_object_get(it, "Jwk")));
    }
    TRY(buf_addstr(body, "]}"));
out:
    return rc;
}

cu_rc outbound_discovery(struct store *store, const char *public_url, const char *account,
                         const char *path, bool *handled, int *status, struct buf *body)
{
    cu_rc rc = CU_OK;
    struct store_tx *tx = NULL;
    json_t *rec = NULL;
    const char *id, *doc;
    char issuer[OUTBOUND_ISSUER_MAX];
    size_t id_len;

    *handled = strncmp(path, OUTBOUND_PATH_PREFIX, strlen(OUTBOUND_PATH_PREFIX)) == 0;
    if (!*handled)
        return CU_OK;
    *status = 404;
    id = path + strlen(OUTBOUND_PATH_PREFIX);
    doc = strchr(id, '/');
    id_len = doc ? (size_t)(doc - id) : strlen(id);
    TRY(store_tx_begin(store, false, &tx));
    TRY(outbound_load(tx, account, &rec));
    store_tx_rollback(tx);
    tx = NULL;
    if (rec && doc && id_len == IDS_UUID_LEN &&
        strncmp(id, json_string_value(json_object_get(rec, "IssuerId")) ?: "", id_len) == 0) {
        outbound_issuer(public_url, rec, issuer);
        if (strcmp(doc, WELL_KNOWN_CONFIG) == 0) {
            TRY(write_config(issuer, body));
            *status = 200;
        } else if (strcmp(doc, WELL_KNOWN_JWKS) == 0) {
            TRY(write_jwks(rec, body));
            *status = 200;
        }
    }
    if (*status == 404)
        TRY(buf_addstr(body, "{\"error\":\"not_found\"}"));
out:
    store_tx_rollback(tx);
    json_decref(rec);
    return rc;
}
