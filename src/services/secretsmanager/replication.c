/* replication.c — multi-Region secrets (user guide, create-manage-multi-region-secrets):
 * ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica, and the
 * upkeep of replicas after every change to their primary.
 *
 * A replica is a secret of the same name in another region served, with the primary's ARN
 * in that region, PrimaryRegion naming the primary's, its own KmsKeyId (the AWS managed key
 * aws/secretsmanager of its region unless one was given), and the primary's description,
 * tags, labels and versions, each version sealed again under the replica's key as the
 * caller (so a caller without KMS permissions there gets Status Failed, as AWS reports a
 * replication it could not do). The primary lists its replicas in ReplicationStatus
 * [{Region, KmsKeyId, Status, StatusMessage}]. Replicas are read-only (InvalidParameterException
 * "Operation not permitted on a replica secret..."), and a primary with replicas is not
 * deleted until they are removed: every write is made
 * on the primary and copied in the same transaction, so a replica is never behind its
 * primary's committed state. StopReplicationToReplica, in the replica's region, makes it a
 * standalone secret. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/regions.h"
#include "core/secret.h"
#include "core/tree.h"
#include "secretsmanager.h"
#include "secretsmanager_ops.gen.h"
#include "services/in.h"

#define MANAGED_ALIAS "alias/aws/secretsmanager"

static const char *str_of(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

/* The errors a replica's write meets that make its status Failed rather than the call's:
 * KMS refusing the caller or the key in that region. */
static bool replica_failure(cu_rc rc)
{
    return rc != CU_OK && rc != CU_E_NOMEM && rc != CU_E_INTERNAL && rc != CU_E_STORE &&
           rc != CU_E_STORE_CONFLICT;
}

cu_rc sm_target_primary(struct call *call, bool live, json_t **secret)
{
    cu_rc rc = CU_OK;

    TRY(sm_target(call, live, secret));
    /* AWS's words (as its SDKs report them): InvalidParameterException */
    ENSURE(!json_object_get(*secret, "PrimaryRegion"),
           cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                      "Operation not permitted on a replica secret. Call must be made in "
                      "primary secret's region."));
out:
    return rc;
}

/* arn:aws:secretsmanager:<region>:... with the region replaced. */
static cu_rc arn_in(const char *arn, const char *region, char out[SM_ARN_MAX])
{
    const char *p = arn;

    for (int colons = 0; colons < 3 && p; colons++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    if (!p || !strchr(p, ':'))
        return CU_E_INTERNAL;
    snprintf(out, SM_ARN_MAX, "%.*s%s%s", (int)(p - arn), arn, region, strchr(p, ':'));
    return CU_OK;
}

static json_t *status_of(const json_t *secret, const char *region)
{
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(secret, "ReplicationStatus"), i, e)
    {
        if (strcmp(str_of(e, "Region"), region) == 0)
            return e;
    }
    return NULL;
}

/* The replica's versions: the primary's, each keeping the replica's seal of it when it
 * has one and else opened in the primary's region and sealed in the replica's. */
static cu_rc copy_versions(struct call *call, const json_t *primary, const json_t *old,
                           json_t *replica, const char *region)
{
    cu_rc rc = CU_OK;
    const char *home = call->region;
    json_t *versions = json_object_get(replica, "Versions"), *v, *had, *sealed = NULL;
    struct secret *plain = NULL;
    size_t i;

    json_array_foreach(versions, i, v)
    {
        const char *vid = str_of(v, "VersionId");

        if (!json_object_get(v, "Sealed"))
            continue; /* a rotation's placeholder */
        had = old ? sm_version_by_id(old, vid) : NULL;
        if (had && json_object_get(had, "Sealed")) {
            ENSURE(json_object_set(v, "Sealed", json_object_get(had, "Sealed")) == 0, CU_E_NOMEM);
            continue;
        }
        TRY(sm_open_version(call, primary, sm_version_by_id(primary, vid), &plain));
        sealed = json_object();
        ENSURE(sealed, CU_E_NOMEM);
        call->region = region;
        rc = sm_seal(call, replica, vid, secret_bytes(plain), sealed);
        call->region = home;
        TRY(rc);
        ENSURE(json_object_set(v, "Sealed", sealed) == 0, CU_E_NOMEM);
        json_decref(sealed);
        sealed = NULL;
        secret_free(plain);
        plain = NULL;
    }
out:
    call->region = home;
    json_decref(sealed);
    secret_free(plain);
    return rc;
}

