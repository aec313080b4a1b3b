/* config.c — `custos serve` flags into struct config (DESIGN.md "The contract"). Every
 * flag takes one value; a flag given twice keeps the last value, as most daemons do, except
 * the repeatable ones: --oidc-jwks, once per issuer, --rotation-hook and
 * --audit-peer-dir. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/node_id.h"
#include "server.h"

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->port = 4599;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./data");
    snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
    region_set_all(&cfg->served);
    snprintf(cfg->account_id, sizeof(cfg->account_id), "000000000000");
    cfg->max_body_bytes = 1 << 20;
    cfg->max_header_bytes = 8 << 10; /* as nginx's default header buffers */
    /* an SDK retrying a bad key or a scanner's probes stay recorded one by one; a flood
     * costs the trail at most 20 records a second per source (unauth_limit.c) */
    cfg->unauth_rate = 20;
    cfg->unauth_burst = 100;
    cfg->max_connections_per_source = 1024;
    cfg->header_timeout_s = 10;
    cfg->body_timeout_s = 60;
    cfg->idle_timeout_s = 60;
    cfg->drain_seconds = 10;
    cfg->audit_digest_interval_s = 3600; /* CloudTrail's: a digest file every hour */
    cfg->audit_rotate_bytes = 16u << 20;
    cfg->audit_disk_warn_bytes = (size_t)1 << 30;
}

static cu_rc set_text(char *dst, size_t cap, const char *flag, const char *value,
                      struct cu_err *err)
{
    if (strlen(value) >= cap)
        return cu_err_set(err, CU_E_VALIDATION, "%s: value too long", flag);
    snprintf(dst, cap, "%s", value);
    return CU_OK;
}

static cu_rc parse_size(const char *flag, const char *value, size_t *out, struct cu_err *err)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno || !end || *end || v == 0 || value[0] == '-')
        return cu_err_set(err, CU_E_VALIDATION, "%s: expected a positive number, got '%s'",
                          flag, value);
    *out = (size_t)v;
    return CU_OK;
}

/* --test-clock-offset S: the server's clock runs S seconds (signed) off the real one, so a
 * test can see a session expire without waiting for it. It moves every time custos reads
 * (SigV4 skew, expirations, audit times), so a production start refuses it: only a
 * process started with CUSTOS_TEST_HOOKS=1 in its environment takes it. */
static cu_rc need_test_hooks(const char *flag, struct cu_err *err)
{
    const char *hooks = getenv("CUSTOS_TEST_HOOKS");

    if (!hooks || strcmp(hooks, "1") != 0)
        return cu_err_set(err, CU_E_VALIDATION,
                          "%s is a test hook and a production start refuses it "
                          "(tests set CUSTOS_TEST_HOOKS=1)", flag);
    return CU_OK;
}

static cu_rc parse_clock_offset(const char *flag, const char *value, struct config *cfg,
                                struct cu_err *err)
{
    cu_rc rc = need_test_hooks(flag, err);
    char *end = NULL;
    long long v;

    if (rc != CU_OK)
        return rc;
    errno = 0;
    v = strtoll(value, &end, 10);
    if (errno || !end || *end || !value[0] || v < -315360000 || v > 315360000)
        return cu_err_set(err, CU_E_VALIDATION,
                          "%s: expected seconds within ten years, got '%s'", flag, value);
    cfg->test_clock_offset_s = v;
    return CU_OK;
}

/* --test-ssm-parameter-quota N: Parameter Store's per-region quota of Standard parameters
 * taken as N (Advanced: ten times N) instead of AWS's 10,000 (100,000), so a test reaches
 * ParameterLimitExceeded without making ten thousand parameters; tests only. */
static cu_rc parse_ssm_quota(const char *flag, const char *value, struct config *cfg,
                             struct cu_err *err)
{
    cu_rc rc = need_test_hooks(flag, err);
    char *end = NULL;
    unsigned long v;

    if (rc != CU_OK)
        return rc;
    errno = 0;
    v = strtoul(value, &end, 10);
    if (errno || !end || *end || !value[0] || value[0] == '-' || v < 1 || v > 10000)
        return cu_err_set(err, CU_E_VALIDATION, "%s: expected 1 to 10000, got '%s'", flag,
                          value);
    cfg->test_ssm_parameter_quota = v;
    return CU_OK;
}

