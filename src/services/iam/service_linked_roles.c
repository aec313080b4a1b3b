/* service_linked_roles.c — CreateServiceLinkedRole, DeleteServiceLinkedRole,
 * GetServiceLinkedRoleDeletionStatus, and the guard the other role handlers call.
 *
 * A service-linked role is an ordinary role record (iam_kind_role) made from the row of
 * its service in the generated table (service_linked_roles.gen.c, from
 * service_linked_roles.json): AWS's role name, the path /aws-service-role/<principal>/, a
 * trust policy letting only that principal sts:AssumeRole, and the stored-only member
 * SLR_MEMBER naming the service (no output shape names it, so it is never rendered). That
 * member is what makes the role protected: DeleteRole, UpdateAssumeRolePolicy and the
 * policy edits refuse it with UnmodifiableEntity (iam_slr_refuse), as AWS does for a role
 * only its service may change.
 *
 * AWS deletes a service-linked role asynchronously, after its service has checked that no
 * resource still uses it, and reports the task's progress. custos runs no such service:
 * the role, its inline policies and its attachments go in DeleteServiceLinkedRole's own
 * transaction, and the task record written there says SUCCEEDED (or FAILED, with AWS's
 * Reason, when an instance profile still holds the role). A task is never reported
 * NOT_STARTED or IN_PROGRESS, because none ever is. */
#include "service_linked_roles.h"

#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/tree.h"
#include "core/uri.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "iam_profiles.h"

#define SLR_MEMBER "ServiceLinkedService"
#define SLR_PATH_ROOT "/aws-service-role/"
#define TASK_PREFIX "task" SLR_PATH_ROOT
#define DEFAULT_MAX_SESSION 3600
#define ROLE_NAME_MAX 64

const struct slr_service *slr_find(const char *service)
{
    size_t lo = 0, hi = slr_services_n;

    /* the generator sorts the rows */
    while (service && lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(service, slr_services[mid].service);

        if (c == 0)
            return &slr_services[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool iam_role_is_service_linked(const json_t *role)
{
    return json_is_string(json_object_get(role, SLR_MEMBER));
}

cu_rc iam_slr_refuse(struct call *call, const json_t *role)
{
    if (!iam_role_is_service_linked(role))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_IAM_UNMODIFIABLE,
                      "Cannot perform the operation on the protected role '%s' - this role is "
                      "only modifiable by AWS",
                      json_string_value(json_object_get(role, "RoleName")));
}

/* The role name CreateServiceLinkedRole gives: AWS's, with "_<suffix>" when one is asked. */
static void slr_role_name(const char *base, const char *suffix, char out[IAM_ARN_MAX])
{
    if (suffix)
        snprintf(out, IAM_ARN_MAX, "%s_%s", base, suffix);
    else
        snprintf(out, IAM_ARN_MAX, "%s", base);
}

static void slr_arn(const char *account, const char *service, const char *name,
                    char out[IAM_ARN_MAX])
{
    /* a principal is at most 100 characters and a role name 64 (the model's limits) */
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%.12s:role" SLR_PATH_ROOT "%.200s/%.200s", account,
             service, name);
}

/* The trust policy AWS gives a service-linked role, URL-encoded as roles.c stores every
 * trust policy. */
static cu_rc set_trust(json_t *role, const char *service)
{
    cu_rc rc = CU_OK;
    struct buf text, encoded;

    buf_init(&text, BUF_NO_LIMIT);
    buf_init(&encoded, BUF_NO_LIMIT);
    TRY(buf_addf(&text,
                 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                 "{\"Service\":\"%s\"},\"Action\":\"sts:AssumeRole\"}]}",
                 service));
    TRY(uri_encode(buf_bytes(&text), true, &encoded));
    TRY(tree_set_str(role, "AssumeRolePolicyDocument", encoded.p));
out:
    buf_release(&text);
    buf_release(&encoded);
    return rc;
}

cu_rc iam_create_service_linked_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *service = in_str(in, "AWSServiceName"), *suffix = in_str(in, "CustomSuffix");
    const char *description = in_str(in, "Description");
    const struct slr_service *row = slr_find(service);
    char name[IAM_ARN_MAX], path[IAM_ARN_MAX], arn[IAM_ARN_MAX], id[IDS_UNIQUE_ID_LEN + 1];
    json_t *doc = json_object(), *existing = NULL;

    ENSURE(doc, CU_E_NOMEM);
    ENSURE(row,
           cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "Invalid service name: %s", service));
    ENSURE(!suffix || row->suffix, cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                                              "Custom suffix is not allowed for %s", service));
    slr_role_name(row->role, suffix, name);
    /* a role name is at most 64 characters (the model's roleNameType): a longer one could
     * never be named in a request again */
    ENSURE(strlen(name) <= ROLE_NAME_MAX,
           cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                      "The role name %s made with the custom suffix is longer than %d characters.",
                      name, ROLE_NAME_MAX));
    TRY(kind_find(call, &iam_kind_role, NULL, name, &existing));
    ENSURE(!existing, cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                                 "Service role name %s has been taken in this account, please "
                                 "try a different suffix.",
                                 name));
    snprintf(path, sizeof(path), SLR_PATH_ROOT "%s/", service);
    slr_arn(call->env->account_id, service, name, arn);
    TRY(ids_unique("AROA", id));
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "RoleName", name));
    TRY(tree_set_str(doc, "RoleId", id));
    TRY(tree_set_str(doc, "Arn", arn));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    TRY(set_trust(doc, service));
    if (description)
        TRY(tree_set_str(doc, "Description", description));
    TRY(tree_set_int(doc, "MaxSessionDuration", DEFAULT_MAX_SESSION));
    TRY(tree_set_new(doc, "Tags", json_array()));
    TRY(tree_set_str(doc, SLR_MEMBER, service));
    TRY(kind_create(call, &iam_kind_role, NULL, doc));
    TRY(render_output(out, "iam", "CreateServiceLinkedRole", "Role", doc));
