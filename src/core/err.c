/* err.c — struct cu_err and the lookups into errors.def. The table is the single
 * source of names and statuses; nothing else spells an AWS error code. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct code_row {
    const char *ident, *query_name, *json_name;
    int query_status, json_status, fault;
};

static const struct code_row rows[] = {
    [CU_OK] = {"CU_OK", "", "", 200, 200, 0},
#define CU_ERROR(code, qn, qs, jn, js, fault) [code] = {#code, qn, jn, qs, js, fault},
#include "errors.def"
#undef CU_ERROR
};

static const struct code_row *row(cu_rc code)
{
    if (code < 0 || code >= CU_E__COUNT)
        return &rows[CU_E_INTERNAL];
    return &rows[code];
}

static void vset(struct cu_err *err, cu_rc code, const char *fmt, va_list ap)
{
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

cu_rc cu_err_set(struct cu_err *err, cu_rc code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

cu_rc cu_err_default(struct cu_err *err, cu_rc code, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->code != CU_OK)
        return code;
    va_start(ap, fmt);
    vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void cu_err_clear(struct cu_err *err)
{
    err->code = CU_OK;
    err->msg[0] = '\0';
}

const char *cu_code_name(cu_rc code, bool json)
{
    return json ? row(code)->json_name : row(code)->query_name;
}

int cu_code_status(cu_rc code, bool json)
{
    return json ? row(code)->json_status : row(code)->query_status;
}

bool cu_code_is_server_fault(cu_rc code)
{
    return row(code)->fault != 0;
}

const char *cu_code_ident(cu_rc code)
{
    return row(code)->ident;
}

void cu_bug(const char *file, int line, const char *msg)
{
    fprintf(stderr, "custos: BUG at %s:%d: %s\n", file, line, msg);
    abort();
}
