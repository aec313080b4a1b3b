/* http_conn.c — one HTTP/1.1 connection's state machine (see http_conn.h).
 *
 *   IDLE --first byte--> HEAD --head parsed--> BODY --body complete--> answered inline by
 *   the pipeline, response queued --> IDLE (keep-alive) or, after the response is written,
 *   closed; a refusal (framing error, limit) is answered once, then LINGER: no more
 *   writes, read and drop what the client still sends so the answer is not lost to a
 *   reset, then close.
 *
 * Invariants: requests are answered in the order they arrive, one at a time (the next is
 * not parsed while a response is still being written); nothing after a framing error is
 * parsed; buffers that held request or response bytes (plaintexts, secrets) are wiped
 * before they are reused or freed; every phase has a deadline, so no client holds a
 * connection by being slow. */
#include "http_conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "core/clock.h"
#include "core/secret.h"
#include "discovery.h"
#include "listener.h"

#define READ_CHUNK 16384
#define KEEP_BUF_BYTES 65536       /* buffers larger than this are freed between requests */
#define LINGER_MS 2000             /* how long a refused client may keep sending */
#define LINGER_BYTES (1u << 20)
#define SNIFF_BYTES 65536          /* how far an unparsable head is searched for X-Amz-Target */
#define EVENT_ROUNDS 32            /* reads per event: other connections get their turn */

enum conn_phase { PHASE_IDLE, PHASE_HEAD, PHASE_BODY, PHASE_WRITE, PHASE_LINGER };

struct http_conn {
    const struct http_ctx *ctx;
    struct http_io io;
    size_t slot;
    struct sockaddr_storage peer_addr;
    char peer[INET6_ADDRSTRLEN + 1];
    enum conn_phase timer;          /* the phase whose deadline is set */
    int64_t deadline_ms;
    bool served;                    /* some request was answered: idle uses the idle timeout */
    struct buf in;                  /* request bytes (sensitive) */
    struct http_scan scan;
    size_t head_len;                /* 0 until the head is complete */
    bool head_ok;                   /* head parsed into head */
    bool continue_sent;
    const char *head_base;          /* in.p when head was parsed: its views point there */
    struct http_head head;
    struct http_chunked chunk;
    struct buf body;                /* a chunked request's decoded body (sensitive) */
    struct http_header fields[HTTP_MAX_HEADERS];
    size_t name_lens[HTTP_MAX_HEADERS];
    struct buf out;                 /* response bytes (sensitive) */
    size_t out_pos;
    size_t lingered;
    bool close_after;               /* end once out is written */
    bool linger_after;              /* ... by lingering (a refusal), not at once */
    bool draining;
    bool read_wants_write, write_wants_read;   /* TLS: the other direction is needed */
    bool lingering;
    bool read_short;                /* the last read took less than it could: drained */
    bool deferred;                  /* a response waits for the worker's second call */
};

struct http_conn *http_conn_new(const struct http_ctx *ctx, int fd,
                                const struct sockaddr_storage *peer, int64_t now_ms)
{
    /* zeroed whole, once per connection (not per request): every flag starts false */
    struct http_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    if (http_io_init(&c->io, fd, ctx->tls) != CU_OK) {
        free(c);
        return NULL;
    }
    c->ctx = ctx;
    c->peer_addr = *peer;
    if (peer->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, c->peer,
                  sizeof(c->peer));
    else if (peer->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, c->peer,
                  sizeof(c->peer));
    /* the bytes a client sends are sensitive (Encrypt plaintexts, secret values) */
    buf_init_sensitive(&c->in, HTTP_HEAD_MAX(&ctx->lim) + ctx->lim.max_body_bytes + READ_CHUNK);
    buf_init_sensitive(&c->body, ctx->lim.max_body_bytes);
    buf_init_sensitive(&c->out, BUF_NO_LIMIT);
    /* a new connection must send its first head within the header timeout */
    c->timer = PHASE_IDLE;
    c->deadline_ms = now_ms + ctx->header_timeout_ms;
    return c;
}

int http_conn_fd(const struct http_conn *c)
{
    return c->io.fd;
}

size_t *http_conn_slot(struct http_conn *c)
{
    return &c->slot;
}

int64_t http_conn_deadline(const struct http_conn *c)
{
    return c->deadline_ms;
}

static bool pending(const struct http_conn *c)
{
    return c->out_pos < c->out.n;
}

uint32_t http_conn_events(const struct http_conn *c)
{
    if (c->lingering)
        return EPOLLIN;
    if (pending(c))
        return c->write_wants_read ? EPOLLIN : EPOLLOUT;
    return c->read_wants_write ? EPOLLOUT : EPOLLIN;
}

/* Empty a sensitive buf: wipe what was used, keep a modest allocation for the next
 * request, free a large one. */
