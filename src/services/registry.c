/* registry.c — joins the per-service operation tables (the redis command table idea:
 * one row per operation, no switch statements). Tables are small; a linear scan over
 * the right service's rows costs less than the request's SigV4 check. */
#include "registry.h"

#include <string.h>

struct service_table {
    const char *service;
    const struct op_desc *ops;
    const size_t *count;
};

static const struct service_table tables[] = {
    {"iam", iam_ops, &iam_ops_count},
    {"sts", sts_ops, &sts_ops_count},
    {"kms", kms_ops, &kms_ops_count},
    {"secretsmanager", secretsmanager_ops, &secretsmanager_ops_count},
    {"cloudtrail", cloudtrail_ops, &cloudtrail_ops_count},
    {"ssm", ssm_ops, &ssm_ops_count},
};

const struct op_desc *registry_find(const char *service, const char *op)
{
    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        if (strcmp(tables[t].service, service) != 0)
            continue;
        for (size_t i = 0; i < *tables[t].count; i++)
            if (strcmp(tables[t].ops[i].name, op) == 0)
                return &tables[t].ops[i];
    }
    return NULL;
}

size_t registry_count(void)
{
    size_t n = 0;

    for (size_t t = 0; t < ARRAY_LEN(tables); t++)
        n += *tables[t].count;
    return n;
}

const struct op_desc *registry_at(size_t i)
{
    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        if (i < *tables[t].count)
            return &tables[t].ops[i];
        i -= *tables[t].count;
    }
    return NULL;
}

size_t registry_index(const struct op_desc *d)
{
    size_t base = 0;

    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        /* compared as addresses: d is one of the rows, or of none of them */
        uintptr_t at = (uintptr_t)d, first = (uintptr_t)tables[t].ops;

        if (at >= first && at < (uintptr_t)(tables[t].ops + *tables[t].count))
            return base + (size_t)(d - tables[t].ops);
        base += *tables[t].count;
    }
    BUG("an operation descriptor outside the registry");
}
