/* http_worker.c — a worker's epoll loop (see http_worker.h).
 *
 * The listener queues accepted descriptors under a mutex and rings an eventfd; the loop
 * turns them into connections. Level-triggered epoll: each connection says which
 * direction it waits for (http_conn_events), and the loop changes its interest only when
 * that changes. Deadlines are swept a few times a second, a linear pass that stays cheap
 * at the connection limits this runs with.
 *
 * Responses are written at the end of a batch of events, not as each is made: every write
 * to a client that sleeps wakes it, and on few cores the woken client then preempts the
 * worker before the batch's other requests are answered. Answering them first and writing
 * the responses back to back costs the client one wake-up per batch instead of one per
 * response. A request that took long (one that waited for the audit trail's sync) has its
 * own and the earlier responses written at once, so a slow call never holds fast ones back
 * for more than its own time. */
#include "http_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "listener.h"

#define MAX_EVENTS 64
#define SWEEP_MS 100
#define SLOW_CALL_NS 200000         /* a call that took longer writes what waits at once */

struct handoff {
    int fd;
    struct sockaddr_storage peer;
};

struct slot {
    struct http_conn *conn;
    uint32_t events;                /* the interest registered with epoll */
};

struct http_worker {
    const struct http_ctx *ctx;
    pthread_t thread;
    int epfd, wake_fd;
    pthread_mutex_t lock;           /* queue, draining, drain_deadline */
    struct handoff *queue;
    size_t queued, queue_cap;
    bool draining;
    int64_t drain_deadline;
    struct slot *slots;             /* this thread's connections */
    size_t n, cap;
    struct http_date dates;
    struct http_conn *deferred[MAX_EVENTS];     /* responses to write at the batch's end */
    size_t n_deferred;
};

static int64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int64_t http_worker_now_ms(void)
{
    return now_ns() / 1000000;
}

static void wake(struct http_worker *w)
{
    uint64_t one = 1;

    if (write(w->wake_fd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN)
        log_error("http: cannot wake a worker: %s", strerror(errno));
}

bool http_worker_take(struct http_worker *w, int fd, const struct sockaddr_storage *peer)
{
    bool ok = true;

    pthread_mutex_lock(&w->lock);
    if (w->queued == w->queue_cap) {
        size_t cap = w->queue_cap ? w->queue_cap * 2 : 64;
        struct handoff *q = realloc(w->queue, cap * sizeof(*q));

        if (q) {
            w->queue = q;
            w->queue_cap = cap;
        } else {
            ok = false;
        }
    }
    if (ok)
        w->queue[w->queued++] = (struct handoff){fd, *peer};
    pthread_mutex_unlock(&w->lock);
    if (ok)
        wake(w);
    return ok;
}

static void remove_conn(struct http_worker *w, struct http_conn *c)
{
    size_t i = *http_conn_slot(c);

    w->slots[i] = w->slots[--w->n];
    if (i < w->n)
        *http_conn_slot(w->slots[i].conn) = i;
    http_conn_free(c);
}

/* Make epoll's interest match what the connection waits for now. */
static void watch(struct http_worker *w, size_t i)
{
    struct slot *s = &w->slots[i];
    uint32_t want = http_conn_events(s->conn);
    struct epoll_event ev = {.events = want, .data.ptr = s->conn};

    if (want == s->events)
        return;
    if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, http_conn_fd(s->conn), &ev) == 0)
        s->events = want;
}

static void add_conn(struct http_worker *w, const struct handoff *h, int64_t now)
{
    struct http_conn *c = NULL;
    struct epoll_event ev = {.events = EPOLLIN};

    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct slot *s = realloc(w->slots, cap * sizeof(*s));

        if (s) {
            w->slots = s;
            w->cap = cap;
        }
    }
    if (w->n < w->cap)
        c = http_conn_new(w->ctx, h->fd, &h->peer, now);
    ev.data.ptr = c;
    if (!c || epoll_ctl(w->epfd, EPOLL_CTL_ADD, h->fd, &ev) != 0) {
        if (c) {
            http_conn_free(c);  /* closes fd, releases its count */
        } else {
            close(h->fd);
            listener_release(w->ctx->listener, &h->peer);
        }
        return;
    }
    *http_conn_slot(c) = w->n;
    w->slots[w->n++] = (struct slot){c, EPOLLIN};
}

