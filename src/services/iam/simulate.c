/* simulate.c — IAM's policy simulator on custos's own engine: SimulatePrincipalPolicy,
 * SimulateCustomPolicy, GetContextKeysForPrincipalPolicy, GetContextKeysForCustomPolicy.
 *
 * The simulator evaluates exactly as authorization does (policy_evaluate), so its answer
 * is the answer a real call would get given the same policies and context. What custos
 * does not report: AWS Organizations SCPs (OrganizationsDecisionDetail is always
 * "allowed": custos has no Organizations).
 *
 * Parameter rules (IAM API reference, SimulateCustomPolicy and SimulatePrincipalPolicy):
 * CallerArn names an IAM user, never a role session, federated user or service; it is
 * required with a ResourcePolicy "so that the policy's Principal element has a value";
 * ActionNames take no wildcards; resources and the resource policy belong to
 * ResourceOwner's account, else to the caller's. Violations are InvalidInput. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/identity_set.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "policy/policy.h"

#define MAX_CONTEXT 128
#define MAX_KEYS 256

/* What a simulation evaluates: the principal's policy set (auth/identity_set.h, the one
 * authorization evaluates) or an empty one, with the request's documents added. */
struct policy_bag {
    struct identity_set ids;
    struct policy *resource;
};

static void bag_release(struct policy_bag *b)
{
    identity_set_release(&b->ids);
    policy_free(b->resource);
}

/* Compile a list of documents given in the request; a bad one is MalformedPolicyDocument. */
static cu_rc compile_list(struct call *call, const json_t *list, enum policy_kind kind,
                          const char *prefix, struct policy_bag *bag)
{
    cu_rc rc = CU_OK;
    size_t i;
    json_t *doc;

    json_array_foreach(list, i, doc)
    {
        char label[64];
        struct policy *p = NULL;

        snprintf(label, sizeof(label), "%s%zu", prefix, i + 1);
        ENSURE(kind == POLICY_BOUNDARY || bag->ids.n < IDENTITY_SET_MAX,
               cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "Too many policies."));
        ENSURE(kind != POLICY_BOUNDARY || !bag->ids.boundary,
               cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                          "Only one permissions boundary policy may be given."));
        ENSURE(policy_compile(bytes_str(json_string_value(doc)), kind, label, &p,
                              &call->err) == CU_OK,
               CU_E_IAM_MALFORMED_POLICY);
        if (kind == POLICY_BOUNDARY)
            bag->ids.boundary = p;
        else
            TRY(identity_set_add(&bag->ids, p, IDENTITY_SIMULATED));
    }
out:
    return rc;
}

struct sim_context {
    struct policy_context_entry entries[MAX_CONTEXT];
    const char *values[MAX_CONTEXT * 8];
    struct policy_context ctx;
};

static cu_rc load_context(struct call *call, const json_t *list, struct sim_context *sc)
{
    size_t i, n_values = 0;
    json_t *e;

    sc->ctx.entries = sc->entries;
    json_array_foreach(list, i, e)
    {
        const json_t *values = json_object_get(e, "ContextKeyValues");
        size_t first = n_values, j;
        json_t *v;

        if (sc->ctx.n == MAX_CONTEXT)
            return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT, "Too many context entries.");
        json_array_foreach(values, j, v)
        {
            if (n_values == ARRAY_LEN(sc->values))
                return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                                  "Too many context values.");
            sc->values[n_values++] = json_string_value(v);
        }
        sc->entries[sc->ctx.n++] = (struct policy_context_entry){
            json_string_value(json_object_get(e, "ContextKeyName")), &sc->values[first],
            n_values - first};
    }
    return CU_OK;
}

