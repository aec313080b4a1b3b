/* audit_cmd.c — the audit trail from the command line, on a data directory or a copy of
 * one (DIR holds audit.log and audit-trail/; no server needs to run).
 *
 *   custos audit verify [--from DATE] [--to DATE] [--public-key PEM] DIR
 *       checks every digest and log file with only the public key (DIR/audit-trail/
 *       public-key.pem unless --public-key names a copy kept elsewhere, which is what makes
 *       the check worth something against someone who can write DIR); prints OK or the
 *       first change found; exit 0 when intact, 1 when not, 2 on bad input.
 *   custos audit verify [--from DATE] [--to DATE] [--public-key PEM]... DIR DIR...
 *       the trails of several nodes on one store (audit.h, "Several nodes"): each checked
 *       so, under its node name, and then together: no store commit (commitSeq) recorded
 *       as taking effect twice (verify.h). --public-key, when given, once per DIR, in
 *       order.
 *   custos audit public-key [--master-key-file F] DIR
 *       prints the trail's public key (PEM), taken from the sealed signing key, so it is
 *       the key the trail is signed with and not whatever public-key.pem holds.
 *   custos audit export --since DATE --until DATE [--format jsonl|cloudtrail] DIR [DIR...]
 *       writes the records between two times to stdout; with several nodes' DIRs, every
 *       node's records merged oldest first (verify.h), as one jsonl stream or one
 *       CloudTrail log file.
 * DATE is ISO-8601 ("2026-01-02T03:04:05Z") or a day ("2026-01-02"). */
#include "audit_cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/verify.h"
#include "core/clock.h"
#include "core/secret.h"
#include "crypto/master_key.h"
#include "crypto/trail_key.h"

#define DIRS_MAX 16

struct audit_args {
    const char *dir, *public_key, *master_key, *format;
    const char *dirs[DIRS_MAX], *public_keys[DIRS_MAX];
    size_t n_dirs, n_public_keys;
    int64_t from_s, to_s;
    bool have_from, have_to;
};

static int bad(const char *why, const char *what)
{
    fprintf(stderr, "custos audit: %s%s\n", why, what ? what : "");
    return 2;
}

static bool parse_date(const char *s, int64_t *out)
{
    return clock_parse_iso8601(s, strlen(s), out) == CU_OK;
}

/* Flags (each with a value) and the DIRs; 0 or an exit code. */
static int parse_args(int argc, char **argv, struct audit_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *flag = argv[i];

        if (flag[0] != '-') {
            if (a->n_dirs == DIRS_MAX)
                return bad("too many DIRs, at most 16; the last: ", flag);
            a->dir = a->dir ? a->dir : flag;
            a->dirs[a->n_dirs++] = flag;
            continue;
        }
        if (i + 1 >= argc)
            return bad("missing value for ", flag);
        if (strcmp(flag, "--from") == 0 || strcmp(flag, "--since") == 0) {
            if (!parse_date(argv[++i], &a->from_s))
                return bad("not a date: ", argv[i]);
            a->have_from = true;
        } else if (strcmp(flag, "--to") == 0 || strcmp(flag, "--until") == 0) {
            if (!parse_date(argv[++i], &a->to_s))
                return bad("not a date: ", argv[i]);
            a->have_to = true;
        } else if (strcmp(flag, "--public-key") == 0) {
            a->public_key = argv[++i];
            if (a->n_public_keys == DIRS_MAX)
                return bad("too many --public-key flags", NULL);
            a->public_keys[a->n_public_keys++] = a->public_key;
        } else if (strcmp(flag, "--master-key-file") == 0) {
            a->master_key = argv[++i];
        } else if (strcmp(flag, "--format") == 0) {
            a->format = argv[++i];
        } else {
            return bad("unknown flag ", flag);
        }
    }
    return a->dir ? 0 : bad("missing DIR (the data directory, or a copy of it)", NULL);
}

