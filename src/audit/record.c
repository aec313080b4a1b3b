/* record.c — one CloudTrail-format audit record per call (CloudTrail User Guide,
 * "CloudTrail record contents"). The pipeline hands over a neutral struct audit_event;
 * this file alone decides what of it reaches the trail. Invariant: no member named in
 * the descriptor's secret_fields is ever copied, at any depth; callers never put key
 * material or plaintext anywhere else in the event. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/tree.h"
#include "core/tree_write.h"

/* Maps whose keys are the caller's data, not member names: their keys keep their case. */
static const char *const data_maps[] = {"EncryptionContext", NULL};

static bool listed(const char *name, const char *const *names)
{
    for (; names && *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

static cu_rc add_string(struct buf *out, const char *s)
{
    s = s ? s : "";
    return tree_write_string(out, s, strlen(s));
}

/* ,"name":"value" (or null when value is NULL). name is always a literal, so the member's
 * opening ,"name": is put together and measured when compiled and copied in one go: a
 * record has about fifteen of them per call. */
#define add_field(out, name, value) \
    add_member((out), ",\"" name "\":", sizeof(",\"" name "\":") - 1, (value))

static cu_rc add_member(struct buf *out, const char *opening, size_t opening_len,
                        const char *value)
{
    cu_rc rc = CU_OK;

    TRY(buf_add(out, opening, opening_len));
    if (value)
        TRY(tree_write_string(out, value, strlen(value)));
    else
        TRY(buf_add(out, "null", 4));
out:
    return rc;
}

/* The tree as JSON, written straight into out: secret members hidden wherever they are,
 * member names in CloudTrail's lowerCamelCase ("KeyId" -> "keyId") except inside data
 * maps, whose keys are the caller's. */
static cu_rc add_value(struct buf *out, const json_t *v, const char *const *secrets,
                       bool data_map)
{
    cu_rc rc = CU_OK;
    const char *name;
    json_t *item;
    size_t i;
    bool first = true;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        TRY(buf_addch(out, '{'));
        json_object_foreach((json_t *)v, name, item)
        {
            char camel[256];
            size_t n = strlen(name);

            if (n >= sizeof(camel))
                continue;
            memcpy(camel, name, n + 1);
            if (!data_map)
                camel[0] = (char)tolower((unsigned char)camel[0]);
            if (!first)
                TRY(buf_addch(out, ','));
            first = false;
            TRY(add_string(out, camel));
            TRY(buf_addch(out, ':'));
            if (!data_map && listed(name, secrets))
                TRY(add_string(out, AUDIT_HIDDEN));
            else
                TRY(add_value(out, item, secrets, listed(name, data_maps)));
        }
        TRY(buf_addch(out, '}'));
        break;
    case JSON_ARRAY:
        TRY(buf_addch(out, '['));
        json_array_foreach((json_t *)v, i, item)
        {
            if (i)
                TRY(buf_addch(out, ','));
            TRY(add_value(out, item, secrets, false));
        }
        TRY(buf_addch(out, ']'));
        break;
    default:
        TRY(tree_write_json(out, v));
        break;
    }
out:
    return rc;
}

/* ,"name":<redacted tree> or null for an absent or empty tree. */
static cu_rc add_tree(struct buf *out, const char *name, const json_t *tree,
                      const char *const *secrets)
{
    cu_rc rc = CU_OK;

    TRY(buf_addstr(out, ",\""));
    TRY(buf_addstr(out, name));
    TRY(buf_addstr(out, "\":"));
    if (!tree || (json_is_object(tree) && json_object_size(tree) == 0))
        TRY(buf_addstr(out, "null"));
    else
        TRY(add_value(out, tree, secrets, false));
out:
    return rc;
}

/* CloudTrail's userIdentity type of a principal (CloudTrail user guide,
 * cloudtrail-event-reference-user-identity: Root, IAMUser, AssumedRole, FederatedUser,
 * WebIdentityUser). */
static const char *identity_type(enum principal_type type)
{
    switch (type) {
    case PRINCIPAL_ROOT:
        return "Root";
    case PRINCIPAL_ROLE_SESSION:
        return "AssumedRole";
    case PRINCIPAL_FEDERATED:
        return "FederatedUser";
    case PRINCIPAL_SAML_USER:
        return "SAMLUser";
    case PRINCIPAL_WEB_IDENTITY_USER:
        return "WebIdentityUser";
    case PRINCIPAL_USER:
        break;
    }
    return "IAMUser";
}

/* A role session's issuer: the role, as CloudTrail writes it (type Role, its unique id,
 * its IAM ARN, its name as userName). */
static cu_rc add_session_issuer(struct buf *out, const struct principal *p)
{
    cu_rc rc = CU_OK;
    size_t id_len = strcspn(p->user_id, ":");
    char role_id[sizeof(p->user_id)];

    memcpy(role_id, p->user_id, id_len);
    role_id[id_len] = '\0';
    TRY(buf_addstr(out, "\"sessionIssuer\":{\"type\":\"Role\""));
    TRY(add_field(out, "principalId", role_id));
    TRY(add_field(out, "arn", p->role_arn));
    TRY(add_field(out, "accountId", p->account_id));
    TRY(add_field(out, "userName", p->name));
    TRY(buf_addch(out, '}'));
    /* a session from AssumeRoleWithWebIdentity names its provider; the attributes are the
     * provider's own (Amazon Cognito's amr...), none for an IAM OIDC provider */
    if (p->web_provider[0]) {
        TRY(buf_addstr(out, ",\"webIdFederationData\":{"));
        TRY(buf_addstr(out, "\"federatedProvider\":"));
        TRY(add_string(out, p->web_provider));
        TRY(buf_addstr(out, ",\"attributes\":{}},"));
    } else {
        TRY(buf_addstr(out, ",\"webIdFederationData\":{},"));
    }
out:
    return rc;
}

/* A federated user's issuer (GetFederationToken): the IAM user, or the root user, that
 * called it, as CloudTrail writes it (type IAMUser or Root, its unique id, ARN, name). */
static cu_rc add_federation_issuer(struct buf *out, const struct principal *p)
{
    cu_rc rc = CU_OK;

    TRY(buf_addstrs(out, "\"sessionIssuer\":{\"type\":\"", p->name[0] ? "IAMUser" : "Root", "\"",
                    NULL));
    TRY(add_field(out, "principalId", p->issuer_id));
    TRY(add_field(out, "arn", p->role_arn));
    TRY(add_field(out, "accountId", p->account_id));
    if (p->name[0])
        TRY(add_field(out, "userName", p->name));
    TRY(buf_addstr(out, "},\"webIdFederationData\":{},"));
out:
    return rc;
}

/* Temporary credentials: CloudTrail's sessionContext (never the token itself). */
static cu_rc add_session_context(struct buf *out, const struct principal *p)
{
    cu_rc rc = CU_OK;
    char issued[21];

    clock_iso8601(p->session_issued_s, issued);
    TRY(buf_addstr(out, ",\"sessionContext\":{"));
    if (p->type == PRINCIPAL_ROLE_SESSION)
        TRY(add_session_issuer(out, p));
    else if (p->type == PRINCIPAL_FEDERATED)
        TRY(add_federation_issuer(out, p));
    TRY(buf_addstrs(out, "\"attributes\":{\"creationDate\":\"", issued,
                    "\",\"mfaAuthenticated\":\"", p->mfa ? "true" : "false", "\"}", NULL));
    if (p->source_identity[0])
        TRY(add_field(out, "sourceIdentity", p->source_identity));
    TRY(buf_addch(out, '}'));
out:
    return rc;
}

/* AssumeRoleWithSAML's caller (CloudTrail user guide, userIdentity, "Values for AWS STS
 * APIs with SAML and web identity federation"): type SAMLUser, principalId
 * "<NameQualifier>:<Subject>", userName the Subject, identityProvider the NameQualifier
 * (the principalId's part before its first ':', which base64 never holds). */
static cu_rc add_saml_user(struct buf *out, const struct principal *p)
{
    cu_rc rc = CU_OK;
    char provider[sizeof(p->user_id)];
    size_t n = strcspn(p->user_id, ":");

    memcpy(provider, p->user_id, n);
    provider[n] = '\0';
    TRY(add_field(out, "userName", p->name));
    TRY(add_field(out, "identityProvider", provider));
    TRY(buf_addch(out, '}'));
out:
    return rc;
}

static cu_rc add_identity(struct buf *out, const struct audit_event *ev)
{
    cu_rc rc = CU_OK;
    const struct principal *p = ev->principal;

    if (p && p->type == PRINCIPAL_WEB_IDENTITY_USER) {
        /* AssumeRoleWithWebIdentity's caller, as CloudTrail writes it (CloudTrail user
         * guide, cloudtrail-event-reference-user-identity, "AWS STS APIs with web identity
         * federation"): principalId <provider>:<aud>:<sub>, userName the sub, and the
         * provider; it has no account, ARN or access key of its own */
        TRY(buf_addstr(out, "\"userIdentity\":{\"type\":\"WebIdentityUser\""));
        TRY(add_field(out, "principalId", p->arn));
        TRY(add_field(out, "userName", p->web_subject));
        TRY(add_field(out, "identityProvider", p->web_provider));
        TRY(buf_addch(out, '}'));
        goto out;
    }
    if (!p) {
        /* unauthenticated or failed authentication: what the caller claimed, nothing more */
        TRY(buf_addstr(out, "\"userIdentity\":{\"type\":\"Unknown\""));
        if (ev->access_key_id)
            TRY(add_field(out, "accessKeyId", ev->access_key_id));
        TRY(buf_addch(out, '}'));
        goto out;
    }
    TRY(buf_addstrs(out, "\"userIdentity\":{\"type\":\"", identity_type(p->type), "\"", NULL));
    TRY(add_field(out, "principalId", p->user_id));
    if (p->type == PRINCIPAL_SAML_USER) {
        TRY(add_saml_user(out, p));
        goto out;
    }
    TRY(add_field(out, "arn", p->arn));
    TRY(add_field(out, "accountId", p->account_id));
    TRY(add_field(out, "accessKeyId", p->access_key_id));
    if (p->type == PRINCIPAL_USER)
        TRY(add_field(out, "userName", p->name));
    if (p->session_issued_s)
        TRY(add_session_context(out, p));
    /* CloudTrail user guide, cloudtrail-event-reference-user-identity: invokedBy "the name
     * of the AWS service that made the request" on the identity's behalf */
    if (ev->invoked_by)
        TRY(add_field(out, "invokedBy", ev->invoked_by));
    TRY(buf_addch(out, '}'));
out:
    return rc;
}

/* CloudTrail's resource type of an ARN, by its service and the first word of its resource
 * part ("arn:aws:iam::<acct>:group/x" -> AWS::IAM::Group): one row per kind of resource. */
static const struct {
    const char *service, *word, *type;
} resource_types[] = {
    {"iam", "user", "AWS::IAM::User"},
    {"iam", "group", "AWS::IAM::Group"},
    {"iam", "policy", "AWS::IAM::Policy"},
    {"iam", "role", "AWS::IAM::Role"},
    {"iam", "instance-profile", "AWS::IAM::InstanceProfile"},
    {"iam", "root", "AWS::IAM::Account"},
    {"kms", "key", "AWS::KMS::Key"},
    {"kms", "alias", "AWS::KMS::Alias"},
};

static const char *resource_type(const char *arn)
{
    /* arn:partition:service:region:account:resource */
    const char *service = NULL, *resource = arn;
    size_t service_len = 0, word_len;

    for (int field = 0; field < 5 && resource; field++) {
        resource = strchr(resource, ':');
        if (resource)
            resource++;
        if (field == 1 && resource) {
            service = resource;
            service_len = strcspn(service, ":");
        }
    }
    if (!resource || !service)
        return "AWS::Resource";
    word_len = strcspn(resource, "/:");
    for (size_t i = 0; i < sizeof(resource_types) / sizeof(resource_types[0]); i++)
        if (strlen(resource_types[i].service) == service_len &&
            strncmp(resource_types[i].service, service, service_len) == 0 &&
            strlen(resource_types[i].word) == word_len &&
            strncmp(resource_types[i].word, resource, word_len) == 0)
            return resource_types[i].type;
    return "AWS::Resource";
}

/* tlsDetails (CloudTrail record contents, since 1.08): the TLS version and cipher suite
 * of the connection and the Host header the client sent, in OpenSSL's names as CloudTrail
 * writes them ("TLSv1.3", "TLS_AES_128_GCM_SHA256"). A request over plain HTTP, which
 * AWS does not serve, has none. */
static cu_rc add_tls_details(struct buf *out, const struct audit_event *ev)
{
    cu_rc rc = CU_OK;

    if (!ev->tls_version)
        return CU_OK;
    TRY(buf_addstr(out, ",\"tlsDetails\":{\"tlsVersion\":"));
    TRY(add_string(out, ev->tls_version));
    TRY(add_field(out, "cipherSuite", ev->tls_cipher ? ev->tls_cipher : ""));
    if (ev->host)
        TRY(add_field(out, "clientProvidedHostHeader", ev->host));
    TRY(buf_addch(out, '}'));
out:
    return rc;
}

/* Written field by field rather than through a jansson tree: the record is built for
 * every call, and only the parameters need a tree (for redaction). */
cu_rc audit_record_build(const struct audit_event *ev, struct buf *out)
{
    cu_rc rc = CU_OK;
    char when[21], event_id[IDS_UUID_LEN + 1];

    if (ev->event_id)
        snprintf(event_id, sizeof(event_id), "%s", ev->event_id);
    else
        TRY(ids_uuid(event_id));
    clock_iso8601(ev->time_ms / 1000, when);
    TRY(buf_addstr(out, "{\"eventVersion\":\"1.08\","));
    TRY(add_identity(out, ev));
    TRY(add_field(out, "eventTime", when));
    /* the service is a model id ("kms"): plain lowercase, nothing to escape */
    TRY(buf_addstr(out, ",\"eventSource\":\""));
    TRY(buf_addstr(out, ev->service ? ev->service : "unknown"));
    TRY(buf_addstr(out, ".amazonaws.com\""));
    TRY(add_field(out, "eventName", ev->event_name));
    TRY(add_field(out, "awsRegion", ev->region));
    TRY(add_field(out, "sourceIPAddress", ev->source_ip ? ev->source_ip : ""));
    TRY(add_field(out, "userAgent", ev->user_agent ? ev->user_agent : ""));
    TRY(add_tree(out, "requestParameters", ev->request, ev->secret_fields));
    TRY(add_tree(out, "responseElements", ev->response, ev->secret_fields));
    if (ev->error_code) {
        TRY(add_field(out, "errorCode", ev->error_code));
        TRY(add_field(out, "errorMessage", ev->error_message ? ev->error_message : ""));
    }
    if (ev->commit_seq) {
        char seq[24];
        snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->commit_seq);
        TRY(buf_addstrs(out, ",\"additionalEventData\":{\"commitSeq\":", seq, "}", NULL));
    }
    TRY(add_field(out, "requestID", ev->request_id));
    TRY(add_field(out, "eventID", event_id));
    TRY(buf_addstr(out, ev->read_only ? ",\"readOnly\":true" : ",\"readOnly\":false"));
    if (ev->resource_arn && strcmp(ev->resource_arn, "*") != 0 && ev->service) {
        TRY(buf_addstr(out, ",\"resources\":[{"));
        TRY(buf_addstr(out, "\"accountId\":"));
        TRY(add_string(out, ev->account_id));
        TRY(add_field(out, "type", resource_type(ev->resource_arn)));
        TRY(add_field(out, "ARN", ev->resource_arn));
        TRY(buf_addstr(out, "}]"));
    }
    TRY(buf_addstr(out, ",\"eventType\":\"AwsApiCall\",\"managementEvent\":true"));
    TRY(add_field(out, "recipientAccountId", ev->account_id));
    TRY(buf_addstr(out, ",\"eventCategory\":\"Management\""));
    TRY(add_tls_details(out, ev));
    TRY(buf_addch(out, '}'));
out:
    return rc;
}

