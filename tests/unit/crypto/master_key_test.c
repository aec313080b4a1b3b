/* Tests for crypto/master_key.c: create on first start (mode 0600, 32 bytes, stable across
 * loads), refusal of loose modes, wrong sizes and non-files, seal/open round trips, every
 * byte of a sealed blob flipped, every truncation, wrong AAD, another master key, unknown
 * version, and derived sub-keys. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/buf.h"
#include "core/err.h"
#include "crypto/master_key.h"

static char dir[] = "/tmp/custos-mk-XXXXXX";

static void path_in_dir(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || write(fd, p, n) != (ssize_t)n || fchmod(fd, mode) != 0)
        abort();
    close(fd);
}

static int count_entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Sealing with a and opening with b must round-trip (both hold the same key). */
static bool same_key(const struct master_key *a, const struct master_key *b)
{
    struct buf sealed;
    struct secret *plain = NULL;
    bool ok;

    buf_init(&sealed, 1024);
    ok = master_key_seal(a, bytes_str("probe"), bytes_str("aad"), &sealed) == CU_OK &&
         master_key_open(b, buf_bytes(&sealed), bytes_str("aad"), &plain) == CU_OK &&
         bytes_eq_str(secret_bytes(plain), "probe");
    secret_free(plain);
    buf_release(&sealed);
    return ok;
}

static void create_then_load(void)
{
    char path[256];
    struct master_key *a = NULL, *b = NULL;
    struct cu_err err = {0};
    struct stat st;

    path_in_dir(path, sizeof(path), "master.key");
    CHECK_OK(master_key_load_or_create(path, &a, &err));
    CHECK(a != NULL);
    CHECK(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    CHECK_INT(st.st_size, MASTER_KEY_LEN);
    /* The second start reads the same key, and the file is unchanged. */
    CHECK_OK(master_key_load_or_create(path, &b, &err));
    CHECK(same_key(a, b));
    CHECK(same_key(b, a));
    /* No temporary file is left behind. */
    CHECK_INT(count_entries(), 1);
    master_key_free(a);
    master_key_free(b);
    CHECK(unlink(path) == 0);
}

/* An existing key file is read as it is, never replaced. */
static void existing_file_is_used(void)
{
    char path[256];
    uint8_t root[32];
    struct master_key *a = NULL, *b = NULL;
    struct cu_err err = {0};

    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)(i * 5);
    path_in_dir(path, sizeof(path), "given.key");
    write_file(path, root, 32, 0600);
    CHECK_OK(master_key_load_or_create(path, &a, &err));
    CHECK_OK(master_key_load_or_create(path, &b, &err));
    CHECK(same_key(a, b));
    /* A 0400 file is fine too. */
    CHECK(chmod(path, 0400) == 0);
    master_key_free(b);
    b = NULL;
    CHECK_OK(master_key_load_or_create(path, &b, &err));
    CHECK(same_key(a, b));
    master_key_free(a);
    master_key_free(b);
    CHECK(unlink(path) == 0);
}

static void refusals(void)
{
    static const mode_t loose[] = {0644, 0640, 0604, 0620, 0602, 0660, 0666, 0610, 0601};
    static const size_t bad_sizes[] = {0, 1, 31, 33, 64};
    uint8_t bytes[64] = {0};
    char path[256];
    struct master_key *mk = NULL;
    struct cu_err err = {0};

    path_in_dir(path, sizeof(path), "loose.key");
    for (size_t i = 0; i < ARRAY_LEN(loose); i++) {
        write_file(path, bytes, 32, loose[i]);
        cu_err_clear(&err);
        CHECK_RC(master_key_load_or_create(path, &mk, &err), CU_E_INTERNAL);
        CHECK(mk == NULL);
        CHECK_CONTAINS(err.msg, "accessible by group or others");
        CHECK_CONTAINS(err.msg, "chmod 600");
        CHECK_CONTAINS(err.msg, path);
    }
    CHECK(unlink(path) == 0);

    path_in_dir(path, sizeof(path), "size.key");
    for (size_t i = 0; i < ARRAY_LEN(bad_sizes); i++) {
        write_file(path, bytes, bad_sizes[i], 0600);
        cu_err_clear(&err);
        CHECK_RC(master_key_load_or_create(path, &mk, &err), CU_E_INTERNAL);
        CHECK(mk == NULL);
        CHECK_CONTAINS(err.msg, "exactly 32");
    }
    CHECK(unlink(path) == 0);

    /* A directory where the file should be. */
    path_in_dir(path, sizeof(path), "adir.key");
    CHECK(mkdir(path, 0700) == 0);
    cu_err_clear(&err);
    CHECK_RC(master_key_load_or_create(path, &mk, &err), CU_E_INTERNAL);
    CHECK_CONTAINS(err.msg, "not a regular file");
    CHECK(rmdir(path) == 0);

    /* A missing directory: nothing to create the file in. */
    path_in_dir(path, sizeof(path), "missing/master.key");
    cu_err_clear(&err);
    CHECK_RC(master_key_load_or_create(path, &mk, &err), CU_E_INTERNAL);
    CHECK_CONTAINS(err.msg, "cannot create master key file");
    CHECK(mk == NULL);
}

