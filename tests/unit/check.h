/* check.h — the unit-test vocabulary: a handful of macros, one process per test file.
 * A failed check prints file:line and the expression, counts, and the test goes on;
 * TEST_END prints "N passed, M failed" and exits non-zero when anything failed. */
#ifndef CU_CHECK_H
#define CU_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static int check_passed, check_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_RC(expr, want)                                                                       \
    do {                                                                                           \
        int check_got_ = (expr);                                                                   \
        if (check_got_ == (want)) {                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: %s returned %s, want %s\n", __FILE__, __LINE__, #expr,         \
                    cu_code_ident(check_got_), cu_code_ident(want));                               \
        }                                                                                          \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, CU_OK)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *check_g_ = (got), *check_w_ = (want);                                         \
        if (check_g_ && check_w_ && strcmp(check_g_, check_w_) == 0) {                             \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got,       \
                    check_g_ ? check_g_ : "(null)", check_w_ ? check_w_ : "(null)");               \
        }                                                                                          \
    } while (0)

#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        long long check_g_ = (long long)(got), check_w_ = (long long)(want);                       \
        if (check_g_ == check_w_) {                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, check_g_,  \
                    check_w_);                                                                     \
        }                                                                                          \
    } while (0)

#define CHECK_MEM(got, want, n) CHECK(memcmp((got), (want), (n)) == 0)

/* Substring check: got contains want. */
#define CHECK_CONTAINS(got, want) CHECK((got) && strstr((got), (want)) != NULL)

#define TEST_END()                                                                                 \
    do {                                                                                           \
        printf("%d passed, %d failed\n", check_passed, check_failed);                              \
        return check_failed ? 1 : 0;                                                               \
    } while (0)

#endif
