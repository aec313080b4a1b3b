/* ssm.h — what the SSM Parameter Store files share (one service, several files), and
 * the pure parsers of its request text (ssm_names.c, ssm_policies.c; fuzzed).
 *
 * A parameter is one record (RECORD_PARAMETER, keyed by Name as created, in the call's
 * account and region) under AWS's member names: Name, ARN, Tags [{Key, Value}], NextVersion
 * (the number the next version takes: versions are never renumbered), and Versions
 * [{Version, Type, Value (String, StringList) or Sealed (SecureString: kms_via_encrypt's
 * envelope with the encryption context {PARAMETER_ARN: ARN}), KeyId, Description,
 * AllowedPattern, Tier, DataType, Policies [{PolicyText, PolicyType, PolicyStatus}],
 * Labels [..], LastModifiedDate, LastModifiedUser}] oldest first, the last one current. */
#ifndef CU_SSM_H
#define CU_SSM_H

#include "core/bytes.h"
#include "core/err.h"
#include "services/call.h"
#include "services/kind.h"

extern const struct kind ssm_kind_parameter;

#define SSM_NAME_MAX 2048
#define SSM_MAX_LEVELS 15        /* hierarchy levels of a name */
#define SSM_MAX_VERSIONS 100
#define SSM_MAX_LABELS 10        /* labels on one version */
#define SSM_LABEL_MAX 100
#define SSM_STANDARD_MAX 4096    /* value characters, Standard tier */
#define SSM_ADVANCED_MAX 8192    /* Advanced tier */
#define SSM_MAX_POLICIES 10

/* --- names and selectors (ssm_names.c): pure --- */

/* What a request's Name names: "name", "name:version", "name:label", or the parameter's
 * ARN in this account and region (which may carry a selector too). */
struct ssm_ref {
    char name[SSM_NAME_MAX + 1];
    int64_t version;                 /* 0: none asked */
    char label[SSM_LABEL_MAX + 1];   /* "": none asked */
    bool bad_selector;               /* a selector that is neither (ParameterNotFound) */
};

/* Parse `in` into out: an ARN "arn:aws:ssm:<region>:<account>:parameter/<rest>" names
 * "<rest>" when rest has no '/', else "/<rest>"; an ARN of another region or account is
 * kept whole (it then names nothing). Fails with CU_E_VALIDATION only for an input longer
 * than a name may be. */
MUST_CHECK cu_rc ssm_ref_parse(struct bytes in, const char *region, const char *account,
                               struct ssm_ref *out, struct cu_err *err);

/* The ARN of parameter `name` (no double '/'), into out (SSM_ARN_MAX bytes). */
#define SSM_ARN_MAX (SSM_NAME_MAX + 96)
void ssm_arn(const char *region, const char *account, const char *name, char *out);

/* Whether a name may be created, with AWS's errors: ValidationException for characters
 * outside a-zA-Z0-9_.-/, a path without its leading '/', an empty level or a reserved
 * "aws"/"ssm" prefix; AccessDeniedException for a path under "/aws"; and
 * HierarchyLevelLimitExceededException past 15 levels. */
MUST_CHECK cu_rc ssm_name_check(const char *name, struct cu_err *err);

/* ssm_name_check's first rule alone, for names a read takes (GetParameter of "{x}" is a
 * ValidationException, not ParameterNotFound): only a-zA-Z0-9_.-/ . */
MUST_CHECK cu_rc ssm_name_chars_check(const char *name, struct cu_err *err);

/* The number of levels of a name ("/a/b/c": 3, "a": 1). */
size_t ssm_name_levels(const char *name);

/* Whether a label may be put on a version (LabelParameterVersion: 1-100 characters of
 * a-zA-Z0-9_.-, not beginning with a digit or with "aws"/"ssm" in any case). */
bool ssm_label_valid(const char *label);

/* --- parameter policies (ssm_policies.c): pure --- */

enum ssm_policy_type {
    SSM_POLICY_EXPIRATION,
    SSM_POLICY_EXPIRATION_NOTIFICATION,
    SSM_POLICY_NO_CHANGE_NOTIFICATION,
};

struct ssm_policy {
    enum ssm_policy_type type;
    int64_t timestamp_s;   /* Expiration: when the parameter is deleted */
    int64_t amount;        /* notifications: Before / After */
    bool hours;            /* their Unit: Hours, else Days */
};