static void seal_open(void)
{
    struct master_key *mk = NULL, *other = NULL;
    struct buf sealed, again;
    struct secret *plain = NULL;
    const char *msg = "backing key material, 32 bytes!";
    size_t n = strlen(msg);
    int broken = 0;

    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    buf_init(&sealed, 4096);
    buf_init(&again, 4096);
    CHECK_OK(master_key_seal(mk, bytes_str(msg), bytes_str("arn:x|v1"), &sealed));
    CHECK_INT(sealed.n, n + MASTER_KEY_SEAL_OVERHEAD);
    CHECK_INT((uint8_t)sealed.p[0], MASTER_KEY_SEAL_VERSION);
    CHECK(memmem(sealed.p, sealed.n, msg, n) == NULL);
    CHECK_OK(master_key_open(mk, buf_bytes(&sealed), bytes_str("arn:x|v1"), &plain));
    CHECK(plain && bytes_eq_str(secret_bytes(plain), msg));
    secret_free(plain);
    plain = NULL;

    /* A fresh IV each time: the same input seals differently. */
    CHECK_OK(master_key_seal(mk, bytes_str(msg), bytes_str("arn:x|v1"), &again));
    CHECK(again.n == sealed.n && memcmp(again.p, sealed.p, sealed.n) != 0);

    /* Every byte flipped (version, IV, ciphertext, tag) fails. */
    for (size_t i = 0; i < sealed.n; i++) {
        sealed.p[i] ^= 0x01;
        broken += master_key_open(mk, buf_bytes(&sealed), bytes_str("arn:x|v1"), &plain) ==
                  CU_E_SEAL_BROKEN;
        sealed.p[i] ^= 0x01;
    }
    CHECK_INT(broken, sealed.n);
    CHECK(plain == NULL);
    /* Every truncation fails. */
    broken = 0;
    for (size_t len = 0; len < sealed.n; len++)
        broken += master_key_open(mk, bytes_of(sealed.p, len), bytes_str("arn:x|v1"), &plain) ==
                  CU_E_SEAL_BROKEN;
    CHECK_INT(broken, sealed.n);
    /* Wrong AAD, no AAD, another master key. */
    CHECK_RC(master_key_open(mk, buf_bytes(&sealed), bytes_str("arn:x|v2"), &plain),
             CU_E_SEAL_BROKEN);
    CHECK_RC(master_key_open(mk, buf_bytes(&sealed), bytes_of(NULL, 0), &plain), CU_E_SEAL_BROKEN);
    CHECK_RC(master_key_open(other, buf_bytes(&sealed), bytes_str("arn:x|v1"), &plain),
             CU_E_SEAL_BROKEN);
    /* Appended bytes fail too (they shift the tag). */
    CHECK_OK(buf_addch(&sealed, 0));
    CHECK_RC(master_key_open(mk, buf_bytes(&sealed), bytes_str("arn:x|v1"), &plain),
             CU_E_SEAL_BROKEN);
    CHECK(plain == NULL);

    /* Empty plaintext round-trips. */
    buf_reset(&sealed);
    CHECK_OK(master_key_seal(mk, bytes_of(NULL, 0), bytes_str("a"), &sealed));
    CHECK_INT(sealed.n, MASTER_KEY_SEAL_OVERHEAD);
    CHECK_OK(master_key_open(mk, buf_bytes(&sealed), bytes_str("a"), &plain));
    CHECK(plain && plain->n == 0);
    secret_free(plain);

    /* Appending after existing content; a limit that is too small leaves out unchanged. */
    buf_release(&sealed);
    buf_init(&sealed, 40);
    CHECK_OK(buf_addstr(&sealed, "prefix"));
    CHECK_RC(master_key_seal(mk, bytes_str("0123456789"), bytes_str("a"), &sealed),
             CU_E_PAYLOAD_TOO_LARGE);
    CHECK_INT(sealed.n, 6);
    CHECK_OK(master_key_seal(mk, bytes_str("01234"), bytes_str("a"), &sealed));
    CHECK_INT(sealed.n, 6 + 5 + MASTER_KEY_SEAL_OVERHEAD);
    CHECK_OK(master_key_open(mk, bytes_of(sealed.p + 6, sealed.n - 6), bytes_str("a"), &plain));
    CHECK(plain && bytes_eq_str(secret_bytes(plain), "01234"));
    secret_free(plain);

    buf_release(&sealed);
    buf_release(&again);
    master_key_free(mk);
    master_key_free(other);
}

static void derive(void)
{
    struct master_key *mk = NULL, *other = NULL;
    struct secret *a = NULL, *b = NULL, *c = NULL, *d = NULL;

    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    CHECK_OK(master_key_derive(mk, "sts-session-token", 32, &a));
    CHECK_OK(master_key_derive(mk, "sts-session-token", 32, &b));
    CHECK_OK(master_key_derive(mk, "audit-digest", 32, &c));
    CHECK_OK(master_key_derive(other, "sts-session-token", 32, &d));
    CHECK(a && b && c && d);
    CHECK(ct_equal(a->p, a->n, b->p, b->n));
    CHECK(!ct_equal(a->p, a->n, c->p, c->n));
    CHECK(!ct_equal(a->p, a->n, d->p, d->n));
    secret_free(a);
    secret_free(b);
    secret_free(c);
    secret_free(d);
    master_key_free(mk);
    master_key_free(other);
    master_key_free(NULL);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    create_then_load();
    existing_file_is_used();
    refusals();
    seal_open();
    derive();
    rmdir(dir);
    TEST_END();
}
