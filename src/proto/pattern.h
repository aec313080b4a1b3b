/* pattern.h — the regular expressions of the AWS models (Java syntax) on UTF-8 text. */
#ifndef CU_PATTERN_H
#define CU_PATTERN_H

#include "core/cu.h"

/* Does the whole of text (NUL-terminated UTF-8) match the model pattern? Patterns are
 * translated to POSIX extended expressions once and cached. A pattern that cannot be
 * translated matches everything (the generator reports such patterns). */
bool pattern_match(const char *pattern, const char *text);

/* Whether pattern_match really checks pattern: it translates and compiles. The unit test
 * walks every pattern of the served models with it, so one the translation cannot carry
 * (a Java lookahead) is known and checked by its handler instead. */
bool pattern_supported(const char *pattern);

#endif