cu_rc audit_record_build_service_event(const struct audit_service_event *e, struct buf *out)
{
    cu_rc rc = CU_OK;
    char when[21], request_id[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1], seq[24];
    char host[64];

    TRY(ids_uuid(request_id));
    TRY(ids_uuid(event_id));
    clock_iso8601(e->time_ms / 1000, when);
    /* the service is a model id ("kms"): plain lowercase, nothing to escape */
    snprintf(host, sizeof(host), "%s.amazonaws.com", e->service);
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)e->commit_seq);
    TRY(buf_addstr(out, "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"accountId\":"));
    TRY(add_string(out, e->account_id));
    TRY(add_field(out, "invokedBy", host));
    TRY(buf_addch(out, '}'));
    TRY(add_field(out, "eventTime", when));
    TRY(add_field(out, "eventSource", host));
    TRY(add_field(out, "eventName", e->event_name));
    TRY(add_field(out, "awsRegion", e->region));
    TRY(add_field(out, "sourceIPAddress", host));
    TRY(add_field(out, "userAgent", host));
    TRY(buf_addstr(out, ",\"requestParameters\":null,\"responseElements\":null"));
    TRY(buf_addstrs(out, ",\"additionalEventData\":{\"commitSeq\":", seq, "}", NULL));
    TRY(add_field(out, "requestID", request_id));
    TRY(add_field(out, "eventID", event_id));
    TRY(buf_addstr(out, ",\"readOnly\":false,\"resources\":[{\"accountId\":"));
    TRY(add_string(out, e->account_id));
    TRY(add_field(out, "type", resource_type(e->resource_arn)));
    TRY(add_field(out, "ARN", e->resource_arn));
    TRY(buf_addstr(out, "}],\"eventType\":\"AwsServiceEvent\",\"managementEvent\":true"));
    TRY(add_field(out, "recipientAccountId", e->account_id));
    TRY(buf_addstr(out, ",\"eventCategory\":\"Management\"}"));