/* Write the replica of `primary` in the region of status entry e (call->region is the
 * primary's). A secret of that name there that is not this primary's replica is
 * overwritten only with `force`. */
static cu_rc sync_one(struct call *call, const json_t *primary, json_t *e, bool force)
{
    cu_rc rc = CU_OK;
    const char *home = call->region, *region = str_of(e, "Region");
    char arn[SM_ARN_MAX];
    json_t *old = NULL, *replica = json_deep_copy(primary);

    ENSURE(replica, CU_E_NOMEM);
    TRY(arn_in(str_of(primary, "ARN"), region, arn));
    call->region = region;
    rc = kind_find(call, &sm_kind_secret, NULL, str_of(primary, "Name"), &old);
    call->region = home;
    TRY(rc);
    if (old && !(str_of(old, "ARN") && strcmp(str_of(old, "ARN"), arn) == 0 &&
                 str_of(old, "PrimaryRegion")) && !force) {
        TRY(tree_set_str(e, "Status", "Failed"));
        TRY(tree_set_str(e, "StatusMessage",
                         "Replication failed: Secret name already exists in region."));
        goto out;
    }
    for (const char *const *m = (const char *const[]){"ReplicationStatus", "Rotation",
                                                      "RotationWindowStart", "LastAccessedDate",
                                                      "KmsKeyId", NULL};
         *m; m++)
        json_object_del(replica, *m);
    TRY(tree_set_str(replica, "ARN", arn));
    TRY(tree_set_str(replica, "PrimaryRegion", home));
    if (str_of(e, "KmsKeyId") && strcmp(str_of(e, "KmsKeyId"), MANAGED_ALIAS) != 0)
        TRY(tree_set_str(replica, "KmsKeyId", str_of(e, "KmsKeyId")));
    if (old && json_object_get(old, "LastAccessedDate"))
        TRY(tree_set_new(replica, "LastAccessedDate",
                         json_deep_copy(json_object_get(old, "LastAccessedDate"))));
    rc = copy_versions(call, primary, old && str_of(old, "PrimaryRegion") ? old : NULL, replica,
                       region);
    if (replica_failure(rc)) {
        char why[sizeof(call->err.msg) + 32];

        snprintf(why, sizeof(why), "Replication failed: %s", call->err.msg);
        cu_err_clear(&call->err);
        TRY(tree_set_str(e, "Status", "Failed"));
        TRY(tree_set_str(e, "StatusMessage", why));
        rc = CU_OK;
        goto out;
    }
    TRY(rc);
    call->region = region;
    rc = kind_put(call, &sm_kind_secret, NULL, replica);
    call->region = home;
    TRY(rc);
    TRY(tree_set_str(e, "Status", "InSync"));
    TRY(tree_set_str(e, "StatusMessage", "Replication succeeded"));
out:
    call->region = home;
    json_decref(old);
    json_decref(replica);
    return rc;
}

static cu_rc sync_all(struct call *call, json_t *secret, bool force)
{
    cu_rc rc = CU_OK;
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(secret, "ReplicationStatus"), i, e)
    {
        /* a replica that failed for its name stays failed until it is forced */
        if (!force && strcmp(str_of(e, "Status"), "Failed") == 0 &&
            strstr(str_of(e, "StatusMessage"), "already exists"))
            continue;
        TRY(sync_one(call, secret, e, force));
    }
