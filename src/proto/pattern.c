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

struct compiled {
    const char *pattern;   /* the model's own string: pointer identity is the key */
    regex_t re;
    bool ok;
    /* A pattern that is one class of code points repeated ("[\\u0009...\\u10FFFF]+", the
     * models' "any XML character"): its ranges, matched by code point without a regex
     * (glibc cannot compile a range with a non-ASCII end, and this one is far too wide
     * to spell out). n_ranges 0: the regex is used. */
    uint32_t (*ranges)[2];
    size_t n_ranges;
    bool allow_empty;      /* '*' rather than '+' */
    struct compiled *next; /* in its bucket */
};

/* Chained buckets by the pattern's address: the models' patterns are a fixed set (a few
 * hundred), every one of them gets an entry (a full table must never mean an unchecked
 * value), and a lookup on the request path walks one short chain. Entries never move, so
 * a thread can match with one while another is added. */
#define PATTERN_BUCKETS 256
static struct compiled *buckets[PATTERN_BUCKETS];
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

/* The longest run of non-ASCII code points a class range may be spelled out as (the
 * models' ranges end at U+00FF; a wider one is refused, and the pattern test names it). */
#define CLASS_RANGE_MAX 2048

/* The code point of the UTF-8 sequence at p (left bytes); *len its length (1 for a byte
 * that starts no valid sequence, taken as itself). */
static uint32_t class_char(const uint8_t *p, size_t left, size_t *len)
{
    size_t n = p[0] < 0x80 ? 1 : utf8_seq_len(p, left);

    *len = n ? n : 1;
    if (n <= 1)
        return p[0];
    if (n == 2)
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    if (n == 3)
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* Rewrite the body of a bracket class, out->p[from..n), for POSIX in a UTF-8 locale:
 * glibc refuses a range with a non-ASCII end ("Invalid collation character"), so such a
 * range keeps its ASCII part and spells out the rest; a '-' Java reads as a literal (the
 * \x01 mark of an escaped one, one after a range, or one at either end) goes last and a
 * literal ']' first, where POSIX reads them as themselves. */
static cu_rc finish_class(struct buf *out, size_t from)
{
    cu_rc rc = CU_OK;
    struct buf body;
    const uint8_t *p;
    size_t n, i = 0, len, len2;
    bool dash = false, bracket = false;

    buf_init(&body, BUF_NO_LIMIT);
    TRY(buf_add(&body, out->p + from, out->n - from));
    out->n = from;
    out->p[from] = '\0';
    p = (const uint8_t *)body.p;
    n = body.n;
    while (i < n) {
        uint32_t lo, hi;
        if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') { /* [:alnum:] and the like */
            const char *end = strstr(body.p + i, ":]");
            ENSURE(end, CU_E_INTERNAL);
            TRY(buf_add(out, body.p + i, (size_t)(end + 2 - (body.p + i))));
            i = (size_t)(end + 2 - body.p);
            continue;
        }
        if (p[i] == '\x01' || p[i] == '-') {
            dash = true;
            i++;
            continue;
        }
        lo = class_char(p + i, n - i, &len);
        if (i + len + 1 < n && p[i + len] == '-') {
            hi = class_char(p + i + len + 1, n - i - len - 1, &len2);
            ENSURE(hi >= lo, CU_E_INTERNAL);
            i += len + 1 + len2;
            if (lo < 0x80) {
                uint32_t top = hi < 0x80 ? hi : 0x7F;
                TRY(buf_addf(out, "%c-%c", (char)lo, (char)top));
                lo = 0x80;
            }
            ENSURE(hi < lo || hi - lo < CLASS_RANGE_MAX, CU_E_INTERNAL);
            for (uint32_t cp = lo; cp <= hi && cp >= 0x80; cp++)
                TRY(utf8_append(out, cp));
            continue;
        }
        if (lo == ']')
            bracket = true;
        else
            TRY(buf_add(out, p + i, len));
        i += len;
    }
    if (bracket) {
        TRY(buf_addch(out, ']'));
        memmove(out->p + from + 1, out->p + from, out->n - from - 1);
        out->p[from] = ']';
    }
    if (dash)
        TRY(buf_addch(out, '-'));
out:
    buf_release(&body);
    return rc;
}

/* Java pattern -> anchored POSIX ERE. */
static cu_rc translate(const char *pattern, struct buf *out)
{
    cu_rc rc = CU_OK;
    bool in_class = false;
    size_t class_start = 0;

    TRY(buf_addstr(out, "^("));
    /* Java's DOTALL flag: a POSIX '.' (no REG_NEWLINE) matches a newline already */
    if (strncmp(pattern, "(?s)", 4) == 0)
        pattern += 4;
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
            size_t body = class_start + 1;
            if (body < out->n && out->p[body] == '^')
                body++;
            TRY(finish_class(out, body));
            in_class = false;
        }
        TRY(buf_addch(out, *p));
        p++;
    }
    TRY(buf_addstr(out, ")$"));
out:
    return rc;
}

