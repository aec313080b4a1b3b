/* Tests for core/note_table.c: a note within the gap is dropped and one after it kept; an
 * older note never overwrites a newer one; keys with the same string and other tags are
 * separate entries; a flush hands each dirty note once, in batches of the size asked; a
 * failed batch comes back in the next pass; fill may refuse a new key; keys too long are
 * ignored; notes from several threads all arrive. */
#include <pthread.h>
#include <stdio.h>

#include "check.h"
#include "core/note_table.h"

struct payload {
    int value;
    int fills;
};

static bool fill_value(void *payload, bool is_new, const void *arg)
{
    struct payload *p = payload;

    if (is_new && *(const int *)arg < 0)
        return false; /* a key the owner cannot use */
    p->value = *(const int *)arg;
    p->fills++;
    return true;
}

struct seen {
    size_t calls, notes, batch_max;
    int fail_calls; /* fail this many write calls first */
    struct note last[64];
    struct payload last_payload[64];
};

static cu_rc write_seen(void *ctx, const struct note *notes, size_t n)
{
    struct seen *s = ctx;

    s->calls++;
    if (s->fail_calls > 0) {
        s->fail_calls--;
        return CU_E_STORE_CONFLICT;
    }
    if (n > s->batch_max)
        s->batch_max = n;
    for (size_t i = 0; i < n && s->notes < 64; i++, s->notes++) {
        s->last[s->notes] = notes[i];
        s->last_payload[s->notes] = *(const struct payload *)notes[i].payload;
    }
    return CU_OK;
}

static void test_gap_and_order(void)
{
    struct note_table *t = NULL;
    struct seen s = {0};
    int one = 1, two = 2, three = 3;

    CHECK_OK(note_table_new(16, sizeof(struct payload), &t));
    note_table_note(t, "k", NULL, 1000, 100, fill_value, &one);
    note_table_note(t, "k", NULL, 1050, 100, fill_value, &two); /* within the gap */
    CHECK_OK(note_table_flush(t, 8, write_seen, &s));
    CHECK(s.notes == 1 && s.last[0].last_ms == 1000 && s.last_payload[0].value == 1);
    CHECK(strcmp(s.last[0].key, "k") == 0 && s.last[0].tag == NULL);

    note_table_note(t, "k", NULL, 1200, 100, fill_value, &three);
    note_table_note(t, "k", NULL, 500, 0, fill_value, &one); /* older than the last use */
    s = (struct seen){0};
    CHECK_OK(note_table_flush(t, 8, write_seen, &s));
    CHECK(s.notes == 1 && s.last[0].last_ms == 1200 && s.last_payload[0].value == 3);

    s = (struct seen){0};
    CHECK_OK(note_table_flush(t, 8, write_seen, &s)); /* nothing new */
    CHECK(s.calls == 0 && s.notes == 0);
    note_table_free(t);
}

static void test_tags_batches_and_failures(void)
{
    static const char action_a[] = "a", action_b[] = "a"; /* equal strings, two addresses */
    struct note_table *t = NULL;
    struct seen s = {0};
    int v = 7, refused = -1;
    char key[8];

    CHECK_OK(note_table_new(8, sizeof(struct payload), &t));
    note_table_note(t, "user", action_a, 10, 1000, fill_value, &v);
    note_table_note(t, "user", action_b, 10, 1000, fill_value, &v);
    for (int i = 0; i < 8; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        note_table_note(t, key, NULL, 10, 1000, fill_value, &v);
    }
    note_table_note(t, "refused", NULL, 10, 1000, fill_value, &refused);
    note_table_note(t, "too-long-key", NULL, 10, 1000, fill_value, &v);

    s.fail_calls = 1; /* the first batch of 3 fails: written by the next pass */
    CHECK_RC(note_table_flush(t, 3, write_seen, &s), CU_E_STORE_CONFLICT);
    CHECK(s.calls == 4 && s.notes == 7 && s.batch_max == 3);
    s = (struct seen){0};
    CHECK_OK(note_table_flush(t, 3, write_seen, &s));
    CHECK(s.calls == 1 && s.notes == 3);
    note_table_free(t);
}

#define THREADS 4
#define KEYS 200

static struct note_table *shared;

static void *note_many(void *arg)
{
    int v = (int)(intptr_t)arg;
    char key[16];

    for (int round = 0; round < 3; round++)
        for (int i = 0; i < KEYS; i++) {
            snprintf(key, sizeof(key), "key%d", i);
            note_table_note(shared, key, NULL, 100 + round, 0, fill_value, &v);
        }
    return NULL;
}

static cu_rc count_notes(void *ctx, const struct note *notes, size_t n)
{
    (void)notes;
    *(size_t *)ctx += n;
    return CU_OK;
}

static void test_threads(void)
{
    pthread_t th[THREADS];
    size_t n = 0;

    CHECK_OK(note_table_new(16, sizeof(struct payload), &shared));
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&th[i], NULL, note_many, (void *)(intptr_t)(i + 1)) == 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    CHECK_OK(note_table_flush(shared, 64, count_notes, &n));
    CHECK(n == KEYS); /* one entry per key, whichever thread made it */
    note_table_free(shared);
    note_table_free(NULL);
}

int main(void)
{
    test_gap_and_order();
    test_tags_batches_and_failures();
    test_threads();
    TEST_END();
}
