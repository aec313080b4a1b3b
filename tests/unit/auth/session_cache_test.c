/* Tests for auth/session_cache.c and its use by principal_resolve: a cached session is
 * found only by its access key id and its whole token, byte for byte; a newer session in
 * the slot replaces it; and a session principal_resolve has cached still expires at its
 * expiration second, with the message an uncached token gets. */
#include <stdlib.h>
#include <string.h>

#include "auth/principal.h"
#include "auth/session_cache.h"
#include "auth/session_token.h"
#include "check.h"
#include "core/secret.h"
#include "crypto/master_key.h"

static const char expired[] = "The security token included in the request is expired";
static const char invalid[] = "The security token included in the request is invalid.";

static void sample(struct principal *p, const char *akid)
{
    principal_clear(p);
    p->type = PRINCIPAL_ROLE_SESSION;
    str_copy(p->account_id, sizeof(p->account_id), "111122223333");
    str_copy(p->arn, sizeof(p->arn), "arn:aws:sts::111122223333:assumed-role/r/s");
    str_copy(p->access_key_id, sizeof(p->access_key_id), akid);
    str_copy(p->role_arn, sizeof(p->role_arn), "arn:aws:iam::111122223333:role/r");
    str_copy(p->session_name, sizeof(p->session_name), "s");
    str_copy(p->session_policy, sizeof(p->session_policy), "{\"Version\":\"2012-10-17\"}");
    str_copy(p->session_tags, sizeof(p->session_tags), "team\tblue\n");
    p->session_issued_s = 1700000000;
    p->session_expires_s = 1700003600;
}

static void test_cache(void)
{
    struct session_cache *c = NULL;
    struct principal *in = calloc(1, sizeof(*in)), *got = calloc(1, sizeof(*got));
    uint8_t secret[SESSION_SECRET_LEN], out[SESSION_SECRET_LEN];
    char token[] = "AQoDYXdzEJr-token-bytes", other[] = "AQoDYXdzEJr-token-bytes";

    CHECK(in && got);
    memset(secret, 'k', sizeof(secret));
    CHECK_OK(session_cache_new(&c));
    sample(in, "ASIAEXAMPLEEXAMPLE01");
    CHECK(!session_cache_get(c, in->access_key_id, token, got, out));
    session_cache_put(c, token, in, secret);
    CHECK(session_cache_get(c, in->access_key_id, token, got, out));
    CHECK_STR(got->arn, in->arn);
    CHECK_STR(got->session_policy, in->session_policy);
    CHECK_STR(got->session_tags, in->session_tags);
    CHECK_INT(got->session_expires_s, in->session_expires_s);
    CHECK(ct_equal(out, sizeof(out), secret, sizeof(secret)));
    /* another key id, one byte changed, a prefix, a longer token: all misses */
    CHECK(!session_cache_get(c, "ASIAEXAMPLEEXAMPLE02", token, got, out));
    other[5] ^= 1;
    CHECK(!session_cache_get(c, in->access_key_id, other, got, out));
    CHECK(!session_cache_get(c, in->access_key_id, "AQoDYXdz", got, out));
    CHECK(!session_cache_get(c, in->access_key_id, "AQoDYXdzEJr-token-bytes-and-more", got, out));
    /* the same key id with a newer token replaces the entry */
    session_cache_put(c, other, in, secret);
    CHECK(!session_cache_get(c, in->access_key_id, token, got, out));
    CHECK(session_cache_get(c, in->access_key_id, other, got, out));
    session_cache_free(c);
    free(in);
    free(got);
}

static void test_resolve_expires_when_cached(void)
{
    struct master_key *mk = NULL;
    struct session_keys *k = NULL;
    struct principal_cache *pc = NULL;
    struct session_claims *claims = calloc(1, sizeof(*claims));
    struct principal *p = calloc(1, sizeof(*p));
    char secret[SESSION_SECRET_LEN + 1];
    uint8_t key[PRINCIPAL_SECRET_MAX];
    size_t key_len = 0;
    struct cu_err err = {0};
    struct buf token;

    CHECK(claims && p);
    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(session_keys_new(mk, &k));
    CHECK_OK(principal_cache_new(&pc));
    claims->type = PRINCIPAL_USER;
    str_copy(claims->account_id, sizeof(claims->account_id), "111122223333");
    str_copy(claims->arn, sizeof(claims->arn), "arn:aws:iam::111122223333:user/u");
    str_copy(claims->user_id, sizeof(claims->user_id), "AIDAEXAMPLEEXAMPLE01");
    str_copy(claims->name, sizeof(claims->name), "u");
    str_copy(claims->access_key_id, sizeof(claims->access_key_id), "ASIAEXAMPLEEXAMPLE03");
    claims->issued_s = 1700000000;
    claims->expires_s = 1700000900;
    buf_init_sensitive(&token, SESSION_TOKEN_MAX);
    CHECK_OK(session_token_issue(k, claims, &token, secret));
    /* opened (and cached), then found in the cache: the same principal and secret */
    for (int i = 0; i < 2; i++) {
        principal_clear(p);
        CHECK_OK(principal_resolve(pc, NULL, mk, claims->access_key_id, token.p,
                                   claims->issued_s + 10, p, key, &key_len, &err));
        CHECK_STR(p->arn, claims->arn);
        CHECK_INT(p->session_expires_s, claims->expires_s);
        CHECK_INT(key_len, SESSION_SECRET_LEN);
        CHECK(ct_equal(key, SESSION_SECRET_LEN, secret, SESSION_SECRET_LEN));
    }
    /* cached, and expired at its expiration second all the same */
    principal_clear(p);
    CHECK_RC(principal_resolve(pc, NULL, mk, claims->access_key_id, token.p, claims->expires_s,
                               p, key, &key_len, &err),
             CU_E_TOKEN_EXPIRED);
    CHECK_STR(err.msg, expired);
    /* the cached token under another key id is still a token never issued for it */
    memset(&err, 0, sizeof(err));
    CHECK_RC(principal_resolve(pc, NULL, mk, "ASIAEXAMPLEEXAMPLE04", token.p,
                               claims->issued_s + 10, p, key, &key_len, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    CHECK_STR(err.msg, invalid);
    secret_wipe(key, sizeof(key));
    secret_wipe(secret, sizeof(secret));
    buf_release(&token);
    principal_cache_free(pc);
    session_keys_free(k);
    master_key_free(mk);
    free(claims);
    free(p);
}

int main(void)
{
    test_cache();
    test_resolve_expires_when_cached();
    TEST_END();
}
