/* listener.h — the listening socket and the thread that accepts on it, handing each new
 * connection to libmicrohttpd's worker threads.
 *
 * MHD's own accept in a thread pool lets whichever worker wakes first take every
 * connection that is waiting: a client that opens 16 at once often lands all 16 on one
 * worker, leaving the other cores idle (seen as a 25% throughput loss under wrk). Added
 * through MHD_add_connection, connections are spread over the workers by descriptor
 * number, which for connections opened together alternates. */
#ifndef CU_SERVER_LISTENER_H
#define CU_SERVER_LISTENER_H

#include <microhttpd.h>
#include <sys/socket.h>

#include "core/cu.h"
#include "core/err.h"

struct listener;

/* Bind and listen on addr, then accept in a thread of its own into daemon, which must
 * have been started with MHD_USE_NO_LISTEN_SOCKET. */
MUST_CHECK cu_rc listener_start(const struct sockaddr *addr, socklen_t addr_len,
                                struct MHD_Daemon *daemon, struct listener **out,
                                struct cu_err *err);
/* Stop accepting and close the socket; connections already handed over stay with the
 * daemon. NULL-safe. */
void listener_stop(struct listener *l);

#endif
