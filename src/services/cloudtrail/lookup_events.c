/* lookup_events.c — CloudTrail LookupEvents over custos's own trail and its peers' (a
 * cluster's nodes, --audit-peer-dir), through the trails' indexes merged newest first
 * (audit/trail_set.h): at most one lookup attribute, a time range on eventTime,
 * MaxResults (1 to 50, default 50) and an opaque NextToken bound to the query it
 * continues and to the set of trails (their node names), carrying the merge's position
 * in each trail. Each Event carries the record as CloudTrail's: CloudTrailEvent is the
 * record line without custos's chain member ("custos":{"previousHash":...}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "audit/trail_set.h"
#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "core/tree.h"
#include "services/in.h"
#include "services/page.h"

struct lookup {
    struct page *page;
    size_t trails;  /* how many positions a NextToken carries */
    uint32_t query; /* what a NextToken is bound to */
};

static uint32_t add_hash(uint32_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return (h ^ '|') * 16777619u;
}

static uint32_t query_hash(const struct trail_query *q, const struct trail_set *set)
{
    char text[64];
    uint32_t h = 2166136261u;

    snprintf(text, sizeof(text), "%d|%lld|%lld|", (int)q->attr, (long long)q->start_s,
             (long long)q->end_s);
    h = add_hash(add_hash(h, text), q->value ? q->value : "");
    for (size_t i = 0; i < trail_set_size(set); i++)
        h = add_hash(h, trail_set_node(set, i));
    return h;
}

/* A NextToken's key: each trail's position, then the query's hash. */
static void token_key(const struct lookup *l, const uint64_t *cursor, char *out, size_t cap)
{
    size_t at = 0;

    for (size_t i = 0; i < l->trails; i++)
        at += (size_t)snprintf(out + at, cap - at, "%llu.", (unsigned long long)cursor[i]);
    snprintf(out + at, cap - at, "%08x", l->query);
}

/* The positions a key carries; false when it is not one of this query's. */
static bool token_parse(const struct lookup *l, const char *key, uint64_t *cursor)
{
    const char *p = key;
    unsigned int bound = 0;
    char tail = 0;

    for (size_t i = 0; i < l->trails; i++) {
        char *end = NULL;

        if (*p < '0' || *p > '9')
            return false;
        cursor[i] = strtoull(p, &end, 10);
        if (*end != '.')
            return false;
        p = end + 1;
    }
    return strlen(p) == 8 && sscanf(p, "%8x%c", &bound, &tail) == 1 && bound == l->query;
}

static cu_rc set_attr(json_t *ev, const char *name, const json_t *rec, enum trail_attr a)
{
    const char *v = trail_record_attr(rec, a);

    return v ? tree_set_str(ev, name, v) : CU_OK;
}

/* The Event of one record, as LookupEvents shows it. */
static cu_rc add_event(void *ctx, const uint64_t *cursor, const json_t *rec, const char *line,
                       size_t len)
{
    cu_rc rc = CU_OK;
    struct lookup *l = ctx;
    json_t *ev = json_object(), *resources = NULL;
    char key[PAGE_KEY_MAX + 1], prev[AUDIT_HASH_HEX + 1];
    struct buf text;
    int64_t t = 0;

    buf_init(&text, BUF_NO_LIMIT);
    ENSURE(ev, CU_E_NOMEM);
    TRY(set_attr(ev, "EventId", rec, TRAIL_ATTR_EVENT_ID));
    TRY(set_attr(ev, "EventName", rec, TRAIL_ATTR_EVENT_NAME));
    TRY(set_attr(ev, "ReadOnly", rec, TRAIL_ATTR_READ_ONLY));
    TRY(set_attr(ev, "AccessKeyId", rec, TRAIL_ATTR_ACCESS_KEY_ID));
    if (audit_chain_event_time(line, len, &t))
        TRY(tree_set_time_ms(ev, "EventTime", t * 1000));
    TRY(set_attr(ev, "EventSource", rec, TRAIL_ATTR_EVENT_SOURCE));
    TRY(set_attr(ev, "Username", rec, TRAIL_ATTR_USERNAME));
    ENSURE(resources = json_array(), CU_E_NOMEM);
    for (size_t i = 0; i < trail_record_resources(rec); i++) {
        const char *type = trail_record_resource(rec, i, TRAIL_ATTR_RESOURCE_TYPE);
        const char *name = trail_record_resource(rec, i, TRAIL_ATTR_RESOURCE_NAME);
        json_t *r = json_object();

        TRY(tree_append_new(resources, r));
        if (type)
            TRY(tree_set_str(r, "ResourceType", type));
        if (name)
            TRY(tree_set_str(r, "ResourceName", name));
    }
    TRY(tree_set_new(ev, "Resources", resources));
    resources = NULL;
    /* CloudTrail's record has no chain member: it closes where the member began */
    if (audit_chain_prev_of(line, len, prev)) {
        TRY(buf_add(&text, line, len - AUDIT_CHAIN_SUFFIX_LEN));
        TRY(buf_addch(&text, '}'));
    } else {
        TRY(buf_add(&text, line, len));
    }
    TRY(tree_set_strn(ev, "CloudTrailEvent", text.p, text.n));
    token_key(l, cursor, key, sizeof(key));
    rc = page_add(l->page, key, ev);
    ev = NULL;
out:
    json_decref(resources);
    json_decref(ev);
    buf_release(&text);
    return rc;
}

