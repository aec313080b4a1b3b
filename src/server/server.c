/* server.c — start-up and shut-down in a fixed order (DESIGN.md, STYLE R9):
 *
 *   secure heap -> OIDC key sets -> master key -> no core dumps -> store -> audit writer
 *   -> reconcile the trail with the store -> bootstrap -> caches -> listen ... signal
 *   (SIGHUP: re-read the key sets) ... stop listening -> flush audit -> close store
 *
 * The trail is reconciled (audit_reconcile, audit.h) before anything can commit, bootstrap
 * included: a record whose commit seq is above the store's last one is then known not to
 * have taken effect.
 *
 * Nothing listens until everything a request needs is in place, and nothing is torn
 * down while a request may still use it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "audit/sealer.h"
#include "auth/identity_cache.h"
#include "auth/key_usage.h"
#include "auth/kms_key_usage.h"
#include "auth/principal.h"
#include "auth/saml_response.h"
#include "authorize.h"
#include "bootstrap.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/tree.h"
#include "crypto/master_key.h"
#include "audit/node_id.h"
#include "audit/trail_set.h"
#include "crypto/trail_key.h"
#include "http.h"
#include "key_sweeper.h"
#include "metrics.h"
#include "model/model.h"
#include "server.h"
#include "unauth_limit.h"

/* Secure-heap size: backing keys, cached secrets and in-flight plaintexts. */
#define SECURE_HEAP_BYTES (8u << 20)

struct server {
    struct config cfg;
    char account_id[13];
    struct master_key *master_key;
    struct store *store;
    struct pipeline pl;
    struct http_server *http;
    struct oidc_keys *oidc_keys; /* --oidc-jwks: the OIDC issuers' key sets */
    struct key_sweeper *key_sweeper;
    struct rotation_hooks *rotation_hooks;
    struct trail_key *trail_key;  /* signs the trail's digests */
    struct trail_set *trail_set; /* CloudTrail LookupEvents' indexes: this node's trail, peers' */
    struct audit_sealer *sealer;
};

static cu_rc make_data_dir(const char *dir, struct cu_err *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cu_err_set(err, CU_E_INTERNAL, "cannot create data directory %s", dir);
    return CU_OK;
}

/* The URL clients reach this node at: --public-url, else the listen address. */
static void public_url(struct server *s)
{
    const char *scheme = s->cfg.tls_cert[0] ? "https" : "http";
    bool v6 = strchr(s->cfg.listen_host, ':') != NULL;

    if (s->cfg.public_url[0])
        return;
    snprintf(s->cfg.public_url, sizeof(s->cfg.public_url), "%s://%s%s%s:%d", scheme,
             v6 ? "[" : "", s->cfg.listen_host, v6 ? "]" : "", s->cfg.port);
}

static void endpoint_banner(const struct server *s)
{
    const char *scheme = s->cfg.tls_cert[0] ? "https" : "http";
    bool v6 = strchr(s->cfg.listen_host, ':') != NULL;

    printf("export AWS_ENDPOINT_URL=%s://%s%s%s:%d\n", scheme, v6 ? "[" : "",
           s->cfg.listen_host, v6 ? "]" : "", s->cfg.port);
    printf("# custos: serving account %s in %s\n", s->account_id, s->cfg.region);
    fflush(stdout);
}

/* The errorCode of an internal failure in the protocol the service speaks, for the
 * records audit_reconcile() writes (the pipeline names it the same way). */
static const char *internal_code(const char *service)
{
    for (const struct service_model *const *m = model_services; *m; m++)
        if (strcmp((*m)->id, service) == 0)
            return cu_code_name(CU_E_INTERNAL, (*m)->protocol != MODEL_QUERY);
    return cu_code_name(CU_E_INTERNAL, true);
}

/* The access key usage flush interval: KEY_USAGE_FLUSH_ENV's milliseconds when set to a
 * positive number (tests), else KEY_USAGE_FLUSH_MS. */
static int64_t key_usage_interval(void)
{
    const char *v = getenv(KEY_USAGE_FLUSH_ENV);
    char *end = NULL;
    long long ms = v ? strtoll(v, &end, 10) : 0;

    if (!v || end == v || *end || ms <= 0)
        return KEY_USAGE_FLUSH_MS;
    return (int64_t)ms;
}

/* The trail: its signing key (sealed under the master key), the sealer (which seals what
 * a crash left unsealed and knows the chain's head), then the writer going on from that
 * head. The sealer's thread starts after reconcile, so reconcile's records are in the
 * live file when it looks. */
