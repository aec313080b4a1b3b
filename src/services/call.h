/* call.h — the contract between the pipeline (server/) and the service handlers.
 *
 * The pipeline decodes and validates the input, authenticates the caller, asks the
 * operation's resolver which resource the call touches, authorizes (and, when the
 * descriptor declares one, authorizes a second action on a second resource), and then runs
 * the handler inside one store transaction (a write transaction unless the operation is
 * read-only). Handlers never call back into server/: what they need to know about
 * authorization reaches them as data in struct call. The handler reads its input tree and fills its output tree; it never
 * formats wire bytes. Whatever it writes to call->err is what the client reads. */
#ifndef CU_CALL_H
#define CU_CALL_H

#include <jansson.h>

#include "core/principal.h"
#include "policy/policy.h"
#include "core/err.h"
#include "store/store.h"

struct master_key;
struct call;
struct oidc_keys;
struct trail_set;

/* Service-specific condition keys of one request (kms:EncryptionContext:<k>, ...), filled
 * by the operation's descriptor before authorization. Values point into the request tree
 * or into `names`; everything lives as long as the call. */
#define CALL_MAX_KEYS 128 /* room for 50 request tags, 50 resource tags and the service keys */
struct call_keys {
    struct policy_context_entry entries[CALL_MAX_KEYS];
    const char *values[CALL_MAX_KEYS * 2];
    char names[CALL_MAX_KEYS][160];
    size_t n, n_values;
};

/* Add key with one value (copied name, borrowed value); silently full at CALL_MAX_KEYS,
 * which the request shapes' own limits keep out of reach. */
void call_keys_add(struct call_keys *k, const char *name, const char *value);
/* aws:RequestTag/<key> and aws:TagKeys from a list of tags in the request (IAM's
 * [{Key, Value}] or KMS's [{TagKey, TagValue}]); aws:ResourceTag/<key> from a stored
 * resource's tags. Values are borrowed from the trees. */
void call_keys_request_tags(struct call_keys *k, const json_t *tags);
void call_keys_resource_tags(struct call_keys *k, const json_t *tags);
/* aws:TagKeys from a list of tag keys in the request (an UntagResource's "TagKeys"); no key
 * when the list is absent or empty. Values are borrowed from the tree. */
void call_keys_tag_keys(struct call_keys *k, const json_t *tag_keys);

/* Add key with the decimal text of a number (a request's integer member has no string to
 * borrow: kms:ScheduleKeyDeletionPendingWindowInDays; or one the request implies:
 * sts:DurationSeconds left to its default); the text is kept in k, beside the key's name. */
void call_keys_add_number(struct call_keys *k, const char *name, int64_t value);

/* Add a multi-valued key (values borrowed). */
void call_keys_add_multi(struct call_keys *k, const char *name, const char *const *values,
                         size_t n);
/* Add a multi-valued key from the strings of a request's list (borrowed from the tree; the
 * first `most` of them, at most CALL_MAX_KEYS; other items skipped); no key when it holds
 * none. */
void call_keys_add_strings(struct call_keys *k, const char *name, const json_t *list,
                           size_t most);

/* Drop every key whose name begins with prefix, keeping the others in order: a second
 * authorization that judges another part of the request (KMS ReEncrypt's destination
 * half) replaces the first part's keys. The dropped keys' value slots are not reused. */
void call_keys_remove_prefix(struct call_keys *k, const char *prefix);

/* What an operation touches, as authorization needs it: call->target, filled by the
 * resolver, and call->also, by the also-resolver of a second authorization. */
struct call_target {
    char arn[1024];                     /* resource ARN; "*" when the action has none */
    char account_id[13];                /* owner of the resource */
    const struct policy *resource_policy; /* resource-based policy (KMS key policy: its kind
                                           * carries the KMS account rule), or NULL */
    json_t *doc;                        /* the resolved record (e.g. the KMS key), owned; may be NULL */
    void *pin;                          /* keeps resource_policy (and cached material) alive */
    const char *grant_action;           /* KMS: a grant lets the caller do this action here */
    void (*unpin)(void *pin);           /* called by the pipeline when the call ends */
    /* What the resolver holds for the handler beyond a record, so that nothing is loaded
     * or decoded twice; both borrowed from pin (unpin releases them), NULL when unused. */
    void *resource;                     /* the resource as its service holds it (KMS: the
                                         * struct kms_key, record and opened material) */
    const void *parsed;                 /* what the resolver decoded of the request (Decrypt:
                                         * the struct kms_ciphertext of its blob) */
    bool not_needed;                    /* set by an also-resolver when this request needs
                                         * no second authorization (GetWebIdentityToken
                                         * without Tags needs no sts:TagGetWebIdentityToken) */
};

