/* config.c — `custos serve` flags into struct config (DESIGN.md "The contract"). Every
 * flag takes one value; a flag given twice keeps the last value, as most daemons do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->port = 4599;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./data");
    snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
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

cu_rc config_parse(int argc, char **argv, struct config *cfg, struct cu_err *err)
{
    cu_rc rc = CU_OK;

    for (int i = 0; i < argc; i++) {
        const char *flag = argv[i], *value;

        ENSURE(i + 1 < argc, cu_err_set(err, CU_E_VALIDATION, "%s: missing value", flag));
        value = argv[++i];
        if (strcmp(flag, "--listen") == 0) {
            TRY(parse_listen(value, cfg, err));
        } else if (strcmp(flag, "--data-dir") == 0) {
            TRY(set_text(cfg->data_dir, sizeof(cfg->data_dir), flag, value, err));
        } else if (strcmp(flag, "--region") == 0) {
            TRY(set_text(cfg->region, sizeof(cfg->region), flag, value, err));
        } else if (strcmp(flag, "--account-id") == 0) {
            ENSURE(is_account_id(value),
                   cu_err_set(err, CU_E_VALIDATION, "--account-id: expected 12 digits"));
            TRY(set_text(cfg->account_id, sizeof(cfg->account_id), flag, value, err));
            cfg->account_id_given = true;
        } else if (strcmp(flag, "--tls-cert") == 0) {
            TRY(set_text(cfg->tls_cert, sizeof(cfg->tls_cert), flag, value, err));
        } else if (strcmp(flag, "--tls-key") == 0) {
            TRY(set_text(cfg->tls_key, sizeof(cfg->tls_key), flag, value, err));
        } else if (strcmp(flag, "--store") == 0) {
            TRY(set_text(cfg->store_url, sizeof(cfg->store_url), flag, value, err));
        } else if (strcmp(flag, "--master-key-file") == 0) {
            TRY(set_text(cfg->master_key_file, sizeof(cfg->master_key_file), flag, value, err));
        } else if (strcmp(flag, "--max-body-bytes") == 0) {
            TRY(parse_size(flag, value, &cfg->max_body_bytes, err));
        } else if (strcmp(flag, "--max-header-bytes") == 0) {
            TRY(parse_size(flag, value, &cfg->max_header_bytes, err));
        } else if (strcmp(flag, "--unauth-rate") == 0) {
            TRY(parse_size(flag, value, &cfg->unauth_rate, err));
        } else if (strcmp(flag, "--unauth-burst") == 0) {
            TRY(parse_size(flag, value, &cfg->unauth_burst, err));
        } else if (strcmp(flag, "--max-connections") == 0) {
            TRY(parse_size(flag, value, &cfg->max_connections, err));
        } else if (strcmp(flag, "--max-connections-per-source") == 0) {
            TRY(parse_size(flag, value, &cfg->max_connections_per_source, err));
        } else if (strcmp(flag, "--header-timeout") == 0) {
            TRY(parse_size(flag, value, &cfg->header_timeout_s, err));
        } else if (strcmp(flag, "--body-timeout") == 0) {
            TRY(parse_size(flag, value, &cfg->body_timeout_s, err));
        } else if (strcmp(flag, "--idle-timeout") == 0) {
            TRY(parse_size(flag, value, &cfg->idle_timeout_s, err));
        } else if (strcmp(flag, "--drain-seconds") == 0) {
            TRY(parse_size(flag, value, &cfg->drain_seconds, err));
        } else {
            rc = cu_err_set(err, CU_E_VALIDATION, "unknown flag %s", flag);
            goto out;
        }
    }
    ENSURE(!cfg->tls_cert[0] == !cfg->tls_key[0],
           cu_err_set(err, CU_E_VALIDATION, "--tls-cert and --tls-key go together"));
out:
    return rc;
}
