/* records.h — where each kind of record lives in the store, in one place.
 *
 * The store holds documents by (kind, scope, key) (store.h). This file fixes, for every
 * kind custos keeps, what its scope and key are, so that auth/ (which resolves access
 * keys), services/ (which create them) and server/ (which loads policies) agree:
 *
 *   kind            scope                    key                 doc
 *   account         ""                       "local"             {AccountId, CreateDate (epoch
 *                                                                 ms: the data dir's first start)}
 *   user            <account>                lower(UserName)     IAM User fields
 *   access_key      ""                       AccessKeyId         {Account, UserName ("" = root),
 *                                                                 Status, CreateDate, SealedSecret}
 *   group           <account>                lower(GroupName)    IAM Group fields
 *   user_policy     <account>/lower(user)    PolicyName          {PolicyName, PolicyDocument}
 *   group_policy    <account>/lower(group)   PolicyName          {PolicyName, PolicyDocument}
 *   group_member    <account>                lower(group)/lower(user)  {GroupName, UserName}
 *   kms_key         <account>/<region>       key id (UUID)       KMS key metadata, policy, material
 *   kms_alias       <account>/<region>       AliasName           {AliasName, TargetKeyId, ...}
 *   managed_policy  <account>                lower(PolicyName)   IAM Policy fields + Document
 *   kms_grant       <account>/<region>/<key id>  GrantId         {GrantId, Name, CreationDate,
 *                                                                 GranteePrincipal, RetiringPrincipal,
 *                                                                 Operations, Constraints,
 *                                                                 TokenHashes (hex SHA-256 of
 *                                                                 each token issued)}
 *   session         ""                       AccessKeyId (ASIA)  {Account, UserName ("" = root),
 *                                                                 SealedSecret, TokenHash (hex
 *                                                                 SHA-256 of the session token),
 *                                                                 IssuedAt, Expiration (epoch s)}
 *   login_profile   <account>                lower(UserName)     {UserName, CreateDate,
 *                                                                 PasswordResetRequired,
 *                                                                 PasswordHash (Argon2id, encoded:
 *                                                                 crypto/password.h)}
 *   password_policy <account>                "account"           IAM PasswordPolicy fields
 *   instance_profile <account>               lower(InstanceProfileName)  IAM InstanceProfile
 *                                                                 fields; Roles [{RoleName}] names
 *                                                                 its role (at most one)
 *
 * Scopes come from store_scope() (store.h): kinds.c declares each kind's class (node,
 * global, regional). Secondary indexes (kinds.c, maintained by the store):
 *
 *   kind        index       value                               used by
 *   access_key  user        <account>/lower(UserName)           ListAccessKeys, DeleteUser
 *   kms_alias   target_key  TargetKeyId                         ListAliases KeyId=
 *   kms_grant   token       each of TokenHashes                 RetireGrant by token
 *   kms_grant   retiring    RetiringPrincipal                   ListRetirableGrants
 *   group_member group      lower(GroupName)                    GetGroup, DeleteGroup
 *   group_member user       lower(UserName)                     ListGroupsForUser,
 *                                                               DeleteUser, identity_set.c
 *   instance_profile role  lower(RoleName) of its role          ListInstanceProfilesForRole,
 *                                                               DeleteRole
 *
 * (Schema v2 kept the first and third by hand as twin records, "user_key" and
 * "kms_grant_token"; the v3 migration drops them.)
 *
 * A user record names the policies that apply to it: RECORD_USER_ATTACHED holds its
 * attached managed policies [{PolicyName, PolicyArn}], and PermissionsBoundary
 * {PermissionsBoundaryType, PermissionsBoundaryArn} its boundary (record_user_boundary_arn);
 * a managed policy's document is its "Document" member. A group record lists its attached
 * policies under the same member. A membership is one group_member record (IAM names hold
 * no '/', so the key splits at its one '/'; record_group_member_key), found from either
 * side by its two indexes, so the group and the user records never list each other. auth/identity_set.c reads these to
 * assemble a principal's policy set, IAM's handlers write them.
 *
 * IAM names are unique without regard to case (IAM guide, reference_iam-quotas: "you
 * cannot create groups named both ADMINS and admins"), so their keys are lowercased. */
