/* put_mode.c — what a backend's put runs for a put mode and an expected version, and what
 * it answers when that statement returns no row: the same on every backend, so the modes'
 * errors (store.h) are decided here once and a backend keeps only its SQL. */
#include "store_impl.h"

enum put_mode_stmt put_mode_choose(enum store_put_mode mode, uint64_t expect)
{
    if (expect)
        return PUT_MODE_CAS;
    return mode == STORE_CREATE    ? PUT_MODE_INSERT
           : mode == STORE_REPLACE ? PUT_MODE_UPDATE
                                   : PUT_MODE_UPSERT;
}

cu_rc put_mode_missed(enum put_mode_stmt which)
{
    /* an upsert always returns its row: none is as odd as an update's, the record absent */
    static const cu_rc missed[] = {
        [PUT_MODE_INSERT] = CU_E_STORE_EXISTS,
        [PUT_MODE_UPSERT] = CU_E_STORE_ABSENT,
        [PUT_MODE_UPDATE] = CU_E_STORE_ABSENT,
        [PUT_MODE_CAS] = CU_E_STORE_CONFLICT,
    };

    return missed[which];
}
