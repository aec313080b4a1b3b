/* principal.h — who is calling: the result of authentication, as every layer above
 * auth/ reads it (audit records, authorization, handlers). auth/principal.h resolves it. */
#ifndef CU_CORE_PRINCIPAL_H
#define CU_CORE_PRINCIPAL_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cu.h"

enum principal_type {
    PRINCIPAL_ROOT,
    PRINCIPAL_USER,
    PRINCIPAL_ROLE_SESSION,
    PRINCIPAL_FEDERATED,
    /* AssumeRoleWithSAML's caller, once its assertion verified: CloudTrail's SAMLUser
     * (user_id "<NameQualifier>:<Subject>", name the Subject, arn the SAML provider's) */
    PRINCIPAL_SAML_USER,
    /* the caller of AssumeRoleWithWebIdentity once its token verified: no credentials, no
     * policies, only the audit record's userIdentity (CloudTrail type WebIdentityUser) */
    PRINCIPAL_WEB_IDENTITY_USER,
};

#define PRINCIPAL_ARN_MAX 600
/* A role session's inline session policy: 2,048 characters (STS API reference, AssumeRole
 * Policy), each at most two bytes of UTF-8 (the policy character set ends at U+00FF). */
#define PRINCIPAL_SESSION_POLICY_MAX 4096
/* Its PolicyArns, '\n'-separated: at most 10 ARNs. */
#define PRINCIPAL_POLICY_ARNS_MAX 2048
/* Its session tags as "key\tvalue\n" lines (neither tabs nor newlines are tag characters),
 * and its transitive tag keys as "key\n" lines, within the packed limit. */
#define PRINCIPAL_SESSION_TAGS_MAX 2048
/* An IAM OIDC provider's ARN: "arn:aws:iam::<12>:oidc-provider/" and a URL of at most 255
 * characters without its scheme. */
#define PRINCIPAL_WEB_PROVIDER_MAX 300
/* A web identity token's sub (the model's webIdentitySubjectType: at most 255). */
#define PRINCIPAL_WEB_SUBJECT_MAX 256

/* The aws:PrincipalType value of a principal type (IAM guide, reference_policies_variables,
 * "Principal key values": Account for the root user, User for an IAM user, AssumedRole for
 * a role session, including web-identity ones, FederatedUser for GetFederationToken).
 * Credentials from GetSessionToken act as the user (or root) who asked for them, so
 * their principal keeps that type: User, or Account. A static string. */
static inline const char *principal_type_name(enum principal_type type)
{
    static const char *const names[] = {
        [PRINCIPAL_ROOT] = "Account",
        [PRINCIPAL_USER] = "User",
        [PRINCIPAL_ROLE_SESSION] = "AssumedRole",
        [PRINCIPAL_FEDERATED] = "FederatedUser",
        [PRINCIPAL_SAML_USER] = "SAMLUser",
        [PRINCIPAL_WEB_IDENTITY_USER] = "WebIdentityUser",
    };

    return (unsigned)type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type]
                                                                              : "User";
}