/* Keys used by the policies but absent from the context. */
static cu_rc missing_keys(const struct policy_bag *bag, const struct sim_context *sc,
                          json_t **out)
{
    const char *keys[MAX_KEYS];
    json_t *missing = json_array();
    const struct policy *all[IDENTITY_SET_MAX + 2];
    size_t n_all = 0;

    if (!missing)
        return CU_E_NOMEM;
    for (size_t i = 0; i < bag->ids.n; i++)
        all[n_all++] = bag->ids.policies[i];
    if (bag->ids.boundary)
        all[n_all++] = bag->ids.boundary;
    if (bag->resource)
        all[n_all++] = bag->resource;
    for (size_t p = 0; p < n_all; p++) {
        size_t n = policy_context_keys(all[p], keys, MAX_KEYS);
        for (size_t k = 0; k < n && k < MAX_KEYS; k++) {
            bool known = false, listed = false;
            size_t i;
            json_t *m;
            for (i = 0; i < sc->ctx.n && !known; i++)
                known = strcasecmp(sc->entries[i].key, keys[k]) == 0;
            json_array_foreach(missing, i, m)
                listed = listed || strcasecmp(json_string_value(m), keys[k]) == 0;
            if (!known && !listed)
                json_array_append_new(missing, json_string(keys[k]));
        }
    }
    *out = missing;
    return CU_OK;
}

static const char *decision_name(enum policy_decision d)
{
    return d == POLICY_ALLOWED ? "allowed" : d == POLICY_EXPLICIT_DENY ? "explicitDeny"
                                                                        : "implicitDeny";
}

/* The SourcePolicyType of the policy a match came from, told by the match's label, which
 * is that policy's own label pointer (policy_label), so a policy named like another kind's
 * label is still told apart. IAM reports every identity policy, inline, managed or given,
 * as "IAM Policy". */
static const char *source_type(const struct policy_bag *bag, const char *label)
{
    enum identity_policy_type type;

    if (identity_set_type_of(&bag->ids, label, &type))
        return "IAM Policy";
    if (bag->ids.boundary && policy_label(bag->ids.boundary) == label)
        return "PermissionsBoundaryPolicy";
    if (bag->resource && policy_label(bag->resource) == label)
        return "Resource Policy";
    return "IAM Policy";
}

static json_t *matched_statements(const struct policy_result *res, const struct policy_bag *bag)
{
    json_t *list = json_array();

    for (size_t i = 0; list && i < res->n_matches; i++) {
        const struct policy_match *m = &res->matches[i];
        const char *type = source_type(bag, m->label);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:{s:i, s:i}, s:{s:i, s:i}}", "SourcePolicyId", m->label,
                            "SourcePolicyType", type, "StartPosition", "Line", (int)m->start.line,
                            "Column", (int)m->start.column, "EndPosition", "Line",
                            (int)m->end.line, "Column", (int)m->end.column));
    }
    return list;
}

/* Worse decisions rank higher: explicitDeny > implicitDeny > allowed. */
static int severity(enum policy_decision d)
{
    return d == POLICY_EXPLICIT_DENY ? 2 : d == POLICY_IMPLICIT_DENY ? 1 : 0;
}

/* The members a result and a resource-specific result share. */
static cu_rc add_details(json_t *r, const struct policy_result *res, const struct policy_bag *bag,
                         json_t *missing)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_new(r, "MatchedStatements", matched_statements(res, bag)));
    TRY(tree_set_new(r, "MissingContextValues", json_incref(missing)));
    if (bag->ids.boundary) {
        bool ok = !(res->decision != POLICY_ALLOWED && res->source == POLICY_SOURCE_BOUNDARY);
        TRY(tree_set_new(r, "PermissionsBoundaryDecisionDetail",
                         json_pack("{s:b}", "AllowedByPermissionsBoundary", ok)));
    }
out:
    return rc;
}

/* The account of an IAM ARN ("arn:aws:iam::111122223333:..."), copied into out; false
 * when arn is no IAM ARN with an account. */