out:
    return rc;
}

/* The aggregate of throttled unauthenticated requests from one source. CloudTrail records
 * what a service does on its own as eventType AwsServiceEvent, with the particulars in
 * serviceEventDetails; custos uses that shape for what it did not record one by one. */
cu_rc audit_record_build_suppressed(const struct audit_suppressed *s, struct buf *out)
{
    cu_rc rc = CU_OK;
    char start[21], end[21], request_id[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1];
    char count[24];

    TRY(ids_uuid(request_id));
    TRY(ids_uuid(event_id));
    clock_iso8601(s->window_start_ms / 1000, start);
    clock_iso8601(s->window_end_ms / 1000, end);
    snprintf(count, sizeof(count), "%llu", (unsigned long long)s->count);
    TRY(buf_addstr(out, "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"Unknown\"}"));
    TRY(add_field(out, "eventTime", end));
    TRY(buf_addstr(out, ",\"eventSource\":\"custos.amazonaws.com\""));
    TRY(add_field(out, "eventName", "UnauthenticatedRequestsSuppressed"));
    TRY(add_field(out, "awsRegion", s->region));
    TRY(add_field(out, "sourceIPAddress", s->source_ip ? s->source_ip : ""));
    TRY(add_field(out, "requestID", request_id));
    TRY(add_field(out, "eventID", event_id));
    TRY(buf_addstr(out, ",\"readOnly\":true,\"eventType\":\"AwsServiceEvent\""));
    TRY(buf_addstrs(out, ",\"managementEvent\":true,\"serviceEventDetails\":{"
                         "\"suppressedUnauthenticatedRequests\":",
                    count, ",\"windowStart\":\"", start, "\",\"windowEnd\":\"", end, "\"}", NULL));
    TRY(add_field(out, "recipientAccountId", s->account_id));
    TRY(buf_addstr(out, ",\"eventCategory\":\"Management\"}"));
out:
    return rc;
}

