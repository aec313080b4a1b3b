/* positions.c — where each statement stands in the policy text, as IAM's simulator
 * reports it (MatchedStatements StartPosition/EndPosition: 1-based line and column of
 * the statement's first and last character). jansson keeps no positions, so this skims
 * the already-validated text: it follows strings and nesting only, and finds the value
 * of the top-level "Statement" member — one object, or the objects of an array. */
#include <string.h>

#include "policy_impl.h"

struct skim {
    const char *p, *end;
    unsigned line, col;
};

static void step(struct skim *s)
{
    if (*s->p == '\n') {
        s->line++;
        s->col = 1;
    } else {
        s->col++;
    }
    s->p++;
}

static void skip_space(struct skim *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        step(s);
}

/* At a '"': move past the string; its raw contents go to text and len. */
static void skip_string(struct skim *s, const char **text, size_t *len)
{
    step(s);
    *text = s->p;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\' && s->p + 1 < s->end)
            step(s);
        step(s);
    }
    *len = (size_t)(s->p - *text);
    if (s->p < s->end)
        step(s);
}

/* Skip one value of any kind, recording where it starts and ends. */
static void skip_value(struct skim *s, struct policy_position *start, struct policy_position *end)
{
    int depth = 0;
    const char *text;
    size_t len;

    skip_space(s);
    *start = (struct policy_position){s->line, s->col};
    do {
        if (s->p >= s->end)
            return;
        *end = (struct policy_position){s->line, s->col};
        if (*s->p == '"') {
            skip_string(s, &text, &len);
            continue;
        }
        if (*s->p == '{' || *s->p == '[')
            depth++;
        else if (*s->p == '}' || *s->p == ']')
            depth--;
        step(s);
        /* a scalar ends at the next delimiter */
        while (depth == 0 && s->p < s->end && !strchr(",}] \t\r\n", *s->p)) {
            *end = (struct policy_position){s->line, s->col};
            step(s);
        }
    } while (depth > 0);
}

void policy_locate_statements(struct policy *p, struct bytes json)
{
    struct skim s = {(const char *)json.p, (const char *)json.p + json.n, 1, 1};
    struct policy_position start, end;
    const char *key;
    size_t len, i = 0;

    skip_space(&s);
    if (s.p >= s.end || *s.p != '{')
        return;
    step(&s);
    while (s.p < s.end) {
        skip_space(&s);
        if (s.p >= s.end || *s.p != '"')
            return;
        skip_string(&s, &key, &len);
        skip_space(&s);
        if (s.p < s.end && *s.p == ':')
            step(&s);
        skip_space(&s);
        if (len == 9 && strncmp(key, "Statement", 9) == 0)
            break;
        skip_value(&s, &start, &end);
        skip_space(&s);
        if (s.p < s.end && *s.p == ',')
            step(&s);
    }
    if (s.p >= s.end)
        return;
    if (*s.p == '{') {
        if (p->n_statements == 1) {
            skip_value(&s, &start, &end);
            p->statements[0].start = start;
            p->statements[0].end = end;
        }
        return;
    }
    step(&s); /* '[' */
    while (s.p < s.end && i < p->n_statements) {
        skip_value(&s, &start, &end);
        p->statements[i].start = start;
        p->statements[i].end = end;
        i++;
        skip_space(&s);
        if (s.p < s.end && *s.p == ',')
            step(&s);
    }
}