#ifndef CU_RECORDS_H
#define CU_RECORDS_H

#include "core/buf.h"
#include "store/store.h"

#define RECORD_ACCOUNT "account"
#define RECORD_ACCOUNT_KEY "local"
/* a constant sealed under the master key: which key the store's data is sealed under */
#define RECORD_MASTER_CHECK "master_key_check"
#define RECORD_USER "user"
#define RECORD_ACCESS_KEY "access_key"
#define RECORD_GROUP "group"
#define RECORD_USER_POLICY "user_policy"
#define RECORD_KMS_KEY "kms_key"
#define RECORD_KMS_ALIAS "kms_alias"
#define RECORD_MANAGED_POLICY "managed_policy"
#define RECORD_SESSION "session"
#define RECORD_KMS_GRANT "kms_grant"
/* a Secrets Manager secret (services/secretsmanager), scope "<account>/<region>", key its
 * Name: the secret's metadata and its versions, each value sealed under a KMS data key */
#define RECORD_SECRET "sm_secret"
/* an SSM parameter (services/ssm), scope "<account>/<region>", key its Name as created (with
 * or without its leading '/'): every version kept, SecureString values sealed under a KMS
 * data key */
#define RECORD_PARAMETER "ssm_parameter"
#define RECORD_CT_TRAIL_TAGS "ct_trail_tags" /* key: the trail's name, "custos" */
#define RECORD_ROLE "role"
#define RECORD_ROLE_POLICY "role_policy" /* scope: "<account>/<lower(role)>" */
#define RECORD_GROUP_POLICY "group_policy"
#define RECORD_GROUP_MEMBER "group_member"
#define RECORD_LOGIN_PROFILE "login_profile"
#define RECORD_PASSWORD_POLICY "password_policy"
#define RECORD_PASSWORD_POLICY_KEY "account"
/* the account's settings (IAM account.c): its alias, the STS token version */
#define RECORD_ACCOUNT_SETTINGS "account_settings"
#define RECORD_ACCOUNT_SETTINGS_KEY "account"
#define RECORD_INSTANCE_PROFILE "instance_profile"
#define RECORD_OIDC_PROVIDER "oidc_provider" /* key: the URL without "https://" */
#define RECORD_SAML_PROVIDER "saml_provider" /* key: the provider's Name */
/* IAM virtual MFA devices (mfa_devices.c), keyed by lower(SerialNumber) */
#define RECORD_MFA_DEVICE "mfa_device"
/* IAM credentials (iam_credentials.h): SSH public keys, signing certificates and
 * service-specific credentials live under their user's scope "<account>/lower(user)"
 * (root's signing certificates under "<account>/"), keyed by their id; server
 * certificates under the account, keyed by lower(ServerCertificateName) */
#define RECORD_SSH_PUBLIC_KEY "ssh_public_key"
#define RECORD_SIGNING_CERT "signing_cert"
#define RECORD_SERVER_CERT "server_cert"
#define RECORD_SERVICE_CREDENTIAL "service_credential"
/* service-linked roles and account reports (IAM service_linked_roles.c, credential_report.c,
 * access_key_last_used.c): a DeleteServiceLinkedRole task, under the account by the task's
 * UUID {DeletionTaskId, Status, RoleName, CreateDate[, Reason]}; the account's credential
 * report, key "account" {GeneratedTime (epoch ms), Content (the CSV)}; an access key's
 * last use, a node record by AccessKeyId {LastUsedDate (epoch ms), ServiceName, Region} */