static bool arn_account(const char *arn, char out[13])
{
    static const char prefix[] = "arn:aws:iam::";
    size_t n = sizeof(prefix) - 1;

    if (!arn || strncmp(arn, prefix, n) != 0 || strlen(arn) < n + 13 || arn[n + 12] != ':')
        return false;
    for (size_t i = 0; i < 12; i++)
        if (arn[n + i] < '0' || arn[n + i] > '9')
            return false;
    memcpy(out, arn + n, 12);
    out[12] = '\0';
    return true;
}

/* The parameter rules of both simulators (see the top of this file). The wordings are
 * inferred: the API reference states the rules, not IAM's texts. */
static cu_rc check_parameters(struct call *call, const json_t *in, const char *caller)
{
    char account[13];
    size_t i;
    json_t *action;

    if (caller && !(arn_account(caller, account) && strstr(caller, ":user/") == caller + 25))
        return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                          "Invalid CallerArn %.200s: you can specify only the ARN of an IAM "
                          "user.",
                          caller);
    json_array_foreach(in_list(in, "ActionNames"), i, action)
    {
        const char *name = json_string_value(action);
        if (name && strchr(name, '*'))
            return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                              "Invalid action name %.200s: wildcards (*) are not supported in "
                              "ActionNames.",
                              name);
    }
    return CU_OK;
}

/* One EvaluationResult per action (IAM API reference, EvaluationResult): with ResourceArns,
 * each resource's decision goes into ResourceSpecificResults and the top level carries the
 * most restrictive of them, with the statements that decided it; EvalDecisionDetails is
 * then present and, within one account, empty. */
