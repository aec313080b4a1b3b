/* record.c — one CloudTrail-format audit record per call (CloudTrail User Guide,
 * "CloudTrail record contents"). The pipeline hands over a neutral struct audit_event;
 * this file alone decides what of it reaches the trail. Invariant: no member named in
 * the descriptor's secret_fields is ever copied, at any depth; callers never put key
 * material or plaintext anywhere else in the event. */
#include <ctype.h>
#include <string.h>

#include "audit.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/tree.h"

/* Maps whose keys are the caller's data, not member names: their keys keep their case. */
static const char *const data_maps[] = {"EncryptionContext", NULL};

static bool listed(const char *name, const char *const *names)
{
    for (; names && *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

static json_t *redact(const json_t *tree, const char *const *secrets, bool data_map)
{
    const char *name;
    json_t *copy, *value;
    size_t i;

    if (json_is_array(tree)) {
        copy = json_array();
        json_array_foreach((json_t *)tree, i, value)
            json_array_append_new(copy, redact(value, secrets, false));
        return copy;
    }
    if (!json_is_object(tree))
        return json_deep_copy(tree);
    copy = json_object();
    json_object_foreach((json_t *)tree, name, value)
    {
        char camel[256];
        size_t n = strlen(name);

        if (n >= sizeof(camel))
            continue;
        memcpy(camel, name, n + 1);
        /* CloudTrail writes request members in lowerCamelCase ("keyId"). */
        if (!data_map)
            camel[0] = (char)tolower((unsigned char)camel[0]);
        if (!data_map && listed(name, secrets))
            json_object_set_new(copy, camel, json_string(AUDIT_HIDDEN));
        else
            json_object_set_new(copy, camel, redact(value, secrets, listed(name, data_maps)));
    }
    return copy;
}

json_t *audit_redact(const json_t *tree, const char *const *secret_fields)
{
    return tree ? redact(tree, secret_fields, false) : NULL;
}

static json_t *user_identity(const struct audit_event *ev)
{
    const struct principal *p = ev->principal;
    json_t *id = json_object();

    if (!p) {
        /* Unauthenticated or failed authentication: what the caller claimed, nothing more. */
        json_object_set_new(id, "type", json_string("Unknown"));
        if (ev->access_key_id)
            json_object_set_new(id, "accessKeyId", json_string(ev->access_key_id));
        return id;
    }
    json_object_set_new(id, "type", json_string(p->type == PRINCIPAL_ROOT ? "Root" : "IAMUser"));
    json_object_set_new(id, "principalId", json_string(p->user_id));
    json_object_set_new(id, "arn", json_string(p->arn));
    json_object_set_new(id, "accountId", json_string(p->account_id));
    json_object_set_new(id, "accessKeyId", json_string(p->access_key_id));
    if (p->type == PRINCIPAL_USER)
        json_object_set_new(id, "userName", json_string(p->name));
    return id;
}

static const char *resource_type(const char *service)
{
    if (strcmp(service, "kms") == 0)
        return "AWS::KMS::Key";
    if (strcmp(service, "iam") == 0)
        return "AWS::IAM::User";
    return "AWS::Resource";
}

cu_rc audit_record_build(const struct audit_event *ev, struct buf *out)
{
    cu_rc rc = CU_OK;
    char when[21], source[64], event_id[IDS_UUID_LEN + 1];
    json_t *rec = json_object(), *resources = NULL;
    char *text = NULL;

    ENSURE(rec, CU_E_NOMEM);
    TRY(ids_uuid(event_id));
    clock_iso8601(ev->time_ms / 1000, when);
    snprintf(source, sizeof(source), "%s.amazonaws.com", ev->service ? ev->service : "unknown");
    json_object_set_new(rec, "eventVersion", json_string("1.08"));
    json_object_set_new(rec, "userIdentity", user_identity(ev));
    json_object_set_new(rec, "eventTime", json_string(when));
    json_object_set_new(rec, "eventSource", json_string(source));
    json_object_set_new(rec, "eventName", ev->event_name ? json_string(ev->event_name) : json_null());
    json_object_set_new(rec, "awsRegion", json_string(ev->region));
    json_object_set_new(rec, "sourceIPAddress", json_string(ev->source_ip ? ev->source_ip : ""));
    json_object_set_new(rec, "userAgent", json_string(ev->user_agent ? ev->user_agent : ""));
    json_object_set_new(rec, "requestParameters",
                        ev->request ? audit_redact(ev->request, ev->secret_fields) : json_null());
    json_object_set_new(rec, "responseElements",
                        ev->response ? audit_redact(ev->response, ev->secret_fields) : json_null());
    if (ev->error_code) {
        json_object_set_new(rec, "errorCode", json_string(ev->error_code));
        json_object_set_new(rec, "errorMessage", json_string(ev->error_message ? ev->error_message : ""));
    }
    json_object_set_new(rec, "requestID", json_string(ev->request_id));
    json_object_set_new(rec, "eventID", json_string(event_id));
    json_object_set_new(rec, "readOnly", json_boolean(ev->read_only));
    if (ev->resource_arn && strcmp(ev->resource_arn, "*") != 0 && ev->service) {
        json_t *r = json_object();
        resources = json_array();
        json_object_set_new(r, "accountId", json_string(ev->account_id));
        json_object_set_new(r, "type", json_string(resource_type(ev->service)));
        json_object_set_new(r, "ARN", json_string(ev->resource_arn));
        json_array_append_new(resources, r);
        json_object_set_new(rec, "resources", resources);
    }
    json_object_set_new(rec, "eventType", json_string("AwsApiCall"));
    json_object_set_new(rec, "managementEvent", json_true());
    json_object_set_new(rec, "recipientAccountId", json_string(ev->account_id));
    text = json_dumps(rec, JSON_COMPACT);
    ENSURE(text, CU_E_NOMEM);
    TRY(buf_addstr(out, text));
out:
    free(text);
    json_decref(rec);
    return rc;
}
