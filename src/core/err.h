/* err.h — struct cu_err: the error a client will see (code + message).
 *
 * Only the layer that knows the member or resource name writes the message; internal
 * causes (OpenSSL, SQLite text) go to the log, never here. A cu_err never holds
 * secrets: callers must not format key material, plaintext or credentials into it. */
#ifndef CU_ERR_H
#define CU_ERR_H

#include "cu.h"

#define CU_ERR_MSG_MAX 1024

struct cu_err {
    cu_rc code;                 /* CU_OK while no error was recorded */
    char msg[CU_ERR_MSG_MAX];   /* AWS-worded message; may be empty */
};

/* Record code and a printf-formatted message (truncated to CU_ERR_MSG_MAX - 1); returns
 * code so callers can write `return cu_err_set(err, CU_E_X, "...")`. err may be NULL. */
cu_rc cu_err_set(struct cu_err *err, cu_rc code, const char *fmt, ...) CU_PRINTF(3, 4);

/* Like cu_err_set, but only when no error is recorded yet (the first, most specific
 * message wins as an error travels up). Returns code. */
cu_rc cu_err_default(struct cu_err *err, cu_rc code, const char *fmt, ...) CU_PRINTF(3, 4);

/* Forget any recorded error. */
void cu_err_clear(struct cu_err *err);

/* The table's names and status for a code (see errors.def). json selects the JSON column. */
const char *cu_code_name(cu_rc code, bool json);
int cu_code_status(cu_rc code, bool json);
bool cu_code_is_server_fault(cu_rc code);
/* The C identifier of a code ("CU_E_VALIDATION"), for logs and tests. */
const char *cu_code_ident(cu_rc code);

#endif