struct ssm_policies {
    struct ssm_policy items[SSM_MAX_POLICIES];
    size_t n;
};

/* Parse a Policies text (a JSON array of {"Type", "Version", "Attributes"}) into out:
 * InvalidPolicyTypeException for a Type other than Expiration, ExpirationNotification,
 * NoChangeNotification or a Version other than "1.0"; InvalidPolicyAttributeException for
 * missing or malformed attributes; IncompatiblePolicyException for a type given twice;
 * PoliciesLimitExceededException past 10; ValidationException for text that is not such an
 * array. No clock: whether an Expiration lies in the future is the caller's question. */
MUST_CHECK cu_rc ssm_policies_parse(struct bytes in, struct ssm_policies *out,
                                    struct cu_err *err);

/* The PolicyType AWS reports for a type ("Expiration", ...). */
const char *ssm_policy_type_name(enum ssm_policy_type type);

/* --- shared by the handlers (parameters.c) --- */

/* The parameter the call's resolver found (call->target.doc, borrowed), or
 * ParameterNotFound with `message` ("" for AWS's empty one). */
MUST_CHECK cu_rc ssm_target(struct call *call, const char *message, json_t **param);

/* The version of a parameter a reference selects (the current one without selector):
 * borrowed, or NULL with ParameterVersionNotFound / ParameterNotFound set. */
MUST_CHECK cu_rc ssm_select(struct call *call, const json_t *param, const struct ssm_ref *ref,
                            json_t **version);

/* One version as GetParameter answers it (Name, Type, Value, Version, Selector,
 * LastModifiedDate, ARN, DataType) into *item (new): the SecureString value opened as the
 * caller when `decrypt`, else its ciphertext. With `history`, as GetParameterHistory
 * answers it instead (with KeyId, Description, Labels, Tier, Policies, ...). */
MUST_CHECK cu_rc ssm_version_item(struct call *call, const json_t *param, const json_t *version,
                                  const char *selector, bool decrypt, bool history,
                                  json_t **item);

/* Seal a SecureString value under key_id (NULL: alias/aws/ssm, made on first use) as the
 * caller, with the parameter's encryption context: version["Sealed"]. InvalidKeyId for a
 * key that is missing, disabled or not a symmetric encryption key. */
MUST_CHECK cu_rc ssm_seal_value(struct call *call, const json_t *param, const char *key_id,
                                const char *value, json_t *version);

/* Whether the caller's policies allow `action` on the parameter ARN `arn` (the handler's
 * own check for the second and later names of GetParameters / DeleteParameters). */
bool ssm_caller_may(const struct call *call, const char *action, const char *arn);

/* The version of param whose Version is v, or NULL (borrowed). */
json_t *ssm_version_by_number(const json_t *param, int64_t v);

/* A resolver's work for the reference `text` (a Name, selector or ARN): call->target's
 * ARN, the parameter in target.doc (when it exists) and its tags as aws:ResourceTag/<k>. */
MUST_CHECK cu_rc ssm_resolve_parameter_name(struct call *call, const char *text);

/* Whether param's Expiration policy has come by now_ms: it is then gone for every call,
 * whether or not the sweep has removed its record yet. */
bool ssm_is_expired(const json_t *param, int64_t now_ms);

/* The parameter a Name names, found in call->tx (*doc owned, NULL when none). */
MUST_CHECK cu_rc ssm_find(struct call *call, const char *name, json_t **doc);

/* --- the sweep (expiry.c), run by the server beside sm_sweep_deleted --- */

/* Called for each parameter the sweep deletes, inside its transaction and before its
 * commit, with its region, the parameter's ARN and the seq the commit will take (as
 * sm_deleted_fn). */
typedef cu_rc (*ssm_expired_fn)(const char *region, const char *parameter_arn,
                                uint64_t commit_seq, void *ctx);
/* Delete the parameters of env's account, in every region it serves, whose Expiration has
 * come by now_ms, each in a write transaction of its own, recorded through `record`;
 * *deleted: how many. */
MUST_CHECK cu_rc ssm_sweep_expired(const struct call_env *env, int64_t now_ms,
                                   ssm_expired_fn record, void *ctx, size_t *deleted);

#endif