/* verify over several nodes' trails */
static int verify_nodes(const struct audit_args *a)
{
    struct buf report;
    bool intact = false;
    int code;

    if (a->n_public_keys && a->n_public_keys != a->n_dirs)
        return bad("--public-key: give one per DIR, in the same order, or none", NULL);
    buf_init(&report, BUF_NO_LIMIT);
    if (audit_verify_nodes(a->dirs, a->n_public_keys ? a->public_keys : NULL, a->n_dirs,
                           a->have_from ? a->from_s : 0, a->have_to ? a->to_s : 0, &report,
                           &intact) != CU_OK) {
        fputs(report.p ? report.p : "", stdout);
        buf_release(&report);
        return bad("cannot read a trail's public key (of the last DIR named above)", NULL);
    }
    fputs(report.p ? report.p : "", stdout);
    code = intact ? 0 : 1;
    buf_release(&report);
    return code;
}

static int verify(const struct audit_args *a)
{
    struct audit_verify_options o = {.data_dir = a->dir,
                                     .public_key_path = a->public_key,
                                     .from_s = a->have_from ? a->from_s : 0,
                                     .to_s = a->have_to ? a->to_s : 0};
    struct buf report;
    bool intact = false;
    int code;

    if (a->n_dirs > 1)
        return verify_nodes(a);
    buf_init(&report, BUF_NO_LIMIT);
    if (audit_verify(&o, &report, &intact) != CU_OK) {
        buf_release(&report);
        return bad("cannot read the trail's public key in ", a->dir);
    }
    fputs(report.p ? report.p : "", stdout);
    code = intact ? 0 : 1;
    buf_release(&report);
    return code;
}

static int public_key(const struct audit_args *a)
{
    struct master_key *mk = NULL;
    struct trail_key *k = NULL;
    struct cu_err err = {0};
    struct buf pem, path;
    char trail[1200];
    int code = 1;

    buf_init(&pem, 1 << 16);
    buf_init(&path, 4096);
    if (a->master_key ? buf_addstr(&path, a->master_key) != CU_OK
                      : buf_addstrs(&path, a->dir, "/master.key", NULL) != CU_OK)
        goto out;
    snprintf(trail, sizeof(trail), "%s/%s", a->dir, AUDIT_TRAIL_SUBDIR);
    if (secret_heap_init(1 << 20) != CU_OK) /* then the normal heap, wiped */
        fprintf(stderr, "custos audit: no secure heap (mlock limit?): the normal one is used\n");
    if (access(path.p, F_OK) != 0) {
        fprintf(stderr, "custos audit: no master key at %s (--master-key-file?)\n", path.p);
        goto out;
    }
    if (master_key_load_or_create(path.p, &mk, &err) != CU_OK ||
        trail_key_load(mk, trail, &k, &err) != CU_OK || trail_key_public_pem(k, &pem) != CU_OK) {
        fprintf(stderr, "custos audit: %s\n", err.msg[0] ? err.msg : "cannot read the key");
        goto out;
    }
    fputs(pem.p, stdout);
    code = 0;
out:
    trail_key_free(k);
    master_key_free(mk);
    buf_release(&pem);
    buf_release(&path);
    return code;
}

static int export(const struct audit_args *a)
{
    bool cloudtrail = a->format && strcmp(a->format, "cloudtrail") == 0;
    struct cu_err err = {0};
    cu_rc rc;

    if (a->format && !cloudtrail && strcmp(a->format, "jsonl") != 0)
        return bad("--format is jsonl or cloudtrail, not ", a->format);
    if (!a->have_from || !a->have_to)
        return bad("export takes --since DATE and --until DATE", NULL);
    rc = audit_export(a->dirs, a->n_dirs, a->from_s, a->to_s, cloudtrail, stdout, &err);
    if (rc != CU_OK) {
        /* what was written before the failure is not the whole export: say so plainly */
        fprintf(stderr, "custos audit: export failed: %s\n", err.msg);
        return rc == CU_E_VALIDATION ? 2 : 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int audit_cmd(int argc, char **argv)
{
    struct audit_args a = {0};
    int code;

    if (argc < 1)
        return bad("usage: custos audit verify|public-key|export ... DIR", NULL);
    code = parse_args(argc - 1, argv + 1, &a);
    if (code)
        return code;
    if (a.n_dirs > 1 && strcmp(argv[0], "public-key") == 0)
        return bad("one DIR only, got another: ", a.dirs[1]);
    if (strcmp(argv[0], "verify") == 0)
        return verify(&a);
    if (strcmp(argv[0], "public-key") == 0)
        return public_key(&a);
    if (strcmp(argv[0], "export") == 0)
        return export(&a);
    return bad("unknown command: audit ", argv[0]);
}
