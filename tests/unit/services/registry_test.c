/* Tests for services/registry.c and the descriptor tables generated from the .ops files:
 * the model tables and the descriptors agree both ways (once, 13 modelled operations had
 * no descriptor), defaults and flags come through, secret fields hide at least what the
 * hand-written tables hid, and unknown names (wrong case, other service) find nothing. */
#include "check.h"
#include "model/model.h"
#include "services/registry.h"

static const struct service_model *service(const char *id)
{
    for (size_t i = 0; model_services[i]; i++)
        if (strcmp(model_services[i]->id, id) == 0)
            return model_services[i];
    return NULL;
}

static bool has_secret(const struct op_desc *d, const char *name)
{
    for (const char *const *s = d ? d->secret_fields : NULL; s && *s; s++)
        if (strcmp(*s, name) == 0)
            return true;
    return false;
}

/* Every modelled operation has a descriptor, and every descriptor a modelled operation. */
static void model_and_descriptors_agree(void)
{
    static const struct {
        const char *id;
        const struct op_desc *ops;
        const size_t *n;
    } tables[] = {{"iam", iam_ops, &iam_ops_count},
                  {"sts", sts_ops, &sts_ops_count},
                  {"kms", kms_ops, &kms_ops_count}};

    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        const struct service_model *svc = service(tables[t].id);

        CHECK(svc != NULL);
        if (!svc)
            continue;
        CHECK_INT(svc->n_ops, *tables[t].n);
        for (size_t i = 0; i < svc->n_ops; i++)
            CHECK(registry_find(svc->id, svc->ops[i].name) != NULL);
        for (size_t i = 0; i < *tables[t].n; i++) {
            const struct op_desc *d = &tables[t].ops[i];

            CHECK(model_op(svc, d->name, strlen(d->name)) != NULL);
            CHECK_STR(d->service, svc->id);
            CHECK(d->handler != NULL);
            CHECK(d->action != NULL && strchr(d->action, ':') != NULL);
        }
    }
}

static void fields(void)
{
    const struct op_desc *d = registry_find("iam", "CreateGroup");

    CHECK(d && d->resolve && !d->read_only && !d->always_allowed && !d->condition_keys);
    CHECK(d && !d->secret_fields);
    CHECK_STR(d ? d->action : NULL, "iam:CreateGroup");
    d = registry_find("iam", "ListGroups");
    CHECK(d && d->read_only && d->resolve);
    d = registry_find("iam", "CreateUser");
    CHECK(d && d->condition_keys && d->resolve && !d->read_only);
    d = registry_find("iam", "ListPolicies");
    CHECK(d && !d->resolve && d->read_only);
    d = registry_find("sts", "GetCallerIdentity");
    CHECK(d && d->always_allowed && d->read_only);
    d = registry_find("kms", "RetireGrant");
    CHECK(d && d->always_allowed && !d->resolve);
    d = registry_find("kms", "Encrypt");
    CHECK(d && d->read_only && d->condition_keys && d->resolve);
    CHECK(d && !d->also_resolve && !d->also_action && !d->by_policy);
}

/* Second authorizations: CreateAlias and DeleteAlias on the alias besides the key,
 * UpdateAlias's third (the alias's current key), and
 * CreateGrant's by-policy answer for its delegation rule. */
static void second_authorizations(void)
{
    const char *const alias_ops[] = {"CreateAlias", "DeleteAlias"};
    const char *const alias_actions[] = {"kms:CreateAlias", "kms:DeleteAlias"};
    const struct op_desc *d;

    for (size_t i = 0; i < ARRAY_LEN(alias_ops); i++) {
        d = registry_find("kms", alias_ops[i]);
        CHECK(d && d->resolve && d->also_resolve && d->also_resolve != d->resolve);
        CHECK_STR(d ? d->also_action : NULL, alias_actions[i]);
        CHECK(d && !d->by_policy);
    }
    /* UpdateAlias: the new key (target), the alias, then the alias's current key */
    d = registry_find("kms", "UpdateAlias");
    CHECK(d && d->resolve && d->also_resolve && d->also_next_resolve &&
          d->also_next_resolve != d->also_resolve && d->also_next_resolve != d->resolve);
    CHECK_STR(d ? d->also_action : NULL, "kms:UpdateAlias");
    CHECK_STR(d ? d->also_next_action : NULL, "kms:UpdateAlias");
    d = registry_find("kms", "CreateAlias");
    CHECK(d && !d->also_next_resolve);
    d = registry_find("kms", "CreateGrant");
    CHECK(d && d->by_policy && !d->also_resolve);
    d = registry_find("kms", "ListAliases");
    CHECK(d && !d->also_resolve && !d->by_policy);
}

/* What the hand-written tables hid: the model's sensitive trait plus the additions. */
static void secrets(void)
{
    CHECK(has_secret(registry_find("iam", "CreateAccessKey"), "SecretAccessKey"));
    CHECK(has_secret(registry_find("sts", "GetSessionToken"), "SecretAccessKey"));
    CHECK(has_secret(registry_find("sts", "GetSessionToken"), "SessionToken"));
    CHECK(has_secret(registry_find("kms", "Encrypt"), "Plaintext"));
    CHECK(has_secret(registry_find("kms", "Decrypt"), "Plaintext"));
    CHECK(has_secret(registry_find("kms", "GenerateDataKey"), "Plaintext"));
    CHECK(has_secret(registry_find("kms", "CreateGrant"), "GrantToken"));
    CHECK(has_secret(registry_find("kms", "RetireGrant"), "GrantToken"));
    CHECK(!has_secret(registry_find("kms", "GenerateDataKeyWithoutPlaintext"), "Plaintext"));
    CHECK(has_secret(registry_find("iam", "CreateLoginProfile"), "Password"));
    CHECK(has_secret(registry_find("iam", "UpdateLoginProfile"), "Password"));
    CHECK(has_secret(registry_find("iam", "ChangePassword"), "OldPassword"));
    CHECK(has_secret(registry_find("iam", "ChangePassword"), "NewPassword"));
    CHECK(has_secret(registry_find("iam", "CreateSAMLProvider"), "AddPrivateKey"));
    CHECK(has_secret(registry_find("iam", "UpdateSAMLProvider"), "AddPrivateKey"));
}

static void unknown_names(void)
{
    CHECK(registry_find("iam", "creategroup") == NULL);
    CHECK(registry_find("kms", "CreateGroup") == NULL);
    /* a model operation custos does not serve (UpdateUser and CreateSAMLProvider, once
     * this line's, are served) */
    CHECK(registry_find("iam", "GenerateOrganizationsAccessReport") == NULL);
    CHECK(registry_find("nope", "CreateGroup") == NULL);
    CHECK(registry_find("iam", "") == NULL);
}

int main(void)
{
    model_and_descriptors_agree();
    fields();
    second_authorizations();
    secrets();
    unknown_names();
    TEST_END();
}
