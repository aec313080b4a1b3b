/* verify.c — `custos audit verify` (verify.h): the trail checked offline from its files
 * and the public key alone, in the order a forger would have to defeat:
 *
 *   digests, oldest first: digestFile is its own name; the key's fingerprint; the Ed25519
 *     signature over CloudTrail's signing string; previousDigestFile / HashValue /
 *     Signature name the digest before (the trail's first names none)
 *   each log file a digest names: a whole gzip stream; every record names the hash of the
 *     one before (from the head the previous digest left); the last one and the count are
 *     the digest's; the bytes hash to hashValue. A missing file passes only when a record
 *     of the chain says retention removed it (AuditLogFileExpired)
 *   no sealed log file is named by no digest (but one whose plain copy is still there: a
 *     seal a crash cut short); a file a crash left unsealed, and audit.log, go on from
 *     the last head
 * The first break is reported with where it is; what kind of change it was (an edit, a
 * deletion, an insertion, a reordering) is told by what broke: a link (a record changed,
 * went or came there), a count, a hash, a missing or extra file, a digest link. */
#include "verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/codec.h"
#include "core/file.h"
#include "crypto/trail_key.h"
#include "trail_io.h"

struct verifier {
    const struct audit_verify_options *o;
    char trail[1100];
    struct trail_pubkey *key;
    char fingerprint[TRAIL_FINGERPRINT_LEN + 1];
    char head[AUDIT_HASH_HEX + 1]; /* "" while unknown (before a --from range) */
    struct buf *report;
    bool failed;
    char **expired; /* log files a record says retention removed */
    size_t n_expired;
    char **missing; /* named by a digest, not on disk: judged once every record is read */
    size_t n_missing;
    uint64_t records, files, digests;
};

static void fail(struct verifier *v, const char *fmt, ...) CU_PRINTF(2, 3);
static void fail(struct verifier *v, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (v->failed)
        return;
    v->failed = true;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (buf_addstrs(v->report, "FAILED: ", line, "\n", NULL) != CU_OK)
        v->report->n = 0; /* out of memory: the caller still sees !intact */
}

/* Lowercase or uppercase hex into out; false on anything else. */
static bool unhex(const char *s, size_t n, struct buf *out)
{
    if (n % 2)
        return false;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0 || buf_addch(out, (char)(hi * 16 + lo)) != CU_OK)
            return false;
    }
    return true;
}

static bool push(char ***list, size_t *n, const char *s)
{
    char **grown = realloc(*list, (*n + 1) * sizeof(**list));

    if (!grown)
        return false;
    *list = grown;
    (*list)[*n] = strdup(s);
    if (!(*list)[*n])
        return false;
    (*n)++;
    return true;
}

/* A retention record names a file it removed. */
static void note_expiry(struct verifier *v, const char *line, size_t n)
{
    json_error_t jerr;
    json_t *rec;
    const char *file, *source;

    if (!memmem(line, n, "\"AuditLogFileExpired\"", 21))
        return;
    rec = json_loadb(line, n, 0, &jerr);
    file = json_string_value(json_object_get(json_object_get(rec, "serviceEventDetails"), "logFile"));
    source = json_string_value(json_object_get(rec, "eventSource"));
    if (file && source && strcmp(source, "custos.amazonaws.com") == 0 &&
        !push(&v->expired, &v->n_expired, file))
        fail(v, "out of memory");
    json_decref(rec);
}

/* Walk the chain through the records of data[0, end); v->head is where it must start (""
 * to take the first record's word for it). */
