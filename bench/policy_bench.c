/* policy_bench.c — how long one authorization decision takes (make bench, issue 3's
 * policy benchmark): a 10-statement identity policy with wildcards and three conditions
 * plus a permissions boundary, one allowed and one denied request, single thread.
 * Prints nanoseconds per decision and decisions per second for each request. The same
 * policies and requests are in bench/policy_case.json for the peer's run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "policy/policy.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct policy *compile(json_t *doc, enum policy_kind kind)
{
    char *text = json_dumps(doc, 0);
    struct policy *p = NULL;
    struct cu_err err = {0};

    if (!text || policy_compile(bytes_str(text), kind, "bench", &p, &err) != CU_OK) {
        fprintf(stderr, "policy_bench: %s\n", err.msg);
        exit(2);
    }
    free(text);
    return p;
}

int main(int argc, char **argv)
{
    char *text = read_all(argc > 1 ? argv[1] : "bench/policy_case.json");
    json_t *c = text ? json_loads(text, 0, NULL) : NULL;
    struct policy *identity, *boundary;
    size_t i;
    json_t *r;

    if (!c) {
        fprintf(stderr, "policy_bench: cannot read the case file\n");
        return 2;
    }
    identity = compile(json_object_get(c, "identity"), POLICY_IDENTITY);
    boundary = compile(json_object_get(c, "boundary"), POLICY_BOUNDARY);
    json_array_foreach(json_object_get(c, "requests"), i, r)
    {
        const struct policy *ids[1] = {identity};
        struct policy_set set = {.identity = ids, .n_identity = 1, .boundary = boundary};
        struct policy_context_entry entries[16];
        const char *values[16];
        struct policy_context ctx = {entries, 0};
        const char *key;
        json_t *v;
        struct policy_request req = {
            .action = json_string_value(json_object_get(r, "action")),
            .resource = json_string_value(json_object_get(r, "resource")),
            .principal_arn = json_string_value(json_object_get(r, "principal")),
            .principal_account = "111122223333",
            .principal_type = POLICY_PRINCIPAL_USER,
            .resource_account = "111122223333",
            .context = &ctx,
            .now_s = 1700000000};
        struct policy_result res;
        const long n = 2000000;
        unsigned sink = 0;
        double t0, dt;

        json_object_foreach(json_object_get(r, "context"), key, v)
        {
            values[ctx.n] = json_string_value(v);
            entries[ctx.n] = (struct policy_context_entry){key, &values[ctx.n], 1};
            ctx.n++;
        }
        policy_evaluate(&set, &req, &res);
        t0 = now_s();
        for (long k = 0; k < n; k++) {
            policy_evaluate(&set, &req, &res);
            sink += (unsigned)res.decision;
        }
        dt = now_s() - t0;
        printf("%s %s: %s, %.0f ns/decision, %.0f decisions/s (sink %u)\n",
               json_string_value(json_object_get(r, "name")), req.action,
               res.decision == POLICY_ALLOWED ? "allowed" : "denied", dt / (double)n * 1e9,
               (double)n / dt, sink % 2);
    }
    policy_free(identity);
    policy_free(boundary);
    json_decref(c);
    free(text);
    return 0;
}