static void wipe_reset(struct buf *b)
{
    if (b->cap > KEEP_BUF_BYTES) {
        size_t limit = b->limit;

        buf_release(b);
        buf_init_sensitive(b, limit);
        return;
    }
    if (b->p) {
        secret_wipe(b->p, b->n);
        b->p[0] = '\0';
    }
    b->n = 0;
}

/* Drop the first n bytes of in (a request that was answered), wiping them. */
static void consume(struct buf *in, size_t n)
{
    secret_wipe(in->p, n);
    memmove(in->p, in->p + n, in->n - n);
    secret_wipe(in->p + in->n - n, n);
    in->n -= n;
    in->p[in->n] = '\0';
}

static void next_request(struct http_conn *c, size_t used)
{
    if (used == c->in.n)
        wipe_reset(&c->in);
    else
        consume(&c->in, used);
    c->scan = (struct http_scan){0};
    c->chunk = (struct http_chunked){0};
    c->head_len = 0;
    c->head_ok = c->continue_sent = false;
    wipe_reset(&c->body);
}

/* NUL-terminate the head's pieces in place (the separators they overwrite are not
 * needed again) and describe the request for the pipeline. */
static void make_req(struct http_conn *c, struct bytes body, struct http_req *req)
{
    char *base = c->in.p;
    struct http_head *h = &c->head;
    char *method = base + (h->method.p - (const uint8_t *)base);
    char *target = base + (h->target.p - (const uint8_t *)base);
    char *query;

    method[h->method.n] = '\0';
    target[h->target.n] = '\0';
    query = memchr(target, '?', h->target.n);
    if (query)
        *query++ = '\0';
    for (size_t i = 0; i < h->n_fields; i++) {
        char *name = base + (h->fields[i].name.p - (const uint8_t *)base);
        char *value = base + (h->fields[i].value.p - (const uint8_t *)base);

        name[h->fields[i].name.n] = '\0';
        value[h->fields[i].value.n] = '\0';
        c->fields[i] = (struct http_header){name, value};
        c->name_lens[i] = h->fields[i].name.n;
    }
    *req = (struct http_req){.method = method,
                             .path = target,
                             .query = query ? query : "",
                             .headers = c->fields,
                             .n_headers = h->n_fields,
                             .name_lens = c->name_lens,
                             .body = body,
                             .source_ip = c->peer,
                             .tls = c->io.ssl != NULL};
    if (c->io.ssl) {
        req->tls_version = SSL_get_version(c->io.ssl);
        req->tls_cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(c->io.ssl));
    }
}

static bool queue_response(struct http_conn *c, struct proto_response *resp, bool close,
                           bool head_only, struct http_date *dates)
{
    enum http_connection mode = HTTP_CONN_KEEP;
    cu_rc rc;

    if (close)
        mode = HTTP_CONN_CLOSE;
    else if (c->head_ok && c->head.minor == 0)
        mode = HTTP_CONN_KEEP_ALIVE_10;
    /* wall-clock time, not the worker's monotonic clock (its timeouts): clients read it,
     * and the SDK for JavaScript v3 corrects its signing clock by it */
    rc = http_response_write(&c->out, resp, mode, head_only,
                             http_response_date(dates, clock_now_ms() / 1000));
    proto_response_release(resp);
    c->close_after = c->close_after || close;
    c->served = true;
    return rc == CU_OK;
}

/* Reads since the head was parsed may have moved the buffer: point the views at it again. */
static void rebase_head(struct http_conn *c)
{
    struct cu_err err = {0};

    if (c->head_base != c->in.p &&
        http_parse_head(bytes_of(c->in.p, c->head_len), &c->ctx->lim, &c->head, &err) != CU_OK)
        BUG("a parsed request head no longer parses");
    c->head_base = c->in.p;
}

/* Answer a request the HTTP layer will not pass on, once, and stop reading requests. */
static bool refuse(struct http_conn *c, const struct cu_err *err, int64_t now_ms,
                   struct http_date *dates)
{
    static const struct http_header json_target = {"X-Amz-Target", ""};
    struct proto_response resp;
    struct http_req req;
    size_t sniff = c->in.n < SNIFF_BYTES ? c->in.n : SNIFF_BYTES;

    if (c->head_ok) {
        rebase_head(c);
        make_req(c, bytes_of("", 0), &req);
    } else {
        /* nothing parsed to route by: only the error's shape is chosen, by whether the
         * client speaks JSON 1.1 (pipeline_refuse's rule) */
        bool json = http_parse_sniff_field(bytes_of(c->in.p, sniff), "X-Amz-Target");
        req = (struct http_req){.method = "", .path = "", .query = "",
                                .headers = json ? &json_target : NULL, .n_headers = json,
                                .body = bytes_of("", 0), .source_ip = c->peer,
                                .tls = c->io.ssl != NULL};
    }
    pipeline_refuse(c->ctx->pl, &req, err->code, err->msg, &resp);
    c->linger_after = true;
    wipe_reset(&c->in);
    c->head_len = 0;
    c->head_ok = false;
    return queue_response(c, &resp, true, false, dates);
}

