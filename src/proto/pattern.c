/* pattern.c — model patterns (Java regular expressions) checked with POSIX regcomp in a
 * UTF-8 locale. The translation covers what the AWS models use: \uXXXX code points (also
 * the 5- and 6-digit supplementary ones), \w \d \s, \p{L} \p{N} \p{Z}, escaped
 * punctuation, classes, groups, alternation and counted repetition. Matching is always
 * of the whole value, as AWS validates it. Compiled expressions are cached per pattern. */
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/codec.h"
#include "pattern.h"

#define CACHE_SLOTS 64

struct compiled {
    const char *pattern;   /* the model's own string: pointer identity is the key */
    regex_t re;
    bool ok;
};

static struct compiled cache[CACHE_SLOTS];
static size_t n_cached;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t utf8;

static void make_locale(void)
{
    utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Translate one escape at p (just after the backslash); *used = characters consumed. */
static cu_rc escape(const char *p, bool in_class, struct buf *out, size_t *used)
{
    unsigned long cp = 0;
    size_t n = 0;

    switch (p[0]) {
    case 'u':
        /* Java reads four hex digits; the models write supplementary code points as
         * \u10000 and \u10FFFF, so read up to six while the value stays a code point. */
        while (n < 6 && hex_digit(p[1 + n]) >= 0 && (cp * 16 + (unsigned)hex_digit(p[1 + n])) <= 0x10FFFF &&
               (n < 4 || p[1] == '1'))
            cp = cp * 16 + (unsigned)hex_digit(p[1 + n++]);
        if (n < 4)
            return CU_E_INTERNAL;
        /* surrogates never occur in UTF-8 text: clamp range ends to their neighbours */
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = cp < 0xDC00 ? 0xD7FF : 0xE000;
        *used = 1 + n;
        if (!in_class && (cp == '.' || cp == '[' || cp == '(' || cp == ')' || cp == '*' ||
                          cp == '+' || cp == '?' || cp == '{' || cp == '|' || cp == '^' ||
                          cp == '$' || cp == '\\'))
            return buf_addf(out, "[%c]", (char)cp);
        return utf8_append(out, (uint32_t)cp);
    case 'w':
        *used = 1;
        return buf_addstr(out, in_class ? "[:alnum:]_" : "[[:alnum:]_]");
    case 'd':
        *used = 1;
        return buf_addstr(out, in_class ? "0-9" : "[0-9]");
    case 's':
        *used = 1;
        return buf_addstr(out, in_class ? "[:space:]" : "[[:space:]]");
    case 'p':
        if (p[1] == '{' && p[3] == '}') {
            const char *cls = p[2] == 'L' ? "[:alpha:]" : p[2] == 'N' ? "[:digit:]"
                            : p[2] == 'Z' ? "[:blank:]" : NULL;
            if (!cls)
                return CU_E_INTERNAL;
            *used = 4;
            if (in_class)
                return buf_addstr(out, cls);
            return buf_addf(out, "[%s]", cls);
        }
        return CU_E_INTERNAL;
    case '\0':
        return CU_E_INTERNAL;
    default:
        *used = 1;
        if (in_class) {
            /* POSIX classes have no escapes: place '-' last and ']' first instead */
            if (p[0] == '-')
                return buf_addstr(out, "\x01");
            return buf_addch(out, p[0]);
        }
        return buf_addf(out, "[%c]", p[0]);
    }
}

/* Java pattern -> anchored POSIX ERE. */
static cu_rc translate(const char *pattern, struct buf *out)
{
    cu_rc rc = CU_OK;
    bool in_class = false;
    size_t class_start = 0;

    TRY(buf_addstr(out, "^("));
    for (const char *p = pattern; *p;) {
        size_t used = 1;
        if (*p == '\\') {
            TRY(escape(p + 1, in_class, out, &used));
            p += used + 1;
            continue;
        }
        if (!in_class && *p == '[') {
            in_class = true;
            class_start = out->n;
        } else if (in_class && *p == ']') {
            /* move a literal '-' (marked \x01) to the end of the class */
            size_t dashes = 0;
            for (size_t i = class_start; i < out->n; i++)
                if (out->p[i] == '\x01') {
                    memmove(out->p + i, out->p + i + 1, out->n - i - 1);
                    out->n--;
                    i--;
                    dashes++;
                }
            if (dashes)
                TRY(buf_addch(out, '-'));
            in_class = false;
        }
        TRY(buf_addch(out, *p));
        p++;
    }
    TRY(buf_addstr(out, ")$"));
out:
    return rc;
}

static struct compiled *compiled_for(const char *pattern)
{
    struct compiled *c = NULL;
    struct buf ere;

    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < n_cached; i++)
        if (cache[i].pattern == pattern)
            c = &cache[i];
    if (!c && n_cached < CACHE_SLOTS) {
        locale_t old;
        c = &cache[n_cached++];
        c->pattern = pattern;
        buf_init(&ere, 4096);
        old = uselocale(utf8);
        c->ok = translate(pattern, &ere) == CU_OK &&
                regcomp(&c->re, ere.p, REG_EXTENDED | REG_NOSUB) == 0;
        uselocale(old);
        buf_release(&ere);
    }
    pthread_mutex_unlock(&cache_lock);
    return c;
}

bool pattern_match(const char *pattern, const char *text)
{
    struct compiled *c;
    locale_t old;
    bool match;

    pthread_once(&locale_once, make_locale);
    if (!utf8)
        return true;
    c = compiled_for(pattern);
    if (!c || !c->ok)
        return true;
    old = uselocale(utf8);
    match = regexec(&c->re, text, 0, NULL, 0) == 0;
    uselocale(old);
    return match;
}
