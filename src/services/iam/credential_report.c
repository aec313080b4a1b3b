/* credential_report.c — GenerateCredentialReport and GetCredentialReport.
 *
 * The report is the CSV AWS documents (IAM guide, id_credentials_getting-report,
 * "Understanding the report format"): a header, the account root user's row
 * ("<root_account>") and one row per IAM user, in name order. AWS generates it in the
 * background and answers STARTED first; custos builds it inside GenerateCredentialReport's
 * transaction, so the first call answers STARTED (AWS's words: a new report is being made)
 * and the report is already there for GetCredentialReport. A report is reused for
 * REPORT_MAX_AGE_MS, as AWS reuses one for four hours: GenerateCredentialReport then
 * answers COMPLETE without making another, and past that age GetCredentialReport answers
 * ReportExpired until a new one is generated.
 *
 * The record (RECORD_CREDENTIAL_REPORT) keeps the CSV and its generation time; Content is
 * base64 of the CSV in the response (the model's blob). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_key_last_used.h"
#include "core/clock.h"
#include "core/tree.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "mfa_devices.h"

#define REPORT_MAX_AGE_MS (4LL * 3600 * 1000)
#define REPORT_HEADER                                                                              \
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"       \
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"             \
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"    \
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"                   \
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"                  \
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
#define DAY_MS (24LL * 3600 * 1000)

/* MFA devices and signing certificates: whether the user ("" for root) has an MFA device
 * enabled, and the upload date and status of its first two signing certificates, oldest
 * first. A user with none is reported as AWS does: mfa_active false, cert_N_active false,
 * cert_N_last_rotated N/A. */
struct report_cert {
    bool present, active;
    int64_t rotated_ms;
};

/* mfa_active: a virtual MFA device is enabled for the user (root has none in custos). */
static cu_rc report_mfa_active(struct call *call, const char *user, bool *active)
{
    cu_rc rc = CU_OK;
    size_t n = 0;

    *active = false;
    if (!user[0])
        goto out;
    TRY(iam_mfa_enabled_count(call, user, &n));
    *active = n > 0;
out:
    return rc;
}

/* Gathers a user's signing certificates, in upload order (at most 2 by the quota). */
struct cert_list {
    struct report_cert certs[2];
    size_t n;
};

static cu_rc take_cert(const char *key, const json_t *doc, void *ctx)
{
    struct cert_list *l = ctx;
    struct report_cert c = {.present = true};
    const char *status = json_string_value(json_object_get(doc, "Status"));

    (void)key;
    c.active = status && strcmp(status, "Active") == 0;
    c.rotated_ms = (int64_t)json_integer_value(json_object_get(doc, "UploadDate"));
    /* the quota allows two; a third (an older store) replaces the newer if it is older */
    if (l->n < 2)
        l->certs[l->n++] = c;
    else if (c.rotated_ms < l->certs[1].rotated_ms)
        l->certs[1] = c;
    if (l->n == 2 && l->certs[1].rotated_ms < l->certs[0].rotated_ms) {
        struct report_cert t = l->certs[0];
        l->certs[0] = l->certs[1];
        l->certs[1] = t;
    }
    return CU_OK;
}

/* cert_N_active / cert_N_last_rotated: the user's signing certificates (root's are the
 * account's own, stored under the account's scope with no user). */
static cu_rc report_certificates(struct call *call, const char *user, struct report_cert out[2])
{
    cu_rc rc = CU_OK;
    char scope[RECORD_NAME_MAX];
    struct cert_list l = {0};

    record_user_scope(call->env->account_id, user, scope);
    TRY(store_each(call->tx, RECORD_SIGNING_CERT, scope, take_cert, &l));
    memcpy(out, l.certs, sizeof(l.certs));
out:
    return rc;
}


/* ISO 8601 as the report writes it: 2015-01-01T00:00:00+00:00. */
static cu_rc add_time(struct buf *csv, int64_t ms)
{
    char iso[21];

    clock_iso8601(ms / 1000, iso); /* "...Z" */
    return buf_addf(csv, ",%.19s+00:00", iso);
}

static int64_t member_ms(const json_t *doc, const char *member)
{
    return (int64_t)json_integer_value(json_object_get(doc, member));
}

