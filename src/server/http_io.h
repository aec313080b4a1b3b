/* http_io.h — one connection's byte transport: a plain non-blocking socket or a TLS session
 * (OpenSSL 3) over one, behind the same read and write calls, so the connection state
 * machine (http_conn.c) never knows which it has. Also the server's TLS context: the
 * certificate and key are read once at start and the key's bytes wiped after loading. */
#ifndef CU_SERVER_HTTP_IO_H
#define CU_SERVER_HTTP_IO_H

#include <openssl/ssl.h>
#include <sys/types.h>

#include "core/cu.h"
#include "core/err.h"

/* What a read or write could not finish for: wait for the socket to become readable or
 * writable (a TLS session may need either for either), or give up on the connection. */
enum http_io_status { HTTP_IO_OK, HTTP_IO_WANT_READ, HTTP_IO_WANT_WRITE, HTTP_IO_EOF,
                      HTTP_IO_ERROR };

struct http_io {
    int fd;
    SSL *ssl;               /* NULL for plain HTTP */
};

/* A TLS context from PEM files: the certificate chain and the private key. The key file's
 * bytes are held only while loading and wiped. Errors: CU_E_VALIDATION naming the file. */
MUST_CHECK cu_rc http_io_tls_new(const char *cert_file, const char *key_file, SSL_CTX **out,
                                 struct cu_err *err);

/* Take over fd (non-blocking) for a connection; with tls, the handshake happens inside
 * the first reads. CU_E_NOMEM when a TLS session cannot be made (fd is not closed). */
MUST_CHECK cu_rc http_io_init(struct http_io *io, int fd, SSL_CTX *tls);

/* Read up to cap bytes into p; *got is what arrived (HTTP_IO_OK with *got > 0). */
enum http_io_status http_io_read(struct http_io *io, void *p, size_t cap, size_t *got);

/* Write up to n bytes from p; *put is what was taken. */
enum http_io_status http_io_write(struct http_io *io, const void *p, size_t n, size_t *put);

/* Say no more will be written (TLS close_notify, then the TCP FIN); the socket stays
 * open for reading what the client still sends. */
void http_io_shutdown_write(struct http_io *io);

/* Free the session and close the socket; NULL-safe for a zeroed io. */
void http_io_close(struct http_io *io);

#endif
