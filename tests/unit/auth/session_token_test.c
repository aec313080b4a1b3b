/* Tests for auth/session_token_format.c and auth/session_token.c: claims round-trip,
 * every adversarial encoding is refused with the invalid-token message (truncated, a
 * duplicate or out-of-order tag, an unknown tag, an oversized or NUL-holding string, a
 * missing required field, a bad flag); a sealed token opens to its claims and secret,
 * and fails when tampered at any byte, presented with another access key id, expired,
 * oversized, not base64, or opened under another master key. */
#include <stdlib.h>
#include <string.h>

#include "auth/session_token.h"
#include "check.h"
#include "core/secret.h"
#include "crypto/master_key.h"

static const char invalid[] = "The security token included in the request is invalid.";

static void sample(struct session_claims *c)
{
    memset(c, 0, sizeof(*c));
    c->type = PRINCIPAL_ROLE_SESSION;
    str_copy(c->account_id, sizeof(c->account_id), "111122223333");
    str_copy(c->arn, sizeof(c->arn), "arn:aws:sts::111122223333:assumed-role/r/s");
    str_copy(c->user_id, sizeof(c->user_id), "AROAEXAMPLEEXAMPLE01:s");
    str_copy(c->name, sizeof(c->name), "r");
    str_copy(c->role_arn, sizeof(c->role_arn), "arn:aws:iam::111122223333:role/path/r");
    str_copy(c->session_name, sizeof(c->session_name), "s");
    str_copy(c->access_key_id, sizeof(c->access_key_id), "ASIAEXAMPLEEXAMPLE01");
    str_copy(c->session_policy, sizeof(c->session_policy), "{\"Version\":\"2012-10-17\"}");
    str_copy(c->policy_arns, sizeof(c->policy_arns),
             "arn:aws:iam::111122223333:policy/a\narn:aws:iam::111122223333:policy/b");
    str_copy(c->session_tags, sizeof(c->session_tags), "team\tblue\ncost=center\t42\n");
    str_copy(c->transitive_tag_keys, sizeof(c->transitive_tag_keys), "team\n");
    c->issued_s = 1700000000;
    c->expires_s = 1700003600;
    c->chained = true;
}

static void check_refused(const uint8_t *p, size_t n)
{
    struct session_claims c;
    struct cu_err err = {0};

    CHECK_RC(session_claims_parse(bytes_of(p, n), &c, &err), CU_E_UNKNOWN_ACCESS_KEY);
    CHECK_STR(err.msg, invalid);
    CHECK_INT(c.account_id[0], 0);
}

static void test_round_trip_and_bad_encodings(void)
{
    struct session_claims in, got;
    struct cu_err err = {0};
    struct buf b;
    uint8_t bad[SESSION_CLAIMS_MAX + 2];

    sample(&in);
    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(session_claims_write(&in, &b));
    CHECK_OK(session_claims_parse(buf_bytes(&b), &got, &err));
    CHECK(memcmp(&in, &got, sizeof(in)) == 0);
    /* every truncation but the ones that drop trailing optional fields whole (the
     * transitive keys, 3 + 5 bytes, then the tags, 3 + 25, then the chained flag, 4):
     * those are the encodings of the same claims without them */
    for (size_t n = 0; n < b.n; n++)
        if (n != b.n - 8 && n != b.n - 36 && n != b.n - 40)
            check_refused((const uint8_t *)b.p, n);
    CHECK_OK(session_claims_parse(bytes_of(b.p, b.n - 36), &got, &err));
    CHECK(!got.session_tags[0] && got.chained && got.expires_s == in.expires_s);
    /* a trailing byte, a repeated field, tags out of order, an unknown tag */
    memcpy(bad, b.p, b.n);
    bad[b.n] = 0x0f;
    check_refused(bad, b.n + 1);
    {
        uint8_t dup[] = {1, 0, 1, 2, 1, 0, 1, 2};
        uint8_t order[] = {2, 0, 1, 'x', 1, 0, 1, 1};
        uint8_t unknown[] = {1, 0, 1, 1, 99, 0, 0};
        check_refused(dup, sizeof(dup));
        check_refused(order, sizeof(order));
        check_refused(unknown, sizeof(unknown));
    }
    /* the type byte of a principal the token cannot hold */
    memcpy(bad, b.p, b.n);
    bad[3] = 77;
    check_refused(bad, b.n);
    /* a NUL inside a string (the account, the second field) */
    memcpy(bad, b.p, b.n);
    bad[4 + 3] = '\0';
    check_refused(bad, b.n);
    /* a string longer than its field: an account id of 13 bytes */
    {
        uint8_t longacct[] = {1,   0,   1,   1,   2,   0,   13,  '1', '1', '1',
                              '1', '1', '1', '1', '1', '1', '1', '1', '1', '1'};
        check_refused(longacct, sizeof(longacct));
    }
    /* a role session without its role */
    in.role_arn[0] = '\0';
    buf_reset(&b);
    CHECK_OK(session_claims_write(&in, &b));
    check_refused((const uint8_t *)b.p, b.n);
    /* oversized input */
    memset(bad, 0, sizeof(bad));
    check_refused(bad, sizeof(bad));
    /* a field too long for the writer is the caller's bug, not an encoding */
    sample(&in);
    memset(in.session_name, 'a', sizeof(in.session_name));
    buf_reset(&b);
    CHECK_RC(session_claims_write(&in, &b), CU_E_INTERNAL);
    buf_release(&b);
}