static cu_rc simulate(struct call *call, const struct page_desc *desc, const json_t *in,
                      const char *caller_arn, struct policy_bag *bag, json_t *out)
{
    cu_rc rc = CU_OK;
    char caller_account[13], owner_account[13];
    struct sim_context sc = {0};
    const json_t *actions = in_list(in, "ActionNames");
    const json_t *resources = in_list(in, "ResourceArns");
    const char *owner = in_str(in, "ResourceOwner");
    json_t *missing = NULL, *action, *r = NULL, *specific = NULL, *give;
    struct page page = {0};
    struct policy_set set = {.resource = bag->resource};
    size_t n_resources = json_array_size(resources), i, j, first;

    /* results page by action: a page's position is the index of its last action */
    TRY(page_begin(call, desc, in, &page));
    TRY(page_first_index(call, &page, &first));
    /* the caller's own account, so that an account principal in ResourcePolicy names it
     * (IAM guide, reference_policies_elements_principal: the account ARN covers the
     * account's users) */
    if (!arn_account(caller_arn, caller_account))
        snprintf(caller_account, sizeof(caller_account), "%s", call->env->account_id);
    if (!arn_account(owner, owner_account))
        memcpy(owner_account, caller_account, sizeof(owner_account));
    TRY(load_context(call, in_list(in, "ContextEntries"), &sc));
    TRY(missing_keys(bag, &sc, &missing));
    json_array_foreach(actions, i, action)
    {
        struct policy_result worst = {0};
        struct policy_request req = {
            .action = json_string_value(action), .resource = "*",
            .principal_arn = caller_arn, .principal_account = caller_account,
            .principal_type = POLICY_PRINCIPAL_USER, .resource_account = owner_account,
            .context = &sc.ctx, .now_s = call->now_ms / 1000};

        if (i < first)
            continue;
        if (page_full(&page))
            break;
        identity_set_fill(&bag->ids, &set, &req);
        if (n_resources)
            specific = json_array();
        for (j = 0; j < (n_resources ? n_resources : 1); j++) {
            struct policy_result res;
            json_t *one;

            if (n_resources)
                req.resource = json_string_value(json_array_get(resources, j));
            policy_evaluate(&set, &req, &res);
            if (j == 0 || severity(res.decision) > severity(worst.decision))
                worst = res;
            if (!n_resources)
                continue;
            one = json_pack("{s:s, s:s}", "EvalResourceName", req.resource,
                            "EvalResourceDecision", decision_name(res.decision));
            ENSURE(one && specific, CU_E_NOMEM);
            TRY(tree_append_new(specific, one));
            TRY(add_details(one, &res, bag, missing));
        }
        r = json_pack("{s:s, s:s, s:s}", "EvalActionName", req.action, "EvalResourceName",
                      n_resources == 1 ? req.resource : "*", "EvalDecision",
                      decision_name(worst.decision));
        ENSURE(r, CU_E_NOMEM);
        TRY(add_details(r, &worst, bag, missing));
        TRY(tree_set_new(r, "OrganizationsDecisionDetail",
                         json_pack("{s:b}", "AllowedByOrganizations", 1)));
        if (n_resources) {
            TRY(tree_set_new(r, "EvalDecisionDetails", json_object()));
            TRY(tree_set_new(r, "ResourceSpecificResults", specific));
            specific = NULL;
        }
        give = r;
        r = NULL;
        TRY(page_add_index(&page, i, give)); /* steals give */
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    json_decref(specific);
    json_decref(r);
    json_decref(missing);
    return rc;
}

static cu_rc compile_inputs(struct call *call, const json_t *in, struct policy_bag *bag)
{
    cu_rc rc = CU_OK;
    const char *resource_policy = in_str(in, "ResourcePolicy");

    TRY(compile_list(call, in_list(in, "PolicyInputList"), POLICY_IDENTITY, "policy",
                     bag));
    TRY(compile_list(call, in_list(in, "PermissionsBoundaryPolicyInputList"),
                     POLICY_BOUNDARY, "boundary", bag));
    if (resource_policy)
        TRY(policy_compile(bytes_str(resource_policy), POLICY_RESOURCE, "resource-policy",
                           &bag->resource, &call->err));
out:
    return rc;
}

/* The name a PolicySourceArn gives when it is the ARN of a user, group or role of this
 * account ("arn:aws:iam::<account>:user/<path><name>", ":group/...", ":role/..."), with its
 * kind in *kind; or NULL. */
static const char *source_name(const struct call *call, const json_t *in,
                               const struct kind **kind)
{
    static const struct {
        const char *type;
        const struct kind *kind;
    } sources[] = {{"user", &iam_kind_user}, {"group", &iam_kind_group}, {"role", &iam_kind_role}};
    const char *arn = in_str(in, "PolicySourceArn");
    const char *name = arn ? strrchr(arn, '/') : NULL;
    char prefix[64];

    for (size_t i = 0; name && i < sizeof(sources) / sizeof(sources[0]); i++) {
        snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:%s/", call->env->account_id,
                 sources[i].type);
        if (strncmp(arn, prefix, strlen(prefix)) == 0) {
            *kind = sources[i].kind;
            return name + 1;
        }
    }
    return NULL;
}

/* The user, group or role named by a PolicySourceArn of this account — the record the
 * resolver loaded (borrowed) — or InvalidInput / NoSuchEntity; with its policy set, loaded
 * as authorization loads it (on the call's own transaction, so it sees the store as the
 * call does, not through authorization's cache): a user's inline, attached and group
 * policies and boundary, a role's inline and attached policies and boundary, a group's
 * inline and attached policies (IAM API reference, SimulatePrincipalPolicy: "If you specify
 * a user, the simulation also includes all policies that are attached to any groups the
 * user belongs to"; a group's own are its inline and attached ones). */
static cu_rc source_user(struct call *call, const json_t *in, json_t **user,
                         struct identity_set *ids)
{
    cu_rc rc = CU_OK;
    const struct kind *kind = NULL;
    const char *name = source_name(call, in, &kind);
    struct principal p = {.type = PRINCIPAL_USER};

