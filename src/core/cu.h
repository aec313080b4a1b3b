/* cu.h — the cross-cutting vocabulary of custos: the result code, MUST_CHECK,
 * and the only two control-flow macros (TRY and ENSURE).
 *
 * Every fallible function returns cu_rc (CU_OK == 0) and has the shape
 *     cu_rc rc = CU_OK; ... out: release; return rc;
 * so a reader always finds the clean-up in one place. */
#ifndef CU_H
#define CU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MUST_CHECK __attribute__((warn_unused_result))
#define CU_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Result codes: one per entry of errors.def, CU_OK first. */
enum cu_code {
    CU_OK = 0,
#define CU_ERROR(code, query_name, query_status, json_name, json_status, fault) code,
#include "errors.def"
#undef CU_ERROR
    CU_E__COUNT
};
typedef int cu_rc;

/* Evaluate a cu_rc expression; on failure keep the code in `rc` and jump to `out`. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc != CU_OK)                                                                           \
            goto out;                                                                              \
    } while (0)

/* Check a condition; when it does not hold set `rc` to `code` and jump to `out`. */
#define ENSURE(cond, code)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = (code);                                                                           \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* A broken invariant of custos itself (never bad input): log and abort. */
#define BUG(msg) cu_bug(__FILE__, __LINE__, (msg))
void cu_bug(const char *file, int line, const char *msg) __attribute__((noreturn));

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