#define RECORD_SLR_DELETION_TASK "slr_deletion_task"
#define RECORD_CREDENTIAL_REPORT "credential_report"
#define RECORD_CREDENTIAL_REPORT_KEY "account"
#define RECORD_ACCESS_KEY_LAST_USED "access_key_last_used"
/* IAM's access advisor (auth/key_usage.c, IAM last_accessed.c): an IAM user's last attempt
 * of an action, scope "<account>/<the user's UserId>", key the action ("kms:Encrypt")
 * {LastAuthenticated (epoch ms), Region, Entity (the user's ARN then)}; a report job,
 * under the account by its JobId (a UUID) {JobId, JobType, JobCreationDate,
 * JobCompletionDate, ExpiresAt (epoch ms), Owner (the ARN of who generated it), Arn (the
 * entity reported on), Entities [EntityInfo] (the report's principals), ServicesLastAccessed
 * [ServiceLastAccessed + Used [{i (an index in Entities), t (epoch ms)}]]} */
#define RECORD_ACTION_LAST_USED "action_last_used"
/* a KMS key's last cryptographic use (auth/kms_key_usage.c, KMS last_usage.c), a regional
 * record by key id {Timestamp (epoch ms), Operation, KmsRequestId, CloudTrailEventId} */
#define RECORD_KMS_KEY_LAST_USED "kms_key_last_used"
#define RECORD_LAST_ACCESSED_JOB "last_accessed_job"
/* an AWS managed policy this account uses (IAM aws_managed_policies.c), keyed by
 * lower(PolicyName): {PolicyName, Arn, AttachmentCount, PermissionsBoundaryUsageCount} */
#define RECORD_AWS_POLICY_USE "aws_policy_use"
/* outbound web identity federation (services/outbound.c): one record per account, key
 * "account": {IssuerId, Enabled, Keys: [{Alg, Kid, Sealed, Jwk}]} */
#define RECORD_OUTBOUND_FEDERATION "outbound_federation"
#define RECORD_OUTBOUND_FEDERATION_KEY "account"

/* Secondary index names (kinds.c). */
#define RECORD_ACCESS_KEY_BY_USER "user"
#define RECORD_BY_PATH "path" /* IAM users, groups, roles, managed policies by Path */
#define RECORD_BY_UNIQUE_ID "id" /* IAM users by UserId (a renamed user's sessions) */
#define RECORD_KMS_ALIAS_BY_KEY "target_key"
#define RECORD_KMS_GRANT_BY_TOKEN "token"
#define RECORD_KMS_GRANT_BY_RETIRING "retiring"
#define RECORD_GROUP_MEMBER_BY_GROUP "group"
#define RECORD_GROUP_MEMBER_BY_USER "user"
#define RECORD_INSTANCE_PROFILE_BY_ROLE "role"
#define RECORD_MFA_DEVICE_BY_USER "user"
#define RECORD_SIGNING_CERT_BY_FINGERPRINT "fingerprint" /* DuplicateCertificate */

/* The member of a user record listing its attached managed policies. */
#define RECORD_USER_ATTACHED "AttachedManagedPolicies"

/* Longest scope or key custos builds (account + '/' + a 128-character name, lowered). */
#define RECORD_NAME_MAX STORE_NAME_MAX

/* Lowercase an IAM name into out (RECORD_NAME_MAX bytes). ASCII only: IAM names are
 * restricted to [\w+=,.@-]. */
void record_fold(const char *name, char out[RECORD_NAME_MAX]);

/* "<account>/<lower(user)>": the scope of a user's inline policies, and the value of
 * access_key's user index. */
void record_user_scope(const char *account, const char *user, char out[RECORD_NAME_MAX]);

/* "lower(group)/lower(user)": the key of a group_member record. */
void record_group_member_key(const char *group, const char *user, char out[RECORD_NAME_MAX]);

/* The user document for (account, name), or *doc = NULL. */
MUST_CHECK cu_rc record_user_get(struct store_tx *tx, const char *account, const char *name,
                                 json_t **doc);

/* The ARN of a user record's permissions boundary, or NULL when it has none. Borrowed. */
const char *record_user_boundary_arn(const json_t *user);

#endif