/* Answer the complete request at the front of in, then drop it. */
static bool answer(struct http_conn *c, int64_t now_ms, struct http_date *dates)
{
    struct http_head *h = &c->head;
    struct proto_response resp;
    struct http_req req;
    struct bytes body = bytes_of("", 0);
    size_t used = c->head_len;
    bool close;

    rebase_head(c);
    if (h->body == HTTP_BODY_LENGTH) {
        body = bytes_of(c->in.p + c->head_len, (size_t)h->content_length);
        used += (size_t)h->content_length;
    } else if (h->body == HTTP_BODY_CHUNKED) {
        body = buf_bytes(&c->body);
    }
    make_req(c, body, &req);
    if (strcmp(req.method, "GET") == 0 && strcmp(req.path, "/_custos/health") == 0 &&
        !req.query[0])
        pipeline_health(c->ctx->pl, &resp);
    else if (strcmp(req.method, "GET") == 0 && strcmp(req.path, "/_custos/metrics") == 0 &&
             !req.query[0])
        pipeline_metrics(c->ctx->pl, &resp);
    else if (!discovery_answer(c->ctx->pl, &req, &resp))
        pipeline_handle(c->ctx->pl, &req, &resp);
    close = c->draining || !h->keep_alive;
    if (!queue_response(c, &resp, close, strcmp(req.method, "HEAD") == 0, dates))
        return false;
    next_request(c, used);
    return true;
}

/* Whether the body of the parsed head is all here (decoding a chunked one as far as it
 * goes); refusals go to *err. */
static bool body_complete(struct http_conn *c, struct cu_err *err)
{
    size_t have = c->in.n - c->head_len, used = 0;

    if (c->head.body == HTTP_BODY_NONE)
        return true;
    if (c->head.body == HTTP_BODY_LENGTH)
        return have >= c->head.content_length;
    if (http_parse_chunked(&c->chunk, bytes_of(c->in.p + c->head_len, have), &c->ctx->lim, &used,
                           &c->body, err) != CU_OK)
        return false;
    /* the decoded bytes are in body now: drop their framing from in */
    if (used) {
        char *at = c->in.p + c->head_len;

        secret_wipe(at, used);
        memmove(at, at + used, have - used);
        secret_wipe(c->in.p + c->in.n - used, used);
        c->in.n -= used;
        c->in.p[c->in.n] = '\0';
    }
    return c->chunk.done;
}

static bool wants_continue(const struct http_conn *c)
{
    const struct http_head *h = &c->head;

    return h->expect_continue && !c->continue_sent && c->in.n == c->head_len &&
           (h->body == HTTP_BODY_CHUNKED || (h->body == HTTP_BODY_LENGTH && h->content_length));
}

/* Answer every complete request in in, in order, until a response waits to be written.
 * false: out of memory, end the connection. */
static bool process(struct http_conn *c, int64_t now_ms, struct http_date *dates)
{
    struct cu_err err = {0};

    while (!pending(c) && !c->close_after && c->in.n) {
        if (!c->head_len) {
            if (http_parse_scan(&c->scan, buf_bytes(&c->in), &c->ctx->lim, &c->head_len, &err) !=
                CU_OK)
                return refuse(c, &err, now_ms, dates);
            if (!c->head_len)
                return true;
            if (http_parse_head(bytes_of(c->in.p, c->head_len), &c->ctx->lim, &c->head, &err) !=
                CU_OK)
                return refuse(c, &err, now_ms, dates);
            c->head_ok = true;
            c->head_base = c->in.p;
        }
        if (wants_continue(c)) {
            c->continue_sent = true;
            return http_response_continue(&c->out) == CU_OK;
        }
        if (!body_complete(c, &err))
            return err.code == CU_OK ? true : refuse(c, &err, now_ms, dates);
        if (!answer(c, now_ms, dates))
            return false;
    }
    return true;
}

static enum http_io_status flush(struct http_conn *c, int64_t now_ms)
{
    while (pending(c)) {
        size_t put = 0;
        enum http_io_status st =
            http_io_write(&c->io, c->out.p + c->out_pos, c->out.n - c->out_pos, &put);

        c->write_wants_read = st == HTTP_IO_WANT_READ;
        if (st != HTTP_IO_OK)
            return st;
        c->out_pos += put;
        /* progress restarts the clock: only a client that stops reading is cut off */
        c->timer = PHASE_WRITE;
        c->deadline_ms = now_ms + c->ctx->idle_timeout_ms;
    }
    wipe_reset(&c->out);
    c->out_pos = 0;
    return HTTP_IO_OK;
}