struct principal {
    enum principal_type type;
    char account_id[13];
    char arn[PRINCIPAL_ARN_MAX];  /* arn:aws:iam::<acct>:root | :user/<path><name> |
                                   * arn:aws:sts::<acct>:assumed-role/<role>/<session>;
                                   * a web identity user has no ARN: CloudTrail's
                                   * principalId, <provider ARN>:<aud>:<sub> */
    char user_id[130];            /* GetCallerIdentity UserId: account id for root, AIDA...,
                                   * AROA...:<session> for a role session */
    char name[130];               /* user name; the role's name for a role session; the
                                   * issuing user's name for a federated user; empty for
                                   * root */
    char access_key_id[129];
    /* temporary credentials (STS session tokens) from here on: when they were issued and
     * expire; 0 for long-term access keys (auth/principal.c copies long-term principals
     * only up to here, then empties the rest member by member) */
    int64_t session_issued_s;
    int64_t session_expires_s;
    bool mfa;                     /* the session was authenticated with MFA */
    bool chained;                 /* a role session whose credentials came from a role
                                   * session (role chaining) */
    int64_t mfa_auth_s;           /* with mfa: when MFA authenticated (aws:MultiFactorAuthAge) */
    /* role sessions (AssumeRole) and federated users (GetFederationToken) only, else "" */
    char role_arn[PRINCIPAL_ARN_MAX];  /* the role's IAM ARN, with its path; a federated
                                        * user's: the IAM user's ARN that issued it */
    char issuer_id[33];                /* a federated user's issuing IAM user's unique id */
    char session_name[65];             /* RoleSessionName; a federated user's Name */
    char source_identity[65];
    char session_policy[PRINCIPAL_SESSION_POLICY_MAX + 1]; /* inline session policy */
    char policy_arns[PRINCIPAL_POLICY_ARNS_MAX + 1];       /* managed ones, '\n'-separated */
    char session_tags[PRINCIPAL_SESSION_TAGS_MAX + 1];     /* "key\tvalue\n"... */
    char transitive_tag_keys[PRINCIPAL_SESSION_TAGS_MAX + 1]; /* "key\n"... */
    /* AssumeRoleWithWebIdentity: the IAM OIDC provider's ARN, in its role sessions
     * (CloudTrail's webIdFederationData.federatedProvider, aws:FederatedProvider) and in
     * its caller (identityProvider); the token's sub, in the caller only (userName) */
    char web_provider[PRINCIPAL_WEB_PROVIDER_MAX];
    char web_subject[PRINCIPAL_WEB_SUBJECT_MAX];
};

/* Empty the session members (from session_issued_s on) without clearing them whole: they
 * are most of the struct (policies, tags), and the hot path fills a principal per request. */
static inline void principal_clear_session(struct principal *p)
{
    p->session_issued_s = 0;
    p->session_expires_s = 0;
    p->mfa = false;
    p->chained = false;
    p->mfa_auth_s = 0;
    p->role_arn[0] = '\0';
    p->issuer_id[0] = '\0';
    p->session_name[0] = '\0';
    p->source_identity[0] = '\0';
    p->session_policy[0] = '\0';
    p->policy_arns[0] = '\0';
    p->session_tags[0] = '\0';
    p->transitive_tag_keys[0] = '\0';
    p->web_provider[0] = '\0';
    p->web_subject[0] = '\0';
}

/* A string member copied up to its terminator (src's strings are terminated within their
 * arrays): the large session members are mostly unused room. */
static inline void principal_copy_text(char *dst, const char *src)
{
    memcpy(dst, src, strlen(src) + 1);
}

/* dst = src, without copying the unused room of the four large session strings: all else
 * (everything before session_policy and after transitive_tag_keys) is copied whole, so a
 * member added at the end of the struct is copied without more code here. */
static inline void principal_copy(struct principal *dst, const struct principal *src)
{
    size_t head = offsetof(struct principal, session_policy);
    size_t tail = offsetof(struct principal, transitive_tag_keys) + sizeof(src->transitive_tag_keys);

    memcpy(dst, src, head);
    principal_copy_text(dst->session_policy, src->session_policy);
    principal_copy_text(dst->policy_arns, src->policy_arns);
    principal_copy_text(dst->session_tags, src->session_tags);
    principal_copy_text(dst->transitive_tag_keys, src->transitive_tag_keys);
    memcpy((char *)dst + tail, (const char *)src + tail, sizeof(*src) - tail);
}

/* An empty principal, as cheaply: the members before the session ones zeroed, the session
 * members emptied. */
static inline void principal_clear(struct principal *p)
{
    memset(p, 0, offsetof(struct principal, session_issued_s));
    principal_clear_session(p);
}

/* Whether session_tags ("key\tvalue\n" lines) or transitive_tag_keys ("key\n" lines)
 * hold key, without regard to case: session tag keys are case-insensitive (IAM guide,
 * id_session-tags). */
static inline bool principal_tag_lines_have(const char *lines, const char *key)
{
    size_t n = strlen(key);

    while (*lines) {
        size_t line = strcspn(lines, "\n"), end = strcspn(lines, "\t\n");
        if (end == n && strncasecmp(lines, key, n) == 0)
            return true;
        lines += line + (lines[line] != '\0');
    }
    return false;
}

#endif