/* Take the queued connections; returns whether the worker is draining. */
static bool take_queue(struct http_worker *w, int64_t now, int64_t *drain_deadline)
{
    struct handoff *q;
    size_t n;
    bool draining;
    uint64_t count;

    if (read(w->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
        log_error("http: worker wake-up read failed: %s", strerror(errno));
    pthread_mutex_lock(&w->lock);
    q = w->queue;
    n = w->queued;
    w->queue = NULL;
    w->queued = w->queue_cap = 0;
    draining = w->draining;
    *drain_deadline = w->drain_deadline;
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; i < n; i++)
        add_conn(w, &q[i], now);
    free(q);
    return draining;
}

static void sweep(struct http_worker *w, int64_t now)
{
    for (size_t i = 0; i < w->n;) {
        struct http_conn *c = w->slots[i].conn;

        if (now >= http_conn_deadline(c))
            remove_conn(w, c);   /* slot i now holds another connection: look again */
        else
            i++;
    }
}

/* Every connection learns the server is stopping; the idle ones end at once. */
static void drain_all(struct http_worker *w, int64_t now)
{
    for (size_t i = 0; i < w->n;) {
        struct http_conn *c = w->slots[i].conn;

        if (!http_conn_drain(c, now, &w->dates)) {
            remove_conn(w, c);
            continue;
        }
        watch(w, i);
        i++;
    }
}

/* Write the responses the batch deferred, in the order they were made. */
static void write_deferred(struct http_worker *w)
{
    int64_t now = http_worker_now_ms();

    for (size_t i = 0; i < w->n_deferred; i++) {
        struct http_conn *c = w->deferred[i];

        if (!http_conn_on_event(c, 0, now, &w->dates, false))
            remove_conn(w, c);
        else
            watch(w, *http_conn_slot(c));
    }
    w->n_deferred = 0;
}

static void handle(struct http_worker *w, struct http_conn *c, uint32_t events)
{
    int64_t start = now_ns();

    if (!http_conn_on_event(c, events, start / 1000000, &w->dates, true)) {
        remove_conn(w, c);
        return;
    }
    if (!http_conn_deferred(c)) {
        watch(w, *http_conn_slot(c));
        return;
    }
    w->deferred[w->n_deferred++] = c;   /* epoll reports a connection once per batch */
    if (now_ns() - start > SLOW_CALL_NS)
        write_deferred(w);
}

static void *worker_main(void *arg)
{
    struct http_worker *w = arg;
    struct epoll_event evs[MAX_EVENTS];
    int64_t last_sweep = http_worker_now_ms(), drain_deadline = 0;
    bool draining = false, drained = false;

    for (;;) {
        int timeout = w->n || draining ? SWEEP_MS : -1;
        int n = epoll_wait(w->epfd, evs, MAX_EVENTS, timeout);
        int64_t now;
        bool woken = false;

        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr)
                handle(w, evs[i].data.ptr, evs[i].events);
            else
                woken = true;
        }
        write_deferred(w);
        now = http_worker_now_ms();
        /* handed-over connections first, so a drain sees (and answers) them too */
        if (woken || draining)
            draining = take_queue(w, now, &drain_deadline) || draining;
        if (draining && !drained) {
            drain_all(w, now);
            drained = true;
        }
        if (now - last_sweep >= SWEEP_MS || (draining && now >= drain_deadline)) {
            sweep(w, draining && now >= drain_deadline ? INT64_MAX : now);
            last_sweep = now;
        }
        if (draining && w->n == 0)
            break;
    }
    return NULL;
}

cu_rc http_worker_start(const struct http_ctx *ctx, struct http_worker **out)
{
    struct http_worker *w = calloc(1, sizeof(*w));
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

    if (!w)
        return CU_E_NOMEM;
    w->ctx = ctx;
    pthread_mutex_init(&w->lock, NULL);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->epfd < 0 || w->wake_fd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev) != 0 ||
        pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        if (w->epfd >= 0)
            close(w->epfd);
        if (w->wake_fd >= 0)
            close(w->wake_fd);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return CU_E_INTERNAL;
    }
    *out = w;
    return CU_OK;
}

void http_worker_drain(struct http_worker *w, int64_t deadline_ms)
{
    pthread_mutex_lock(&w->lock);
    w->draining = true;
    w->drain_deadline = deadline_ms;
    pthread_mutex_unlock(&w->lock);
    wake(w);
}

void http_worker_free(struct http_worker *w)
{
    if (!w)
        return;
    pthread_join(w->thread, NULL);
    for (size_t i = 0; i < w->queued; i++) {
        close(w->queue[i].fd);
        listener_release(w->ctx->listener, &w->queue[i].peer);
    }
    free(w->queue);
    free(w->slots);
    close(w->epfd);
    close(w->wake_fd);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
