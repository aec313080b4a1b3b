/* route.c — which service and operation a request is for (DESIGN.md "Routing"):
 * X-Amz-Target for JSON 1.1 services, else a Query service found from the SigV4 scope,
 * the Host, or the Action itself. A Query form is split here once, and the split is kept
 * in the route for proto_decode. */
#include <string.h>
#include <strings.h>

#include "proto.h"

static bool is_form(const struct http_req *req)
{
    const char *ct = http_req_header(req, "Content-Type");

    return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* The Query parameters of a request: the form body of a POST, else the query string. */
static struct bytes query_params(const struct http_req *req)
{
    if (strcmp(req->method, "POST") == 0 && req->body.n > 0 && is_form(req))
        return req->body;
    return bytes_str(req->query);
}

static bool path_is_root(const char *path)
{
    return path[0] == '\0' || strcmp(path, "/") == 0;
}

static cu_rc route_json(const struct http_req *req, const char *target, struct proto_route *out,
                        struct cu_err *err)
{
    /* the operation follows the last dot: CloudTrail's prefix has dots of its own
     * ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents") */
    const char *dot = strrchr(target, '.');

    if (strcmp(req->method, "POST") != 0)
        return cu_err_set(err, CU_E_METHOD_NOT_ALLOWED, "Only POST is accepted for %s", target);
    out->svc = dot ? model_service_by_target_prefix(target, (size_t)(dot - target)) : NULL;
    if (!out->svc || out->svc->protocol != MODEL_JSON)
        return cu_err_set(err, CU_E_UNKNOWN_SERVICE,
                          "Unable to determine service/operation name to be authorized");
    out->op = model_op(out->svc, dot + 1, strlen(dot + 1));
    if (!out->op)
        return cu_err_set(err, CU_E_INVALID_ACTION, "%s", "");
    return CU_OK;
}

static const struct service_model *query_service_named(const char *name)
{
    const struct service_model *svc = name ? model_service_by_signing_name(name) : NULL;

    return svc && svc->protocol == MODEL_QUERY ? svc : NULL;
}

/* No scope: the Host's first label ("iam.amazonaws.com"), else the one Query service
 * that defines the action. */
static const struct service_model *query_service_guess(const struct http_req *req,
                                                       const char *action)
{
    const char *host = http_req_header(req, "Host");
    const struct service_model *found = NULL;

    for (const struct service_model *const *s = model_services; *s; s++) {
        size_t n = strlen((*s)->endpoint_prefix);
        if ((*s)->protocol == MODEL_QUERY && host && strncasecmp(host, (*s)->endpoint_prefix, n) == 0 &&
            host[n] == '.')
            return *s;
    }
    for (const struct service_model *const *s = model_services; *s; s++) {
        if ((*s)->protocol != MODEL_QUERY || !model_op(*s, action, strlen(action)))
            continue;
        if (found)
            return NULL;
        found = *s;
    }
    return found;
}

static cu_rc route_query(const struct http_req *req, const char *scope_service,
                         struct proto_route *out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    const char *action, *version;
    size_t action_len, version_len;

    if (strcmp(req->method, "POST") != 0 && strcmp(req->method, "GET") != 0)
        return cu_err_set(err, CU_E_METHOD_NOT_ALLOWED, "The method %.16s is not allowed.",
                          req->method);
    TRY(query_form_split(query_params(req), &out->form, err));
    /* a duplicated Action or Version is refused as a duplicated member is, rather than
     * running the first one */
    TRY(query_form_get(&out->form, "Action", &action, &action_len, err));
    TRY(query_form_get(&out->form, "Version", &version, &version_len, err));
    /* "Action=GetUser%00x" names no operation: the NUL is not the end of the name */
    ENSURE(action && action_len > 0 && strlen(action) == action_len,
           cu_err_set(err, CU_E_INVALID_ACTION, "Could not find operation for this request"));
    out->svc = query_service_named(scope_service);
    if (!out->svc)
        out->svc = query_service_guess(req, action);
    out->op = out->svc ? model_op(out->svc, action, action_len) : NULL;
    ENSURE(out->op, cu_err_set(err, CU_E_INVALID_ACTION,
                               "Could not find operation %.128s for version %.32s", action,
                               version ? version : "NO_VERSION_SPECIFIED"));
out:
    return rc;
}

cu_rc proto_route(const struct http_req *req, const char *scope_service, struct proto_route *out,
                  struct cu_err *err)
{
    const char *target = http_req_header(req, "X-Amz-Target");

    *out = (struct proto_route){0};
    if (!path_is_root(req->path))
        return cu_err_set(err, CU_E_NOT_FOUND_PATH, "The requested path %.128s was not found.",
                          req->path);
    if (target)
        return route_json(req, target, out, err);
    return route_query(req, scope_service, out, err);
}

void proto_route_release(struct proto_route *route)
{
    query_form_release(&route->form);
}
