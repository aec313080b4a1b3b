/* http_worker.h — one worker thread: an epoll loop over the connections it was given,
 * answering their requests inline (http_conn.c), enforcing their deadlines, and draining
 * them when the server stops. */
#ifndef CU_SERVER_HTTP_WORKER_H
#define CU_SERVER_HTTP_WORKER_H

#include <sys/socket.h>

#include "http_conn.h"

struct http_worker;

/* Start a worker thread for connections sharing ctx (which must outlive it). */
MUST_CHECK cu_rc http_worker_start(const struct http_ctx *ctx, struct http_worker **out);

/* Hand over an accepted, non-blocking fd (from the listener's thread). false when it
 * cannot be queued: the caller still owns fd. */
bool http_worker_take(struct http_worker *w, int fd, const struct sockaddr_storage *peer);

/* Begin draining: connections with nothing in progress close now, the others finish their
 * request (answered with Connection: close); at deadline_ms (CLOCK_MONOTONIC) whatever is
 * left is closed. The thread ends when it has no connection left. */
void http_worker_drain(struct http_worker *w, int64_t deadline_ms);

/* Wait for the thread to end (after http_worker_drain) and free. NULL-safe. */
void http_worker_free(struct http_worker *w);

/* Milliseconds of CLOCK_MONOTONIC: the clock of every connection deadline. */
int64_t http_worker_now_ms(void);

#endif
