/* policy_cmd.c — the policy engine from the command line.
 *
 *   custos policy check FILE [--type TYPE]
 *       validates a document as AWS would for TYPE (identity, the default; user, group or
 *       role for an inline policy; managed; boundary; resource; key; scp; rcp; session),
 *       including the type's size quota; prints "ok", or AWS's MalformedPolicyDocument
 *       message or the quota exceeded; exit 0 or 1.
 *   custos policy eval FILE
 *       FILE holds {"identity": [doc, ...], "resource": doc, "resource_type": "key",
 *       "boundary": doc, "session": doc, "scps": [[doc, ...] per level, root first],
 *       "rcps": [[doc, ...] per level, root first],
 *       "request": {"action", "resource", "principal_arn", "principal_account",
 *       "principal_type": "user|root|role_session|federated", "role_arn",
 *       "resource_account", "context": {"key": "value" | ["v1", "v2"]}}}; documents may be objects or
 *       strings. Prints {"decision", "source", "matched": [...], "message"}; exit 0 when
 *       allowed, 1 when denied, 2 on bad input. A FILE holding an array of such objects
 *       is evaluated case by case, one compact result per line (exit 0 unless an input is
 *       bad) — the form the differential test against iam-simulate uses. */
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "policy/policy.h"
#include "policy_cmd.h"

#define MAX_IDENTITY 64
#define MAX_CONTEXT 128

static int usage(void)
{
    fprintf(stderr, "usage: custos policy check FILE [--type identity|user|group|role|managed|"
                    "boundary|resource|key|scp|rcp|session]\n"
                    "       custos policy eval FILE\n");
    return 2;
}

static bool kind_named(const char *name, enum policy_kind *kind)
{
    static const struct {
        const char *name;
        enum policy_kind kind;
    } kinds[] = {{"identity", POLICY_IDENTITY}, {"user", POLICY_IDENTITY},
                 {"group", POLICY_IDENTITY},    {"role", POLICY_IDENTITY},
                 {"managed", POLICY_MANAGED},   {"resource", POLICY_RESOURCE},
                 {"key", POLICY_KEY},           {"boundary", POLICY_BOUNDARY},
                 {"scp", POLICY_SCP},           {"rcp", POLICY_RCP},
                 {"session", POLICY_SESSION},   {"trust", POLICY_TRUST}};

    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        if (strcmp(kinds[i].name, name) == 0) {
            *kind = kinds[i].kind;
            return true;
        }
    }
    return false;
}

/* A document given as a JSON object or as a string holding JSON. */
static struct policy *compile_doc(const json_t *doc, enum policy_kind kind, const char *label)
{
    struct policy *p = NULL;
    struct cu_err err = {0};
    char *text = json_is_string(doc) ? strdup(json_string_value(doc)) : json_dumps(doc, 0);

    if (text && policy_compile(bytes_str(text), kind, label, &p, &err) != CU_OK)
        fprintf(stderr, "custos: %s: MalformedPolicyDocument: %s\n", label, err.msg);
    free(text);
    return p;
}

/* Compile doc[name] when present; false only when it is present and does not compile. */
static bool optional_doc(const json_t *doc, const char *name, enum policy_kind kind,
                         struct policy **out)
{
    const json_t *value = json_object_get(doc, name);

    if (!value)
        return true;
    *out = compile_doc(value, kind, name);
    return *out != NULL;
}

/* The file's size against the type's quota; false (and a message) when over. */
static bool within_quota(const char *path, const char *type)
{
    const struct policy_quota *q = policy_quota(type);
    FILE *f = q ? fopen(path, "rb") : NULL;
    struct buf text;
    char chunk[4096];
    size_t n, size;

    if (!f)
        return true;
    buf_init(&text, 1 << 24);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_add(&text, chunk, n) != CU_OK)
            break;
    fclose(f);
    size = policy_quota_size(q, buf_bytes(&text));
    buf_release(&text);
    if (size <= q->max)
        return true;
    fprintf(stderr, "custos: %s: LimitExceeded: %zu characters%s; %s may have at most %zu\n",
            path, size, q->whitespace_counts ? "" : " (whitespace outside strings not counted)",
            q->what, q->max);
    return false;
}

static int check(int argc, char **argv)
{
    enum policy_kind kind = POLICY_IDENTITY;
    const char *type = "identity";
    json_error_t jerr;
    json_t *doc;
    struct policy *p;

    if (argc == 4 && strcmp(argv[2], "--type") == 0) {
        type = argv[3];
        if (!kind_named(type, &kind))
            return usage();
    } else if (argc != 2) {
        return usage();
    }
    doc = json_load_file(argv[1], JSON_DECODE_ANY, &jerr);
    if (!doc) {
        /* not even JSON: let the compiler word the error as IAM does */
        FILE *f = fopen(argv[1], "rb");
        if (!f) {
            fprintf(stderr, "custos: cannot read %s\n", argv[1]);
            return 2;
        }
        fclose(f);
        doc = json_string("{");
    }
    p = compile_doc(doc, kind, argv[1]);
    json_decref(doc);
    if (!p)
        return 1;
    if (!within_quota(argv[1], type)) {
        policy_free(p);
        return 1;
    }
    printf("ok\n");
    policy_free(p);
    return 0;
}

