/* http.c — libmicrohttpd glue: accept, bound the body and headers, serve the health
 * endpoint, and pass everything else to the pipeline as a neutral struct http_req.
 *
 * A small pool of threads, one per core, each running its own epoll loop and answering
 * requests inline: no hand-off between threads on the hot path (thread-per-connection
 * spent most of its time switching contexts). A call that changes state blocks its
 * thread until its audit record is synced; reads never wait. The raw request target (path and query
 * exactly as sent, which SigV4 needs) comes from MHD's URI log callback, which runs
 * before MHD unescapes anything. Bodies past --max-body-bytes are drained, not stored,
 * and answered with a 413 in the protocol's error shape. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/secret.h"
#include "http.h"
#include "listener.h"

#define MAX_HEADERS 128

struct http_server {
    struct MHD_Daemon *daemon;
    struct listener *listener;
    struct pipeline *pl;
    size_t max_body;
    char *tls_cert, *tls_key;
};

/* Per-request state, created by the URI log callback. */
struct exchange {
    char *target;              /* raw request target: path?query */
    struct buf body;
    bool too_large;
    bool headers_seen;         /* MHD's first call carries headers only */
};

struct header_list {
    struct http_header items[MAX_HEADERS];
    size_t n;
    bool overflow;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct http_server *h = cls;
    struct exchange *x = calloc(1, sizeof(*x));

    if (!x)
        return NULL;
    x->target = strdup(uri ? uri : "/");
    /* bodies carry plaintexts (Encrypt) and secrets: wiped when the exchange ends */
    buf_init_sensitive(&x->body, h->max_body);
    return x;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct exchange *x = *con_cls;

    if (!x)
        return;
    free(x->target);
    buf_release(&x->body);
    free(x);
    *con_cls = NULL;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct header_list *list = cls;

    if (list->n == MAX_HEADERS) {
        list->overflow = true;
        return MHD_NO;
    }
    list->items[list->n++] = (struct http_header){key, value ? value : ""};
    return MHD_YES;
}

/* Free callback for response bodies: wipe first, since a Decrypt answer holds plaintext. */
struct body_owner {
    char *p;
    size_t n;
};

static void wipe_body(void *cls)
{
    struct body_owner *o = cls;

    buf_free_sensitive(o->p, o->n);
    free(o);
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct proto_response *resp)
{
    struct body_owner *o = malloc(sizeof(*o));
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (!o) {
        proto_response_release(resp);
        return MHD_NO;
    }
    o->p = buf_take(&resp->body, &o->n);
    r = MHD_create_response_from_buffer_with_free_callback_cls(o->n, o->p, wipe_body, o);
    if (!r) {
        wipe_body(o);
        return MHD_NO;
    }
    if (resp->content_type)
        MHD_add_response_header(r, "Content-Type", resp->content_type);
    /* SDKs read the request id from this header (boto3's ResponseMetadata.RequestId) */
    if (resp->request_id[0])
        MHD_add_response_header(r, "x-amzn-RequestId", resp->request_id);
    ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_health(struct http_server *h, struct MHD_Connection *c)
{
    struct proto_response resp;

    pipeline_health(h->pl, &resp);
    return send_response(c, &resp);
}

/* Per connection: the client's address as text, made once when it connects rather than
 * for every request on a kept-alive connection. */
struct peer {
    char address[INET6_ADDRSTRLEN + 1];
};

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    const union MHD_ConnectionInfo *info;
    const struct sockaddr *sa;
    struct peer *p;

    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        free(*socket_context);
        *socket_context = NULL;
        return;
    }
    p = calloc(1, sizeof(*p));
    *socket_context = p;
    info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    sa = info ? info->client_addr : NULL;
    if (!p || !sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, p->address,
                  sizeof(p->address));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, p->address,
                  sizeof(p->address));
}

static const char *peer_address(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    const struct peer *p = info ? info->socket_context : NULL;

    return p ? p->address : "";
}

/* Body still arriving: keep it while within the limit, drain it past the limit. */
static void take_upload(struct exchange *x, const char *data, size_t *size)
{
    if (!x->too_large && buf_add(&x->body, data, *size) != CU_OK) {
        x->too_large = true;
        buf_release(&x->body);
    }
    *size = 0;
}