out:
    json_decref(existing);
    json_decref(doc);
    return rc;
}

/* Everything that holds the role goes with it: its inline policies, and the use counts of
 * the managed policies attached to it and of its boundary. */
static cu_rc release_policies(struct call *call, const char *name, const json_t *role)
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    json_t *items = NULL, *item;
    bool more = true;
    size_t i;

    record_user_scope(call->env->account_id, name, scope);
    while (more) {
        TRY(store_list(call->tx, RECORD_ROLE_POLICY, scope, NULL, 100, &items, &more));
        json_array_foreach(items, i, item)
            TRY(store_delete(call->tx, RECORD_ROLE_POLICY, scope,
                             json_string_value(json_object_get(item, "key")), NULL));
        json_decref(items);
        items = NULL;
    }
    json_array_foreach(json_object_get(role, RECORD_USER_ATTACHED), i, item)
        TRY(iam_managed_policy_count(call, json_string_value(json_object_get(item, "PolicyArn")),
                                     "AttachmentCount", -1));
    if (record_user_boundary_arn(role))
        TRY(iam_managed_policy_count(call, record_user_boundary_arn(role),
                                     "PermissionsBoundaryUsageCount", -1));
out:
    json_decref(items);
    return rc;
}

cu_rc iam_delete_service_linked_role(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name;
    char uuid[IDS_UUID_LEN + 1], task_id[IAM_ARN_MAX];
    json_t *role, *task = NULL;
    size_t n_profiles = 0;

    TRY(kind_target(call, &iam_kind_role, in_str(in, "RoleName"), &role));
    name = json_string_value(json_object_get(role, "RoleName"));
    ENSURE(iam_role_is_service_linked(role),
           cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "Role %s is not a service-linked role.",
                      name));
    TRY(ids_uuid(uuid));
    snprintf(task_id, sizeof(task_id), TASK_PREFIX "%s/%s/%s",
             json_string_value(json_object_get(role, SLR_MEMBER)), name, uuid);
    task = json_pack("{s:s, s:s, s:I}", "DeletionTaskId", task_id, "RoleName", name, "CreateDate",
                     (json_int_t)call->now_ms);
    ENSURE(task, CU_E_NOMEM);
    TRY(iam_role_profile_count(call, name, &n_profiles));
    if (n_profiles) {
        /* AWS's task fails while a resource still uses the role; the Reason says why */
        TRY(tree_set_str(task, "Status", "FAILED"));
        TRY(tree_set_new(
            task, "Reason",
            json_pack("{s:s}", "Reason", "The role is still used by an instance profile.")));
    } else {
        TRY(tree_set_str(task, "Status", "SUCCEEDED"));
        TRY(release_policies(call, name, role));
        TRY(kind_remove(call, &iam_kind_role, NULL, role));
    }
    TRY(store_put(call->tx, RECORD_SLR_DELETION_TASK, call->env->account_id, uuid, task,
                  STORE_CREATE));
    TRY(tree_set_str(out, "DeletionTaskId", task_id));
