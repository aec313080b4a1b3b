/* http.c — the HTTP server's assembly: limits from the configuration, the TLS context,
 * one worker per core (at least two), the listener; and the drain at stop.
 *
 * A request is answered on the worker thread that read it: no hand-off between threads on
 * the hot path. A call that changes state blocks its worker until its audit record is
 * synced (the pipeline's rule); reads never wait. Stop order: the listener first (so no
 * new connection arrives, while those the kernel already completed are still taken), then
 * the workers drain, then the shared state goes. */
#include "http.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/log.h"
#include "http_worker.h"
#include "listener.h"

/* Descriptors kept for everything but client connections: store, audit trail, epoll and
 * eventfds, the spare the listener sheds load with. */
#define FD_RESERVE 128
#define DEFAULT_MAX_CONNECTIONS 10000
#define MAX_WORKERS 64

struct http_server {
    struct http_ctx ctx;
    struct listener *listener;
    struct http_worker *workers[MAX_WORKERS];
    size_t n_workers;
    int64_t drain_ms;
};

/* Raise the soft open-file limit to the hard one; returns the soft limit in force. */
static size_t raise_fd_limit(void)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return 1024;
    if (r.rlim_cur < r.rlim_max) {
        rlim_t was = r.rlim_cur;

        r.rlim_cur = r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &r) != 0)
            r.rlim_cur = was;
    }
    return r.rlim_cur == RLIM_INFINITY ? (size_t)1 << 20 : (size_t)r.rlim_cur;
}

/* --max-connections (0: chosen here) kept below the descriptors there are. */
static void connection_limits(const struct config *cfg, struct listener_limits *lim)
{
    size_t fds = raise_fd_limit();
    size_t room = fds > FD_RESERVE + 16 ? fds - FD_RESERVE : 16;

    lim->max_connections = cfg->max_connections ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
    if (lim->max_connections > room) {
        if (cfg->max_connections)
            log_warn("--max-connections %zu: only %zu descriptors are available, using %zu",
                     cfg->max_connections, fds, room);
        lim->max_connections = room;
    }
    lim->max_per_source = cfg->max_connections_per_source;
    if (!lim->max_per_source || lim->max_per_source > lim->max_connections)
        lim->max_per_source = lim->max_connections;
}

static cu_rc resolve_listen(const struct config *cfg, struct sockaddr_storage *ss,
                            socklen_t *len, struct cu_err *err)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char port[16];

    snprintf(port, sizeof(port), "%d", cfg->port);
    if (getaddrinfo(cfg->listen_host, port, &hints, &res) != 0 || !res)
        return cu_err_set(err, CU_E_VALIDATION, "--listen: cannot resolve '%s'", cfg->listen_host);
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    return CU_OK;
}

static size_t worker_count(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (cores < 2)
        return 2;
    return cores > MAX_WORKERS ? MAX_WORKERS : (size_t)cores;
}

cu_rc http_start(const struct config *cfg, struct pipeline *pl, struct http_server **out,
                 struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct http_server *h = calloc(1, sizeof(*h));
    struct sockaddr_storage ss = {0};
    socklen_t ss_len = 0;
    struct listener_limits lim;
    struct cu_err why = {0};

    ENSURE(h, CU_E_NOMEM);
    h->ctx = (struct http_ctx){
        .pl = pl,
        .lim = {.max_header_bytes = cfg->max_header_bytes, .max_body_bytes = cfg->max_body_bytes},
        .header_timeout_ms = (int64_t)cfg->header_timeout_s * 1000,
        .body_timeout_ms = (int64_t)cfg->body_timeout_s * 1000,
        .idle_timeout_ms = (int64_t)cfg->idle_timeout_s * 1000};
    h->drain_ms = (int64_t)cfg->drain_seconds * 1000;
    connection_limits(cfg, &lim);
    TRY(resolve_listen(cfg, &ss, &ss_len, err));
    if (cfg->tls_cert[0])
        TRY(http_io_tls_new(cfg->tls_cert, cfg->tls_key, &h->ctx.tls, err));
    if (listener_open((struct sockaddr *)&ss, ss_len, &lim, &h->listener, &why) != CU_OK) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot listen on %s:%d: %s", cfg->listen_host,
                        cfg->port, why.msg);
        goto out;
    }
    h->ctx.listener = h->listener;
    for (size_t i = worker_count(); h->n_workers < i; h->n_workers++)
        ENSURE(http_worker_start(&h->ctx, &h->workers[h->n_workers]) == CU_OK,
               cu_err_set(err, CU_E_INTERNAL, "cannot start the HTTP workers"));
    ENSURE(listener_run(h->listener, h->workers, h->n_workers) == CU_OK,
           cu_err_set(err, CU_E_INTERNAL, "cannot start the accept thread"));
    *out = h;
    h = NULL;
out:
    http_stop(h);
    return rc;
}

void http_stop(struct http_server *h)
{
    int64_t deadline;

    if (!h)
        return;
    listener_stop(h->listener);
    deadline = http_worker_now_ms() + h->drain_ms;
    for (size_t i = 0; i < h->n_workers; i++)
        http_worker_drain(h->workers[i], deadline);
    for (size_t i = 0; i < h->n_workers; i++)
        http_worker_free(h->workers[i]);
    listener_free(h->listener);
    SSL_CTX_free(h->ctx.tls);
    free(h);
}
