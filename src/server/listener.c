/* listener.c — accept, count, hand over (see listener.h).
 *
 * The accept thread waits in poll() on the listening socket and an eventfd that asks it
 * to stop. Counting happens here and the release happens on the workers' threads, so the
 * per-source table is under a mutex and the global count is atomic. When the process runs
 * out of descriptors, a spare one (kept open for the purpose) is given up to accept and
 * close the waiting connection, instead of leaving it in the backlog forever. */
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"
#include "http_worker.h"

#define LISTEN_BACKLOG 1024
#define SOURCE_BUCKETS 4096
#define BACKLOG_DRAIN_MAX 65536     /* most connections taken from the backlog at stop */

struct source {
    uint8_t addr[16];               /* IPv6, or IPv4-mapped */
    size_t count;
    struct source *next;
};

struct listener {
    int fd, stop_fd, spare_fd;
    struct listener_limits lim;
    struct http_worker **workers;
    size_t n_workers, next_worker;
    pthread_t thread;
    bool running, stopped;
    atomic_size_t open;
    pthread_mutex_t lock;           /* sources */
    struct source *sources[SOURCE_BUCKETS];
};

static void source_addr(const struct sockaddr_storage *peer, uint8_t out[16])
{
    memset(out, 0, 16);
    if (peer->ss_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16);
    } else if (peer->ss_family == AF_INET) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &((const struct sockaddr_in *)peer)->sin_addr, 4);
    }
}

static size_t source_bucket(const uint8_t addr[16])
{
    uint32_t h = 2166136261u;

    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    return h % SOURCE_BUCKETS;
}

/* Count one more connection from peer; false when its source is at the limit. */
static bool source_take(struct listener *l, const struct sockaddr_storage *peer)
{
    uint8_t addr[16];
    struct source **at, *s;
    bool ok = false;

    source_addr(peer, addr);
    pthread_mutex_lock(&l->lock);
    at = &l->sources[source_bucket(addr)];
    for (s = *at; s && memcmp(s->addr, addr, 16) != 0; s = s->next)
        ;
    if (!s) {
        s = calloc(1, sizeof(*s));
        if (s) {
            memcpy(s->addr, addr, 16);
            s->next = *at;
            *at = s;
        }
    }
    if (s && s->count < l->lim.max_per_source) {
        s->count++;
        ok = true;
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

static void source_release(struct listener *l, const struct sockaddr_storage *peer)
{
    uint8_t addr[16];
    struct source **at, *s;

    source_addr(peer, addr);
    pthread_mutex_lock(&l->lock);
    for (at = &l->sources[source_bucket(addr)]; (s = *at) && memcmp(s->addr, addr, 16) != 0;
         at = &s->next)
        ;
    if (s && s->count && --s->count == 0) {
        *at = s->next;
        free(s);
    }
    pthread_mutex_unlock(&l->lock);
}

void listener_release(struct listener *l, const struct sockaddr_storage *peer)
{
    source_release(l, peer);
    atomic_fetch_sub(&l->open, 1);
}

/* Out of descriptors: give up the spare to accept one waiting connection and close it. */
static void shed_one(struct listener *l)
{
    int fd;

    if (l->spare_fd >= 0)
        close(l->spare_fd);
    fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        close(fd);
    l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Accept one connection; false when there is none waiting (or the socket failed). */
static bool accept_one(struct listener *l)
{
    struct sockaddr_storage peer = {0};
    socklen_t n = sizeof(peer);
    int on = 1;
    int fd = accept4(l->fd, (struct sockaddr *)&peer, &n, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
            shed_one(l);
            return true;
        }
        return errno == EINTR || errno == ECONNABORTED;
    }
    /* past a limit: closed at once, before any byte is read */
    if (atomic_load(&l->open) >= l->lim.max_connections) {
        close(fd);
        return true;
    }
    if (!source_take(l, &peer)) {
        close(fd);
        return true;
    }
    atomic_fetch_add(&l->open, 1);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (!http_worker_take(l->workers[l->next_worker], fd, &peer)) {
        close(fd);
        listener_release(l, &peer);
    }
    l->next_worker = (l->next_worker + 1) % l->n_workers;
    return true;
}

static void *accept_main(void *arg)
{
    struct listener *l = arg;
    struct pollfd p[2] = {{.fd = l->fd, .events = POLLIN}, {.fd = l->stop_fd, .events = POLLIN}};

    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            log_error("http: poll on the listening socket failed: %s", strerror(errno));
            usleep(10000);
            continue;
        }
        if (p[1].revents)
            break;
        if (p[0].revents)
            while (accept_one(l))
                ;
    }
    /* connections the kernel completed before the stop were sent by clients that expect
     * an answer: take them too (the workers answer what they sent, then close) */
    for (int i = 0; i < BACKLOG_DRAIN_MAX && accept_one(l); i++)
        ;
    return NULL;
}

cu_rc listener_open(const struct sockaddr *addr, socklen_t addr_len,
                    const struct listener_limits *lim, struct listener **out, struct cu_err *err)
{
    struct listener *l = calloc(1, sizeof(*l));
    int on = 1;

    if (!l)
        return CU_E_NOMEM;
    l->lim = *lim;
    pthread_mutex_init(&l->lock, NULL);
    l->stop_fd = eventfd(0, EFD_CLOEXEC);
    l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    l->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (l->fd < 0 || l->stop_fd < 0 ||
        setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(l->fd, addr, addr_len) != 0 || listen(l->fd, LISTEN_BACKLOG) != 0) {
        int e = errno;

        listener_free(l);
        return cu_err_set(err, CU_E_INTERNAL, "cannot listen: %s", strerror(e));
    }
    *out = l;
    return CU_OK;
}

cu_rc listener_run(struct listener *l, struct http_worker **workers, size_t n)
{
    l->workers = workers;
    l->n_workers = n;
    if (pthread_create(&l->thread, NULL, accept_main, l) != 0)
        return CU_E_INTERNAL;
    l->running = true;
    return CU_OK;
}

void listener_stop(struct listener *l)
{
    uint64_t one = 1;

    if (!l || l->stopped)
        return;
    l->stopped = true;
    if (l->running) {
        if (write(l->stop_fd, &one, sizeof(one)) != sizeof(one))
            log_error("http: cannot wake the accept thread");
        pthread_join(l->thread, NULL);
    }
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

void listener_free(struct listener *l)
{
    if (!l)
        return;
    listener_stop(l);
    for (size_t i = 0; i < SOURCE_BUCKETS; i++)
        while (l->sources[i]) {
            struct source *s = l->sources[i];

            l->sources[i] = s->next;
            free(s);
        }
    if (l->stop_fd >= 0)
        close(l->stop_fd);
    if (l->spare_fd >= 0)
        close(l->spare_fd);
    pthread_mutex_destroy(&l->lock);
    free(l);
}