/* What authorization evaluated the call with, filled by the pipeline before the handler
 * runs (NULL for always-allowed operations): the caller's policies (identity policies,
 * boundary; `resource` and `grant` unset) and the request (principal, condition keys, time;
 * `action`, `resource` and `resource_account` unset). Borrowed from the pipeline for the
 * length of the call. */
struct call_authz {
    struct policy_set set;
    struct policy_request req;
};

/* Whether the caller's policies, with `resource_policy` (NULL: none) as the resource's
 * policy and no grant, allow `action` on `resource_arn` in this node's account — for a
 * handler that must judge a policy document the request supplies (CreateKey's lockout
 * safety check). Calls the policy engine directly; false when call->authz is NULL. */
bool call_policy_allows(const struct call *call, const char *action, const char *resource_arn,
                        const struct policy *resource_policy);

/* call_policy_allows for an action a service takes on the caller's behalf on another
 * service's resource (Secrets Manager's kms:Decrypt on a secret's key): the request context
 * the pipeline built, less the first service's own keys (aws:ResourceTag/<k>,
 * aws:RequestTag/<k>, aws:TagKeys and its "<service>:" keys, which describe its resource, not
 * this one), plus `keys` (kms:ViaService, the key's aws:ResourceTag/<k>, ...). No grant is
 * consulted. The one place such a second authorization is made (kms/via_service.c uses it);
 * false when call->authz is NULL or memory runs out. */
bool call_policy_allows_on_behalf(const struct call *call, const char *action,
                                  const char *resource_arn, const struct policy *resource_policy,
                                  const char *first_service, const struct call_keys *keys);

/* Per-process services shared by all calls (set up by server/ at start). */
struct call_env {
    struct store *store;
    const struct master_key *master_key;
    const char *region;                 /* the default region (--region) */
    const struct region_set *regions;   /* the regions served (--regions; core/regions.h) */
    const char *account_id;             /* the account this node serves */
    const char *data_dir;
    struct oidc_keys *oidc_keys;        /* --oidc-jwks key sets (auth/oidc_keys.h), or NULL */
    const char *public_url;             /* how clients reach this node ("http://host:port",
                                         * no trailing '/'): outbound federation's issuer */
    size_t ssm_parameter_quota;         /* Standard parameters per region; 0: AWS's 10,000
                                         * (--test-ssm-parameter-quota lowers it) */
    /* Make the AWS managed key of `alias` ("alias/aws/ssm") in region, in a transaction of
     * its own, its record in the trail first (server/key_sweeper.c, with aws_managed_ctx);
     * NULL: AWS managed keys are not made on first use (unit tests). */
    cu_rc (*aws_managed_key)(const struct call_env *env, const char *region, const char *alias,
                             int64_t now_ms);
    void *aws_managed_ctx;
    /* the audit trails' search indexes, this node's and its peers' (audit/trail_set.h),
     * for CloudTrail LookupEvents; NULL in unit tests that serve no CloudTrail */
    struct trail_set *trail_set;
    /* Secrets Manager rotation (server/rotation_hooks.c, with rotation_ctx): whether a
     * RotationLambdaARN names a hook --rotation-hook registered, and the wake-up of the
     * worker that runs a rotation RotateSecret requested (it claims it once the call has
     * committed). NULL: no hooks (unit tests). */
    bool (*rotation_hook_known)(const struct call_env *env, const char *lambda_arn);
    void (*rotation_wake)(const struct call_env *env);
    void *rotation_ctx;
};