static const char *decision_name(enum policy_decision d)
{
    return d == POLICY_ALLOWED ? "allowed" : d == POLICY_EXPLICIT_DENY ? "explicitDeny"
                                                                        : "implicitDeny";
}

static const char *source_name(enum policy_source s)
{
    static const char *const names[] = {"", "identity-based", "resource-based",
                                        "permissions boundary", "service control policy",
                                        "session policy", "resource control policy"};
    return names[s];
}

#define MAX_SCP_LEVELS 8

struct eval_input {
    struct policy *identity[MAX_IDENTITY];
    size_t n_identity;
    struct policy *resource, *boundary, *session;
    struct org_policies {
        struct policy *docs[MAX_SCP_LEVELS][MAX_IDENTITY];
        struct policy_scp_level levels[MAX_SCP_LEVELS];
        size_t n_levels;
    } scps, rcps;
    struct policy_context_entry entries[MAX_CONTEXT];
    const char *values[MAX_CONTEXT * 8];
    struct policy_context ctx;
};

static bool load_context(const json_t *ctx, struct eval_input *in)
{
    const char *key;
    json_t *v;
    size_t n_values = 0;

    json_object_foreach((json_t *)ctx, key, v)
    {
        size_t first = n_values, i;
        json_t *item;
        if (in->ctx.n == MAX_CONTEXT)
            return false;
        if (json_is_string(v)) {
            in->values[n_values++] = json_string_value(v);
        } else if (json_is_array(v)) {
            json_array_foreach(v, i, item)
            {
                if (!json_is_string(item) || n_values == ARRAY_LEN(in->values))
                    return false;
                in->values[n_values++] = json_string_value(item);
            }
        } else {
            return false;
        }
        in->entries[in->ctx.n++] =
            (struct policy_context_entry){key, &in->values[first], n_values - first};
    }
    in->ctx.entries = in->entries;
    return true;
}

/* doc[name]: Organizations policies by level, root first ([[doc, ...], ...]). */
static bool load_levels(const json_t *doc, const char *name, enum policy_kind kind,
                        struct org_policies *org)
{
    json_t *item, *one;
    size_t i, j;

    json_array_foreach(json_object_get(doc, name), i, item)
    {
        if (i == MAX_SCP_LEVELS || !json_is_array(item))
            return false;
        json_array_foreach(item, j, one)
        {
            char label[32];
            snprintf(label, sizeof(label), "%.4s[%zu][%zu]", name, i, j);
            if (j == MAX_IDENTITY)
                return false;
            org->docs[i][j] = compile_doc(one, kind, label);
            if (!org->docs[i][j])
                return false;
            org->levels[i].n = j + 1;
        }
        org->levels[i].policies = (const struct policy *const *)org->docs[i];
        org->n_levels = i + 1;
    }
    return true;
}

static void free_levels(struct org_policies *org)
{
    for (size_t i = 0; i < MAX_SCP_LEVELS; i++)
        for (size_t j = 0; j < MAX_IDENTITY; j++)
            policy_free(org->docs[i][j]);
}

