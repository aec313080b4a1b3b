/* export.c — `custos audit export` (verify.h): the records between two times, for a SIEM,
 * read from the trail's files in their order (sealed log files by number, a file a crash
 * left unsealed, then the live audit.log). A record's time is its eventTime; what a crash
 * left after the live file's last newline is not a record and is not exported. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trail_io.h"
#include "verify.h"

struct exporter {
    int64_t since_s, until_s;
    bool cloudtrail;
    FILE *out;
    uint64_t written;
};

static cu_rc export_records(struct exporter *x, const char *p, size_t n)
{
    const char *nl = n ? memrchr(p, '\n', n) : NULL;
    size_t end = nl ? (size_t)(nl - p) + 1 : 0, at = 0;

    while (at < end) {
        const char *line = p + at;
        size_t len = (size_t)((const char *)memchr(line, '\n', end - at) - line);
        char prev[AUDIT_HASH_HEX + 1];
        int64_t t = 0;

        at += len + 1;
        if (!audit_chain_event_time(line, len, &t) || (x->since_s && t < x->since_s) ||
            (x->until_s && t > x->until_s))
            continue;
        if (x->cloudtrail && x->written && fputc(',', x->out) == EOF)
            return CU_E_STORE;
        if (x->cloudtrail && audit_chain_prev_of(line, len, prev)) {
            /* CloudTrail's records have no chain member: the record closes where it began */
            if (fwrite(line, 1, len - AUDIT_CHAIN_SUFFIX_LEN, x->out) != len - AUDIT_CHAIN_SUFFIX_LEN ||
                fputc('}', x->out) == EOF)
                return CU_E_STORE;
        } else if (fwrite(line, 1, len, x->out) != len ||
                   (!x->cloudtrail && fputc('\n', x->out) == EOF)) {
            return CU_E_STORE;
        }
        x->written++;
    }
    return CU_OK;
}

static cu_rc export_file(struct exporter *x, const char *path)
{
    cu_rc rc = CU_OK;
    struct buf data;

    buf_init(&data, BUF_NO_LIMIT);
    TRY(trail_load(path, &data));
    TRY(export_records(x, data.p, data.n));
out:
    buf_release(&data);
    return rc;
}

cu_rc audit_export(const char *data_dir, int64_t since_s, int64_t until_s, bool cloudtrail,
                   FILE *out)
{
    cu_rc rc = CU_OK;
    struct exporter x = {.since_s = since_s, .until_s = until_s, .cloudtrail = cloudtrail,
                         .out = out};
    struct trail_entry *list = NULL;
    char trail[1100], path[1300];
    size_t n = 0;

    snprintf(trail, sizeof(trail), "%s/%s", data_dir, AUDIT_TRAIL_SUBDIR);
    TRY(trail_list(trail, &list, &n));
    if (cloudtrail && fputs("{\"Records\":[", out) == EOF)
        TRY(CU_E_STORE);
    for (size_t i = 0; i < n; i++) {
        if (list[i].kind != AUDIT_FILE_LOG && list[i].kind != AUDIT_FILE_PENDING)
            continue;
        /* a crash after compressing a file and before removing its plain copy: one of them */
        if (list[i].kind == AUDIT_FILE_PENDING && i > 0 && list[i - 1].kind == AUDIT_FILE_LOG &&
            list[i - 1].number == list[i].number)
            continue;
        snprintf(path, sizeof(path), "%s/%s", trail, list[i].name);
        TRY(export_file(&x, path));
    }
    snprintf(path, sizeof(path), "%s/audit.log", data_dir);
    if (access(path, F_OK) == 0) /* a copy of the sealed files alone has none */
        TRY(export_file(&x, path));
    if (cloudtrail && fputs("]}\n", out) == EOF)
        TRY(CU_E_STORE);
out:
    free(list);
    return rc;
}
