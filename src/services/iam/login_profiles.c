/* login_profiles.c — console passwords: CreateLoginProfile, GetLoginProfile,
 * UpdateLoginProfile, DeleteLoginProfile, and ChangePassword (the caller's own).
 *
 * A login profile is one record per user, keyed like the user (records.h: login_profile):
 * its UserName, CreateDate and PasswordResetRequired, rendered through the model's
 * LoginProfile shape, and PasswordHash, an Argon2id hash (crypto/password.h) that no shape
 * names, so it never reaches a response or the trail, and the hashes of the passwords
 * before it (PreviousPasswordHashes), so the policy's PasswordReusePrevention holds. The password itself is never
 * stored: the request's copy is the protocol layer's (the model marks Password, OldPassword
 * and NewPassword sensitive, so the log and the trail hide them); every new password passes
 * the account password policy first (password_policy.h). */
#include <string.h>

#include "core/secret.h"
#include "core/tree.h"
#include "crypto/password.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "password_policy.h"

/* The hashes of the passwords before the current one, newest first, kept for the policy's
 * PasswordReusePrevention (at most 24, the model's maximum, the current one included). */
#define PREVIOUS_MEMBER "PreviousPasswordHashes"
#define REUSE_MAX 24

/* Whether pw is one of the latest `reuse` passwords of the profile (current first). */
static cu_rc reused(const json_t *profile, const char *pw, int reuse, bool *is)
{
    cu_rc rc = CU_OK;
    const json_t *previous = json_object_get(profile, PREVIOUS_MEMBER);
    const char *current = json_string_value(json_object_get(profile, "PasswordHash"));

    *is = false;
    if (reuse <= 0 || !current)
        goto out;
    TRY(password_verify(current, bytes_str(pw), is));
    for (size_t i = 0; !*is && (int)i + 1 < reuse && i < json_array_size(previous); i++)
        TRY(password_verify(json_string_value(json_array_get(previous, i)), bytes_str(pw), is));
out:
    return rc;
}

/* Remember the current hash among the previous ones (newest first, REUSE_MAX - 1 kept). */
static cu_rc remember_current(json_t *profile)
{
    cu_rc rc = CU_OK;
    json_t *previous = json_object_get(profile, PREVIOUS_MEMBER);
    const json_t *current = json_object_get(profile, "PasswordHash");

    if (!json_is_string(current))
        return CU_OK;
    if (!json_is_array(previous)) {
        TRY(tree_set_new(profile, PREVIOUS_MEMBER, json_array()));
        previous = json_object_get(profile, PREVIOUS_MEMBER);
    }
    ENSURE(json_array_insert(previous, 0, (json_t *)current) == 0, CU_E_NOMEM);
    while (json_array_size(previous) > REUSE_MAX - 1)
        ENSURE(json_array_remove(previous, json_array_size(previous) - 1) == 0, CU_E_INTERNAL);
out:
    return rc;
}

/* Check pw against the policy (and, for a profile that has one, its latest passwords) and
 * make it the profile's password: a fresh hash, the old one remembered. */
static cu_rc set_password(struct call *call, json_t *profile, const char *pw)
{
    cu_rc rc = CU_OK;
    char hash[PASSWORD_HASH_MAX];
    int reuse = 0;
    bool is_reused = false;

    TRY(iam_password_check(call, pw, &reuse));
    TRY(reused(profile, pw, reuse, &is_reused));
    ENSURE(!is_reused, iam_password_violation(call));
    TRY(password_hash(bytes_str(pw), hash));
    TRY(remember_current(profile));
    TRY(tree_set_str(profile, "PasswordHash", hash));
out:
    secret_wipe(hash, sizeof(hash));
    return rc;
}

/* The user the request names, or the calling IAM user: root names no user of its own. */
static cu_rc profile_user(struct call *call, const json_t *in, const char **name)
{
    cu_rc rc = CU_OK;
    json_t *user;

    ENSURE(iam_user_name_or_caller(call, in),
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "The root user has no login profile here: name an IAM user."));
    TRY(iam_target_user(call, in, &user));
    *name = kind_name(&iam_kind_user, user);
    ENSURE(*name, CU_E_STORE);
