/* session_token_format.c — the claims inside an STS session token, written and read
 * (session_token.h). Pure: no I/O, no clock, no globals; the fuzzed half of the token.
 *
 * Layout: a sequence of fields (tag u8, length u16 big-endian, value), tags strictly
 * increasing so that each appears once and one set of claims has one encoding. Strings
 * must fit their field and hold no NUL; times are 8-byte big-endian seconds; flags one
 * byte, 0 or 1. The input has been authenticated by GCM before it gets here, so a
 * failure means a token custos did not write (or a bug): it is answered like any
 * invalid token, without detail. */
#include <string.h>

#include "session_token.h"

enum claim_tag {
    TAG_TYPE = 1,
    TAG_ACCOUNT = 2,
    TAG_ARN = 3,
    TAG_USER_ID = 4,
    TAG_NAME = 5,
    TAG_ROLE_ARN = 6,
    TAG_SESSION_NAME = 7,
    TAG_ACCESS_KEY_ID = 8,
    TAG_SOURCE_IDENTITY = 9,
    TAG_SESSION_POLICY = 10,
    TAG_POLICY_ARNS = 11,
    TAG_ISSUED = 12,
    TAG_EXPIRES = 13,
    TAG_MFA = 14,
    TAG_CHAINED = 15,
    TAG_SESSION_TAGS = 16,
    TAG_TRANSITIVE_TAG_KEYS = 17,
    TAG_MFA_AUTH = 18,
    TAG_ISSUER_ID = 19,
    TAG_WEB_PROVIDER = 20,
};
/* The highest tag this parser knows. */
#define TAG_LAST TAG_WEB_PROVIDER

/* Fields every token has; the others are empty when absent. */
#define REQUIRED_TAGS                                                                              \
    ((1u << TAG_TYPE) | (1u << TAG_ACCOUNT) | (1u << TAG_ARN) | (1u << TAG_USER_ID) |              \
     (1u << TAG_ACCESS_KEY_ID) | (1u << TAG_ISSUED) | (1u << TAG_EXPIRES))

static const char invalid_token[] = "The security token included in the request is invalid.";

static cu_rc put_field(struct buf *out, enum claim_tag tag, const void *p, size_t n)
{
    cu_rc rc = CU_OK;
    uint8_t head[3] = {(uint8_t)tag, (uint8_t)(n >> 8), (uint8_t)n};

    ENSURE(n <= 0xffff, CU_E_INTERNAL);
    TRY(buf_add(out, head, sizeof(head)));
    TRY(buf_add(out, p, n));
out:
    return rc;
}

/* A string field, left out when empty; cap is its field's size with the NUL. */
static cu_rc put_str(struct buf *out, enum claim_tag tag, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n == cap)
        return CU_E_INTERNAL;
    return n ? put_field(out, tag, s, n) : CU_OK;
}

static cu_rc put_time(struct buf *out, enum claim_tag tag, int64_t t)
{
    uint8_t v[8];
    uint64_t u = (uint64_t)t;

    for (int i = 7; i >= 0; i--, u >>= 8)
        v[i] = (uint8_t)u;
    return put_field(out, tag, v, sizeof(v));
}

static cu_rc put_flag(struct buf *out, enum claim_tag tag, bool on)
{
    uint8_t v = 1;

    return on ? put_field(out, tag, &v, 1) : CU_OK;
}

cu_rc session_claims_write(const struct session_claims *c, struct buf *out)
{
    cu_rc rc = CU_OK;
    uint8_t type = (uint8_t)c->type;

    TRY(put_field(out, TAG_TYPE, &type, 1));
    TRY(put_str(out, TAG_ACCOUNT, c->account_id, sizeof(c->account_id)));
    TRY(put_str(out, TAG_ARN, c->arn, sizeof(c->arn)));
    TRY(put_str(out, TAG_USER_ID, c->user_id, sizeof(c->user_id)));
    TRY(put_str(out, TAG_NAME, c->name, sizeof(c->name)));
    TRY(put_str(out, TAG_ROLE_ARN, c->role_arn, sizeof(c->role_arn)));
    TRY(put_str(out, TAG_SESSION_NAME, c->session_name, sizeof(c->session_name)));
    TRY(put_str(out, TAG_ACCESS_KEY_ID, c->access_key_id, sizeof(c->access_key_id)));
    TRY(put_str(out, TAG_SOURCE_IDENTITY, c->source_identity, sizeof(c->source_identity)));
    TRY(put_str(out, TAG_SESSION_POLICY, c->session_policy, sizeof(c->session_policy)));
    TRY(put_str(out, TAG_POLICY_ARNS, c->policy_arns, sizeof(c->policy_arns)));
    TRY(put_time(out, TAG_ISSUED, c->issued_s));
    TRY(put_time(out, TAG_EXPIRES, c->expires_s));
    TRY(put_flag(out, TAG_MFA, c->mfa));
    TRY(put_flag(out, TAG_CHAINED, c->chained));
    TRY(put_str(out, TAG_SESSION_TAGS, c->session_tags, sizeof(c->session_tags)));
    TRY(put_str(out, TAG_TRANSITIVE_TAG_KEYS, c->transitive_tag_keys,
                sizeof(c->transitive_tag_keys)));
    if (c->mfa)
        TRY(put_time(out, TAG_MFA_AUTH, c->mfa_auth_s));
    TRY(put_str(out, TAG_ISSUER_ID, c->issuer_id, sizeof(c->issuer_id)));
    TRY(put_str(out, TAG_WEB_PROVIDER, c->web_provider, sizeof(c->web_provider)));
out:
    return rc;
}