static cu_rc start_trail(struct server *s, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char trail_dir[1100], head[AUDIT_HASH_HEX + 1];
    struct audit_sealer_options o = {.data_dir = s->cfg.data_dir,
                                     .digest_interval_s = (int64_t)s->cfg.audit_digest_interval_s,
                                     .rotate_bytes = (int64_t)s->cfg.audit_rotate_bytes,
                                     .retain_days = (int64_t)s->cfg.audit_retain_days,
                                     .disk_warn_bytes = (uint64_t)s->cfg.audit_disk_warn_bytes};

    snprintf(trail_dir, sizeof(trail_dir), "%s/%s", s->cfg.data_dir, AUDIT_TRAIL_SUBDIR);
    ENSURE(mkdir(trail_dir, 0700) == 0 || errno == EEXIST,
           cu_err_set(err, CU_E_STORE, "cannot create %s: %s", trail_dir, strerror(errno)));
    TRY(trail_key_load_or_create(s->master_key, trail_dir, &s->trail_key, err));
    o.key = s->trail_key;
    TRY(audit_sealer_open(&o, &s->sealer, err));
    audit_sealer_head(s->sealer, head);
    TRY(audit_writer_start_chained(s->cfg.data_dir, head, &s->pl.audit, err));
    s->pl.sealer = s->sealer;
out:
    return rc;
}

/* The node's trail name (kept in DIR/audit-trail, where peers read it), then the index of
 * its trail and of its peers' (audit/trail_set.h). */
static cu_rc start_trail_set(struct server *s, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char node[AUDIT_NODE_ID_MAX + 1];
    const char *peers[ARRAY_LEN(s->cfg.audit_peer_dirs)];

    if (s->cfg.node_id[0])
        str_copy(node, sizeof(node), s->cfg.node_id);
    else
        audit_node_id_read(s->cfg.data_dir, node);
    if (!node[0])
        audit_node_id_default(s->cfg.data_dir, node);
    TRY(audit_node_id_write(s->cfg.data_dir, node, err));
    store_set_node(s->store, node);
    for (size_t i = 0; i < s->cfg.n_audit_peer_dirs; i++)
        peers[i] = s->cfg.audit_peer_dirs[i];
    TRY(trail_set_new(s->cfg.data_dir, node, peers, s->cfg.n_audit_peer_dirs, &s->trail_set,
                      err));
    log_info("audit: node %s, LookupEvents over %zu trail(s)", node,
             trail_set_size(s->trail_set));
out:
    return rc;
}

/* Settle the records of calls a crash cut off between their record and their commit
 * (audit_reconcile), against the last seq this node committed. */
static cu_rc reconcile_trail(struct server *s, size_t *n, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    uint64_t mine = 0;
    bool kept = false;

    if (store_node_seq(s->store, &mine, &kept) != CU_OK)
        return cu_err_set(err, CU_E_STORE, "cannot read this node's last commit from the "
                                           "store (see the log)");
    if (!kept)
        log_info("audit: the store keeps no last commit of this node yet: its trail is "
                 "reconciled with the store's last seq");
    TRY(audit_reconcile(s->pl.audit, s->cfg.data_dir, mine, store_last_seq(s->store),
                        internal_code, n, err));
out:
    return rc;
}