out:
    return rc;
}

cu_rc sm_save(struct call *call, json_t *secret)
{
    cu_rc rc = CU_OK;

    if (json_array_size(json_object_get(secret, "ReplicationStatus")))
        TRY(sync_all(call, secret, false));
    TRY(kind_update(call, &sm_kind_secret, NULL, secret));
out:
    return rc;
}

/* ReplicaRegionType checks: a region custos serves, not the primary's, not already
 * replicated to. */
static cu_rc check_region(struct call *call, const json_t *secret, const char *region)
{
    if (regions_index(region) < 0 ||
        (call->env->regions && !region_set_has(call->env->regions, region)))
        return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER, "Invalid replica region: %s",
                          region);
    if (strcmp(region, call->region) == 0)
        return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "Invalid replica region: %s is the primary region of the secret.",
                          region);
    if (status_of(secret, region))
        return cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "The secret is already replicated to %s.", region);
    return CU_OK;
}

cu_rc sm_add_replicas(struct call *call, json_t *secret, const json_t *regions, bool force)
{
    cu_rc rc = CU_OK;
    json_t *list = json_object_get(secret, "ReplicationStatus"), *r, *e = NULL;
    size_t i;

    if (!list) {
        TRY(tree_set_new(secret, "ReplicationStatus", json_array()));
        list = json_object_get(secret, "ReplicationStatus");
    }
    json_array_foreach((json_t *)regions, i, r)
    {
        const char *region = str_of(r, "Region");

        ENSURE(region, cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                                  "Each replica region must name its Region."));
        TRY(check_region(call, secret, region));
        e = json_pack("{s:s, s:s, s:s}", "Region", region, "KmsKeyId",
                      str_of(r, "KmsKeyId") ? str_of(r, "KmsKeyId") : MANAGED_ALIAS, "Status",
                      "InProgress");
        ENSURE(e, CU_E_NOMEM);
        TRY(sync_one(call, secret, e, force));
        ENSURE(json_array_append(list, e) == 0, CU_E_NOMEM);
        json_decref(e);
        e = NULL;
    }
    TRY(sm_save(call, secret));
out:
    json_decref(e);
    return rc;
}

void secretsmanager_replicate_condition_keys(const json_t *in, struct call_keys *keys)
{
    const char *names[64];
    size_t n = 0, i;
    json_t *r;

    json_array_foreach(json_object_get(in, "AddReplicaRegions"), i, r)
    {
        if (n < 64 && str_of(r, "Region"))
            names[n++] = str_of(r, "Region");
    }
    if (n)
        call_keys_add_multi(keys, "secretsmanager:AddReplicaRegions", names, n);
}

static cu_rc answer(json_t *out, const json_t *secret)
{
    cu_rc rc = CU_OK;
    const json_t *list = json_object_get(secret, "ReplicationStatus");

    TRY(tree_set_str(out, "ARN", str_of(secret, "ARN")));
    TRY(tree_set_new(out, "ReplicationStatus", list ? json_deep_copy(list) : json_array()));
out:
    return rc;
}

cu_rc secretsmanager_replicate_secret_to_regions(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret;

    TRY(sm_target_primary(call, true, &secret));
    TRY(sm_add_replicas(call, secret, in_list(in, "AddReplicaRegions"),
                        in_bool(in, "ForceOverwriteReplicaSecret", false)));
    TRY(answer(out, secret));
out:
    return rc;
}

/* Delete the replica in region (if it is this primary's) in the call's transaction. */
static cu_rc drop_replica(struct call *call, const json_t *secret, const char *region)
{
    cu_rc rc = CU_OK;
    const char *home = call->region;
    char arn[SM_ARN_MAX];
    json_t *replica = NULL;

    TRY(arn_in(str_of(secret, "ARN"), region, arn));
    call->region = region;
    TRY(kind_find(call, &sm_kind_secret, NULL, str_of(secret, "Name"), &replica));
    if (replica && str_of(replica, "PrimaryRegion") && strcmp(str_of(replica, "ARN"), arn) == 0)
        TRY(kind_remove(call, &sm_kind_secret, NULL, replica));
out:
    call->region = home;
    json_decref(replica);
    return rc;
}

