/* master_key.c — the master key file and sealing of material at rest (see master_key.h).
 *
 * Start-up reads DIR/master.key (creating it on first start) before anything listens; from
 * then on the key lives only in the secure heap. Invariants: the raw file bytes are used
 * for nothing but HKDF, so sealing (info "custos/v1/seal") and every derived sub-key
 * ("custos/v1/derive/<purpose>") are independent keys; a file with loose permissions or the
 * wrong size stops the server with an operator message instead of being "fixed" silently;
 * opening never says why a blob failed. */
#include "master_key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aead.h"
#include "core/log.h"
#include "core/rand.h"
#include "kdf.h"

#define PATH_LIMIT 4096

struct master_key {
    struct secret *root; /* the 32 file bytes: HKDF input only */
    struct secret *seal; /* AES-256 key for master_key_seal/open */
};

static const char seal_info[] = "custos/v1/seal";
static const char derive_prefix[] = "custos/v1/derive/";

/* Build the in-memory key from the 32 root bytes (copied; the caller wipes its copy). */
static cu_rc master_key_from(const uint8_t root[MASTER_KEY_LEN], struct master_key **out)
{
    cu_rc rc = CU_OK;
    struct master_key *mk = calloc(1, sizeof(*mk));

    ENSURE(mk, CU_E_NOMEM);
    TRY(secret_from(bytes_of(root, MASTER_KEY_LEN), &mk->root));
    TRY(secret_new(AEAD_KEY_LEN, &mk->seal));
    TRY(kdf_hkdf_sha256(secret_bytes(mk->root), bytes_of(NULL, 0), bytes_str(seal_info),
                        mk->seal->p, AEAD_KEY_LEN));
    *out = mk;
    mk = NULL;
out:
    master_key_free(mk);
    return rc;
}

void master_key_free(struct master_key *mk)
{
    if (!mk)
        return;
    secret_free(mk->root);
    secret_free(mk->seal);
    free(mk);
}

cu_rc master_key_new_random(struct master_key **out)
{
    cu_rc rc = CU_OK;
    struct secret *root = NULL;

    TRY(secret_new(MASTER_KEY_LEN, &root));
    TRY(rand_bytes(root->p, MASTER_KEY_LEN));
    TRY(master_key_from(root->p, out));
out:
    secret_free(root);
    return rc;
}

/* Read exactly n bytes, retrying short reads and EINTR; false on error or early EOF. */
static bool read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t got = read(fd, p, n);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        p += got;
        n -= (size_t)got;
    }
    return true;
}

static bool write_full(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t put = write(fd, p, n);

        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return false;
        p += put;
        n -= (size_t)put;
    }
    return true;
}

/* fsync the directory holding path, so a new directory entry survives a crash. */
static cu_rc sync_parent_dir(const char *path, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct buf dir;
    const char *slash = strrchr(path, '/');
    int fd = -1;

    buf_init(&dir, PATH_LIMIT);
    if (!slash)
        TRY(buf_addstr(&dir, "."));
    else if (slash == path)
        TRY(buf_addstr(&dir, "/"));
    else
        TRY(buf_add(&dir, path, (size_t)(slash - path)));
    fd = open(dir.p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot sync directory %s: %s", dir.p, strerror(errno));
        goto out;
    }
out:
    if (fd >= 0)
        close(fd);
    buf_release(&dir);
    return rc;
}

/* First start: write 32 fresh random bytes to a private temporary file, then link it into
 * place. link() fails with EEXIST rather than replace a key another process created in the
 * meantime, and the file never appears under its real name half-written. */
static cu_rc create_key_file(const char *path, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct secret *root = NULL;
    struct buf tmp;
    int fd = -1;
    bool linked = false;

    buf_init(&tmp, PATH_LIMIT);
    TRY(secret_new(MASTER_KEY_LEN, &root));
    TRY(rand_bytes(root->p, MASTER_KEY_LEN));
    TRY(buf_addf(&tmp, "%s.tmp.XXXXXX", path));
    fd = mkostemp(tmp.p, O_CLOEXEC); /* O_EXCL, mode 0600 whatever the umask */
    if (fd < 0) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot create master key file %s: %s", path,
                        strerror(errno));
        buf_reset(&tmp); /* nothing to unlink */
        goto out;
    }
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || !write_full(fd, root->p, MASTER_KEY_LEN) ||
        fsync(fd) != 0) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot write master key file %s: %s", tmp.p,
                        strerror(errno));
        goto out;
    }
    if (link(tmp.p, path) == 0) {
        linked = true;
    } else if (errno != EEXIST) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot create master key file %s: %s", path,
                        strerror(errno));
        goto out;
    }
    if (unlink(tmp.p) != 0)
        log_warn("cannot remove temporary file %s: %s", tmp.p, strerror(errno));
    buf_reset(&tmp);
    TRY(sync_parent_dir(path, err));
    if (linked)
        log_info("created master key %s (back it up: without it nothing stored can be read)", path);