/* The key's five columns: active, last_rotated, last_used_date, _region, _service. */
static cu_rc add_key(struct call *call, struct buf *csv, const json_t *key)
{
    cu_rc rc = CU_OK;
    const char *akid = json_string_value(json_object_get(key, "key"));
    const json_t *doc = json_object_get(key, "doc");
    json_t *used = NULL;

    if (!key)
        return buf_addstr(csv, ",false,N/A,N/A,N/A,N/A");
    TRY(buf_addf(csv, ",%s",
                 strcmp(json_string_value(json_object_get(doc, "Status")), "Active") == 0
                     ? "true"
                     : "false"));
    TRY(add_time(csv, member_ms(doc, "CreateDate")));
    TRY(iam_key_last_used(call->tx, akid, &used));
    if (used) {
        TRY(add_time(csv, member_ms(used, "LastUsedDate")));
        TRY(buf_addf(csv, ",%s,%s", json_string_value(json_object_get(used, "Region")),
                     json_string_value(json_object_get(used, "ServiceName"))));
    } else {
        TRY(buf_addstr(csv, ",N/A,N/A,N/A"));
    }
out:
    json_decref(used);
    return rc;
}

static int by_create_date(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int64_t dx = member_ms(json_object_get(x, "doc"), "CreateDate");
    int64_t dy = member_ms(json_object_get(y, "doc"), "CreateDate");

    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "key")),
                  json_string_value(json_object_get(y, "key")));
}

/* mfa_active and the access key and certificate columns of user ("" for root): key 1 is
 * the older key, as AWS numbers them. */
static cu_rc add_credentials(struct call *call, struct buf *csv, const char *user)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX];
    struct store_lookup q;
    json_t *keys = NULL, *sorted[2] = {NULL, NULL};
    struct report_cert certs[2];
    bool more = false, mfa = false;
    size_t n;

    iam_access_key_lookup(call->env->account_id, user, &q, value);
    TRY(store_find(call->tx, &q, NULL, 2, &keys, &more));
    n = json_array_size(keys);
    for (size_t i = 0; i < n && i < 2; i++)
        sorted[i] = json_array_get(keys, i);
    if (n == 2)
        qsort(sorted, 2, sizeof(sorted[0]), by_create_date);
    TRY(report_mfa_active(call, user, &mfa));
    TRY(buf_addf(csv, ",%s", mfa ? "true" : "false"));
    TRY(add_key(call, csv, sorted[0]));
    TRY(add_key(call, csv, sorted[1]));
    TRY(report_certificates(call, user, certs));
    for (size_t i = 0; i < 2; i++) {
        TRY(buf_addf(csv, ",%s", certs[i].present && certs[i].active ? "true" : "false"));
        if (certs[i].present)
            TRY(add_time(csv, certs[i].rotated_ms));
        else
            TRY(buf_addstr(csv, ",N/A"));
    }
    TRY(buf_addch(csv, '\n'));
out:
    json_decref(keys);
    return rc;
}

static cu_rc add_root(struct call *call, struct buf *csv)
{
    cu_rc rc = CU_OK;
    json_t *account = NULL;

    TRY(store_get(call->tx, RECORD_ACCOUNT, "", RECORD_ACCOUNT_KEY, &account));
    TRY(buf_addf(csv, "<root_account>,arn:aws:iam::%s:root", call->env->account_id));
    TRY(add_time(csv, account ? member_ms(account, "CreateDate") : call->now_ms));
    /* custos has no root console password: AWS's words for what the root user lacks */
    TRY(buf_addstr(csv, ",not_supported,no_information,not_supported,not_supported"));
    TRY(add_credentials(call, csv, ""));
out:
    json_decref(account);
    return rc;
}

struct report_scan {
    struct call *call;
    struct buf *csv;
    int64_t max_age_days; /* the password policy's MaxPasswordAge, 0: none */
};