cu_rc secretsmanager_remove_regions_from_replication(struct call *call, const json_t *in,
                                                     json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *secret, *list, *r;
    size_t i;

    TRY(sm_target_primary(call, true, &secret));
    list = json_object_get(secret, "ReplicationStatus");
    json_array_foreach((json_t *)in_list(in, "RemoveReplicaRegions"), i, r)
    {
        const char *region = json_string_value(r);

        ENSURE(region && status_of(secret, region),
               cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                          "The secret isn't replicated to %s.", region ? region : ""));
        TRY(drop_replica(call, secret, region));
        for (size_t j = 0; j < json_array_size(list); j++)
            if (strcmp(str_of(json_array_get(list, j), "Region"), region) == 0)
                json_array_remove(list, j--);
    }
    if (json_array_size(list) == 0)
        json_object_del(secret, "ReplicationStatus");
    TRY(sm_save(call, secret));
    TRY(answer(out, secret));
out:
    return rc;
}

/* StopReplicationToReplica, called on the replica in its region: a standalone secret from
 * now on, gone from its primary's ReplicationStatus. */
cu_rc secretsmanager_stop_replication_to_replica(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *home = call->region;
    char primary_region[REGIONS_NAME_MAX], arn[SM_ARN_MAX];
    json_t *secret, *primary = NULL, *list;

    (void)in;
    TRY(sm_target(call, true, &secret));
    ENSURE(str_of(secret, "PrimaryRegion"),
           cu_err_set(&call->err, CU_E_SM_INVALID_REQUEST,
                      "StopReplicationToReplica can only be called on a replica secret."));
    str_copy(primary_region, sizeof(primary_region), str_of(secret, "PrimaryRegion"));
    TRY(arn_in(str_of(secret, "ARN"), primary_region, arn));
    call->region = primary_region;
    rc = kind_find(call, &sm_kind_secret, NULL, str_of(secret, "Name"), &primary);
    if (rc == CU_OK && primary && strcmp(str_of(primary, "ARN"), arn) == 0) {
        list = json_object_get(primary, "ReplicationStatus");
        for (size_t j = 0; j < json_array_size(list); j++)
            if (strcmp(str_of(json_array_get(list, j), "Region"), home) == 0)
                json_array_remove(list, j--);
        if (json_array_size(list) == 0)
            json_object_del(primary, "ReplicationStatus");
        rc = kind_update(call, &sm_kind_secret, NULL, primary);
    }
    call->region = home;
    TRY(rc);
    json_object_del(secret, "PrimaryRegion");
    TRY(kind_update(call, &sm_kind_secret, NULL, secret));
    TRY(tree_set_str(out, "ARN", str_of(secret, "ARN")));
out:
    call->region = home;
    json_decref(primary);
    return rc;
}

cu_rc sm_check_no_replicas(struct call *call, const json_t *secret)
{
    cu_rc rc = CU_OK;
    const json_t *list = json_object_get(secret, "ReplicationStatus");
    struct buf regions;
    size_t i;
    json_t *e;

    if (!json_array_size(list))
        return CU_OK;
    buf_init(&regions, 4096);
    json_array_foreach((json_t *)list, i, e)
        TRY(buf_addstrs(&regions, i ? ", " : "", str_of(e, "Region"), NULL));
    rc = cu_err_set(&call->err, CU_E_SM_INVALID_PARAMETER,
                    "You can't delete secret %s that still has replica regions [%s].",
                    str_of(secret, "ARN"), regions.p);
out:
    buf_release(&regions);
    return rc;
}
