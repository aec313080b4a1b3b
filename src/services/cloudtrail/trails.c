/* trails.c — custos's one trail as CloudTrail describes trails: DescribeTrails, GetTrail,
 * GetTrailStatus, ListTrails, and ListPublicKeys with the trail's Ed25519 signing key
 * (crypto/trail_key.h). The trail records every region custos serves and IAM's global
 * events, and its digests are signed: IsMultiRegionTrail, IncludeGlobalServiceEvents and
 * LogFileValidationEnabled are true. Its home region is the server's default region. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/chain.h"
#include "audit/trail_index.h"
#include "cloudtrail.h"
#include "cloudtrail_ops.gen.h"
#include "core/tree.h"
#include "crypto/trail_key.h"
#include "services/in.h"

#define TRAIL_ARN_MAX CLOUDTRAIL_ARN_MAX

void cloudtrail_trail_arn(const struct call *call, char out[CLOUDTRAIL_ARN_MAX])
{
    snprintf(out, CLOUDTRAIL_ARN_MAX, "arn:aws:cloudtrail:%s:%s:trail/%s", call->env->region,
             call->env->account_id, CLOUDTRAIL_TRAIL_NAME);
}

bool cloudtrail_names_trail(const struct call *call, const char *name)
{
    char arn[TRAIL_ARN_MAX];

    cloudtrail_trail_arn(call, arn);
    return name && (strcmp(name, CLOUDTRAIL_TRAIL_NAME) == 0 || strcmp(name, arn) == 0);
}

cu_rc cloudtrail_need_trail(struct call *call, const char *name)
{
    if (cloudtrail_names_trail(call, name))
        return CU_OK;
    return cu_err_set(&call->err, CU_E_CT_TRAIL_NOT_FOUND, "Unknown trail: %s for the user: %s",
                      name ? name : "", call->env->account_id);
}

static json_t *trail_doc(const struct call *call)
{
    char arn[TRAIL_ARN_MAX];

    cloudtrail_trail_arn(call, arn);
    return json_pack("{s:s, s:b, s:b, s:s, s:s, s:b, s:b, s:b, s:b}", "Name",
                     CLOUDTRAIL_TRAIL_NAME, "IncludeGlobalServiceEvents", 1,
                     "IsMultiRegionTrail", 1, "HomeRegion", call->env->region, "TrailARN", arn,
                     "LogFileValidationEnabled", 1, "HasCustomEventSelectors", 0,
                     "HasInsightSelectors", 0, "IsOrganizationTrail", 0);
}

cu_rc cloudtrail_describe_trails(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *names = in_list(in, "trailNameList");
    json_t *list = json_array();
    bool wanted = json_array_size(names) == 0;

    ENSURE(list, CU_E_NOMEM);
    /* names of other trails are left out, as CloudTrail leaves out trails it does not have */
    for (size_t i = 0; i < json_array_size(names); i++)
        wanted = wanted ||
                 cloudtrail_names_trail(call, json_string_value(json_array_get(names, i)));
    if (wanted)
        TRY(tree_append_new(list, trail_doc(call)));
    TRY(tree_set_new(out, "trailList", list));
    list = NULL;
out:
    json_decref(list);
    return rc;
}

cu_rc cloudtrail_get_trail(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;

    TRY(cloudtrail_need_trail(call, in_str(in, "Name")));
    TRY(tree_set_new(out, "Trail", trail_doc(call)));
out:
    return rc;
}

cu_rc cloudtrail_get_trail_status(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    int64_t log_ms = 0, digest_ms = 0;

    TRY(cloudtrail_need_trail(call, in_str(in, "Name")));
    trail_index_latest(call->env->data_dir, &log_ms, &digest_ms);
    TRY(tree_set_bool(out, "IsLogging", true));
    if (log_ms)
        TRY(tree_set_time_ms(out, "LatestDeliveryTime", log_ms));
    if (digest_ms)
        TRY(tree_set_time_ms(out, "LatestDigestDeliveryTime", digest_ms));
out:
    return rc;
}

cu_rc cloudtrail_list_trails(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    char arn[TRAIL_ARN_MAX];
    json_t *list = NULL;

    (void)in; /* one trail: one page, never a NextToken */
    cloudtrail_trail_arn(call, arn);
    list = json_pack("[{s:s, s:s, s:s}]", "TrailARN", arn, "Name", CLOUDTRAIL_TRAIL_NAME,
                     "HomeRegion", call->env->region);
    TRY(tree_set_new(out, "Trails", list));
out:
    return rc;
}

/* The trail's public key, from DIR/audit-trail/public-key.pem (written with the key). */
static cu_rc public_key(const struct call *call, struct buf *der, char fp[TRAIL_FINGERPRINT_LEN + 1],
                        int64_t *created_ms)
{
    cu_rc rc = CU_OK;
    char path[1300];
    struct buf pem;
    struct trail_pubkey *k = NULL;
    struct stat st;
    FILE *f = NULL;
    size_t got;
    char chunk[512];

    buf_init(&pem, 64 * 1024);
    snprintf(path, sizeof(path), "%s/%s/public-key.pem", call->env->data_dir,
             AUDIT_TRAIL_SUBDIR);
    ENSURE((f = fopen(path, "r")) && fstat(fileno(f), &st) == 0, CU_E_STORE);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        TRY(buf_add(&pem, chunk, got));
    ENSURE(trail_pubkey_parse(buf_bytes(&pem), &k) == CU_OK, CU_E_STORE);
    TRY(trail_pubkey_der(k, der));
    trail_pubkey_fingerprint(k, fp);
    *created_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
out:
    if (f)
        fclose(f);
    trail_pubkey_free(k);
    buf_release(&pem);
    return rc;
}

cu_rc cloudtrail_list_public_keys(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const json_t *start = json_object_get(in, "StartTime"), *end = json_object_get(in, "EndTime");
    char fp[TRAIL_FINGERPRINT_LEN + 1];
    int64_t created_ms = 0;
    json_t *list = json_array(), *key = NULL;
    struct buf der;

    buf_init(&der, BUF_NO_LIMIT);
    ENSURE(list, CU_E_NOMEM);
    if (json_is_number(start) && json_is_number(end) &&
        json_number_value(start) > json_number_value(end))
        TRY(cu_err_set(&call->err, CU_E_CT_INVALID_TIME_RANGE,
                       "Start time must not be after end time."));
    TRY(public_key(call, &der, fp, &created_ms));
    /* one key, signing from its creation until now; a range that ends before it has none */
    if (!json_is_number(end) || json_number_value(end) * 1000 >= (double)created_ms) {
        ENSURE(key = json_object(), CU_E_NOMEM);
        TRY(tree_set_blob(key, "Value", buf_bytes(&der)));
        TRY(tree_set_time_ms(key, "ValidityStartTime", created_ms));
        TRY(tree_set_time_ms(key, "ValidityEndTime", call->now_ms));
        TRY(tree_set_str(key, "Fingerprint", fp));
        TRY(tree_append_new(list, key));
        key = NULL;
    }
    TRY(tree_set_new(out, "PublicKeyList", list));
    list = NULL;
out:
    json_decref(key);
    json_decref(list);
    buf_release(&der);
    return rc;
}