static bool declared_too_large(struct MHD_Connection *c, size_t limit)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    char *end = NULL;
    unsigned long long n;

    if (!cl)
        return false;
    n = strtoull(cl, &end, 10);
    return end && *end == '\0' && n > limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct http_server *h = cls;
    struct exchange *x = *con_cls;
    struct header_list headers = {0};
    struct proto_response resp = {0};
    struct http_req req = {0};
    char *query;
    const union MHD_ConnectionInfo *tls;

    if (!x || !x->target)
        return MHD_NO;
    if (!x->headers_seen) {
        x->headers_seen = true;
        /* a body declared too large is refused before any of it is read */
        if (!declared_too_large(c, h->max_body))
            return MHD_YES;
        x->too_large = true;
    } else if (*upload_data_size) {
        take_upload(x, upload_data, upload_data_size);
        return MHD_YES;
    }
    if (strcmp(method, "GET") == 0 && strcmp(x->target, "/_custos/health") == 0)
        return send_health(h, c);
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &headers);
    tls = MHD_get_connection_info(c, MHD_CONNECTION_INFO_PROTOCOL);
    query = strchr(x->target, '?');
    if (query)
        *query++ = '\0';
    req = (struct http_req){.method = method,
                            .path = x->target,
                            .query = query ? query : "",
                            .headers = headers.items,
                            .n_headers = headers.n,
                            .body = buf_bytes(&x->body),
                            .source_ip = peer_address(c),
                            .tls = h->tls_cert && tls != NULL};
    if (headers.overflow)
        pipeline_refuse(h->pl, &req, CU_E_HEADER_TOO_LARGE, "Too many request headers.", &resp);
    else if (x->too_large)
        pipeline_refuse(h->pl, &req, CU_E_PAYLOAD_TOO_LARGE,
                        "Request body exceeds the configured limit.", &resp);
    else
        pipeline_handle(h->pl, &req, &resp);
    return send_response(c, &resp);
}

/* MHD's per-connection pool holds the request line and headers; it is cleared for every
 * request, so it is kept just large enough for --max-header-bytes (which the pipeline
 * enforces with a proper error) plus room for MHD's own bookkeeping. */
static size_t pool_bytes(const struct config *cfg)
{
    return cfg->max_header_bytes + 8192;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t n;

    if (!f)
        return NULL;
    buf_init_sensitive(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_add(&b, chunk, n) != CU_OK) {
            fclose(f);
            buf_release(&b);
            return NULL;
        }
    }
    fclose(f);
    secret_wipe(chunk, sizeof(chunk));
    return buf_take(&b, NULL);
}

static cu_rc resolve_listen(const struct config *cfg, struct sockaddr_storage *ss,
                            struct cu_err *err)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char port[16];

    snprintf(port, sizeof(port), "%d", cfg->port);
    if (getaddrinfo(cfg->listen_host, port, &hints, &res) != 0 || !res)
        return cu_err_set(err, CU_E_VALIDATION, "--listen: cannot resolve '%s'", cfg->listen_host);
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return CU_OK;
}

cu_rc http_start(const struct config *cfg, struct pipeline *pl, struct http_server **out,
                 struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct http_server *h = calloc(1, sizeof(*h));
    struct sockaddr_storage ss = {0};
    struct cu_err why = {0};
    /* listener.c accepts and hands connections over (MHD_add_connection needs the ITC) */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    unsigned threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);

    ENSURE(h, CU_E_NOMEM);
    h->pl = pl;
    h->max_body = cfg->max_body_bytes;
    TRY(resolve_listen(cfg, &ss, err));
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert[0]) {
        h->tls_cert = read_file(cfg->tls_cert);
        h->tls_key = read_file(cfg->tls_key);
        ENSURE(h->tls_cert && h->tls_key,
               cu_err_set(err, CU_E_VALIDATION, "cannot read --tls-cert / --tls-key"));
        flags |= MHD_USE_TLS;
        h->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, h,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool_bytes(cfg),
            MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_THREAD_POOL_SIZE, threads < 2 ? 2u : threads,
            MHD_OPTION_HTTPS_MEM_CERT, h->tls_cert,
            MHD_OPTION_HTTPS_MEM_KEY, h->tls_key, MHD_OPTION_END);
    } else {
        h->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, h,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
            MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool_bytes(cfg),
            MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_THREAD_POOL_SIZE,
            threads < 2 ? 2u : threads, MHD_OPTION_END);
    }
    ENSURE(h->daemon, cu_err_set(err, CU_E_INTERNAL, "cannot start the HTTP server"));
    if (listener_start((struct sockaddr *)&ss,
                       ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                : sizeof(struct sockaddr_in),
                       h->daemon, &h->listener, &why) != CU_OK) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot listen on %s:%d: %s", cfg->listen_host,
                        cfg->port, why.msg);
        goto out;
    }
    *out = h;
    h = NULL;
out:
    http_stop(h);
    return rc;
}

void http_stop(struct http_server *h)
{
    if (!h)
        return;
    listener_stop(h->listener);
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    if (h->tls_key)
        buf_free_sensitive(h->tls_key, strlen(h->tls_key));
    free(h->tls_cert);
    free(h);
}