/* HOST:PORT, [V6]:PORT or PORT. */
static cu_rc parse_listen(const char *value, struct config *cfg, struct cu_err *err)
{
    const char *colon = strrchr(value, ':');
    const char *host = value, *port = value;
    size_t host_len = 0;
    char *end = NULL;
    long p;

    if (colon) {
        port = colon + 1;
        host_len = (size_t)(colon - value);
        if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
            host++;
            host_len -= 2;
        }
    }
    p = strtol(port, &end, 10);
    if (!end || *end || p < 0 || p > 65535 || host_len >= sizeof(cfg->listen_host))
        return cu_err_set(err, CU_E_VALIDATION, "--listen: expected HOST:PORT, got '%s'", value);
    if (colon && host_len)
        snprintf(cfg->listen_host, sizeof(cfg->listen_host), "%.*s", (int)host_len, host);
    cfg->port = (int)p;
    return CU_OK;
}

static bool is_account_id(const char *s)
{
    if (strlen(s) != 12)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The flags that take a path or a name, and those that take a positive number: tables
 * rather than a branch per flag (STYLE R14), so a new flag is one row. */
struct text_flag {
    const char *name;
    size_t offset, cap;
};
#define TEXT_FLAG(flag, field)                                                                   \
    {flag, offsetof(struct config, field), sizeof(((struct config *)0)->field)}
static const struct text_flag text_flags[] = {
    TEXT_FLAG("--data-dir", data_dir),
    TEXT_FLAG("--region", region),
    TEXT_FLAG("--regions", regions),
    TEXT_FLAG("--tls-cert", tls_cert),
    TEXT_FLAG("--tls-key", tls_key),
    TEXT_FLAG("--store", store_url),
    TEXT_FLAG("--master-key-file", master_key_file),
    TEXT_FLAG("--public-url", public_url),
    TEXT_FLAG("--rotation-role", rotation_role),
};

struct size_flag {
    const char *name;
    size_t offset;
};
#define SIZE_FLAG(flag, field) {flag, offsetof(struct config, field)}
static const struct size_flag size_flags[] = {
    SIZE_FLAG("--max-body-bytes", max_body_bytes),
    SIZE_FLAG("--max-header-bytes", max_header_bytes),
    SIZE_FLAG("--unauth-rate", unauth_rate),
    SIZE_FLAG("--unauth-burst", unauth_burst),
    SIZE_FLAG("--max-connections", max_connections),
    SIZE_FLAG("--max-connections-per-source", max_connections_per_source),
    SIZE_FLAG("--header-timeout", header_timeout_s),
    SIZE_FLAG("--body-timeout", body_timeout_s),
    SIZE_FLAG("--idle-timeout", idle_timeout_s),
    SIZE_FLAG("--drain-seconds", drain_seconds),
    SIZE_FLAG("--audit-digest-interval", audit_digest_interval_s),
    SIZE_FLAG("--audit-rotate-bytes", audit_rotate_bytes),
    SIZE_FLAG("--audit-retain", audit_retain_days),
    SIZE_FLAG("--rotation-hook-timeout", rotation_hook_timeout_s),
    SIZE_FLAG("--audit-disk-warn-bytes", audit_disk_warn_bytes),
};

/* One flag and its value into cfg; *known false when the flag is none of custos's. */
static cu_rc parse_flag(const char *flag, const char *value, struct config *cfg, bool *known,
                        struct cu_err *err)
{
    char *base = (char *)cfg;

    *known = true;
    if (strcmp(flag, "--listen") == 0)
        return parse_listen(value, cfg, err);
    if (strcmp(flag, "--oidc-jwks") == 0) {
        /* repeatable, unlike the other flags: one per issuer (oidc_keys_add checks it) */
        if (cfg->n_oidc_jwks == ARRAY_LEN(cfg->oidc_jwks))
            return cu_err_set(err, CU_E_VALIDATION, "%s: at most %zu issuers", flag,
                              ARRAY_LEN(cfg->oidc_jwks));
        return set_text(cfg->oidc_jwks[cfg->n_oidc_jwks++], sizeof(cfg->oidc_jwks[0]), flag,
                        value, err);
    }
    if (strcmp(flag, "--rotation-hook") == 0) {
        /* repeatable: one per rotation function it stands for */
        char arn[ROTATION_HOOK_ARN_MAX], command[ROTATION_HOOK_COMMAND_MAX];

        if (cfg->n_rotation_hooks == ARRAY_LEN(cfg->rotation_hooks))
            return cu_err_set(err, CU_E_VALIDATION, "%s: at most %zu hooks", flag,
                              ARRAY_LEN(cfg->rotation_hooks));
        if (rotation_hook_parse(value, arn, command, err) != CU_OK)
            return CU_E_VALIDATION;
        return set_text(cfg->rotation_hooks[cfg->n_rotation_hooks++],
                        sizeof(cfg->rotation_hooks[0]), flag, value, err);
    }
    if (strcmp(flag, "--audit-peer-dir") == 0) {
        /* repeatable: one per other node of the cluster */
        if (cfg->n_audit_peer_dirs == ARRAY_LEN(cfg->audit_peer_dirs))
            return cu_err_set(err, CU_E_VALIDATION, "%s: at most %zu peers", flag,
                              ARRAY_LEN(cfg->audit_peer_dirs));
        return set_text(cfg->audit_peer_dirs[cfg->n_audit_peer_dirs++],
                        sizeof(cfg->audit_peer_dirs[0]), flag, value, err);
    }
    if (strcmp(flag, "--node-id") == 0) {
        if (!audit_node_id_valid(value))
            return cu_err_set(err, CU_E_VALIDATION,
                              "--node-id: 1 to %d letters, digits, '.', '_' or '-', starting "
                              "with a letter or digit", AUDIT_NODE_ID_MAX);
        return set_text(cfg->node_id, sizeof(cfg->node_id), flag, value, err);
    }
    if (strcmp(flag, "--test-clock-offset") == 0)
        return parse_clock_offset(flag, value, cfg, err);
    if (strcmp(flag, "--test-ssm-parameter-quota") == 0)
        return parse_ssm_quota(flag, value, cfg, err);
    if (strcmp(flag, "--test-exit-before-commit") == 0) {
        /* OPERATION: its first mutation ends the process between record and commit, the
         * crash the trail's reconcile is for (audit.h); tests only */
        cu_rc rc = need_test_hooks(flag, err);
        return rc != CU_OK ? rc : set_text(cfg->test_exit_before_commit,
                                           sizeof(cfg->test_exit_before_commit), flag, value, err);
    }
    if (strcmp(flag, "--account-id") == 0) {
        if (!is_account_id(value))
            return cu_err_set(err, CU_E_VALIDATION, "--account-id: expected 12 digits");
        cfg->account_id_given = true;
        return set_text(cfg->account_id, sizeof(cfg->account_id), flag, value, err);
    }
    for (size_t i = 0; i < ARRAY_LEN(text_flags); i++)
        if (strcmp(flag, text_flags[i].name) == 0)
            return set_text(base + text_flags[i].offset, text_flags[i].cap, flag, value, err);
    for (size_t i = 0; i < ARRAY_LEN(size_flags); i++)
        if (strcmp(flag, size_flags[i].name) == 0)
            return parse_size(flag, value, (size_t *)(void *)(base + size_flags[i].offset), err);
    *known = false;
    return CU_OK;
}

/* --regions into cfg->served (every region of the partition when not given); the default
 * --region must be one of them, since unsigned calls and the sweeps start there. */
static cu_rc served_regions(struct config *cfg, struct cu_err *err)
{
    cu_rc rc = CU_OK;

    region_set_all(&cfg->served);
    if (cfg->regions[0])
        TRY(region_set_parse(cfg->regions, &cfg->served, err));
    ENSURE(regions_index(cfg->region) >= 0,
           cu_err_set(err, CU_E_VALIDATION, "--region: '%s' is not a region of the aws partition",
                      cfg->region));
    ENSURE(region_set_has(&cfg->served, cfg->region),
           cu_err_set(err, CU_E_VALIDATION, "--region: '%s' is not one of --regions",
                      cfg->region));
out:
    return rc;
}

cu_rc config_parse(int argc, char **argv, struct config *cfg, struct cu_err *err)
{
    cu_rc rc = CU_OK;

    for (int i = 0; i < argc; i++) {
        const char *flag = argv[i], *value;
        bool known = false;

        ENSURE(i + 1 < argc, cu_err_set(err, CU_E_VALIDATION, "%s: missing value", flag));
        value = argv[++i];
        TRY(parse_flag(flag, value, cfg, &known, err));
        ENSURE(known, cu_err_set(err, CU_E_VALIDATION, "unknown flag %s", flag));
    }
    ENSURE(!cfg->tls_cert[0] == !cfg->tls_key[0],
           cu_err_set(err, CU_E_VALIDATION, "--tls-cert and --tls-key go together"));
    /* the base of the outbound federation issuer URL (services/outbound.h): absolute */
    ENSURE(!cfg->public_url[0] || strncmp(cfg->public_url, "https://", 8) == 0 ||
               strncmp(cfg->public_url, "http://", 7) == 0,
           cu_err_set(err, CU_E_VALIDATION, "--public-url: expected http://... or https://..."));
    TRY(served_regions(cfg, err));
    /* a hook runs as a session of the operator's role: without one it could do nothing */
    ENSURE(!cfg->n_rotation_hooks || strncmp(cfg->rotation_role, "arn:aws:iam::", 13) == 0,
           cu_err_set(err, CU_E_VALIDATION,
                      "--rotation-hook needs --rotation-role arn:aws:iam::ACCOUNT:role/NAME"));
    for (size_t n = strlen(cfg->public_url); n && cfg->public_url[n - 1] == '/'; n--)
        cfg->public_url[n - 1] = '\0';
out:
    return rc;
}
