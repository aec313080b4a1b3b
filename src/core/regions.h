/* regions.h — the regions of the `aws` partition custos can serve, and sets of them.
 *
 * One custos serves every commercial region of the partition (DESIGN.md "Regions and
 * accounts"); `--regions LIST` narrows that to a set, `--region` names the default. The
 * list is data, kept in regions.c alone. A set is a bit per region of that list. */
#ifndef CU_REGIONS_H
#define CU_REGIONS_H

#include <stdint.h>

#include "cu.h"
#include "err.h"

#define REGIONS_NAME_MAX 32 /* "ap-southeast-7" and the like, NUL included */
#define REGIONS_LIST_MAX 2048 /* --regions' text: every region of the list, comma-separated */

struct region_set {
    uint64_t bits; /* bit i: regions_name(i) is in the set */
};

/* How many regions the partition list holds, and the i-th of them (i < regions_count()). */
size_t regions_count(void);
const char *regions_name(size_t i);

/* The index of name in the partition list, or -1 when it is no commercial `aws` region. */
int regions_index(const char *name);

/* Every region of the partition list. */
void region_set_all(struct region_set *set);

/* Parse "us-east-1,eu-west-1" (spaces around names allowed) into set. Every name must be
 * a region of the partition list and the list must not be empty: CU_E_VALIDATION with a
 * message naming the offending name otherwise. Pure. */
MUST_CHECK cu_rc region_set_parse(const char *list, struct region_set *set, struct cu_err *err);

/* true when name is a region of set. */
bool region_set_has(const struct region_set *set, const char *name);

#endif