/* Copy a string value into its field: non-empty, no NUL, room for the terminator. */
static bool get_str(struct bytes v, char *dst, size_t cap)
{
    if (v.n == 0 || v.n >= cap || memchr(v.p, '\0', v.n))
        return false;
    memcpy(dst, v.p, v.n);
    dst[v.n] = '\0';
    return true;
}

static bool get_time(struct bytes v, int64_t *out)
{
    uint64_t u = 0;

    if (v.n != 8)
        return false;
    for (size_t i = 0; i < 8; i++)
        u = (u << 8) | v.p[i];
    if (u > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)u;
    return true;
}

static bool get_flag(struct bytes v, bool *out)
{
    if (v.n != 1 || v.p[0] != 1)
        return false;
    *out = true;
    return true;
}

static bool get_type(struct bytes v, enum principal_type *out)
{
    if (v.n != 1 ||
        (v.p[0] != PRINCIPAL_ROOT && v.p[0] != PRINCIPAL_USER &&
         v.p[0] != PRINCIPAL_ROLE_SESSION && v.p[0] != PRINCIPAL_FEDERATED))
        return false;
    *out = (enum principal_type)v.p[0];
    return true;
}

/* One field's value into its place in c; false for a value it cannot hold. */
static bool get_field(uint8_t tag, struct bytes v, struct session_claims *c)
{
    switch (tag) {
    case TAG_TYPE:
        return get_type(v, &c->type);
    case TAG_ACCOUNT:
        return get_str(v, c->account_id, sizeof(c->account_id));
    case TAG_ARN:
        return get_str(v, c->arn, sizeof(c->arn));
    case TAG_USER_ID:
        return get_str(v, c->user_id, sizeof(c->user_id));
    case TAG_NAME:
        return get_str(v, c->name, sizeof(c->name));
    case TAG_ROLE_ARN:
        return get_str(v, c->role_arn, sizeof(c->role_arn));
    case TAG_SESSION_NAME:
        return get_str(v, c->session_name, sizeof(c->session_name));
    case TAG_ACCESS_KEY_ID:
        return get_str(v, c->access_key_id, sizeof(c->access_key_id));
    case TAG_SOURCE_IDENTITY:
        return get_str(v, c->source_identity, sizeof(c->source_identity));
    case TAG_SESSION_POLICY:
        return get_str(v, c->session_policy, sizeof(c->session_policy));
    case TAG_POLICY_ARNS:
        return get_str(v, c->policy_arns, sizeof(c->policy_arns));
    case TAG_ISSUED:
        return get_time(v, &c->issued_s);
    case TAG_EXPIRES:
        return get_time(v, &c->expires_s);
    case TAG_MFA:
        return get_flag(v, &c->mfa);
    case TAG_CHAINED:
        return get_flag(v, &c->chained);
    case TAG_SESSION_TAGS:
        return get_str(v, c->session_tags, sizeof(c->session_tags));
    case TAG_TRANSITIVE_TAG_KEYS:
        return get_str(v, c->transitive_tag_keys, sizeof(c->transitive_tag_keys));
    case TAG_WEB_PROVIDER:
        return get_str(v, c->web_provider, sizeof(c->web_provider));
    case TAG_MFA_AUTH:
        return get_time(v, &c->mfa_auth_s);
    case TAG_ISSUER_ID:
        return get_str(v, c->issuer_id, sizeof(c->issuer_id));
    }
    return false;
}

cu_rc session_claims_parse(struct bytes in, struct session_claims *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct cursor cur;
    uint32_t seen = 0;
    uint8_t tag, last = 0;
    bool issued_by;
    uint16_t len;
    struct bytes v;

    memset(out, 0, sizeof(*out));
    cursor_init(&cur, in);
    ENSURE(in.n <= SESSION_CLAIMS_MAX, CU_E_UNKNOWN_ACCESS_KEY);
    while (cursor_left(&cur) > 0) {
        ENSURE(cursor_u8(&cur, &tag) && cursor_u16(&cur, &len) && cursor_take(&cur, len, &v),
               CU_E_UNKNOWN_ACCESS_KEY);
        ENSURE(tag > last && tag <= TAG_LAST, CU_E_UNKNOWN_ACCESS_KEY);
        ENSURE(get_field(tag, v, out), CU_E_UNKNOWN_ACCESS_KEY);
        seen |= 1u << tag;
        last = tag;
    }
    ENSURE((seen & REQUIRED_TAGS) == REQUIRED_TAGS, CU_E_UNKNOWN_ACCESS_KEY);
    /* a role session names its role and session, a federated user its issuing user (ARN
     * and unique id) and its name; the others have none of these */
    issued_by = out->type == PRINCIPAL_ROLE_SESSION || out->type == PRINCIPAL_FEDERATED;
    ENSURE(issued_by == (out->role_arn[0] != '\0' && out->session_name[0] != '\0'),
           CU_E_UNKNOWN_ACCESS_KEY);
    ENSURE((out->type == PRINCIPAL_FEDERATED) == (out->issuer_id[0] != '\0'),
           CU_E_UNKNOWN_ACCESS_KEY);
    /* the MFA time comes with the MFA flag, and not from the future of the session */
    ENSURE(out->mfa == ((seen >> TAG_MFA_AUTH) & 1u) && out->mfa_auth_s <= out->issued_s,
           CU_E_UNKNOWN_ACCESS_KEY);
    ENSURE(out->issued_s <= out->expires_s, CU_E_UNKNOWN_ACCESS_KEY);
    /* only a role session comes from a web identity */
    ENSURE(!out->web_provider[0] || out->type == PRINCIPAL_ROLE_SESSION, CU_E_UNKNOWN_ACCESS_KEY);
out:
    if (rc != CU_OK) {
        memset(out, 0, sizeof(*out));
        cu_err_set(err, rc, "%s", invalid_token);
    }
    return rc;
}
