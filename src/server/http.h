/* http.h — the HTTP front door (libmicrohttpd). */
#ifndef CU_HTTP_H
#define CU_HTTP_H

#include "pipeline.h"
#include "server.h"

struct http_server;

/* Listen on cfg's address (HTTPS when a certificate is configured) and hand every
 * complete request to the pipeline. Requests are answered on their connection's thread. */
MUST_CHECK cu_rc http_start(const struct config *cfg, struct pipeline *pl,
                            struct http_server **out, struct cu_err *err);
/* Stop accepting, let running requests finish, and free; NULL-safe. */
void http_stop(struct http_server *h);

#endif