    if (!name)
        return cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                          "Invalid ARN: the policy source must be an IAM user, group or role "
                          "of this account.");
    TRY(kind_target(call, kind, name, user));
    if (kind == &iam_kind_group) {
        TRY(identity_set_load_group(call->tx, call->env->account_id, *user, ids));
        goto out;
    }
    if (kind == &iam_kind_role) {
        TRY(identity_set_load_role(call->tx, call->env->account_id, *user, ids));
        goto out;
    }
    snprintf(p.account_id, sizeof(p.account_id), "%s", call->env->account_id);
    snprintf(p.name, sizeof(p.name), "%s", kind_name(&iam_kind_user, *user));
    snprintf(p.arn, sizeof(p.arn), "%s", json_string_value(json_object_get(*user, "Arn")));
    TRY(identity_set_load_user(call->tx, &p, *user, ids));
out:
    return rc;
}

cu_rc iam_simulate_custom_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct policy_bag bag = {0};
    const char *caller = in_str(in, "CallerArn");
    char simulated[IAM_ARN_MAX];

    ENSURE(caller || !in_str(in, "ResourcePolicy"),
           cu_err_set(&call->err, CU_E_IAM_INVALID_INPUT,
                      "CallerArn is required if you include a ResourcePolicy."));
    TRY(check_parameters(call, in, caller));
    TRY(compile_inputs(call, in, &bag));
    iam_user_arn(call->env->account_id, "/", "SimulatedUser", simulated);
    TRY(simulate(call, &iam_simulate_custom_policy_page, in, caller ? caller : simulated, &bag,
                 out));
out:
    bag_release(&bag);
    return rc;
}

cu_rc iam_simulate_principal_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct policy_bag bag = {0};
    json_t *user = NULL;
    const char *caller = in_str(in, "CallerArn");

    TRY(check_parameters(call, in, caller));
    TRY(source_user(call, in, &user, &bag.ids));
    /* the user's own boundary, unless the request gives one to simulate instead */
    if (json_array_size(in_list(in, "PermissionsBoundaryPolicyInputList"))) {
        policy_free(bag.ids.boundary);
        bag.ids.boundary = NULL;
    }
    TRY(compile_inputs(call, in, &bag));
    TRY(simulate(call, &iam_simulate_principal_policy_page, in,
                 caller ? caller : json_string_value(json_object_get(user, "Arn")), &bag, out));
out:
    bag_release(&bag);
    return rc;
}

static cu_rc context_keys(struct call *call, struct policy_bag *bag, json_t *out)
{
    struct sim_context none = {0};
    json_t *keys = NULL;
    cu_rc rc = missing_keys(bag, &none, &keys);

    if (rc == CU_OK)
        rc = tree_set_new(out, "ContextKeyNames", keys);
    return rc;
}

cu_rc iam_get_context_keys_for_custom_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct policy_bag bag = {0};

    TRY(compile_list(call, in_list(in, "PolicyInputList"), POLICY_IDENTITY, "policy",
                     &bag));
    TRY(context_keys(call, &bag, out));
out:
    bag_release(&bag);
    return rc;
}

cu_rc iam_get_context_keys_for_principal_policy(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct policy_bag bag = {0};
    json_t *user = NULL;

    TRY(source_user(call, in, &user, &bag.ids));
    /* the keys of the policies attached to the user (IAM API reference,
     * GetContextKeysForPrincipalPolicy), which a permissions boundary is not */
    policy_free(bag.ids.boundary);
    bag.ids.boundary = NULL;
    TRY(compile_list(call, in_list(in, "PolicyInputList"), POLICY_IDENTITY, "policy",
                     &bag));
    TRY(context_keys(call, &bag, out));
out:
    bag_release(&bag);
    return rc;
}

/* Resolver for the principal simulators: the PolicySourceArn as given; the user or role it
 * names, when it names one of this account, stays in call->target.doc for the handler. */
cu_rc iam_resolve_policy_source(struct call *call, const json_t *in)
{
    const char *arn = in_str(in, "PolicySourceArn");
    const struct kind *kind = NULL;
    const char *name = source_name(call, in, &kind);

    snprintf(call->target.arn, sizeof(call->target.arn), "%s", arn ? arn : "*");
    iam_set_account_target(call);
    return name ? kind_find(call, kind, NULL, name, &call->target.doc) : CU_OK;
}
