/* bootstrap.h — first-start initialisation of a data directory (see bootstrap.c). */
#ifndef CU_BOOTSTRAP_H
#define CU_BOOTSTRAP_H

#include "server.h"

/* Make sure the account and the root user's credentials exist; *account receives the
 * data directory's account id. Operator-facing message in err on failure. */
MUST_CHECK cu_rc bootstrap_run(const struct config *cfg, struct store *store,
                               const struct master_key *mk, char account[13],
                               struct cu_err *err);

/* master_check.c: that mk is the master key the store's data is sealed under (a canary
 * record, created at the first start); CU_E_VALIDATION naming the key's file when not. */
MUST_CHECK cu_rc master_check(struct store_tx *tx, const struct config *cfg,
                              const struct master_key *mk, const char *account,
                              struct cu_err *err);

#endif