out:
    if (fd >= 0)
        close(fd);
    if (tmp.n)
        (void)unlink(tmp.p);
    buf_release(&tmp);
    secret_free(root);
    return rc;
}

/* Check an open key file's type, mode and size, then read its 32 bytes into root. */
static cu_rc read_key_file(int fd, const char *path, uint8_t root[MASTER_KEY_LEN],
                           struct cu_err *err)
{
    struct stat st;
    uint8_t extra;

    if (fstat(fd, &st) != 0)
        return cu_err_set(err, CU_E_INTERNAL, "cannot stat master key file %s: %s", path,
                          strerror(errno));
    if (!S_ISREG(st.st_mode))
        return cu_err_set(err, CU_E_INTERNAL, "master key file %s is not a regular file", path);
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return cu_err_set(err, CU_E_INTERNAL,
                          "master key file %s is accessible by group or others (mode %04o); "
                          "it must be readable by its owner only: chmod 600 %s",
                          path, (unsigned)(st.st_mode & 07777), path);
    if (st.st_size != MASTER_KEY_LEN)
        return cu_err_set(err, CU_E_INTERNAL,
                          "master key file %s holds %lld bytes; it must hold exactly %d random "
                          "bytes (restore it from backup; never edit it)",
                          path, (long long)st.st_size, MASTER_KEY_LEN);
    /* The size is checked again on the bytes themselves: the file may change under us. */
    if (!read_full(fd, root, MASTER_KEY_LEN) || read(fd, &extra, 1) != 0)
        return cu_err_set(err, CU_E_INTERNAL,
                          "cannot read master key file %s: it must hold exactly %d bytes", path,
                          MASTER_KEY_LEN);
    return CU_OK;
}

cu_rc master_key_load_or_create(const char *path, struct master_key **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    uint8_t root[MASTER_KEY_LEN];
    int fd = -1;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 && errno == ENOENT) {
        TRY(create_key_file(path, err));
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    }
    if (fd < 0) {
        rc = cu_err_set(err, CU_E_INTERNAL, "cannot open master key file %s: %s", path,
                        strerror(errno));
        goto out;
    }
    TRY(read_key_file(fd, path, root, err));
    TRY(master_key_from(root, out));
out:
    secret_wipe(root, sizeof(root));
    if (fd >= 0)
        close(fd);
    return rc;
}

cu_rc master_key_seal(const struct master_key *mk, struct bytes plaintext, struct bytes aad,
                      struct buf *out)
{
    cu_rc rc = CU_OK;
    size_t total = plaintext.n + MASTER_KEY_SEAL_OVERHEAD;
    uint8_t *dst;

    ENSURE(plaintext.n <= MASTER_KEY_SEAL_MAX, CU_E_INTERNAL);
    TRY(buf_reserve(out, total));
    /* Written in place past out->n and committed only on success, so a failure leaves out
     * as it was and the plaintext is never copied into this (ordinary) buffer. */
    dst = (uint8_t *)out->p + out->n;
    dst[0] = MASTER_KEY_SEAL_VERSION;
    TRY(rand_bytes(dst + 1, AEAD_IV_LEN));
    TRY(aead_seal(mk->seal->p, dst + 1, aad, plaintext, dst + 1 + AEAD_IV_LEN,
                  dst + 1 + AEAD_IV_LEN + plaintext.n));
    out->n += total;
    out->p[out->n] = '\0';
out:
    return rc;
}

cu_rc master_key_open(const struct master_key *mk, struct bytes sealed, struct bytes aad,
                      struct secret **out)
{
    cu_rc rc = CU_OK;
    struct secret *plain = NULL;
    size_t n;

    *out = NULL;
    ENSURE(sealed.n >= MASTER_KEY_SEAL_OVERHEAD, CU_E_SEAL_BROKEN);
    ENSURE(sealed.p[0] == MASTER_KEY_SEAL_VERSION, CU_E_SEAL_BROKEN);
    n = sealed.n - MASTER_KEY_SEAL_OVERHEAD;
    TRY(secret_new(n, &plain));
    TRY(aead_open(mk->seal->p, sealed.p + 1, aad, bytes_of(sealed.p + 1 + AEAD_IV_LEN, n),
                  sealed.p + 1 + AEAD_IV_LEN + n, plain->p));
    *out = plain;
    plain = NULL;
out:
    secret_free(plain);
    return rc;
}

cu_rc master_key_derive(const struct master_key *mk, const char *purpose, size_t n,
                        struct secret **out)
{
    cu_rc rc = CU_OK;
    struct buf info;
    struct secret *key = NULL;

    *out = NULL;
    buf_init(&info, 1024);
    TRY(buf_addstr(&info, derive_prefix));
    TRY(buf_addstr(&info, purpose));
    TRY(secret_new(n, &key));
    TRY(kdf_hkdf_sha256(secret_bytes(mk->root), bytes_of(NULL, 0), buf_bytes(&info), key->p, n));
    *out = key;
    key = NULL;
out:
    secret_free(key);
    buf_release(&info);
    return rc;
}
