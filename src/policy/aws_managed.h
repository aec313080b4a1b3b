/* aws_managed.h — the AWS managed policies custos serves (arn:aws:iam::aws:policy/...):
 * a built-in table, generated from src/services/iam/aws_managed_policies.json by
 * tools/gen_aws_managed_policies.py. Pure data: the documents are AWS's published ones;
 * what an account does with them (attachment counts) lives in the store (IAM's
 * aws_managed_policies.c). Nothing here allocates. */
#ifndef CU_POLICY_AWS_MANAGED_H
#define CU_POLICY_AWS_MANAGED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ARN prefix of every AWS managed policy. */
#define AWS_MANAGED_ARN_PREFIX "arn:aws:iam::aws:policy/"

/* A version older than the default one, whose published document custos holds
 * (aws_managed_policies.json's README comment says which are held). */
struct aws_managed_version {
    const char *id;       /* VersionId: "v1".."vN" */
    int64_t create_ms;    /* the version's CreateDate (epoch ms) */
    const char *document; /* JSON text */
};

struct aws_managed_policy {
    const char *name;            /* PolicyName */
    const char *path;            /* Path: "/", "/service-role/", "/job-function/" */
    const char *arn;
    const char *id;              /* PolicyId: ANPA... */
    const char *default_version; /* DefaultVersionId: "v1".."vN" */
    int64_t create_ms, update_ms; /* CreateDate, UpdateDate (epoch ms) */
    const char *description;     /* NULL when the data file has none */
    const char *document;        /* the default version's document, JSON text */
    const struct aws_managed_version *older; /* held older versions, oldest first */
    size_t older_n;
};

/* The table, in the order of the lowercased names (the order IAM keys names by). */
extern const struct aws_managed_policy aws_managed_policies[];
extern const size_t aws_managed_policies_n;

/* Whether arn is in the AWS managed namespace (whether or not custos has the policy). */
bool aws_managed_is_arn(const char *arn);

/* The policy whose ARN is exactly arn, or NULL. Borrowed from the static table. */
const struct aws_managed_policy *aws_managed_find(const char *arn);

#endif
