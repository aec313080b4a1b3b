/* Tests for proto/pattern.c: the translation of the models' Java patterns, and that every
 * pattern of every served operation's input is really checked — the cache has no fixed
 * size a growing model could fill, and a pattern the translation cannot carry is one of
 * the known few that their handlers check themselves. */
#include "check.h"
#include "model/model.h"
#include "proto/pattern.h"

/* Patterns POSIX cannot express, each checked by its handler instead. */
static const char *const checked_by_handler[] = {
    "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", /* iam AccountAlias: services/iam/account.c */
};

static bool known(const char *pattern)
{
    for (size_t i = 0; i < ARRAY_LEN(checked_by_handler); i++)
        if (strcmp(pattern, checked_by_handler[i]) == 0)
            return true;
    return false;
}

static size_t n_patterns;

static void walk(const struct shape *s, int depth)
{
    if (!s || depth > 16)
        return;
    if (s->pattern) {
        n_patterns++;
        if (!pattern_supported(s->pattern) && !known(s->pattern)) {
            fprintf(stderr, "shape %s: pattern %s is not checked\n", s->name, s->pattern);
            CHECK(false);
        }
    }
    for (size_t i = 0; i < s->n_members; i++)
        walk(s->members[i].shape, depth + 1);
    if (s->member)
        walk(s->member->shape, depth + 1);
    if (s->key)
        walk(s->key->shape, depth + 1);
    if (s->value)
        walk(s->value->shape, depth + 1);
}

int main(void)
{
    for (const struct service_model *const *svc = model_services; *svc; svc++)
        for (size_t i = 0; i < (*svc)->n_ops; i++)
            walk((*svc)->ops[i].input, 0);
    CHECK(n_patterns > 64); /* more than the old fixed cache held */
    /* Java's DOTALL flag (CloudTrail's QueryStatement): '.' takes newlines too */
    CHECK(pattern_supported("(?s).*"));
    CHECK(pattern_match("(?s).*", "SELECT *\nFROM x"));
    /* a user name: [\w+=,.@-]+ */
    CHECK(pattern_match("[\\w+=,.@-]+", "alice+ops@example.com"));
    CHECK(!pattern_match("[\\w+=,.@-]+", "bad name"));
    /* a class range past ASCII (glibc's regcomp refuses those: spelled out) */
    CHECK(pattern_supported("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"));
    CHECK(pattern_match("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "{\"a\":\n\"caf\xc3\xa9\xc3\xbf\"}"));
    CHECK(!pattern_match("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "\xc4\x80")); /* U+0100 */
    CHECK(!pattern_match("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "a\x01b"));
    CHECK(pattern_match("[\\u0020-\\u007E\\u00A1-\\u00FF]*", "x\xc2\xa1"));
    CHECK(!pattern_match("[\\u0020-\\u007E\\u00A1-\\u00FF]*", "x\xc2\xa0")); /* U+00A0 */
    /* Java reads a '-' after a range as itself */
    /* STS's arnType, "any XML character": one class of code points, ranges up to
     * U+10FFFF, matched by code point (glibc cannot compile it) */
    static const char xml[] =
        "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+";
    CHECK(pattern_supported(xml));
    CHECK(pattern_match(xml, "arn:aws:iam::111122223333:role/r"));
    CHECK(pattern_match(xml, "key \xf0\x9f\x94\x91 caf\xc3\xa9 \xe4\xb8\xad")); /* U+1F511 */
    CHECK(!pattern_match(xml, ""));
    CHECK(!pattern_match(xml, "a\x01" "b"));
    CHECK(!pattern_match(xml, "\xc2\x80"));     /* U+0080: between the ranges */
    CHECK(!pattern_match(xml, "\xef\xbf\xbe")); /* U+FFFE */
    CHECK(!pattern_match(xml, "a\xff" "b"));    /* not UTF-8 */
    CHECK(pattern_match("[\\u0020-\\u007E]*", ""));
    CHECK(pattern_match("[a-c\\-]+", "a-c"));
    CHECK(!pattern_match("[a-c\\-]+", "d"));
    CHECK(pattern_match("^[a-zA-Z0-9-_.]+$", "a-b_c.9"));
    CHECK(!pattern_match("^[a-zA-Z0-9-_.]+$", "a b"));
    CHECK(!pattern_match("^[a-zA-Z0-9-_.]+$", "a/b"));
    /* the lookahead is not supported: the handler owns it */
    CHECK(!pattern_supported(checked_by_handler[0]));
    TEST_END();
}
