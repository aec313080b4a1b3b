/* regions.c — the commercial regions of the `aws` partition, as data, and sets of them.
 *
 * The list follows botocore's data/partitions.json ("aws" partition, less the
 * "aws-global" pseudo-region), which is what the CLI and the SDKs resolve endpoints
 * from. It is the one place that names them: the default of `--regions`, the check of a
 * request's credential scope (server/pipeline.c) and the regions a multi-Region key may
 * be replicated to all read it. A region set is a 64-bit mask over this list. */
#include <stdio.h>
#include <string.h>

#include "regions.h"

static const char *const partition_regions[] = {
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",
    "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
    "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-north-1",     "eu-south-1",
    "eu-south-2",     "eu-west-1",      "eu-west-2",      "eu-west-3",      "il-central-1",
    "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",
};

_Static_assert(ARRAY_LEN(partition_regions) <= 64, "a region set is a 64-bit mask");

size_t regions_count(void)
{
    return ARRAY_LEN(partition_regions);
}

const char *regions_name(size_t i)
{
    return i < ARRAY_LEN(partition_regions) ? partition_regions[i] : NULL;
}

int regions_index(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_LEN(partition_regions); i++)
        if (strcmp(partition_regions[i], name) == 0)
            return (int)i;
    return -1;
}

void region_set_all(struct region_set *set)
{
    set->bits = ARRAY_LEN(partition_regions) == 64
                    ? UINT64_MAX
                    : (UINT64_C(1) << ARRAY_LEN(partition_regions)) - 1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

cu_rc region_set_parse(const char *list, struct region_set *set, struct cu_err *err)
{
    char name[REGIONS_NAME_MAX];
    const char *p = list;

    set->bits = 0;
    if (strlen(list) >= REGIONS_LIST_MAX)
        return cu_err_set(err, CU_E_VALIDATION, "--regions: the list is too long");
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int i;

        while (n && is_space(*p))
            p++, n--;
        while (n && is_space(p[n - 1]))
            n--;
        if (n == 0 || n >= sizeof(name))
            return cu_err_set(err, CU_E_VALIDATION,
                              "--regions: expected region names separated by commas");
        memcpy(name, p, n);
        name[n] = '\0';
        i = regions_index(name);
        if (i < 0)
            return cu_err_set(err, CU_E_VALIDATION,
                              "--regions: '%s' is not a region of the aws partition", name);
        set->bits |= UINT64_C(1) << i;
        if (!end)
            break;
        p = end + 1;
        if (!*p)
            return cu_err_set(err, CU_E_VALIDATION,
                              "--regions: expected region names separated by commas");
    }
    if (!set->bits)
        return cu_err_set(err, CU_E_VALIDATION, "--regions: expected at least one region");
    return CU_OK;
}

bool region_set_has(const struct region_set *set, const char *name)
{
    int i = regions_index(name);

    return i >= 0 && (set->bits >> i) & 1;
}