/* A web identity session keeps its provider (tag 20); only a role session may name one. */
static void test_web_provider(void)
{
    struct session_claims in, got;
    struct cu_err err = {0};
    struct buf b;

    sample(&in);
    str_copy(in.web_provider, sizeof(in.web_provider),
             "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(session_claims_write(&in, &b));
    CHECK_OK(session_claims_parse(buf_bytes(&b), &got, &err));
    CHECK(memcmp(&in, &got, sizeof(in)) == 0);
    /* the provider is the last field: the encoding ends with its tag, length and value */
    CHECK_INT((uint8_t)b.p[b.n - strlen(in.web_provider) - 3], 20);
    in.type = PRINCIPAL_USER;
    in.role_arn[0] = in.session_name[0] = '\0';
    buf_reset(&b);
    CHECK_OK(session_claims_write(&in, &b));
    check_refused((const uint8_t *)b.p, b.n);
    /* an empty provider is not written, and a tag past 20 is unknown */
    {
        uint8_t past[] = {1, 0, 1, 2, 21, 0, 1, 'x'};
        check_refused(past, sizeof(past));
    }
    buf_release(&b);
}

/* A federated user (GetFederationToken) and an MFA session: tags 18 and 19 round-trip,
 * and the rules that tie them to the type and the MFA flag hold. */
static void federated_sample(struct session_claims *c)
{
    memset(c, 0, sizeof(*c));
    c->type = PRINCIPAL_FEDERATED;
    str_copy(c->account_id, sizeof(c->account_id), "111122223333");
    str_copy(c->arn, sizeof(c->arn), "arn:aws:sts::111122223333:federated-user/bob");
    str_copy(c->user_id, sizeof(c->user_id), "111122223333:bob");
    str_copy(c->name, sizeof(c->name), "proxy");
    str_copy(c->role_arn, sizeof(c->role_arn), "arn:aws:iam::111122223333:user/proxy");
    str_copy(c->session_name, sizeof(c->session_name), "bob");
    str_copy(c->issuer_id, sizeof(c->issuer_id), "AIDAEXAMPLEEXAMPLE01");
    str_copy(c->access_key_id, sizeof(c->access_key_id), "ASIAEXAMPLEEXAMPLE02");
    c->issued_s = 1700000000;
    c->expires_s = 1700043200;
}

static void expect_refused(const struct session_claims *in)
{
    struct buf b;

    buf_init(&b, BUF_NO_LIMIT);
    CHECK_OK(session_claims_write(in, &b));
    check_refused((const uint8_t *)b.p, b.n);
    buf_release(&b);
}

static void test_federated_and_mfa_claims(void)
{
    struct session_claims in, got;
    struct cu_err err = {0};
    struct buf b;

    buf_init(&b, BUF_NO_LIMIT);
    federated_sample(&in);
    CHECK_OK(session_claims_write(&in, &b));
    CHECK_OK(session_claims_parse(buf_bytes(&b), &got, &err));
    CHECK(memcmp(&in, &got, sizeof(in)) == 0);
    /* every truncation is refused: the issuer id, the last field, is required here */
    for (size_t n = 0; n < b.n; n++)
        check_refused((const uint8_t *)b.p, n);
    /* an MFA user session: the MFA time travels with the flag */
    sample(&in);
    in.type = PRINCIPAL_USER;
    in.role_arn[0] = in.session_name[0] = '\0';
    in.mfa = true;
    in.mfa_auth_s = in.issued_s;
    buf_reset(&b);
    CHECK_OK(session_claims_write(&in, &b));
    CHECK_OK(session_claims_parse(buf_bytes(&b), &got, &err));
    CHECK(got.mfa && got.mfa_auth_s == in.issued_s);
    /* an MFA time after the session was issued */
    in.mfa_auth_s = in.issued_s + 1;
    expect_refused(&in);
    /* a federated user without its issuer's id, a user session with one, a federated
     * user without its issuing user's ARN */
    federated_sample(&in);
    in.issuer_id[0] = '\0';
    expect_refused(&in);
    federated_sample(&in);
    in.type = PRINCIPAL_ROLE_SESSION;
    expect_refused(&in);
    federated_sample(&in);
    in.role_arn[0] = '\0';
    expect_refused(&in);
    {
        /* the MFA flag without its time (tag 14 alone), the time without the flag */
        uint8_t base[] = {1, 0, 1, 1, 2, 0, 1, '1', 3, 0, 1, 'a', 4, 0, 1, 'u', 8, 0, 1, 'k',
                          12, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 13, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2};
        uint8_t flag_only[sizeof(base) + 4], time_only[sizeof(base) + 11],
            both[sizeof(base) + 15];
        uint8_t flag[] = {14, 0, 1, 1};
        uint8_t when[] = {18, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1};
        CHECK_OK(session_claims_parse(bytes_of(base, sizeof(base)), &got, &err));
        memcpy(flag_only, base, sizeof(base));
        memcpy(flag_only + sizeof(base), flag, sizeof(flag));
        check_refused(flag_only, sizeof(flag_only));
        memcpy(time_only, base, sizeof(base));
        memcpy(time_only + sizeof(base), when, sizeof(when));
        check_refused(time_only, sizeof(time_only));
        memcpy(both, base, sizeof(base));
        memcpy(both + sizeof(base), flag, sizeof(flag));
        memcpy(both + sizeof(base) + sizeof(flag), when, sizeof(when));
        CHECK_OK(session_claims_parse(bytes_of(both, sizeof(both)), &got, &err));
        CHECK(got.mfa && got.mfa_auth_s == 1);
    }
    buf_release(&b);
}

static void test_seal_and_open(void)
{
    struct master_key *mk = NULL, *other = NULL;
    struct session_keys *k = NULL, *k2 = NULL;
    struct session_claims in, got;
    struct cu_err err = {0};
    char secret[SESSION_SECRET_LEN + 1], again[SESSION_SECRET_LEN + 1];
    struct buf token, token2;
    char *t;

    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    CHECK_OK(session_keys_new(mk, &k));
    CHECK_OK(session_keys_new(other, &k2));
    sample(&in);
    buf_init_sensitive(&token, SESSION_TOKEN_MAX);
    buf_init_sensitive(&token2, SESSION_TOKEN_MAX);
    CHECK_OK(session_token_issue(k, &in, &token, secret));
    CHECK_INT(strlen(secret), SESSION_SECRET_LEN);
    CHECK_OK(session_token_open(k, token.p, in.access_key_id, in.issued_s, &got, again, &err));
    CHECK(memcmp(&in, &got, sizeof(in)) == 0);
    CHECK_STR(again, secret);
    /* the same claims again: another IV, so another token and another secret */
    CHECK_OK(session_token_issue(k, &in, &token2, again));
    CHECK(strcmp(token.p, token2.p) != 0 && strcmp(again, secret) != 0);
    /* expired at its expiration second */
    CHECK_RC(session_token_open(k, token.p, in.access_key_id, in.expires_s, &got, again, &err),
             CU_E_TOKEN_EXPIRED);
    CHECK_STR(err.msg, "The security token included in the request is expired");
    /* another access key id, another master key */
    CHECK_RC(session_token_open(k, token.p, "ASIAOTHEROTHEROTHER1", in.issued_s, &got, again, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    CHECK_STR(err.msg, invalid);
    CHECK_RC(session_token_open(k2, token.p, in.access_key_id, in.issued_s, &got, again, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    /* any character changed (base64 characters swapped for others), but in the last
     * quantum, whose unused low bits a decoder may ignore (the same bytes, not a change) */
    t = strdup(token.p);
    for (size_t i = 0; i + 4 < token.n; i += 7) {
        char was = t[i];
        t[i] = was == 'A' ? 'B' : 'A';
        CHECK_RC(session_token_open(k, t, in.access_key_id, in.issued_s, &got, again, &err),
                 CU_E_UNKNOWN_ACCESS_KEY);
        t[i] = was;
    }
    /* truncated, not base64, empty, oversized */
    t[token.n / 2] = '\0';
    CHECK_RC(session_token_open(k, t, in.access_key_id, in.issued_s, &got, again, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    CHECK_RC(session_token_open(k, "!!!!", in.access_key_id, in.issued_s, &got, again, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    CHECK_RC(session_token_open(k, "", in.access_key_id, in.issued_s, &got, again, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    free(t);
    t = malloc(SESSION_TOKEN_MAX + 8);
    memset(t, 'A', SESSION_TOKEN_MAX + 4);
    t[SESSION_TOKEN_MAX + 4] = '\0';
    CHECK_RC(session_token_open(k, t, in.access_key_id, in.issued_s, &got, again, &err),
             CU_E_UNKNOWN_ACCESS_KEY);
    CHECK_STR(err.msg, invalid);
    free(t);
    buf_release(&token);
    buf_release(&token2);
    session_keys_free(k);
    session_keys_free(k2);
    master_key_free(mk);
    master_key_free(other);
}

int main(void)
{
    if (secret_heap_init(1 << 16) != CU_OK)
        return 1;
    test_round_trip_and_bad_encodings();
    test_web_provider();
    test_federated_and_mfa_claims();
    test_seal_and_open();
    TEST_END();
}