out:
    json_decref(task);
    return rc;
}

/* A task id's parts: "task/aws-service-role/<service>/<role>/<uuid>" (IAM API reference,
 * DeleteServiceLinkedRole). Views into id, which the caller keeps; false when id is not of
 * that form. */
struct task_parts {
    struct bytes service, role;
    const char *uuid;
};

static bool task_parse(const char *id, struct task_parts *t)
{
    const char *p, *slash1, *slash2;

    if (!id || strncmp(id, TASK_PREFIX, strlen(TASK_PREFIX)) != 0)
        return false;
    p = id + strlen(TASK_PREFIX);
    slash1 = strchr(p, '/');
    slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    if (!slash1 || !slash2 || slash1 == p || slash2 == slash1 + 1)
        return false;
    t->service = bytes_of(p, (size_t)(slash1 - p));
    t->role = bytes_of(slash1 + 1, (size_t)(slash2 - slash1 - 1));
    t->uuid = slash2 + 1;
    return ids_is_uuid(t->uuid);
}

cu_rc iam_get_service_linked_role_deletion_status(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *id = in_str(in, "DeletionTaskId");
    struct task_parts t;
    json_t *task = NULL, *reason;

    ENSURE(task_parse(id, &t),
           cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "Invalid deletion task id: %s", id));
    TRY(store_get(call->tx, RECORD_SLR_DELETION_TASK, call->env->account_id, t.uuid, &task));
    ENSURE(task && strcmp(json_string_value(json_object_get(task, "DeletionTaskId")), id) == 0,
           cu_err_set(&call->err, CU_E_IAM_NO_SUCH_ENTITY,
                      "The deletion task with id %s cannot be found.", id));
    TRY(tree_set_new(out, "Status", json_copy(json_object_get(task, "Status"))));
    reason = json_object_get(task, "Reason");
    if (reason)
        TRY(tree_set_new(out, "Reason", json_deep_copy(reason)));
out:
    json_decref(task);
    return rc;
}

/* Resolver for CreateServiceLinkedRole: the ARN of the role it would make (IAM Service
 * Authorization Reference: resource type role), named after the principal itself when
 * the table does not know the service. */
cu_rc iam_resolve_new_service_linked_role(struct call *call, const json_t *in)
{
    const char *service = in_str_or(in, "AWSServiceName", "");
    const struct slr_service *row = slr_find(service);
    char name[IAM_ARN_MAX];

    iam_set_account_target(call);
    slr_role_name(row ? row->role : service, row ? in_str(in, "CustomSuffix") : NULL, name);
    slr_arn(call->env->account_id, service, name, call->target.arn);
    return CU_OK;
}

/* Resolver for GetServiceLinkedRoleDeletionStatus: the role the task id names, or — for an
 * id of another form, which the handler refuses — the path of service-linked roles. */
cu_rc iam_resolve_deletion_task(struct call *call, const json_t *in)
{
    struct task_parts t;

    iam_set_account_target(call);
    snprintf(call->target.arn, sizeof(call->target.arn), "arn:aws:iam::%s:role" SLR_PATH_ROOT,
             call->env->account_id);
    if (task_parse(in_str(in, "DeletionTaskId"), &t))
        snprintf(call->target.arn, sizeof(call->target.arn),
                 "arn:aws:iam::%s:role" SLR_PATH_ROOT "%.*s/%.*s", call->env->account_id,
                 (int)t.service.n, (const char *)t.service.p, (int)t.role.n,
                 (const char *)t.role.p);
    return CU_OK;
}
