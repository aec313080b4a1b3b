/* listener.h — the listening socket, the thread that accepts on it, and the connection
 * limits enforced there, before any HTTP machinery sees a socket: a global limit and one
 * per source address. A connection past either is accepted and closed at once, so the
 * kernel's backlog never fills with connections nobody will serve. Accepted connections
 * go to the workers (http_worker.c) in turn; a connection keeps its worker. */
#ifndef CU_SERVER_LISTENER_H
#define CU_SERVER_LISTENER_H

#include <sys/socket.h>

#include "core/cu.h"
#include "core/err.h"

struct listener;
struct http_worker;

struct listener_limits {
    size_t max_connections;         /* open at once, all sources */
    size_t max_per_source;          /* open at once from one address */
};

/* Bind and listen on addr (no thread yet: listener_run starts accepting). */
MUST_CHECK cu_rc listener_open(const struct sockaddr *addr, socklen_t addr_len,
                               const struct listener_limits *lim, struct listener **out,
                               struct cu_err *err);

/* Accept in a thread of its own, handing connections to workers[0..n) in turn. The
 * workers must outlive the listener's thread (listener_stop). */
MUST_CHECK cu_rc listener_run(struct listener *l, struct http_worker **workers, size_t n);

/* A connection that was counted against the limits has ended. Thread-safe. */
void listener_release(struct listener *l, const struct sockaddr_storage *peer);

/* Stop accepting: connections the kernel has already completed are still accepted and
 * handed over (their requests were sent; they get answers), then the socket is closed
 * and the thread joined. Safe to call twice. */
void listener_stop(struct listener *l);

/* Free; after listener_stop and after every connection was released. NULL-safe. */
void listener_free(struct listener *l);

#endif