static void walk(struct verifier *v, const char *file, const char *p, size_t end)
{
    size_t at = 0;
    uint64_t line_no = 0;

    while (at < end && !v->failed) {
        const char *nl = memchr(p + at, '\n', end - at);
        size_t len = (size_t)(nl - (p + at));
        char prev[AUDIT_HASH_HEX + 1];

        line_no++;
        if (!audit_chain_prev_of(p + at, len, prev))
            fail(v, "%s line %llu: not a chained record: the record was edited (its chain "
                    "member is gone or changed)", file, (unsigned long long)line_no);
        else if (v->head[0] && strcmp(prev, v->head) != 0)
            fail(v, "%s line %llu: the record does not follow the one before it: a record "
                    "was edited, deleted, inserted or reordered there", file,
                 (unsigned long long)line_no);
        audit_chain_hash_line(p + at, len, v->head);
        note_expiry(v, p + at, len);
        if (v->o->seqs)
            audit_seqs_note(v->o->seqs, p + at, len);
        v->records++;
        at += len + 1;
    }
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool on_disk(const struct trail_entry *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return true;
    return false;
}

/* One log file a digest names, against what the digest says of it. */
static void check_log(struct verifier *v, const json_t *entry, const struct trail_entry *list,
                      size_t n, const char *digest)
{
    struct buf data;
    struct audit_log_seal seal;
    char path[1300];
    const char *file = str(entry, "file"), *prev = str(entry, "previousRecordHash");
    size_t end = 0;

    if (!file || !prev || strchr(file, '/')) {
        fail(v, "%s: a log file entry is malformed", digest);
        return;
    }
    if (!on_disk(list, n, file)) {
        (void)push(&v->missing, &v->n_missing, file);
        if (str(entry, "lastRecordHash")) /* the chain goes on after the missing file */
            snprintf(v->head, sizeof(v->head), "%s", str(entry, "lastRecordHash"));
        return;
    }
    buf_init(&data, BUF_NO_LIMIT);
    snprintf(path, sizeof(path), "%s/%s", v->trail, file);
    if (trail_load(path, &data) != CU_OK) {
        fail(v, "log file %s: not a whole gzip file: it was truncated or edited (named by "
                "%s)", file, digest);
        goto out;
    }
    trail_scan(buf_bytes(&data), file, &seal, &end);
    if (!v->head[0])
        snprintf(v->head, sizeof(v->head), "%s", prev);
    if (strcmp(prev, v->head) != 0)
        fail(v, "log file %s: its first record does not follow the last one of the file "
                "before (%s says so): a record or a file was deleted or inserted", file, digest);
    walk(v, file, data.p, end);
    if (v->failed)
        goto out;
    if (end != data.n)
        fail(v, "log file %s: bytes after its last record: it was extended", file);
    else if (json_integer_value(json_object_get(entry, "recordCount")) != (json_int_t)seal.records)
        fail(v, "log file %s: %llu records, not the digest's count: records were deleted or "
                "inserted (%s)", file, (unsigned long long)seal.records, digest);
    else if (seal.records && (!str(entry, "lastRecordHash") ||
                              strcmp(str(entry, "lastRecordHash"), seal.last) != 0))
        fail(v, "log file %s: its last record is not the one %s sealed: it was edited, or the "
                "file truncated", file, digest);
    else if (!str(entry, "hashValue") || strcmp(str(entry, "hashValue"), seal.hash) != 0)
        fail(v, "log file %s: its bytes do not hash to %s's hashValue: it was edited", file,
             digest);
    v->files++;
out:
    buf_release(&data);
}

static bool in_range(const struct verifier *v, const json_t *d)
{
    int64_t start = 0, end = 0;
    const char *s = str(d, "digestStartTime"), *e = str(d, "digestEndTime");

    if (!s || !e || clock_parse_iso8601(s, strlen(s), &start) != CU_OK ||
        clock_parse_iso8601(e, strlen(e), &end) != CU_OK)
        return true;
    return !(v->o->from_s && end < v->o->from_s) && !(v->o->to_s && start > v->o->to_s);
}

struct prev_digest {
    char name[128], hash[AUDIT_HASH_HEX + 1], sig[2 * TRAIL_SIG_LEN + 1];
    bool have;
};

/* One digest: its own name, key, signature, and its link to the one before. */
static void check_digest(struct verifier *v, const struct trail_entry *e, struct prev_digest *pd,
                         const struct trail_entry *list, size_t n)
{
    struct buf bytes, sig_hex, sig, signing;
    char path[1300];
    json_t *d = NULL;
    json_error_t jerr;
    uint8_t md[DIGEST_SHA256_LEN];
    const char *end, *prev_file;
    bool range;

    buf_init(&bytes, 1 << 24);
    buf_init(&sig_hex, 4096);
    buf_init(&sig, 4096);
    buf_init(&signing, 1 << 24);
    snprintf(path, sizeof(path), "%s/%s", v->trail, e->name);
    if (file_read_all(path, &bytes) == CU_OK)
        d = json_loadb(bytes.p, bytes.n, 0, &jerr);
    if (!d) {
        fail(v, "digest %s: not a readable digest: it was edited or truncated", e->name);
        goto out;
    }
    snprintf(path + strlen(path), sizeof(path) - strlen(path), ".sig");
    if (file_read_all(path, &sig_hex) != CU_OK) {
        fail(v, "digest %s: its signature file %s.sig is missing (deleted)", e->name, e->name);
        goto out;
    }
    while (sig_hex.n && sig_hex.p[sig_hex.n - 1] == '\n')
        sig_hex.p[--sig_hex.n] = '\0';
    end = str(d, "digestEndTime");
    prev_file = str(d, "previousDigestFile");
    if (!str(d, "digestFile") || strcmp(str(d, "digestFile"), e->name) != 0) {
        fail(v, "digest %s: it names itself %s: digests were renamed or reordered", e->name,
             str(d, "digestFile") ? str(d, "digestFile") : "(nothing)");
        goto out;
    }
    if (!str(d, "digestPublicKeyFingerprint") ||
        strcmp(str(d, "digestPublicKeyFingerprint"), v->fingerprint) != 0) {
        fail(v, "digest %s: signed by another key (fingerprint %s)", e->name,
             str(d, "digestPublicKeyFingerprint") ? str(d, "digestPublicKeyFingerprint") : "none");
        goto out;
    }
    if (!end || !unhex(sig_hex.p ? sig_hex.p : "", sig_hex.n, &sig) ||
        audit_digest_signing_string(end, e->name, buf_bytes(&bytes),
                                    str(d, "previousDigestSignature"), &signing) != CU_OK ||
        !trail_pubkey_verify(v->key, buf_bytes(&signing), buf_bytes(&sig))) {
        fail(v, "digest %s: its signature does not verify: the digest or its signature was "
                "edited", e->name);
        goto out;
    }
    if (pd->have && (!prev_file || strcmp(prev_file, pd->name) != 0 ||
                     !str(d, "previousDigestHashValue") ||
                     strcmp(str(d, "previousDigestHashValue"), pd->hash) != 0 ||
                     !str(d, "previousDigestSignature") ||
                     strcmp(str(d, "previousDigestSignature"), pd->sig) != 0)) {
        fail(v, "digest %s does not follow digest %s: a digest between them was deleted, or "
                "one was inserted, edited or reordered", e->name, pd->name);
        goto out;
    }
    if (!pd->have && prev_file && !v->o->from_s) {
        fail(v, "digest %s names the digest before it, %s, which is missing: it was deleted",
             e->name, prev_file);
        goto out;
    }
    range = in_range(v, d);
    if (!range || (!pd->have && v->o->from_s))
        v->head[0] = '\0'; /* the chain is taken up again from the next file checked */
    if (range) {
        json_t *files = json_object_get(d, "logFiles"), *entry;
        size_t i;

        json_array_foreach(files, i, entry)
            if (!v->failed)
                check_log(v, entry, list, n, e->name);
    }
    if (!v->failed && str(d, "lastRecordHash")) {
        if (range && v->head[0] && strcmp(v->head, str(d, "lastRecordHash")) != 0)
            fail(v, "digest %s: its lastRecordHash is not the last record of its files",
                 e->name);
        snprintf(v->head, sizeof(v->head), "%s", str(d, "lastRecordHash"));
    }
    digest_sha256(buf_bytes(&bytes), md);
    audit_hash_hex(md, pd->hash);
    snprintf(pd->name, sizeof(pd->name), "%s", e->name);
    snprintf(pd->sig, sizeof(pd->sig), "%s", sig_hex.p ? sig_hex.p : "");
    pd->have = true;
    v->digests++;
out:
    json_decref(d);
    buf_release(&bytes);
    buf_release(&sig_hex);
    buf_release(&sig);
    buf_release(&signing);
}

/* A file not yet sealed (a crash's pending file, or the live audit.log): its records must
 * go on from the head; what follows its last newline is a crash's tail, reported. */
static void check_unsealed(struct verifier *v, const char *path, const char *label)
{
    struct buf data;
    size_t end;
    const char *nl;

    buf_init(&data, BUF_NO_LIMIT);
    if (file_read_all(path, &data) != CU_OK || data.n == 0)
        goto out;
    nl = memrchr(data.p, '\n', data.n);
    end = nl ? (size_t)(nl - data.p) + 1 : 0;
    walk(v, label, data.p, end);
    v->files++;
    if (!v->failed && end < data.n &&
        buf_addstrs(v->report, "note: ", label,
                    " ends in a tail a crash left (cut and recorded at the next start)\n",
                    NULL) != CU_OK)
        fail(v, "out of memory");
out:
    buf_release(&data);
}

static bool listed(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

cu_rc audit_verify(const struct audit_verify_options *o, struct buf *report, bool *intact)
{
    cu_rc rc = CU_OK;
    struct verifier v = {.o = o, .report = report};
    struct trail_entry *list = NULL;
    struct prev_digest pd = {0};
    struct buf pem;
    char path[1300], **named = NULL, summary[200];
    size_t n = 0, n_named = 0;

    *intact = false;
    buf_init(&pem, 1 << 16);
    snprintf(v.trail, sizeof(v.trail), "%s/%s", o->data_dir, AUDIT_TRAIL_SUBDIR);
    snprintf(path, sizeof(path), "%s/public-key.pem", v.trail);
    ENSURE(file_read_all(o->public_key_path ? o->public_key_path : path, &pem) == CU_OK &&
               trail_pubkey_parse(buf_bytes(&pem), &v.key) == CU_OK,
           CU_E_STORE);
    trail_pubkey_fingerprint(v.key, v.fingerprint);
    TRY(trail_list(v.trail, &list, &n));
    snprintf(v.head, sizeof(v.head), "%s", audit_chain_genesis);
    for (size_t i = 0; i < n && !v.failed; i++) {
        json_t *d;
        json_error_t jerr;
        struct buf bytes;

        if (list[i].kind != AUDIT_FILE_DIGEST)
            continue;
        check_digest(&v, &list[i], &pd, list, n);
        /* the names this digest covers, for the check that every sealed file is named */
        buf_init(&bytes, 1 << 24);
        snprintf(path, sizeof(path), "%s/%s", v.trail, list[i].name);
        d = file_read_all(path, &bytes) == CU_OK ? json_loadb(bytes.p, bytes.n, 0, &jerr) : NULL;
        if (d) {
            json_t *entry;
            size_t k;
            json_array_foreach(json_object_get(d, "logFiles"), k, entry)
                if (str(entry, "file"))
                    ENSURE(push(&named, &n_named, str(entry, "file")), CU_E_NOMEM);
            json_decref(d);
        }
        buf_release(&bytes);
    }
    /* A sealed file beside its plain copy is a seal a crash cut short: named by a digest,
     * the copy's removal was all that was left (the next start removes it); named by
     * none, its digest was never written, and the plain copy is what counts (the next
     * start seals it again). */
    for (size_t i = 0; i < n && !v.failed; i++)
        if (list[i].kind == AUDIT_FILE_LOG && !listed(named, n_named, list[i].name) &&
            !(i + 1 < n && list[i + 1].kind == AUDIT_FILE_PENDING &&
              list[i + 1].number == list[i].number))
            fail(&v, "log file %s is named by no digest: it was inserted, or its digest "
                     "deleted", list[i].name);
    for (size_t i = 0; i < n && !v.failed && !o->to_s; i++)
        if (list[i].kind == AUDIT_FILE_PENDING &&
            !(i > 0 && list[i - 1].kind == AUDIT_FILE_LOG && list[i - 1].number == list[i].number &&
              listed(named, n_named, list[i - 1].name))) {
            snprintf(path, sizeof(path), "%s/%s", v.trail, list[i].name);
            check_unsealed(&v, path, list[i].name);
        }
    if (!v.failed && !o->to_s) {
        snprintf(path, sizeof(path), "%s/audit.log", o->data_dir);
        check_unsealed(&v, path, "audit.log");
    }
    for (size_t i = 0; i < v.n_missing && !v.failed; i++)
        if (!listed(v.expired, v.n_expired, v.missing[i]))
            fail(&v, "log file %s is missing: it was deleted (a digest names it, and no "
                     "record says retention removed it)", v.missing[i]);
    if (!v.failed) {
        snprintf(summary, sizeof(summary),
                 "OK: %llu digests, %llu log files, %llu records verified\n",
                 (unsigned long long)v.digests, (unsigned long long)v.files,
                 (unsigned long long)v.records);
        TRY(buf_addstr(report, summary));
        *intact = true;
    }
out:
    for (size_t i = 0; i < n_named; i++)
        free(named[i]);
    free(named);
    for (size_t i = 0; i < v.n_expired; i++)
        free(v.expired[i]);
    free(v.expired);
    for (size_t i = 0; i < v.n_missing; i++)
        free(v.missing[i]);
    free(v.missing);
    free(list);
    trail_pubkey_free(v.key);
    buf_release(&pem);
    return rc;
}
