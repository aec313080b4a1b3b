/* postgres_follow.c — how a node hears of the other nodes' commits: one thread with a
 * connection of its own LISTENs on the schema's channel, on which every committing write
 * transaction NOTIFYs its seq (pg_reserve_seq); each notification, and every
 * STORE_FOLLOW_MS without one, wakes store.c, which reads the change_log rows this node
 * has not seen and feeds them to its caches (store.h, "Several nodes"). The timer is what
 * bounds the staleness when a notification is lost: the listener's connection dropped (a
 * restart of the database), or a writer that does not notify (store migrate). A lost
 * connection is opened again every STORE_FOLLOW_MS until the database answers; the wake
 * after it reads whatever was missed, from the table. While the table cannot be read at
 * all (this thread waits on a connection that no longer answers, or cannot connect),
 * store.c's watchdog bounds the staleness instead: its caches stop answering. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "postgres_impl.h"

struct pg_follow {
    struct pg_store *s;
    void (*wake)(void *ctx, uint64_t seq);
    void *ctx;
    pthread_t thread;
    int stop[2];                /* a pipe: pg_unfollow writes a byte to end the thread */
    struct pg_conn *c;          /* NULL while lost */
    int64_t read_ms;            /* when store.c last read the table (monotonic) */
};

static int64_t mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Open the listener's connection and LISTEN; NULL on failure (the log says why). */
static struct pg_conn *listen_open(struct pg_follow *f, bool quiet)
{
    struct pg_conn *c = NULL;
    char sql[96];
    PGresult *res;
    bool ok;

    /* a database that is down is logged once, when the connection is lost (wait_once) */
    if (pg_connect(f->s, quiet, &c) != CU_OK)
        return NULL;
    snprintf(sql, sizeof(sql), "LISTEN %s", f->s->channel);
    res = PQexec(c->db, sql);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        log_error("postgres: %s: %.*s", sql, (int)strcspn(PQerrorMessage(c->db), "\n"),
                  PQerrorMessage(c->db));
        pg_conn_close(c);
        return NULL;
    }
    return c;
}

/* The highest seq among the notifications that arrived on c (0: none); false when the
 * connection is lost. */
static bool drain(struct pg_conn *c, uint64_t *seq)
{
    PGnotify *n;

    *seq = 0;
    if (!PQconsumeInput(c->db) || PQstatus(c->db) != CONNECTION_OK)
        return false;
    while ((n = PQnotifies(c->db))) {
        uint64_t v = strtoull(n->extra, NULL, 10);
        if (v > *seq)
            *seq = v;
        PQfreemem(n);
    }
    return true;
}

/* Wait up to STORE_FOLLOW_MS for a notification or the stop byte; true to go on. */
static bool wait_once(struct pg_follow *f)
{
    struct pollfd fds[2] = {{.fd = f->stop[0], .events = POLLIN},
                            {.fd = f->c ? PQsocket(f->c->db) : -1, .events = POLLIN}};
    uint64_t seq = 0;
    int n = poll(fds, f->c ? 2 : 1, STORE_FOLLOW_MS);

    if (n < 0 && errno != EINTR)
        return false;
    if (fds[0].revents)
        return false;
    if (!f->c) {
        f->c = listen_open(f, true);
        if (!f->c)
            return true; /* still down: nothing to read either */
        log_info("postgres: listening for other nodes' changes again");
        f->read_ms = mono_ms();
        f->wake(f->ctx, 0); /* what was missed meanwhile is in the table */
        return true;
    }
    if (n > 0 && !drain(f->c, &seq)) {
        log_warn("postgres: the change listener lost its connection; reconnecting");
        pg_conn_close(f->c);
        f->c = NULL;
        return true;
    }
    /* the table is read at least every STORE_FOLLOW_MS, however busy the channel is
     * with seqs this node has seen (its own) */
    if (!seq || mono_ms() - f->read_ms >= STORE_FOLLOW_MS) {
        f->read_ms = mono_ms();
        seq = 0;
    }
    f->wake(f->ctx, seq);
    return true;
}

static void *follow_main(void *arg)
{
    struct pg_follow *f = arg;

    while (wait_once(f))
        ;
    return NULL;
}

cu_rc pg_follow(void *impl, void (*wake)(void *ctx, uint64_t seq), void *ctx)
{
    struct pg_store *s = impl;
    struct pg_follow *f = calloc(1, sizeof(*f));

    if (!f)
        return CU_E_NOMEM;
    f->s = s;
    f->wake = wake;
    f->ctx = ctx;
    if (pipe2(f->stop, O_CLOEXEC) != 0) {
        free(f);
        return CU_E_STORE;
    }
    f->c = listen_open(f, false);
    if (!f->c || pthread_create(&f->thread, NULL, follow_main, f) != 0) {
        pg_conn_close(f->c);
        close(f->stop[0]);
        close(f->stop[1]);
        free(f);
        return CU_E_STORE;
    }
    s->follow = f;
    return CU_OK;
}

void pg_unfollow(struct pg_store *s)
{
    struct pg_follow *f = s->follow;

    if (!f)
        return;
    if (write(f->stop[1], "x", 1) != 1)
        log_error("postgres: cannot stop the change listener");
    pthread_join(f->thread, NULL);
    pg_conn_close(f->c);
    close(f->stop[0]);
    close(f->stop[1]);
    free(f);
    s->follow = NULL;
}