/* The query the request asks for; CU_E_CT_* with AWS's message when it is not one. */
static cu_rc read_query(struct call *call, const json_t *in, struct trail_query *q)
{
    const json_t *attrs = in_list(in, "LookupAttributes");
    const json_t *start = json_object_get(in, "StartTime"), *end = json_object_get(in, "EndTime");

    *q = (struct trail_query){.start_s = INT64_MIN, .end_s = INT64_MAX, .before = UINT64_MAX};
    if (json_array_size(attrs) > 1)
        return cu_err_set(&call->err, CU_E_CT_INVALID_LOOKUP_ATTRIBUTES,
                          "You cannot specify more than one lookup attribute.");
    if (json_array_size(attrs) == 1) {
        const json_t *a = json_array_get(attrs, 0);

        q->attr = trail_attr_parse(in_str(a, "AttributeKey"));
        q->value = in_str(a, "AttributeValue");
        if (q->attr == TRAIL_ATTR_NONE || !q->value)
            return cu_err_set(&call->err, CU_E_CT_INVALID_LOOKUP_ATTRIBUTES,
                              "The lookup attribute is not valid.");
    }
    /* eventTime has whole seconds: a bound with a fraction covers the second it falls in */
    if (json_is_number(start))
        q->start_s = (int64_t)json_number_value(start);
    if (json_is_number(end))
        q->end_s = (int64_t)json_number_value(end);
    if (q->start_s > q->end_s)
        return cu_err_set(&call->err, CU_E_CT_INVALID_TIME_RANGE,
                          "Start time must not be after end time.");
    return CU_OK;
}

cu_rc cloudtrail_lookup_events(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    struct trail_query q;
    struct lookup l = {.page = &page};
    struct trail_set *set = call->env->trail_set;
    uint64_t cursor[TRAIL_SET_MAX];
    const char *after;
    bool more = false;

    TRY(read_query(call, in, &q));
    TRY(page_begin(call, &cloudtrail_lookup_events_page, in, &page));
    l.trails = trail_set_size(set);
    l.query = query_hash(&q, set);
    for (size_t i = 0; i < l.trails; i++)
        cursor[i] = UINT64_MAX;
    after = page_after(&page);
    /* a token of another query ("used in a request with different parameters") or of
     * another set of trails */
    if (after && !token_parse(&l, after, cursor))
        TRY(cu_err_set(&call->err, CU_E_CT_INVALID_NEXT_TOKEN, "Invalid NextToken."));
    /* one more than the page: page_add drops it and the page then says more follow */
    q.max = page.limit + 1;
    /* EventCategory "insight" asks for Insights events, which custos does not make */
    if (!in_str(in, "EventCategory"))
        TRY(trail_set_lookup(set, &q, cursor, add_event, &l, &more));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
