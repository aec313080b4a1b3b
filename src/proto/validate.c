/* validate.c — a decoded tree against its input shape: required members, lengths,
 * ranges, enums and patterns, reported in AWS's words ("1 validation error detected:
 * Value 'x' at 'userName' failed to satisfy constraint: Member must ..."), with member
 * paths in lowerCamelCase. Values of sensitive members, of members the caller names
 * secret (an operation's declared secret fields) and of blobs are never echoed.
 * Strings are read with their length: a decoded NUL ("%00", "\u0000") fails the member's
 * pattern or enum like any other character, and a member with neither refuses it too,
 * since everything past this point reads values as C strings and would see them cut. */
#include <ctype.h>
#include <string.h>

#include "core/codec.h"
#include "pattern.h"
#include "proto_impl.h"

#define MAX_REPORTED 10

/* The report is bounded; text past its limit is dropped, the count stays exact. */
static void report_text(cu_rc rc)
{
    (void)rc;
}

struct report {
    struct buf text;
    int count;
    const struct shape *own; /* the first failing shape that has an error of its own */
    const char *const *secret; /* member names whose values are never echoed */
    int hiding;                /* > 0 while inside such a member */
};

static bool is_secret(const struct report *r, const char *name)
{
    for (size_t i = 0; r->secret && r->secret[i]; i++)
        if (strcmp(r->secret[i], name) == 0)
            return true;
    return false;
}

/* Count code points of UTF-8 text (the models' lengths are in characters). */
static size_t utf8_len(const char *s, size_t n)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++)
        if (((uint8_t)s[i] & 0xc0) != 0x80)
            count++;
    return count;
}

static bool has_nul(const json_t *v)
{
    return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
}

/* Echo a string value with each NUL spelled \u0000, so the echo is not cut at it. */
static void report_string(struct report *r, const json_t *value)
{
    const char *s = json_string_value(value);
    size_t n = json_string_length(value), i = 0;

    if (n > 256)
        n = 256;
    while (i < n) {
        size_t run = strnlen(s + i, n - i);
        report_text(buf_add(&r->text, s + i, run));
        i += run;
        if (i < n) {
            report_text(buf_addstr(&r->text, "\\u0000"));
            i++;
        }
    }
}

static void add_error(struct report *r, const char *path, const json_t *value,
                      bool show_value, const char *constraint)
{
    r->count++;
    if (r->count > MAX_REPORTED)
        return;
    show_value = show_value && r->hiding == 0;
    if (r->text.n)
        report_text(buf_addstr(&r->text, "; "));
    if (show_value && json_is_string(value) && has_nul(value)) {
        report_text(buf_addstr(&r->text, "Value '"));
        report_string(r, value);
        report_text(buf_addf(&r->text, "' at '%s' failed to satisfy constraint: %s", path,
                             constraint));
    } else if (!value)
        report_text(buf_addf(&r->text, "Value null at '%s' failed to satisfy constraint: %s", path,
                       constraint));
    else if (show_value && json_is_string(value))
        report_text(buf_addf(&r->text, "Value '%.256s' at '%s' failed to satisfy constraint: %s",
                       json_string_value(value), path, constraint));
    else if (show_value && json_is_integer(value))
        report_text(buf_addf(&r->text, "Value '%lld' at '%s' failed to satisfy constraint: %s",
                       (long long)json_integer_value(value), path, constraint));
    else
        report_text(buf_addf(&r->text, "Value at '%s' failed to satisfy constraint: %s", path,
                       constraint));
}

/* Called for every member present in every request, hence no snprintf. */
void proto_member_path(const char *parent, const char *name, char out[PATH_MAX_LEN])
{
    size_t p = strnlen(parent, 120), n = strlen(name), at = 0;

    if (p) {
        memcpy(out, parent, p);
        out[p] = '.';
        at = p + 1;
    }
    if (n > PATH_MAX_LEN - 1 - at)
        n = PATH_MAX_LEN - 1 - at;
    memcpy(out + at, name, n);
    out[at + n] = '\0';
    if (n)
        out[at] = (char)tolower((unsigned char)out[at]);
}

static void check_length(struct report *r, const char *path, const json_t *v,
                         const struct shape *s, size_t len, bool show)
{
    char c[96];

    if (s->has_min && (int64_t)len < s->min) {
        snprintf(c, sizeof(c), "Member must have length greater than or equal to %lld",
                 (long long)s->min);
        add_error(r, path, v, show, c);
    }
    if (s->has_max && (int64_t)len > s->max) {
        snprintf(c, sizeof(c), "Member must have length less than or equal to %lld",
                 (long long)s->max);
        add_error(r, path, v, show, c);
    }
}

static void check_enum(struct report *r, const char *path, const json_t *v, const struct shape *s)
{
    struct buf c;

    for (size_t i = 0; i < s->n_enums; i++)
        if (strlen(s->enums[i]) == json_string_length(v) &&
            memcmp(s->enums[i], json_string_value(v), json_string_length(v)) == 0)
            return;
    buf_init(&c, 8192);
    report_text(buf_addstr(&c, "Member must satisfy enum value set: ["));
    for (size_t i = 0; i < s->n_enums; i++)
        report_text(buf_addf(&c, "%s%s", i ? ", " : "", s->enums[i]));
    report_text(buf_addch(&c, ']'));
    add_error(r, path, v, !s->sensitive, c.p ? c.p : "");
    buf_release(&c);
}