/* The opening of the trail's own records (tail cut, file expired): custos acting on its
 * trail, as a service event of custos itself, up to the opening of serviceEventDetails,
 * which the caller fills and closes. */
static cu_rc add_trail_event(struct buf *out, int64_t time_ms, const char *event_name)
{
    cu_rc rc = CU_OK;
    char when[21], request_id[IDS_UUID_LEN + 1], event_id[IDS_UUID_LEN + 1];

    TRY(ids_uuid(request_id));
    TRY(ids_uuid(event_id));
    clock_iso8601(time_ms / 1000, when);
    TRY(buf_addstr(out, "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"AWSService\","
                        "\"invokedBy\":\"custos.amazonaws.com\"}"));
    TRY(add_field(out, "eventTime", when));
    TRY(buf_addstr(out, ",\"eventSource\":\"custos.amazonaws.com\""));
    TRY(add_field(out, "eventName", event_name));
    TRY(buf_addstr(out, ",\"sourceIPAddress\":\"custos.amazonaws.com\",\"userAgent\":"
                        "\"custos.amazonaws.com\",\"requestParameters\":null,"
                        "\"responseElements\":null"));
    TRY(add_field(out, "requestID", request_id));
    TRY(add_field(out, "eventID", event_id));
    TRY(buf_addstr(out, ",\"readOnly\":false,\"eventType\":\"AwsServiceEvent\","
                        "\"managementEvent\":true,\"eventCategory\":\"Management\","
                        "\"serviceEventDetails\":{"));
out:
    return rc;
}

cu_rc audit_record_build_file_expired(int64_t time_ms, const char *file, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(add_trail_event(out, time_ms, "AuditLogFileExpired"));
    TRY(buf_addstr(out, "\"logFile\":"));
    TRY(add_string(out, file));
    TRY(buf_addstr(out, "}}"));
out:
    return rc;
}

cu_rc audit_record_build_tail_cut(int64_t time_ms, size_t cut_bytes, const char *cut_sha256,
                                  struct buf *out)
{
    cu_rc rc = CU_OK;
    char n[24];

    snprintf(n, sizeof(n), "%zu", cut_bytes);
    TRY(add_trail_event(out, time_ms, "AuditTrailTailCut"));
    TRY(buf_addstrs(out, "\"cutBytes\":", n, ",\"cutSha256\":\"", cut_sha256, "\"}}", NULL));
out:
    return rc;
}
