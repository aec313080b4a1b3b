/* listener.c — see listener.h. */
#include "listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

#define LISTEN_BACKLOG 1024

struct listener {
    int fd;
    struct MHD_Daemon *daemon;
    pthread_t thread;
    atomic_bool stopping;
};

static void *accept_main(void *arg)
{
    struct listener *l = arg;

    for (;;) {
        struct sockaddr_storage peer;
        socklen_t n = sizeof(peer);
        int fd = accept4(l->fd, (struct sockaddr *)&peer, &n, SOCK_CLOEXEC);

        if (fd >= 0) {
            /* MHD owns the socket from here, and closes it itself if it cannot take it */
            if (MHD_add_connection(l->daemon, fd, (struct sockaddr *)&peer, n) != MHD_YES)
                log_warn("http: a connection was refused: %s", strerror(errno));
            continue;
        }
        if (atomic_load(&l->stopping))
            break;
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        /* out of descriptors or memory: wait for some to be freed instead of spinning */
        log_warn("http: accept failed: %s", strerror(errno));
        usleep(10000);
    }
    return NULL;
}

cu_rc listener_start(const struct sockaddr *addr, socklen_t addr_len,
                     struct MHD_Daemon *daemon, struct listener **out, struct cu_err *err)
{
    struct listener *l = calloc(1, sizeof(*l));
    int on = 1;

    if (!l)
        return CU_E_NOMEM;
    l->daemon = daemon;
    l->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(l->fd, addr, addr_len) != 0 || listen(l->fd, LISTEN_BACKLOG) != 0) {
        int e = errno;

        if (l->fd >= 0)
            close(l->fd);
        free(l);
        return cu_err_set(err, CU_E_INTERNAL, "cannot listen: %s", strerror(e));
    }
    if (pthread_create(&l->thread, NULL, accept_main, l) != 0) {
        close(l->fd);
        free(l);
        return CU_E_INTERNAL;
    }
    *out = l;
    return CU_OK;
}

void listener_stop(struct listener *l)
{
    if (!l)
        return;
    atomic_store(&l->stopping, true);
    /* wakes the blocked accept4, which then fails with EINVAL */
    shutdown(l->fd, SHUT_RDWR);
    pthread_join(l->thread, NULL);
    close(l->fd);
    free(l);
}