void proto_members_present(const struct shape *s, const json_t *obj, json_t **children)
{
    const char *key;
    json_t *child;

    memset(children, 0, s->n_members * sizeof(*children));
    json_object_foreach((json_t *)obj, key, child)
    {
        for (size_t i = 0; i < s->n_members; i++)
            if (strcmp(s->members[i].name, key) == 0) {
                children[i] = child;
                break;
            }
    }
}

static void validate(struct report *r, const char *path, const json_t *v, const struct shape *s);

static void validate_structure(struct report *r, const char *path, const json_t *v,
                               const struct shape *s)
{
    char sub[PATH_MAX_LEN];
    json_t *present[PROTO_MEMBERS_MAX];
    bool few = s->n_members <= PROTO_MEMBERS_MAX;

    if (few)
        proto_members_present(s, v, present);
    for (size_t i = 0; i < s->n_members; i++) {
        const struct shape_member *m = &s->members[i];
        const json_t *child = few ? present[i] : json_object_get(v, m->name);
        bool secret;

        if (!child && !m->required)
            continue;
        proto_member_path(path, m->name, sub);
        if (!child) {
            add_error(r, sub, NULL, false, "Member must not be null");
            continue;
        }
        secret = is_secret(r, m->name);
        r->hiding += secret;
        validate(r, sub, child, m->shape);
        r->hiding -= secret;
    }
}

static void validate_value(struct report *r, const char *path, const json_t *v,
                           const struct shape *s);

static void validate(struct report *r, const char *path, const json_t *v, const struct shape *s)
{
    int before = r->count;

    validate_value(r, path, v, s);
    if (s->own_error && r->count > before && !r->own)
        r->own = s;
}

static void validate_value(struct report *r, const char *path, const json_t *v,
                           const struct shape *s)
{
    char sub[PATH_MAX_LEN], c[96];
    const char *key;
    json_t *item;
    size_t i;

    switch (s->type) {
    case SHAPE_STRUCTURE:
        validate_structure(r, path, v, s);
        break;
    case SHAPE_LIST:
        check_length(r, path, v, s, json_array_size(v), false);
        json_array_foreach((json_t *)v, i, item)
        {
            snprintf(sub, sizeof(sub), "%.200s.%zu.member", path, i + 1);
            validate(r, sub, item, s->member->shape);
        }
        break;
    case SHAPE_MAP:
        check_length(r, path, v, s, json_object_size(v), false);
        json_object_foreach((json_t *)v, key, item)
        {
            snprintf(sub, sizeof(sub), "%.200s.%.40s", path, key);
            validate(r, sub, item, s->value->shape);
        }
        break;
    case SHAPE_STRING:
        check_length(r, path, v, s, utf8_len(json_string_value(v), json_string_length(v)),
                     !s->sensitive);
        if (s->n_enums)
            check_enum(r, path, v, s);
        if (s->pattern && (has_nul(v) || !pattern_match(s->pattern, json_string_value(v)))) {
            /* no model pattern admits \u0000, and pattern_match reads a C string */
            struct buf msg;
            buf_init(&msg, 4096);
            report_text(buf_addf(&msg, "Member must satisfy regular expression pattern: %s",
                                 s->pattern));
            add_error(r, path, v, !s->sensitive, msg.p);
            buf_release(&msg);
        } else if (!s->pattern && !s->n_enums && has_nul(v)) {
            /* AWS publishes no rule here; custos refuses rather than keep a value that
             * every later reader would take to be shorter than it is */
            add_error(r, path, v, !s->sensitive, "Member must not contain null characters");
        }
        break;
    case SHAPE_BLOB: {
        size_t n = json_string_length(v);
        /* decoded length of valid base64 */
        size_t len = n / 4 * 3;
        const char *t = json_string_value(v);
        if (n >= 1 && t[n - 1] == '=')
            len--;
        if (n >= 2 && t[n - 2] == '=')
            len--;
        check_length(r, path, v, s, len, false);
        break;
    }
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        if (s->has_min && json_integer_value(v) < s->min) {
            snprintf(c, sizeof(c), "Member must have value greater than or equal to %lld",
                     (long long)s->min);
            add_error(r, path, v, true, c);
        }
        if (s->has_max && json_integer_value(v) > s->max) {
            snprintf(c, sizeof(c), "Member must have value less than or equal to %lld",
                     (long long)s->max);
            add_error(r, path, v, true, c);
        }
        break;
    default:
        break;
    }
}

cu_rc proto_validate(const json_t *tree, const struct shape *input, struct cu_err *err)
{
    return proto_validate_hiding(tree, input, NULL, err);
}

cu_rc proto_validate_hiding(const json_t *tree, const struct shape *input,
                            const char *const *secret, struct cu_err *err)
{
    struct report r = {.count = 0, .secret = secret};
    cu_rc rc = CU_OK;

    if (!input)
        return CU_OK;
    buf_init(&r.text, 16384);
    validate(&r, "", tree, input);
    if (r.own)
        rc = cu_err_set(err, r.own->own_error, "%s", r.own->own_message);
    else if (r.count)
        rc = cu_err_set(err, CU_E_VALIDATION, "%d validation error%s detected: %s", r.count,
                        r.count == 1 ? "" : "s", r.text.p);
    buf_release(&r.text);
    return rc;
}