struct call {
    const struct call_env *env;
    const struct principal *principal;
    /* The region the call is served in (KMS keys, aliases and grants belong to it and name
     * it in their ARNs; aws:RequestedRegion). Use this, never env->region, which is only
     * the server's default region. */
    const char *region;
    /* unauthenticated operations only (else NULL): the caller, empty until the handler has
     * verified whatever the request authenticates with and fills it (and sets
     * caller_identified), for the audit record's userIdentity; principal points to it */
    struct principal *caller;
    bool caller_identified;
    const char *action;                 /* the operation's IAM action: "kms:Encrypt" */
    struct store_tx *tx;                /* open for the handler (and the resolver) */
    const char *request_id;
    int64_t now_ms;
    const char *source_ip;              /* aws:SourceIp */
    const char *user_agent;             /* aws:UserAgent, or NULL */
    bool secure_transport;              /* aws:SecureTransport: arrived over TLS */
    int64_t mfa_auth_s;                 /* the request itself authenticated with MFA (STS
                                         * SerialNumber and TokenCode) at this time, which
                                         * aws:MultiFactorAuth* then describe; 0: it did not */
    struct call_target target;          /* the resource: filled by the descriptor's resolver */
    struct call_target also;            /* a second resource (CreateAlias: the alias besides
                                         * its key), filled by the descriptor's also-resolver
                                         * after target is authorized; released by the
                                         * pipeline when the handler returns */
    bool allowed_by_policy;             /* by-policy descriptors: policies alone (not a
                                         * grant) allow the action on target */
    const struct call_authz *authz;     /* see struct call_authz; NULL before authorization */
    struct call_keys *keys;             /* request and resource condition keys: the
                                         * descriptor's, then the resolver's */
    /* The calls a service made to another on the caller's behalf during this call (Secrets
     * Manager's KMS Decrypt and GenerateDataKey, kms/via_service.c), for the trail: an
     * array of {Service, EventName, Region, ResourceArn, Request, ErrorCode?,
     * ErrorMessage?} (Request under the model's member names, no secret in it). The
     * pipeline owns it and writes one record for each with the call's own record;
     * NULL: not collected (unit tests, the server's own threads). */
    json_t *on_behalf;
    struct cu_err err;
};

typedef cu_rc (*call_handler)(struct call *call, const json_t *in, json_t *out);
typedef cu_rc (*call_resolver)(struct call *call, const json_t *in);

/* One operation custos serves: the redis-style command table row. */
struct op_desc {
    const char *service;          /* service model id: "iam", "sts", "kms" */
    const char *name;             /* operation name: "CreateUser" */
    call_handler handler;
    const char *action;           /* IAM action: "iam:CreateUser" */
    call_resolver resolve;        /* fills call->target; NULL: resource "*" in this account */
    bool read_only;               /* runs in a read transaction */
    bool read_event;              /* .ops `read-event`: runs in a write transaction for
                                   * bookkeeping of its own (GetSecretValue's
                                   * LastAccessedDate) but the trail shows it as the read
                                   * it is: readOnly true, no responseElements */
    bool always_allowed;          /* sts:GetCallerIdentity needs no permission */
    bool unauthenticated;         /* no signature asked for: the handler authenticates the
                                   * caller itself (a web identity token, a SAML
                                   * assertion) and fills call->caller */
    const char *const *secret_fields; /* members never logged or audited (NULL-terminated) */
    void (*condition_keys)(const json_t *in, struct call_keys *keys); /* or NULL */
    /* A second authorization (.ops `also=ACTION@FN`): after `action` is allowed on
     * call->target, also_resolve fills call->also and also_action must be allowed on it
     * too; the denial names that resource. NULL: none. */
    call_resolver also_resolve;
    const char *also_action;
    /* A third (a second `also=`), once also_action is allowed on call->also: the
     * pipeline releases call->also, also_next_resolve fills it again and
     * also_next_action must be allowed there (UpdateAlias: the alias, then the key it
     * points at now); the handler sees this last one in call->also. NULL: none. */
    call_resolver also_next_resolve;
    const char *also_next_action;
    bool by_policy;               /* fill call->allowed_by_policy (.ops `by-policy`) */
    const struct page_desc *page; /* botocore's paginator for the operation (page.h), or
                                   * NULL when it has none */
};

#endif
