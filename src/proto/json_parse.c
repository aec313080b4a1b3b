/* json_parse.c — see json_parse.h. A recursive descent over the bytes; each parse_*
 * function starts at its first byte and leaves p->at just past the value. */
#include "json_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/codec.h"

struct parser {
    const char *at, *end;
    struct buf scratch; /* the current string's decoded bytes (sensitive) */
    unsigned depth;
};

static json_t *parse_value(struct parser *p);

static void skip_space(struct parser *p)
{
    while (p->at < p->end &&
           (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r'))
        p->at++;
}

static bool take(struct parser *p, char c)
{
    if (p->at < p->end && *p->at == c) {
        p->at++;
        return true;
    }
    return false;
}

static int hex4(const char *s)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

/* One \u escape (p->at just past the 'u'), with its low surrogate when it is a high one. */
static bool parse_unicode_escape(struct parser *p)
{
    int cp = p->end - p->at < 4 ? -1 : hex4(p->at), lo;

    if (cp < 0)
        return false;
    p->at += 4;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return false; /* a low surrogate first */
    if (cp >= 0xd800 && cp <= 0xdbff) {
        bool escape = p->end - p->at >= 6 && p->at[0] == '\\' && p->at[1] == 'u';
        lo = escape ? hex4(p->at + 2) : -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return false;
        p->at += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    return utf8_append(&p->scratch, (uint32_t)cp) == CU_OK;
}

/* A string's contents (p->at just past the opening quote) into p->scratch. */
static bool parse_string_body(struct parser *p)
{
    buf_reset(&p->scratch);
    for (;;) {
        const char *run = p->at;

        /* plain ASCII goes in runs */
        while (p->at < p->end && (uint8_t)*p->at >= 0x20 && (uint8_t)*p->at < 0x80 &&
               *p->at != '"' && *p->at != '\\')
            p->at++;
        if (p->at > run && buf_add(&p->scratch, run, (size_t)(p->at - run)) != CU_OK)
            return false;
        if (p->at == p->end)
            return false;
        uint8_t c = (uint8_t)*p->at;
        if (c == '"') {
            p->at++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80) {
            size_t n = utf8_seq_len((const uint8_t *)p->at, (size_t)(p->end - p->at));
            if (!n || buf_add(&p->scratch, p->at, n) != CU_OK)
                return false;
            p->at += n;
            continue;
        }
        /* a backslash */
        if (++p->at == p->end)
            return false;
        c = (uint8_t)*p->at++;
        static const char plain[] = {['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
                                     ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t'};
        if (c == 'u') {
            if (!parse_unicode_escape(p))
                return false;
        } else if (c < sizeof(plain) && plain[c]) {
            if (buf_addch(&p->scratch, plain[c]) != CU_OK)
                return false;
        } else {
            return false;
        }
    }
}

static json_t *parse_string(struct parser *p)
{
    if (!parse_string_body(p))
        return NULL;
    return json_stringn_nocheck(p->scratch.p ? p->scratch.p : "", p->scratch.n);
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? : an integer when neither fraction nor
 * exponent is present (and it fits in 64 bits), else a real (that does not overflow). */
static json_t *parse_number(struct parser *p)
{
    const char *start = p->at;
    bool real = false;
    char text[128], *end = NULL;
    size_t n;

    take(p, '-');
    if (take(p, '0')) {
        /* no leading zeros */
    } else if (p->at < p->end && *p->at >= '1' && *p->at <= '9') {
        while (p->at < p->end && *p->at >= '0' && *p->at <= '9')
            p->at++;
    } else {
        return NULL;
    }
    if (take(p, '.')) {
        real = true;
        if (p->at == p->end || *p->at < '0' || *p->at > '9')
            return NULL;
        while (p->at < p->end && *p->at >= '0' && *p->at <= '9')
            p->at++;
    }
    if (p->at < p->end && (*p->at == 'e' || *p->at == 'E')) {
        real = true;
        p->at++;
        if (!take(p, '+'))
            take(p, '-');
        if (p->at == p->end || *p->at < '0' || *p->at > '9')
            return NULL;
        while (p->at < p->end && *p->at >= '0' && *p->at <= '9')
            p->at++;
    }
    /* strtoll/strtod need a terminated copy; longer numbers take the heap */
    n = (size_t)(p->at - start);
    char *copy = n < sizeof(text) ? text : malloc(n + 1);
    json_t *v = NULL;
    if (!copy)
        return NULL;
    memcpy(copy, start, n);
    copy[n] = '\0';
    errno = 0;
    if (!real) {
        long long i = strtoll(copy, &end, 10);
        if (errno != ERANGE)
            v = json_integer(i);
    } else {
        double d = strtod(copy, &end);
        /* underflow to zero is accepted, overflow is not (as jansson) */
        if (!(errno == ERANGE && (d > 1.0 || d < -1.0)))
            v = json_real(d);
    }
    if (copy != text)
        free(copy);
    return v;
}

static bool literal(struct parser *p, const char *word, size_t n)
{
    if ((size_t)(p->end - p->at) < n || memcmp(p->at, word, n) != 0)
        return false;
    p->at += n;
    return true;
}

static json_t *parse_object(struct parser *p)
{
    json_t *obj = json_object(), *v;

    if (!obj)
        return NULL;
    skip_space(p);
    if (take(p, '}'))
        return obj;
    for (;;) {
        if (!take(p, '"') || !parse_string_body(p))
            break;
        /* keys are C strings in jansson: a \u0000 would cut one short */
        if (memchr(p->scratch.p ? p->scratch.p : "", '\0', p->scratch.n))
            break;
        if (json_object_get(obj, p->scratch.p ? p->scratch.p : ""))
            break; /* duplicate key */
        skip_space(p);
        if (!take(p, ':'))
            break;
        /* the key must outlive the value's own strings in the scratch buffer */
        char short_key[256], *key = short_key;
        if (p->scratch.n < sizeof(short_key))
            memcpy(short_key, p->scratch.p ? p->scratch.p : "", p->scratch.n + 1);
        else
            key = strndup(p->scratch.p, p->scratch.n);
        if (!key)
            break;
        v = parse_value(p);
        int bad = !v || json_object_set_new_nocheck(obj, key, v) != 0;
        if (key != short_key)
            free(key);
        if (bad)
            break;
        skip_space(p);
        if (take(p, '}'))
            return obj;
        if (!take(p, ','))
            break;
        skip_space(p);
    }
    json_decref(obj);
    return NULL;
}

static json_t *parse_array(struct parser *p)
{
    json_t *arr = json_array(), *v;

    if (!arr)
        return NULL;
    skip_space(p);
    if (take(p, ']'))
        return arr;
    for (;;) {
        v = parse_value(p);
        if (!v || json_array_append_new(arr, v) != 0)
            break;
        skip_space(p);
        if (take(p, ']'))
            return arr;
        if (!take(p, ','))
            break;
    }
    json_decref(arr);
    return NULL;
}

static json_t *parse_value(struct parser *p)
{
    json_t *v = NULL;

    skip_space(p);
    if (p->at == p->end)
        return NULL;
    switch (*p->at) {
    case '{':
    case '[':
        if (p->depth >= JSON_PARSE_MAX_DEPTH)
            return NULL;
        p->depth++;
        v = *p->at++ == '{' ? parse_object(p) : parse_array(p);
        p->depth--;
        return v;
    case '"':
        p->at++;
        return parse_string(p);
    case 't':
        return literal(p, "true", 4) ? json_true() : NULL;
    case 'f':
        return literal(p, "false", 5) ? json_false() : NULL;
    case 'n':
        return literal(p, "null", 4) ? json_null() : NULL;
    default:
        return parse_number(p);
    }
}

json_t *json_parse(struct bytes text)
{
    struct parser p = {.at = (const char *)text.p, .end = (const char *)text.p + text.n};
    json_t *v = NULL;

    buf_init_sensitive(&p.scratch, BUF_NO_LIMIT);
    skip_space(&p);
    if (p.at < p.end && (*p.at == '{' || *p.at == '['))
        v = parse_value(&p);
    skip_space(&p);
    if (v && p.at != p.end) {
        json_decref(v);
        v = NULL;
    }
    buf_release(&p.scratch);
    return v;
}
