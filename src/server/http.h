/* http.h — custos's HTTP/1.1 server: the listener (accept and connection limits), worker
 * threads with their epoll loops, plain or TLS connections, and the drain at shut-down. */
#ifndef CU_HTTP_H
#define CU_HTTP_H

#include "pipeline.h"
#include "server.h"

struct http_server;

/* Listen on cfg's address (HTTPS when a certificate is configured) and hand every
 * complete request to the pipeline, on the worker thread that read it. Raises the soft
 * open-file limit to the hard one and keeps --max-connections below it. */
MUST_CHECK cu_rc http_start(const struct config *cfg, struct pipeline *pl,
                            struct http_server **out, struct cu_err *err);
/* Stop accepting, close idle connections, let requests in progress finish and answer them
 * (within --drain-seconds), then free; NULL-safe. */
void http_stop(struct http_server *h);

#endif