static cu_rc add_user(const char *key, const json_t *user, void *ctx)
{
    cu_rc rc = CU_OK;
    struct report_scan *s = ctx;
    const char *name = json_string_value(json_object_get(user, "UserName"));
    json_t *profile = NULL;
    int64_t changed;

    (void)key;
    TRY(kind_find(s->call, &iam_kind_login_profile, NULL, name, &profile));
    TRY(buf_addf(s->csv, "%s,%s", name, json_string_value(json_object_get(user, "Arn"))));
    TRY(add_time(s->csv, member_ms(user, "CreateDate")));
    if (!profile) {
        TRY(buf_addstr(s->csv, ",false,N/A,N/A,N/A"));
    } else {
        /* custos has no console sign-in, so no password has been used */
        TRY(buf_addstr(s->csv, ",true,no_information"));
        changed = member_ms(profile, "CreateDate");
        TRY(add_time(s->csv, changed));
        if (s->max_age_days > 0)
            TRY(add_time(s->csv, changed + s->max_age_days * DAY_MS));
        else
            TRY(buf_addstr(s->csv, ",N/A"));
    }
    TRY(add_credentials(s->call, s->csv, name));
out:
    json_decref(profile);
    return rc;
}

static cu_rc build_report(struct call *call, struct buf *csv)
{
    cu_rc rc = CU_OK;
    json_t *policy = NULL;
    struct report_scan s = {call, csv, 0};

    TRY(store_get(call->tx, RECORD_PASSWORD_POLICY, call->env->account_id,
                  RECORD_PASSWORD_POLICY_KEY, &policy));
    s.max_age_days = policy ? member_ms(policy, "MaxPasswordAge") : 0;
    TRY(buf_addstr(csv, REPORT_HEADER));
    TRY(add_root(call, csv));
    TRY(store_each(call->tx, RECORD_USER, call->env->account_id, add_user, &s));
out:
    json_decref(policy);
    return rc;
}

cu_rc iam_generate_credential_report(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct buf csv;
    json_t *report = NULL;

    (void)in;
    buf_init(&csv, BUF_NO_LIMIT);
    TRY(store_get(call->tx, RECORD_CREDENTIAL_REPORT, call->env->account_id,
                  RECORD_CREDENTIAL_REPORT_KEY, &report));
    if (report && call->now_ms - member_ms(report, "GeneratedTime") < REPORT_MAX_AGE_MS) {
        TRY(tree_set_str(out, "State", "COMPLETE"));
        goto out;
    }
    TRY(build_report(call, &csv));
    json_decref(report);
    report = json_pack("{s:I, s:s}", "GeneratedTime", (json_int_t)(call->now_ms / 1000 * 1000),
                       "Content", csv.p);
    ENSURE(report, CU_E_NOMEM);
    TRY(store_put(call->tx, RECORD_CREDENTIAL_REPORT, call->env->account_id,
                  RECORD_CREDENTIAL_REPORT_KEY, report, STORE_UPSERT));
    TRY(tree_set_str(out, "State", "STARTED"));
    TRY(tree_set_str(out, "Description",
                     "No report exists. Starting a new report generation task"));
out:
    buf_release(&csv);
    json_decref(report);
    return rc;
}

cu_rc iam_get_credential_report(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *report = NULL;
    const char *content;

    (void)in;
    TRY(store_get(call->tx, RECORD_CREDENTIAL_REPORT, call->env->account_id,
                  RECORD_CREDENTIAL_REPORT_KEY, &report));
    /* IAM API reference, GetCredentialReport: ReportNotPresent and ReportExpired, 410 */
    ENSURE(report, cu_err_set(&call->err, CU_E_IAM_REPORT_NOT_PRESENT,
                              "The request was rejected because the credential report does not "
                              "exist. To generate a credential report, use "
                              "GenerateCredentialReport."));
    ENSURE(call->now_ms - member_ms(report, "GeneratedTime") < REPORT_MAX_AGE_MS,
           cu_err_set(&call->err, CU_E_IAM_REPORT_EXPIRED,
                      "The request was rejected because the most recent credential report has "
                      "expired. To generate a new credential report, use "
                      "GenerateCredentialReport."));
    content = json_string_value(json_object_get(report, "Content"));
    ENSURE(content, CU_E_STORE);
    TRY(tree_set_blob(out, "Content", bytes_str(content)));
    TRY(tree_set_str(out, "ReportFormat", "text/csv"));
    TRY(tree_set_time_ms(out, "GeneratedTime", member_ms(report, "GeneratedTime")));
out:
    json_decref(report);
    return rc;
}
