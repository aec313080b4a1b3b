/* http_io.c — plain and TLS transport for one connection (see http_io.h). Non-blocking
 * throughout: OpenSSL's SSL_ERROR_WANT_READ/WRITE become the same statuses as EAGAIN on a
 * plain socket, and the connection's epoll interest follows them. */
#include "http_io.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/secret.h"

#define KEY_FILE_MAX (1 << 20)

/* The whole file into b (sensitive when it holds a key). */
static cu_rc read_file(const char *path, struct buf *b)
{
    cu_rc rc = CU_OK;
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;

    ENSURE(f, CU_E_VALIDATION);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        TRY(buf_add(b, chunk, n));
    ENSURE(!ferror(f), CU_E_VALIDATION);
out:
    secret_wipe(chunk, sizeof(chunk));
    if (f)
        fclose(f);
    return rc;
}

static cu_rc load_key(SSL_CTX *ctx, const char *key_file, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf pem;
    BIO *bio = NULL;
    EVP_PKEY *key = NULL;

    buf_init_sensitive(&pem, KEY_FILE_MAX);
    ENSURE(read_file(key_file, &pem) == CU_OK,
           cu_err_set(err, CU_E_VALIDATION, "--tls-key: cannot read %s", key_file));
    bio = BIO_new_mem_buf(pem.p, (int)pem.n);
    ENSURE(bio, CU_E_NOMEM);
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    ENSURE(key && SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1,
           cu_err_set(err, CU_E_VALIDATION,
                      "--tls-key: %s is not a PEM private key matching --tls-cert", key_file));
out:
    EVP_PKEY_free(key);
    BIO_free(bio);
    buf_release(&pem);
    return rc;
}

cu_rc http_io_tls_new(const char *cert_file, const char *key_file, SSL_CTX **out,
                      struct cu_err *err)
{
    cu_rc rc = CU_OK;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    ENSURE(ctx, CU_E_NOMEM);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* a response is written in pieces as the socket takes them, from a buffer that may
     * move between attempts */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    ENSURE(SSL_CTX_use_certificate_chain_file(ctx, cert_file) == 1,
           cu_err_set(err, CU_E_VALIDATION, "--tls-cert: cannot load a PEM certificate from %s",
                      cert_file));
    TRY(load_key(ctx, key_file, err));
    *out = ctx;
    ctx = NULL;
out:
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return rc;
}

cu_rc http_io_init(struct http_io *io, int fd, SSL_CTX *tls)
{
    io->fd = fd;
    io->ssl = NULL;
    if (!tls)
        return CU_OK;
    io->ssl = SSL_new(tls);
    if (!io->ssl || SSL_set_fd(io->ssl, fd) != 1) {
        SSL_free(io->ssl);
        io->ssl = NULL;
        return CU_E_NOMEM;
    }
    SSL_set_accept_state(io->ssl);
    return CU_OK;
}

static enum http_io_status tls_status(struct http_io *io, int ret)
{
    switch (SSL_get_error(io->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return HTTP_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return HTTP_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return HTTP_IO_EOF;
    default:
        /* a failed handshake or a broken record: the client's problem, not worth a log
         * line per connection */
        ERR_clear_error();
        return HTTP_IO_ERROR;
    }
}

enum http_io_status http_io_read(struct http_io *io, void *p, size_t cap, size_t *got)
{
    ssize_t n;

    *got = 0;
    if (io->ssl) {
        int ret = SSL_read_ex(io->ssl, p, cap, got);

        return ret == 1 ? HTTP_IO_OK : tls_status(io, ret);
    }
    do
        n = read(io->fd, p, cap);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        *got = (size_t)n;
        return HTTP_IO_OK;
    }
    if (n == 0)
        return HTTP_IO_EOF;
    return errno == EAGAIN || errno == EWOULDBLOCK ? HTTP_IO_WANT_READ : HTTP_IO_ERROR;
}

enum http_io_status http_io_write(struct http_io *io, const void *p, size_t n, size_t *put)
{
    ssize_t w;

    *put = 0;
    if (io->ssl) {
        int ret = SSL_write_ex(io->ssl, p, n, put);

        return ret == 1 ? HTTP_IO_OK : tls_status(io, ret);
    }
    do
        w = send(io->fd, p, n, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w >= 0) {
        *put = (size_t)w;
        return HTTP_IO_OK;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK ? HTTP_IO_WANT_WRITE : HTTP_IO_ERROR;
}

void http_io_shutdown_write(struct http_io *io)
{
    if (io->ssl && SSL_is_init_finished(io->ssl))
        (void)SSL_shutdown(io->ssl);   /* one attempt: a close_notify if it fits */
    ERR_clear_error();
    shutdown(io->fd, SHUT_WR);
}

void http_io_close(struct http_io *io)
{
    if (io->ssl)
        SSL_free(io->ssl);
    io->ssl = NULL;
    if (io->fd >= 0)
        close(io->fd);
    io->fd = -1;
}