/* Read once into in. */
static enum http_io_status fill(struct http_conn *c)
{
    size_t space, got = 0;
    enum http_io_status st;

    if (buf_reserve(&c->in, READ_CHUNK) != CU_OK &&
        buf_reserve(&c->in, c->in.limit - c->in.n) != CU_OK)
        return HTTP_IO_ERROR;
    space = c->in.cap - c->in.n - 1;
    if (space > c->in.limit - c->in.n)
        space = c->in.limit - c->in.n;
    if (space == 0)
        return HTTP_IO_ERROR;   /* cannot happen within the limits: the head or body fits */
    st = http_io_read(&c->io, c->in.p + c->in.n, space, &got);
    c->read_wants_write = st == HTTP_IO_WANT_WRITE;
    c->read_short = got < space && !(c->io.ssl && SSL_pending(c->io.ssl) > 0);
    c->in.n += got;
    c->in.p[c->in.n] = '\0';
    return st;
}

/* The refused client's remaining bytes, read and dropped. false: done, close. */
static bool linger(struct http_conn *c)
{
    uint8_t sink[4096];
    size_t got = 0;
    bool more = true;

    while (more && c->lingered < LINGER_BYTES) {
        enum http_io_status st = http_io_read(&c->io, sink, sizeof(sink), &got);

        c->lingered += got;
        if (st == HTTP_IO_WANT_READ || st == HTTP_IO_WANT_WRITE)
            break;
        more = st == HTTP_IO_OK;
    }
    secret_wipe(sink, sizeof(sink));
    return more && c->lingered < LINGER_BYTES;
}

static void set_timer(struct http_conn *c, enum conn_phase phase, int64_t deadline_ms)
{
    if (c->timer != phase) {
        c->timer = phase;
        c->deadline_ms = deadline_ms;
    }
}

/* The deadline of whatever the connection waits for now. */
static void update_timer(struct http_conn *c, int64_t now_ms)
{
    const struct http_ctx *x = c->ctx;

    if (pending(c))
        set_timer(c, PHASE_WRITE, now_ms + x->idle_timeout_ms);
    else if (c->head_len)
        set_timer(c, PHASE_BODY, now_ms + x->body_timeout_ms);
    else if (c->in.n)
        set_timer(c, PHASE_HEAD, now_ms + x->header_timeout_ms);
    else if (c->served)
        set_timer(c, PHASE_IDLE, now_ms + x->idle_timeout_ms);
}

bool http_conn_deferred(const struct http_conn *c)
{
    return c->deferred;
}

bool http_conn_on_event(struct http_conn *c, uint32_t events, int64_t now_ms,
                        struct http_date *dates, bool defer)
{
    (void)events;
    if (c->lingering)
        return linger(c);
    /* the second call of a deferred response goes on from the first one's read */
    if (!c->deferred)
        c->read_short = false;
    c->deferred = false;
    for (int round = 0; round < EVENT_ROUNDS; round++) {
        enum http_io_status st;

        if (pending(c)) {
            st = flush(c, now_ms);
            if (st == HTTP_IO_EOF || st == HTTP_IO_ERROR)
                return false;
            if (pending(c))
                break;
        }
        if (c->close_after) {
            if (!c->linger_after)
                return false;
            http_io_shutdown_write(&c->io);
            c->lingering = true;
            c->timer = PHASE_LINGER;
            c->deadline_ms = now_ms + LINGER_MS;
            return linger(c);
        }
        if (!process(c, now_ms, dates))
            return false;
        if (defer && pending(c) && !c->close_after) {
            c->deferred = true;     /* its deadline is set when it is written */
            return true;
        }
        if (pending(c) || c->close_after)
            continue;
        /* a short read took everything the socket had: the next read would only say so */
        if (c->read_short)
            break;
        st = fill(c);
        if (st == HTTP_IO_EOF || st == HTTP_IO_ERROR)
            return false;   /* a client that half-closed mid-request gets nothing more */
        if (st != HTTP_IO_OK)
            break;
    }
    if (c->draining && !pending(c) && !c->close_after && !c->in.n)
        return false;
    update_timer(c, now_ms);
    return true;
}

bool http_conn_drain(struct http_conn *c, int64_t now_ms, struct http_date *dates)
{
    /* a refused client was answered already: what it still sends is of no interest */
    if (c->lingering)
        return false;
    c->draining = true;
    return http_conn_on_event(c, EPOLLIN, now_ms, dates, false);
}

void http_conn_free(struct http_conn *c)
{
    if (!c)
        return;
    http_io_close(&c->io);
    buf_release(&c->in);
    buf_release(&c->body);
    buf_release(&c->out);
    listener_release(c->ctx->listener, &c->peer_addr);
    free(c);
}