cu_rc server_start(const struct config *cfg, struct server **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct server *s = calloc(1, sizeof(*s));
    char key_path[1100];
    size_t reconciled = 0;

    ENSURE(s, CU_E_NOMEM);
    s->cfg = *cfg;
    public_url(s);
    if (cfg->test_clock_offset_s) {
        log_warn("test hook: the clock runs %lld s off the real one", (long long)cfg->test_clock_offset_s);
        clock_set_offset_ms(cfg->test_clock_offset_s * 1000);
    }
    if (secret_heap_init(SECURE_HEAP_BYTES) != CU_OK)
        log_warn("secure heap unavailable (mlock limit?): secrets use the normal heap, wiped");
    tree_init_allocator();
    /* libxml2 and xmlsec keep global state: set up once, before any worker thread parses */
    if (saml_response_init() != CU_OK)
        log_error("xmlsec did not start: AssumeRoleWithSAML will answer ServiceFailure");
    /* the operator's key files first: a bad one stops the start before anything is made */
    TRY(oidc_keys_new(&s->oidc_keys));
    for (size_t i = 0; i < cfg->n_oidc_jwks; i++)
        TRY(oidc_keys_add(s->oidc_keys, cfg->oidc_jwks[i], err));
    TRY(make_data_dir(cfg->data_dir, err));
    if (cfg->master_key_file[0])
        snprintf(key_path, sizeof(key_path), "%s", cfg->master_key_file);
    else
        snprintf(key_path, sizeof(key_path), "%s/master.key", cfg->data_dir);
    TRY(master_key_load_or_create(key_path, &s->master_key, err));
    prctl(PR_SET_DUMPABLE, 0);
    TRY(store_open(cfg->store_url[0] ? cfg->store_url : cfg->data_dir, &s->store, err));
    TRY(start_trail(s, err));
    TRY(start_trail_set(s, err));
    TRY(reconcile_trail(s, &reconciled, err));
    TRY(audit_sealer_run(s->sealer, s->pl.audit));
    if (reconciled)
        log_warn("audit: %zu recorded call(s) did not take effect (an unclean stop)", reconciled);
    TRY(bootstrap_run(cfg, s->store, s->master_key, s->account_id, err));
    TRY(principal_cache_new(&s->pl.principals));
    TRY(identity_cache_new(&s->pl.identities));
    TRY(metrics_new(&s->pl.metrics));
    TRY(key_usage_start(s->store, key_usage_interval(), &s->pl.key_usage));
    TRY(kms_key_usage_start(s->store, key_usage_interval(), &s->pl.kms_key_usage));
    TRY(unauth_limit_new((double)cfg->unauth_rate, (double)cfg->unauth_burst,
                         UNAUTH_FLUSH_INTERVAL_MS, &s->pl.unauth));
    s->pl.env = (struct call_env){.store = s->store,
                                  .master_key = s->master_key,
                                  .region = s->cfg.region,
                                  .regions = &s->cfg.served,
                                  .account_id = s->account_id,
                                  .data_dir = s->cfg.data_dir,
                                  .oidc_keys = s->oidc_keys,
                                  .public_url = s->cfg.public_url,
                                  .ssm_parameter_quota = s->cfg.test_ssm_parameter_quota,
                                  .aws_managed_key = key_sweeper_make_aws_managed,
                                  .aws_managed_ctx = s->pl.audit,
                                  .trail_set = s->trail_set};
    s->pl.max_header_bytes = cfg->max_header_bytes;
    if (s->cfg.test_exit_before_commit[0]) {
        log_warn("test hook: the first %s ends custos between its record and its commit",
                 s->cfg.test_exit_before_commit);
        s->pl.test_exit_before_commit = s->cfg.test_exit_before_commit;
    }
    TRY(key_sweeper_start(&s->pl.env, s->pl.audit, KEY_SWEEP_MS, &s->key_sweeper));
    TRY(http_start(&s->cfg, &s->pl, &s->http, err));
    /* after the listener: a hook calls back into custos from the worker's first pass */
    TRY(rotation_hooks_start(&s->pl.env, s->pl.audit, (const void *)s->cfg.rotation_hooks,
                             s->cfg.n_rotation_hooks, s->cfg.rotation_role,
                             s->cfg.rotation_hook_timeout_s, &s->rotation_hooks, err));
    endpoint_banner(s);
    *out = s;
    s = NULL;
out:
    server_stop(s);
    return rc;
}

void server_run_until_signal(struct server *s)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* SIGHUP re-reads the OIDC key sets, as daemons reread their configuration on it */
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        size_t failed = oidc_keys_reload(s->oidc_keys);
        log_info("SIGHUP: OIDC key sets re-read, %zu failed (kept as they were)", failed);
    }
    log_info("signal %d: shutting down", sig);
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    rotation_hooks_stop(s->rotation_hooks); /* before the listener its hooks call */
    http_stop(s->http);
    key_sweeper_stop(s->key_sweeper);
    if (s->pl.audit)
        pipeline_flush_suppressed(&s->pl, clock_now_ms());
    key_usage_stop(s->pl.key_usage); /* no request notes any more: write what is left */
    kms_key_usage_stop(s->pl.kms_key_usage);
    audit_sealer_stop(s->sealer);    /* the shutdown digest: seals the live file */
    audit_writer_stop(s->pl.audit);
    trail_key_free(s->trail_key);
    trail_set_free(s->trail_set);
    unauth_limit_free(s->pl.unauth);
    identity_cache_free(s->pl.identities);
    metrics_free(s->pl.metrics);
    principal_cache_free(s->pl.principals);
    oidc_keys_free(s->oidc_keys);
    store_close(s->store);
    master_key_free(s->master_key);
    free(s);
}