/* Evaluate one case; *out receives the result object. Returns 0 allowed, 1 denied, 2 bad. */
static int eval_case(const json_t *doc, json_t **result)
{
    json_t *req_doc, *item, *out = NULL, *matched;
    struct eval_input in = {0};
    struct policy_request req = {0};
    struct policy_set set = {0};
    struct policy_result res;
    enum policy_kind resource_kind = POLICY_RESOURCE;
    struct buf message;
    const char *type;
    int code = 2;
    size_t i;

    *result = NULL;
    json_array_foreach(json_object_get(doc, "identity"), i, item)
    {
        char label[32];
        snprintf(label, sizeof(label), "identity[%zu]", i);
        if (in.n_identity == MAX_IDENTITY)
            goto out;
        in.identity[in.n_identity] = compile_doc(item, POLICY_IDENTITY, label);
        if (!in.identity[in.n_identity++])
            goto out;
    }
    if (json_string_value(json_object_get(doc, "resource_type")) &&
        !kind_named(json_string_value(json_object_get(doc, "resource_type")), &resource_kind))
        goto out;
    if (!optional_doc(doc, "resource", resource_kind, &in.resource) ||
        !optional_doc(doc, "boundary", POLICY_BOUNDARY, &in.boundary) ||
        !optional_doc(doc, "session", POLICY_SESSION, &in.session))
        goto out;
    if (!load_levels(doc, "scps", POLICY_SCP, &in.scps) ||
        !load_levels(doc, "rcps", POLICY_RCP, &in.rcps))
        goto out;
    req_doc = json_object_get(doc, "request");
    req.action = json_string_value(json_object_get(req_doc, "action"));
    req.resource = json_string_value(json_object_get(req_doc, "resource"));
    req.principal_arn = json_string_value(json_object_get(req_doc, "principal_arn"));
    req.principal_account = json_string_value(json_object_get(req_doc, "principal_account"));
    req.resource_account = json_string_value(json_object_get(req_doc, "resource_account"));
    type = json_string_value(json_object_get(req_doc, "principal_type"));
    req.principal_type = !type                              ? POLICY_PRINCIPAL_USER
                         : strcmp(type, "root") == 0         ? POLICY_PRINCIPAL_ROOT
                         : strcmp(type, "role_session") == 0 ? POLICY_PRINCIPAL_ROLE_SESSION
                         : strcmp(type, "federated") == 0    ? POLICY_PRINCIPAL_FEDERATED
                         : strcmp(type, "provider") == 0     ? POLICY_PRINCIPAL_PROVIDER
                                                             : POLICY_PRINCIPAL_USER;
    req.role_arn = json_string_value(json_object_get(req_doc, "role_arn"));
    if (!req.action || !req.resource || !req.principal_arn || !req.principal_account) {
        fprintf(stderr, "custos: request needs action, resource, principal_arn, principal_account\n");
        goto out;
    }
    if (!req.resource_account)
        req.resource_account = req.principal_account;
    if (json_object_get(req_doc, "context") &&
        !load_context(json_object_get(req_doc, "context"), &in)) {
        fprintf(stderr, "custos: context values must be strings or arrays of strings\n");
        goto out;
    }
    req.context = &in.ctx;
    set.identity = (const struct policy *const *)in.identity;
    set.n_identity = in.n_identity;
    set.resource = in.resource;
    set.boundary = in.boundary;
    set.session = in.session;
    set.scps = in.scps.levels;
    set.n_scps = in.scps.n_levels;
    set.rcps = in.rcps.levels;
    set.n_rcps = in.rcps.n_levels;
    policy_evaluate(&set, &req, &res);
    out = json_pack("{s:s, s:s, s:[]}", "decision", decision_name(res.decision), "source",
                    res.decision == POLICY_ALLOWED ? "" : source_name(res.source), "matched");
    matched = json_object_get(out, "matched");
    for (i = 0; i < res.n_matches; i++)
        json_array_append_new(matched, json_pack("{s:s, s:i, s:s?, s:s}", "policy",
                                                 res.matches[i].label, "statement",
                                                 (int)res.matches[i].statement, "sid",
                                                 res.matches[i].sid, "effect",
                                                 res.matches[i].allow ? "Allow" : "Deny"));
    if (res.decision != POLICY_ALLOWED) {
        buf_init(&message, 8192);
        if (policy_denial_message(&req, &res, &message) == CU_OK)
            json_object_set_new(out, "message", json_string(message.p));
        buf_release(&message);
    }
    code = res.decision == POLICY_ALLOWED ? 0 : 1;
    *result = out;
    out = NULL;
out:
    for (i = 0; i < in.n_identity; i++)
        policy_free(in.identity[i]);
    policy_free(in.resource);
    policy_free(in.boundary);
    policy_free(in.session);
    free_levels(&in.scps);
    free_levels(&in.rcps);
    json_decref(out);
    return code;
}

static int eval(int argc, char **argv)
{
    json_error_t jerr;
    json_t *doc, *result = NULL, *item;
    int code = 2;
    size_t i;

    if (argc != 2)
        return usage();
    doc = json_load_file(argv[1], 0, &jerr);
    if (json_is_array(doc)) {
        code = 0;
        json_array_foreach(doc, i, item)
        {
            int one = eval_case(item, &result);
            if (one == 2) {
                code = 2;
                printf("{\"error\":\"bad case\"}\n");
                continue;
            }
            json_dumpf(result, stdout, JSON_COMPACT);
            printf("\n");
            json_decref(result);
        }
    } else if (json_is_object(doc)) {
        code = eval_case(doc, &result);
        if (result) {
            json_dumpf(result, stdout, JSON_INDENT(2));
            printf("\n");
        }
        json_decref(result);
    } else {
        fprintf(stderr, "custos: %s: not a JSON object or array: %s\n", argv[1], jerr.text);
    }
    json_decref(doc);
    return code;
}

int policy_cmd(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "check") == 0)
        return check(argc, argv);
    if (argc >= 1 && strcmp(argv[0], "eval") == 0)
        return eval(argc, argv);
    return usage();
}
