/* http_conn.h — one HTTP/1.1 connection: bytes in, requests parsed (http_parse.c) and
 * answered inline by the pipeline, bytes out; keep-alive, pipelining, 100-continue,
 * deadlines. Driven by its worker's epoll loop (http_worker.c), which owns it. */
#ifndef CU_SERVER_HTTP_CONN_H
#define CU_SERVER_HTTP_CONN_H

#include <sys/socket.h>

#include "http_io.h"
#include "http_parse.h"
#include "http_response.h"
#include "pipeline.h"

struct listener;

/* What every connection of a server shares; owned by http.c. */
struct http_ctx {
    struct pipeline *pl;
    struct http_limits lim;
    SSL_CTX *tls;                   /* NULL: plain HTTP */
    int64_t header_timeout_ms;      /* a request's first byte to its complete head */
    int64_t body_timeout_ms;        /* complete head to complete body */
    int64_t idle_timeout_ms;        /* between requests, and for a stalled response */
    struct listener *listener;      /* told when a connection ends (its limits) */
};

struct http_conn;

/* A connection for fd (non-blocking, accepted from peer; its per-source slot already
 * counted by the listener). NULL when out of memory; fd is then still the caller's. */
struct http_conn *http_conn_new(const struct http_ctx *ctx, int fd,
                                const struct sockaddr_storage *peer, int64_t now_ms);

/* Handle epoll events (EPOLLIN/OUT/HUP/ERR bits); answers every complete request. dates
 * is the worker's Date cache. Returns false when the connection is over: free it.
 *
 * With defer, the first response the call produces is queued but not written: the call
 * returns true with http_conn_deferred(c) set, and the worker calls again (defer false,
 * events 0) once it has handled its other ready connections, to write it and go on. */
bool http_conn_on_event(struct http_conn *c, uint32_t events, int64_t now_ms,
                        struct http_date *dates, bool defer);

/* A response is queued and waits for the worker's second call (see above). */
bool http_conn_deferred(const struct http_conn *c);

/* The epoll events the connection waits for now. */
uint32_t http_conn_events(const struct http_conn *c);

/* When the connection's current deadline passes (ms since the epoch); past it, free it. */
int64_t http_conn_deadline(const struct http_conn *c);

/* The server is stopping: read what the client already sent; a connection with nothing in
 * progress ends now (returns false: free it), any other answers its request with
 * Connection: close and then ends. */
bool http_conn_drain(struct http_conn *c, int64_t now_ms, struct http_date *dates);

int http_conn_fd(const struct http_conn *c);
/* The worker's bookkeeping: the connection's index in its table. */
size_t *http_conn_slot(struct http_conn *c);

/* Close the socket, wipe the buffers, release the listener's count; NULL-safe. */
void http_conn_free(struct http_conn *c);

#endif