/* One code point of a class body at *p: \\uXXXX (4-6 digits, as escape() reads them), an
 * escaped ASCII punctuation character, or a plain ASCII character; false for anything
 * else (\\w, a nested class, a non-ASCII byte), which leaves the pattern to the regex. */
static bool class_point(const char **p, uint32_t *cp)
{
    const char *s = *p;
    unsigned long v = 0;
    size_t n = 0;

    if (s[0] == '\\' && s[1] == 'u') {
        while (n < 6 && hex_digit(s[2 + n]) >= 0 &&
               (v * 16 + (unsigned)hex_digit(s[2 + n])) <= 0x10FFFF && (n < 4 || s[2] == '1'))
            v = v * 16 + (unsigned)hex_digit(s[2 + n++]);
        if (n < 4)
            return false;
        *p = s + 2 + n;
    } else if (s[0] == '\\' && s[1] && (unsigned char)s[1] < 0x80 &&
               strchr("-[]\\^.$|?*+(){}/", s[1])) {
        v = (unsigned char)s[1];
        *p = s + 2;
    } else if (s[0] && (unsigned char)s[0] < 0x80 && s[0] != '\\' && s[0] != '[' &&
               s[0] != ']') {
        v = (unsigned char)s[0];
        *p = s + 1;
    } else {
        return false;
    }
    *cp = (uint32_t)v;
    return true;
}

/* Read pattern as "[ranges]+" or "[ranges]*" into c; false when it is anything else. */
static bool parse_point_class(const char *pattern, struct compiled *c)
{
    const char *p = pattern + 1;
    uint32_t(*ranges)[2] = NULL;
    size_t n = 0, cap = 0;

    if (pattern[0] != '[' || pattern[1] == '^')
        return false;
    while (*p && *p != ']') {
        uint32_t lo, hi;

        if (!class_point(&p, &lo))
            goto no;
        hi = lo;
        if (p[0] == '-' && p[1] && p[1] != ']') {
            p++;
            if (!class_point(&p, &hi) || hi < lo)
                goto no;
        }
        if (n == cap) {
            uint32_t(*grown)[2] = realloc(ranges, (cap = cap ? cap * 2 : 8) * sizeof(*ranges));
            if (!grown)
                goto no;
            ranges = grown;
        }
        ranges[n][0] = lo;
        ranges[n][1] = hi;
        n++;
    }
    if (*p != ']' || n == 0 || !(p[1] == '+' || p[1] == '*') || p[2] != '\0')
        goto no;
    c->ranges = ranges;
    c->n_ranges = n;
    c->allow_empty = p[1] == '*';
    return true;
no:
    free(ranges);
    return false;
}

/* Every code point of text in c's ranges (text is UTF-8; a byte that starts no valid
 * sequence fails the match). */
static bool match_point_class(const struct compiled *c, const char *text)
{
    const uint8_t *p = (const uint8_t *)text;
    size_t left = strlen(text);

    if (left == 0)
        return c->allow_empty;
    while (left) {
        size_t n = p[0] < 0x80 ? 1 : utf8_seq_len(p, left);
        uint32_t cp;
        bool in = false;

        if (n == 0)
            return false;
        cp = n == 1 ? p[0]
           : n == 2 ? ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F)
           : n == 3 ? ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
                          (p[2] & 0x3F)
                    : ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
                          ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        for (size_t i = 0; i < c->n_ranges && !in; i++)
            in = cp >= c->ranges[i][0] && cp <= c->ranges[i][1];
        if (!in)
            return false;
        p += n;
        left -= n;
    }
    return true;
}

static struct compiled *compiled_for(const char *pattern)
{
    struct compiled *c = NULL;
    struct buf ere;
    struct compiled **slot = &buckets[((uintptr_t)pattern >> 3) % PATTERN_BUCKETS];
    bool found;

    pthread_mutex_lock(&cache_lock);
    for (c = *slot; c; c = c->next)
        if (c->pattern == pattern)
            break;
    found = c != NULL;
    if (!found)
        c = calloc(1, sizeof(*c));
    if (!found && c) {
        locale_t old;
        c->pattern = pattern;
        c->next = *slot;
        *slot = c;
        if (parse_point_class(pattern, c)) {
            c->ok = true;
        } else {
            buf_init(&ere, 1 << 16);
            old = uselocale(utf8);
            c->ok = translate(pattern, &ere) == CU_OK &&
                    regcomp(&c->re, ere.p, REG_EXTENDED | REG_NOSUB) == 0;
            uselocale(old);
            buf_release(&ere);
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return c;
}

bool pattern_supported(const char *pattern)
{
    struct compiled *c;

    pthread_once(&locale_once, make_locale);
    c = utf8 ? compiled_for(pattern) : NULL;
    return c && c->ok;
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
    if (c->n_ranges)
        return match_point_class(c, text);
    old = uselocale(utf8);
    match = regexec(&c->re, text, 0, NULL, 0) == 0;
    uselocale(old);
    return match;
}
