/* server.h — the running server: configuration, the shared state every request uses,
 * and the entry points main.c calls. */
#ifndef CU_SERVER_H
#define CU_SERVER_H

#include "auth/oidc_keys.h"
#include "core/err.h"
#include "core/regions.h"
#include "rotation_hooks.h"
#include "services/call.h"

struct config {
    char listen_host[256];
    int port;
    char data_dir[1024];
    char region[64];              /* --region: the default (unsigned calls, the banner) */
    char regions[REGIONS_LIST_MAX]; /* --regions LIST as given; "" = every region */
    struct region_set served;     /* the regions served: --regions, else all (regions.c) */
    char account_id[13];
    bool account_id_given;        /* --account-id on the command line */
    char tls_cert[1024], tls_key[1024];
    char store_url[1024];         /* "" = SQLite in data_dir */
    char master_key_file[1024];   /* "" = data_dir/master.key */
    char public_url[512];         /* --public-url; "" = http(s)://<listen> */
    size_t max_body_bytes;
    size_t max_header_bytes;      /* default 8 KiB */
    size_t unauth_rate;           /* unauthenticated requests a second per source (20) */
    size_t unauth_burst;          /* ... and the bucket they may burst to (100) */
    size_t max_connections;       /* 0: 10000, kept below the open-file limit */
    size_t max_connections_per_source;   /* 0: --max-connections */
    size_t header_timeout_s;      /* a request's first byte to its complete head */
    size_t body_timeout_s;        /* complete head to complete body */
    size_t idle_timeout_s;        /* keep-alive connection with no request */
    size_t drain_seconds;         /* at SIGTERM, for requests in progress to finish */
    size_t audit_digest_interval_s; /* a signed digest (and rotation) this often (3600) */
    size_t audit_rotate_bytes;    /* rotate the live trail file past this size (16 MiB) */
    size_t audit_retain_days;     /* remove sealed log files older than this (0: keep) */
    size_t audit_disk_warn_bytes; /* health and metrics warn below this much free space (1 GiB) */
    char node_id[65];             /* --node-id: this node's trail name (audit/node_id.h); "":
                                   * the one DIR keeps, else derived from host and DIR */
    /* --audit-peer-dir DIR, each: another node's data dir (shared, read-only is enough)
     * whose trail LookupEvents searches too (audit/trail_set.h) */
    char audit_peer_dirs[7][1024];
    size_t n_audit_peer_dirs;
    int64_t test_clock_offset_s;  /* --test-clock-offset: tests only (CUSTOS_TEST_HOOKS=1) */
    size_t test_ssm_parameter_quota; /* --test-ssm-parameter-quota: tests only (0: AWS's) */
    char test_exit_before_commit[64]; /* --test-exit-before-commit OPERATION: tests only */
    char oidc_jwks[OIDC_KEYS_MAX_ISSUERS][3200]; /* --oidc-jwks ISSUER_URL=JWKS_FILE, each */
    size_t n_oidc_jwks;
    /* --rotation-hook ARN=COMMAND, each (rotation_hooks.h) */
    char rotation_hooks[ROTATION_HOOKS_MAX][ROTATION_HOOK_ARN_MAX + ROTATION_HOOK_COMMAND_MAX];
    size_t n_rotation_hooks;
    char rotation_role[ROTATION_HOOK_ARN_MAX]; /* --rotation-role: the hooks' role */
    size_t rotation_hook_timeout_s;            /* --rotation-hook-timeout: a step's limit (60) */
};

/* Defaults: 127.0.0.1:4599, ./data, us-east-1, every region of the aws partition served,
 * account 000000000000, 1 MiB bodies. */
void config_defaults(struct config *cfg);
/* Parse `serve` flags (argv[0] is the first flag). Unknown or malformed flags fail with
 * CU_E_VALIDATION and a message for the operator. */
MUST_CHECK cu_rc config_parse(int argc, char **argv, struct config *cfg, struct cu_err *err);

struct server;

/* Bring the server up in DESIGN.md's order: master key, secure heap, no core dumps, store,
 * first-start bootstrap (account, root credentials), then listen. */
MUST_CHECK cu_rc server_start(const struct config *cfg, struct server **out, struct cu_err *err);
/* Block until SIGTERM or SIGINT, then stop accepting, finish, flush the audit trail. Each
 * SIGHUP meanwhile re-reads the --oidc-jwks files (oidc_keys_reload). */
void server_run_until_signal(struct server *srv);
void server_stop(struct server *srv);

#endif
