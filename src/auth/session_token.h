/* session_token.h — STS session tokens that carry their whole session (DESIGN.md,
 * "Identity and authorization"): nothing per session is stored, and any node that holds
 * the master key verifies a token without a store read.
 *
 * A token is base64 of
 *     0x01 | IV (12 random bytes) | AES-256-GCM ciphertext of the claims | tag (16)
 * under a token key derived from the master key ("sts-session-token"), AAD the version
 * byte. The claims (session_claims_write/parse, session_token_format.c) say who the
 * session is and until when. The session's secret access key is not in the token: it is
 * the HMAC-SHA256 of the whole decoded token under a second derived key
 * ("sts-session-secret"), base64, 40 characters, so whoever holds the token alone cannot
 * sign, and the server recomputes the secret from the token it is shown. */
#ifndef CU_SESSION_TOKEN_H
#define CU_SESSION_TOKEN_H

#include "core/buf.h"
#include "core/err.h"
#include "core/principal.h"

struct master_key;

#define SESSION_TOKEN_VERSION 1
/* The longest token accepted, as sent (base64): the claims' limits below fit well inside. */
#define SESSION_TOKEN_MAX 12288
/* The largest claims plaintext session_claims_parse reads. */
#define SESSION_CLAIMS_MAX 8192
/* A session's secret access key: 40 base64 characters, as AWS's. */
#define SESSION_SECRET_LEN 40

/* What a session is, as the token carries it. Strings are NUL-terminated and hold no NUL. */
struct session_claims {
    enum principal_type type; /* ROOT or USER (GetSessionToken), ROLE_SESSION, FEDERATED
                               * (GetFederationToken) */
    char account_id[13];
    char arn[PRINCIPAL_ARN_MAX];      /* the caller's ARN as AWS answers it */
    char user_id[130];                /* GetCallerIdentity UserId: account, AIDA.., AROA..:name */
    char name[130];                   /* user name, or the role's name */
    char role_arn[PRINCIPAL_ARN_MAX]; /* role sessions: the role's IAM ARN, with its path;
                                       * federated users: the issuing IAM user's ARN */
    char session_name[65];            /* role sessions: RoleSessionName; federated: Name */
    char access_key_id[21];           /* the ASIA id the token was issued with */
    char source_identity[65];
    char session_policy[PRINCIPAL_SESSION_POLICY_MAX + 1]; /* inline Policy, or "" */
    char policy_arns[PRINCIPAL_POLICY_ARNS_MAX + 1];       /* PolicyArns, '\n'-separated */
    char session_tags[PRINCIPAL_SESSION_TAGS_MAX + 1];     /* "key\tvalue\n"... */
    char transitive_tag_keys[PRINCIPAL_SESSION_TAGS_MAX + 1]; /* "key\n"... */
    char web_provider[PRINCIPAL_WEB_PROVIDER_MAX]; /* web identity sessions: the provider ARN */
    int64_t issued_s, expires_s;
    bool mfa;     /* authenticated with MFA */
    bool chained; /* a role session made by a role session */
    int64_t mfa_auth_s; /* when MFA authenticated the session (tag 18; only with mfa) */
    char issuer_id[33]; /* federated users: the issuing IAM user's unique id (tag 19) */
};

/* Append the claims' binary encoding to out. Errors: CU_E_INTERNAL for a string longer
 * than its field (the caller's bug), CU_E_NOMEM, CU_E_PAYLOAD_TOO_LARGE (out's limit). */
MUST_CHECK cu_rc session_claims_write(const struct session_claims *c, struct buf *out);

/* Parse claims from in (a pure function: no I/O, no clock; fuzzed by
 * tests/fuzz/session_claims_fuzz.c) into *out. Every field is (tag u8, length u16 BE,
 * value), tags strictly increasing, the required ones present, nothing after the last.
 * Errors: CU_E_UNKNOWN_ACCESS_KEY with AWS's invalid-token message for anything else. */
MUST_CHECK cu_rc session_claims_parse(struct bytes in, struct session_claims *out,
                                      struct cu_err *err);

/* The two keys derived from the master key; opaque, in the secure heap. */
struct session_keys;

MUST_CHECK cu_rc session_keys_new(const struct master_key *mk, struct session_keys **out);
void session_keys_free(struct session_keys *k);

/* Seal claims into a new token (appended, base64, to token: a sensitive buf) and write
 * its secret access key to secret (NUL-terminated; the caller wipes it).
 * Errors: CU_E_NOMEM, CU_E_INTERNAL, CU_E_PAYLOAD_TOO_LARGE. */
MUST_CHECK cu_rc session_token_issue(const struct session_keys *k,
                                     const struct session_claims *claims, struct buf *token,
                                     char secret[SESSION_SECRET_LEN + 1]);

/* Open token (as the request sent it) presented with access key id akid at now_s: on
 * success *out holds its claims and secret its secret access key (the caller wipes it).
 * A token that does not open, parse, or belong to akid fails with CU_E_UNKNOWN_ACCESS_KEY
 * ("The security token included in the request is invalid."), an expired one with
 * CU_E_TOKEN_EXPIRED ("The security token included in the request is expired"), both
 * in err; nothing says which part was wrong. */
MUST_CHECK cu_rc session_token_open(const struct session_keys *k, const char *token,
                                    const char *akid, int64_t now_s, struct session_claims *out,
                                    char secret[SESSION_SECRET_LEN + 1], struct cu_err *err);

#endif
