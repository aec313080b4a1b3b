/* iam_kinds.c — IAM's record kinds (services/kind.h): where each lives in the store
 * (store/records.h) and how IAM words its not-found and already-exists errors. IAM names
 * are unique without regard to case (IAM guide, reference_iam-quotas: "you cannot create
 * groups named both ADMINS and admins"), so every kind named by an IAM name folds its key,
 * except inline policy names, which custos has always keyed as given.
 *
 * The wordings are those IAM answers (and the aws CLI / boto3 tests check): a kind used in
 * another context with other words is another row (attachable_policy), not a handler's
 * remapping of the error. */
#include "iam_common.h"

const struct kind iam_kind_user = {
    .store_kind = RECORD_USER,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "UserName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The user with name %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "User with name %s already exists.",
};

const struct kind iam_kind_group = {
    .store_kind = RECORD_GROUP,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "GroupName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The group with name %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "Group with name %s already exists.",
};

/* Managed policies are named by ARN in every request (GetPolicy, AttachUserPolicy, ...). */
const struct kind iam_kind_managed_policy = {
    .store_kind = RECORD_MANAGED_POLICY,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "PolicyName",
    .arn_service = "iam",
    .arn_resource = "policy",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "Policy %s was not found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "A policy called %s already exists. Duplicate names are not allowed.",
};

/* The same records where a request attaches one (AttachUserPolicy, a permissions
 * boundary), for which IAM words the absence otherwise. */
const struct kind iam_kind_attachable_policy = {
    .store_kind = RECORD_MANAGED_POLICY,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "PolicyName",
    .arn_service = "iam",
    .arn_resource = "policy",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "Policy %s does not exist or is not attachable.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "A policy called %s already exists. Duplicate names are not allowed.",
};

/* A user's inline policies, under the user (parent: the user's name); PutUserPolicy
 * creates or replaces, so no already-exists error. */
const struct kind iam_kind_user_policy = {
    .store_kind = RECORD_USER_POLICY,
    .scope = KIND_USER,
    .fold = false,
    .name_member = "PolicyName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The user policy with name %s cannot be found.",
};

const struct kind iam_kind_role = {
    .store_kind = RECORD_ROLE,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "RoleName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The role with name %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "Role with name %s already exists.",
};

/* A role's inline policies, under the role: their scope is "<account>/<lower(role)>",
 * built as a user's is (KIND_USER), in a store kind of their own. */
const struct kind iam_kind_role_policy = {
    .store_kind = RECORD_ROLE_POLICY,
    .scope = KIND_USER,
    .fold = false,
    .name_member = "PolicyName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The role policy with name %s cannot be found.",
};

/* A group's inline policies, under the group: their scope is built like a user's
 * ("<account>/lower(group)", KIND_USER with the group's name as parent). */
const struct kind iam_kind_group_policy = {
    .store_kind = RECORD_GROUP_POLICY,
    .scope = KIND_USER,
    .fold = false,
    .name_member = "PolicyName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The group policy with name %s cannot be found.",
};

/* A user's console password (login_profiles.c), keyed like the user it belongs to. */
const struct kind iam_kind_login_profile = {
    .store_kind = RECORD_LOGIN_PROFILE,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "UserName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "Login Profile for User %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "Login Profile for user %s already exists.",
};

/* Instance profiles (instance_profiles.c). */
const struct kind iam_kind_instance_profile = {
    .store_kind = RECORD_INSTANCE_PROFILE,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "InstanceProfileName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "Instance Profile %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "Instance Profile %s already exists.",
};

/* OpenID Connect providers (oidc_providers.c), keyed by their URL without "https://", case
 * kept. The wordings were measured on AWS (LocalStack's test_iam_oidc snapshots): Get and
 * the other operations answer "OpenIDConnect Provider not found for arn <arn>", Delete
 * "OpenId connect Provider <arn> cannot be found."; %s is the ARN the request gave. */
const struct kind iam_kind_oidc_provider = {
    .store_kind = RECORD_OIDC_PROVIDER,
    .scope = KIND_ACCOUNT,
    .fold = false,
    .name_member = "Url",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "OpenIDConnect Provider not found for arn %s",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "Provider with url https://%s already exists.",
};

const struct kind iam_kind_oidc_provider_delete = {
    .store_kind = RECORD_OIDC_PROVIDER,
    .scope = KIND_ACCOUNT,
    .fold = false,
    .name_member = "Url",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "OpenId connect Provider %s cannot be found.",
};

/* SAML providers (saml_providers.c), keyed by Name. AWS answers a missing one "Manifest
 * not found for arn <arn>" (LocalStack's test_iam_saml_providers snapshots, recorded on
 * AWS; %s is the ARN the request gave) and a taken name "Provider with name <name> already
 * exists." (as org-formation/aws-resource-providers#59 quotes it, the OIDC wording's
 * twin). */
const struct kind iam_kind_saml_provider = {
    .store_kind = RECORD_SAML_PROVIDER,
    .scope = KIND_ACCOUNT,
    .fold = false,
    .name_member = "Name",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "Manifest not found for arn %s",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "Provider with name %s already exists.",
};

/* Virtual MFA devices, named by their SerialNumber (an ARN, arn:aws:iam::<account>:mfa
 * <path><name>) in every request but CreateVirtualMFADevice, which makes it. */
const struct kind iam_kind_mfa_device = {
    .store_kind = RECORD_MFA_DEVICE,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "SerialNumber",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "VirtualMFADevice with serial number %s doesn't exist.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "MFADevice entity at the same path and name already exists.",
};

/* IAM credentials (ssh_keys.c, signing_certs.c, server_certs.c, service_credentials.c).
 * The first, second and last live under their user (parent: the user's name, "" for
 * root's signing certificates) and are named by their id, as given; the wordings follow
 * the Access Key's ("The Access Key with id %s cannot be found."). */
const struct kind iam_kind_ssh_public_key = {
    .store_kind = RECORD_SSH_PUBLIC_KEY,
    .scope = KIND_USER,
    .fold = false,
    .name_member = "SSHPublicKeyId",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The Public Key with id %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "The Public Key with id %s already exists.",
};

const struct kind iam_kind_signing_cert = {
    .store_kind = RECORD_SIGNING_CERT,
    .scope = KIND_USER,
    .fold = false,
    .name_member = "CertificateId",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The Certificate with id %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "The Certificate with id %s already exists.",
};

const struct kind iam_kind_server_cert = {
    .store_kind = RECORD_SERVER_CERT,
    .scope = KIND_ACCOUNT,
    .fold = true,
    .name_member = "ServerCertificateName",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The Server Certificate with name %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "The Server Certificate with name %s already exists.",
};

const struct kind iam_kind_service_credential = {
    .store_kind = RECORD_SERVICE_CREDENTIAL,
    .scope = KIND_USER,
    .fold = false,
    .name_member = "ServiceSpecificCredentialId",
    .not_found = CU_E_IAM_NO_SUCH_ENTITY,
    .not_found_msg = "The Service Specific Credential with id %s cannot be found.",
    .exists = CU_E_IAM_ENTITY_EXISTS,
    .exists_msg = "The Service Specific Credential with id %s already exists.",
};
