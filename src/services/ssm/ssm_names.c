/* ssm_names.c — parameter names, selectors and labels as Parameter Store reads them: pure
 * functions of their text (no I/O, no clock), fuzzed through ssm_ref_parse.
 *
 * Systems Manager user guide, sysman-parameter-name-constraints: names are case
 * sensitive; only a-zA-Z0-9_.-/ ; a name in a hierarchy begins with '/' and has at most 15
 * levels; "aws" and "ssm" (any case) are reserved as the first word. A reference may end in
 * a selector (sysman-paramstore-versions, -labels): ":<version>" or ":<label>". Names hold
 * no ':', so the first ':' of a non-ARN reference starts its selector. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ssm.h"

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '/';
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static void split_selector(const char *text, size_t n, struct ssm_ref *out)
{
    const char *colon = memchr(text, ':', n);
    size_t name_n = colon ? (size_t)(colon - text) : n;
    char sel[SSM_NAME_MAX + 1];
    size_t sel_n = colon ? n - name_n - 1 : 0;

    memcpy(out->name, text, name_n);
    out->name[name_n] = '\0';
    if (!colon)
        return;
    memcpy(sel, colon + 1, sel_n);
    sel[sel_n] = '\0';
    if (all_digits(sel) && sel_n <= 18) {
        long long v = 0;
        for (size_t i = 0; i < sel_n; i++)
            v = v * 10 + (sel[i] - '0');
        out->version = v;
        out->bad_selector = v == 0;
    } else if (sel_n > 0 && sel_n <= SSM_LABEL_MAX && !memchr(sel, ':', sel_n)) {
        memcpy(out->label, sel, sel_n + 1);
    } else {
        out->bad_selector = true;
    }
}

cu_rc ssm_ref_parse(struct bytes in, const char *region, const char *account,
                    struct ssm_ref *out, struct cu_err *err)
{
    char prefix[160];
    size_t pn;

    memset(out, 0, sizeof(*out));
    if (in.n > SSM_NAME_MAX)
        return cu_err_set(err, CU_E_VALIDATION,
                          "1 validation error detected: Value at 'name' failed to satisfy "
                          "constraint: Member must have length less than or equal to 2048");
    pn = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:ssm:%s:%s:parameter/", region,
                          account);
    if (in.n > pn && memcmp(in.p, prefix, pn) == 0) {
        const char *rest = (const char *)in.p + pn;
        size_t n = in.n - pn;
        char name[SSM_NAME_MAX + 2];
        size_t k = 0;

        /* the ARN's resource drops the name's leading '/': a path gets it back */
        if (memchr(rest, '/', n))
            name[k++] = '/';
        memcpy(name + k, rest, n);
        if (k + n > SSM_NAME_MAX)
            return cu_err_set(err, CU_E_VALIDATION, "Parameter name is too long.");
        split_selector(name, k + n, out);
        return CU_OK;
    }
    if (in.n > 4 && memcmp(in.p, "arn:", 4) == 0) {
        /* another account's or region's ARN: kept whole, it names nothing here */
        memcpy(out->name, in.p, in.n);
        out->name[in.n] = '\0';
        return CU_OK;
    }
    split_selector((const char *)in.p, in.n, out);
    return CU_OK;
}

void ssm_arn(const char *region, const char *account, const char *name, char *out)
{
    snprintf(out, SSM_ARN_MAX, "arn:aws:ssm:%s:%s:parameter/%s", region, account,
             name[0] == '/' ? name + 1 : name);
}

size_t ssm_name_levels(const char *name)
{
    size_t levels = 1;

    for (const char *p = name + (name[0] == '/'); *p; p++)
        levels += *p == '/';
    return levels;
}

static bool reserved_word(const char *p)
{
    return (strncasecmp(p, "aws", 3) == 0 || strncasecmp(p, "ssm", 3) == 0);
}

#define PATH_RULES                                                                             \
    "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). If formed as a path, " \
    "it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a "   \
    "mix of letters, numbers and the following 3 symbols .-_"

cu_rc ssm_name_chars_check(const char *name, struct cu_err *err)
{
    for (const char *p = name; *p; p++)
        if (!name_char(*p))
            return cu_err_set(err, CU_E_VALIDATION, PATH_RULES);
    return CU_OK;
}

cu_rc ssm_name_check(const char *name, struct cu_err *err)
{
    bool path = strchr(name, '/') != NULL;

    if (ssm_name_chars_check(name, err) != CU_OK)
        return CU_E_VALIDATION;
    if (path && name[0] != '/')
        return cu_err_set(err, CU_E_VALIDATION, "Parameter name must be a fully qualified name.");
    if (strstr(name, "//") || (path && name[strlen(name) - 1] == '/'))
        return cu_err_set(err, CU_E_VALIDATION, PATH_RULES);
    if (path && strncasecmp(name, "/aws/", 5) == 0)
        return cu_err_set(err, CU_E_ACCESS_DENIED, "No access to reserved parameter name: %s.",
                          name);
    if (reserved_word(name + (name[0] == '/')))
        return cu_err_set(err, CU_E_VALIDATION,
                          path ? PATH_RULES
                               : "Parameter name: can't be prefixed with \"aws\" or \"ssm\" "
                                 "(case-insensitive).");
    if (ssm_name_levels(name) > SSM_MAX_LEVELS)
        return cu_err_set(err, CU_E_SSM_HIERARCHY,
                          "A hierarchy can have a maximum of 15 levels. For more information, "
                          "see Requirements and constraints for parameter names in the Amazon "
                          "Web Services Systems Manager User Guide.");
    return CU_OK;
}

bool ssm_label_valid(const char *label)
{
    size_t n = strlen(label);

    if (n == 0 || n > SSM_LABEL_MAX || isdigit((unsigned char)label[0]) || reserved_word(label))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)label[i]) && label[i] != '_' && label[i] != '.' &&
            label[i] != '-')
            return false;
    return true;
}
