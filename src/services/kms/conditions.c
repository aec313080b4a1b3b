/* conditions.c — every condition key of a KMS request (see conditions.h), so that what a
 * policy's Condition can test about a KMS call is written down once: the request's own
 * keys before the resolver runs, the key's once it has. Encrypt, Decrypt and
 * GenerateDataKey* then read the encryption context again only for what it is to them,
 * the AAD (encryption_context.c), and grants.c only for a grant's constraint. */
#include <stdio.h>
#include <string.h>

#include "conditions.h"
#include "grants.h"
#include "kms_key.h"
#include "kms_ops.gen.h"
#include "services/in.h"

/* KMS developer guide, conditions-kms: kms:EncryptionContext:<key> for each pair,
 * kms:EncryptionContextKeys for the set of keys, kms:EncryptionAlgorithm. */
void kms_condition_keys(const json_t *in, struct call_keys *keys)
{
    const json_t *ctx = in_obj(in, "EncryptionContext");
    const char *names[CALL_MAX_KEYS];
    const char *key;
    json_t *value;
    size_t n = 0;
    char name[160];

    json_object_foreach((json_t *)ctx, key, value)
    {
        snprintf(name, sizeof(name), "kms:EncryptionContext:%s", key);
        call_keys_add(keys, name, json_string_value(value));
        if (n < CALL_MAX_KEYS)
            names[n++] = key;
    }
    if (n)
        call_keys_add_multi(keys, "kms:EncryptionContextKeys", names, n);
    call_keys_add(keys, "kms:EncryptionAlgorithm", in_str(in, "EncryptionAlgorithm"));
}

/* CreateKey: aws:RequestTag/<k>, aws:TagKeys, and kms:KeySpec, kms:KeyUsage,
 * kms:KeyOrigin, kms:MultiRegion, kms:BypassPolicyLockoutSafetyCheck with the request's
 * values or their defaults (KMS developer guide, conditions-kms). */
void kms_create_key_condition_keys(const json_t *in, struct call_keys *keys)
{
    const char *spec = in_str_or(in, "CustomerMasterKeySpec", "SYMMETRIC_DEFAULT");

    call_keys_request_tags(keys, in_list(in, "Tags"));
    call_keys_add(keys, "kms:KeySpec", in_str_or(in, "KeySpec", spec));
    call_keys_add(keys, "kms:KeyUsage", in_str_or(in, "KeyUsage", "ENCRYPT_DECRYPT"));
    call_keys_add(keys, "kms:KeyOrigin", in_str_or(in, "Origin", "AWS_KMS"));
    call_keys_add(keys, "kms:MultiRegion", in_bool(in, "MultiRegion", false) ? "true" : "false");
    call_keys_add(keys, "kms:BypassPolicyLockoutSafetyCheck",
                  in_bool(in, "BypassPolicyLockoutSafetyCheck", false) ? "true" : "false");
}

/* CreateGrant: kms:GrantOperations, kms:GranteePrincipal, kms:RetiringPrincipal,
 * kms:GrantConstraintType. */
void kms_create_grant_condition_keys(const json_t *in, struct call_keys *keys)
{
    const json_t *constraints = in_obj(in, "Constraints");

    call_keys_add_strings(keys, "kms:GrantOperations", in_list(in, "Operations"),
                          KMS_GRANT_OPERATIONS);
    call_keys_add(keys, "kms:GranteePrincipal", in_str(in, "GranteePrincipal"));
    call_keys_add(keys, "kms:RetiringPrincipal", in_str(in, "RetiringPrincipal"));
    if (json_object_get(constraints, "EncryptionContextEquals"))
        call_keys_add(keys, "kms:GrantConstraintType", "EncryptionContextEquals");
    else if (json_object_get(constraints, "EncryptionContextSubset"))
        call_keys_add(keys, "kms:GrantConstraintType", "EncryptionContextSubset");
}

/* The alias a KeyId names the key by ("alias/x", or the alias of an alias ARN), or NULL. */
static const char *alias_named(const char *id)
{
    const char *at;

    if (!id)
        return NULL;
    if (strncmp(id, "alias/", 6) == 0)
        return id;
    at = strncmp(id, "arn:", 4) == 0 ? strstr(id, ":alias/") : NULL;
    return at ? at + 1 : NULL;
}

void kms_key_condition_keys(struct call *call, const struct kms_key *key, const json_t *in)
{
    if (!call->keys)
        return;
    /* the key's tags: aws:ResourceTag/<key> (the key stays pinned for the call) */
    call_keys_resource_tags(call->keys, json_object_get(key->doc, "Tags"));
    if (!call->principal)
        return;
    /* kms:CallerAccount on every operation on a key; kms:RequestAlias when the request
     * names the key by one of its aliases */
    call_keys_add(call->keys, "kms:CallerAccount", call->principal->account_id);
    call_keys_add(call->keys, "kms:RequestAlias", alias_named(in_str(in, "KeyId")));
    /* kms:KeyOrigin also governs the operations on a key (KMS developer guide,
     * conditions-kms, kms:KeyOrigin) */
    call_keys_add(call->keys, "kms:KeyOrigin",
                  json_string_value(json_object_get(key->doc, "Origin")));
    /* the key's spec and usage on every operation on it (KMS developer guide,
     * conditions-kms, kms:KeySpec and kms:KeyUsage): "deny Sign unless RSA" */
    call_keys_add(call->keys, "kms:KeySpec",
                  json_string_value(json_object_get(key->doc, "KeySpec")));
    call_keys_add(call->keys, "kms:KeyUsage",
                  json_string_value(json_object_get(key->doc, "KeyUsage")));
    /* kms:MultiRegion and kms:MultiRegionKeyType (KMS developer guide, conditions-kms) */
    call_keys_add(call->keys, "kms:MultiRegion",
                  json_is_true(json_object_get(key->doc, "MultiRegion")) ? "true" : "false");
    if (json_is_true(json_object_get(key->doc, "MultiRegion")))
        call_keys_add(call->keys, "kms:MultiRegionKeyType",
                      json_string_value(json_object_get(key->doc, "MultiRegionKeyType")));
    kms_grants_mark(call, key, in);
}
