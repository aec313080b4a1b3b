/* access_key_last_used.h — an access key's last use as the store holds it (written by
 * auth/key_usage.c's flusher; read by GetAccessKeyLastUsed and the credential report). */
#ifndef CU_ACCESS_KEY_LAST_USED_H
#define CU_ACCESS_KEY_LAST_USED_H

#include "services/call.h"

/* The last-use record of access key akid: {LastUsedDate (epoch ms), ServiceName, Region},
 * a new reference in *out, or NULL when the key has never been used (or does not exist).
 * Errors: the store's. */
MUST_CHECK cu_rc iam_key_last_used(struct store_tx *tx, const char *akid, json_t **out);

#endif