out:
    return rc;
}

cu_rc iam_create_login_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = NULL, *pw = in_str(in, "Password");
    json_t *profile = json_object(), *existing = NULL;

    ENSURE(profile, CU_E_NOMEM);
    TRY(profile_user(call, in, &name));
    ENSURE(pw, cu_err_set(&call->err, CU_E_VALIDATION,
                          "1 validation error detected: Value null at 'password' failed to "
                          "satisfy constraint: Member must not be null"));
    /* before hashing: an existing profile is the answer, and hashing costs */
    TRY(kind_find(call, &iam_kind_login_profile, NULL, name, &existing));
    ENSURE(!existing, cu_err_set(&call->err, CU_E_IAM_ENTITY_EXISTS,
                                 "Login Profile for user %s already exists.", name));
    TRY(tree_set_str(profile, "UserName", name));
    TRY(tree_set_int(profile, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(tree_set_bool(profile, "PasswordResetRequired",
                      in_bool(in, "PasswordResetRequired", false)));
    TRY(set_password(call, profile, pw));
    TRY(kind_create(call, &iam_kind_login_profile, NULL, profile));
    TRY(render_output(out, "iam", "CreateLoginProfile", "LoginProfile", profile));
out:
    json_decref(existing);
    json_decref(profile);
    return rc;
}

cu_rc iam_get_login_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = NULL;
    json_t *profile = NULL;

    TRY(profile_user(call, in, &name));
    TRY(kind_load(call, &iam_kind_login_profile, NULL, name, &profile));
    TRY(render_output(out, "iam", "GetLoginProfile", "LoginProfile", profile));
out:
    json_decref(profile);
    return rc;
}

cu_rc iam_update_login_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = NULL, *pw = in_str(in, "Password");
    json_t *profile = NULL;

    (void)out;
    TRY(profile_user(call, in, &name));
    TRY(kind_load(call, &iam_kind_login_profile, NULL, name, &profile));
    if (pw)
        TRY(set_password(call, profile, pw));
    if (json_object_get(in, "PasswordResetRequired"))
        TRY(tree_set_bool(profile, "PasswordResetRequired",
                          in_bool(in, "PasswordResetRequired", false)));
    TRY(kind_update(call, &iam_kind_login_profile, NULL, profile));
out:
    json_decref(profile);
    return rc;
}

cu_rc iam_delete_login_profile(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = NULL;

    (void)out;
    TRY(profile_user(call, in, &name));
    TRY(kind_delete(call, &iam_kind_login_profile, NULL, name));
out:
    return rc;
}

/* ChangePassword: the calling IAM user's own password, given the current one. Root's
 * password is not an IAM login profile (API reference: "The AWS account root user
 * password is not affected by this operation"). */
cu_rc iam_change_password(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = NULL, *old_pw = in_str(in, "OldPassword");
    json_t *profile = NULL;
    bool ok = false;

    (void)out;
    ENSURE(call->principal && call->principal->type == PRINCIPAL_USER,
           cu_err_set(&call->err, CU_E_IAM_INVALID_USER_TYPE,
                      "Only IAM users can change their own password with ChangePassword."));
    TRY(profile_user(call, in, &name));
    TRY(kind_load(call, &iam_kind_login_profile, NULL, name, &profile));
    TRY(password_verify(json_string_value(json_object_get(profile, "PasswordHash")),
                        bytes_str(old_pw), &ok));
    ENSURE(ok, cu_err_set(&call->err, CU_E_ACCESS_DENIED, "The old password is incorrect."));
    TRY(set_password(call, profile, in_str(in, "NewPassword")));
    TRY(tree_set_bool(profile, "PasswordResetRequired", false));
    TRY(kind_update(call, &iam_kind_login_profile, NULL, profile));
out:
    json_decref(profile);
    return rc;
}
