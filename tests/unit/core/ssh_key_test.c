/* Tests for core/ssh_key.c: a key ssh-keygen made parses, its fingerprint is the one
 * ssh-keygen -l -E md5 printed, its blob rebuilds from (e, n) byte for byte; and broken
 * texts and blobs — truncated, tampered, oversized, of another type, with a negative, a
 * non-minimal or an even number — are refused. */
#include <string.h>

#include "check.h"
#include "core/codec.h"
#include "core/ssh_key.h"

/* ssh-keygen -t rsa -b 2048 -C unit@test; ssh-keygen -l -E md5 printed FINGERPRINT */
#define KEY_B64                                                                                    \
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQDGTu0WGkeGFmYkZDqWmnmIr56GoHG2wG4zL+3WVIRkk6Rffw3SSHULMndmDkc/" \
    "Lx8yKz9QnEpEBXsSgFleInf+ENw4JHTf8KTj0cfZ5vBYDZBGn4nWnpULyfJMk5EMNWHnJCxGwVSsS99O2sfsX/"       \
    "w76MqpjiMaVS4nVZTABKRcxgpJ4VMqcV1MLfUZt5WgGc3bVNFxSy4JAWPDXx45t/"                              \
    "tgsxepYiDYYH7PBilxiOrZ5otIe6rQpII1D4D8lGXWUgrlVapdDG2y/bNBwgptViVFAtEwIHQqEGS1Sa6Mmbx8xGhcU+" \
    "Tv0xquHln4h1QIXouGtdu51vrBrB/vlRpKe7kT"
#define KEY_TEXT "ssh-rsa " KEY_B64 " unit@test\n"
#define FINGERPRINT "9d:0a:74:ba:46:5c:d2:20:4c:af:8f:85:a8:a8:74:64"
#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDjdnLhDnnhG0gGhQwTtk4g4MRM/uB7dMpjW42XGCiN/ x"

static cu_rc parse(const char *text, struct buf *blob, bool *recognized)
{
    buf_reset(blob);
    return ssh_key_parse_text(bytes_str(text), blob, recognized);
}

static void good_key(void)
{
    struct buf blob, again, text;
    struct ssh_key_rsa key;
    char fp[SSH_KEY_FINGERPRINT_LEN + 1];
    bool recognized = false;

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    buf_init(&again, SSH_KEY_TEXT_MAX);
    buf_init(&text, 2 * SSH_KEY_TEXT_MAX);
    CHECK_OK(parse(KEY_TEXT, &blob, &recognized));
    CHECK(recognized);
    CHECK_OK(ssh_key_parse_blob(buf_bytes(&blob), &key));
    CHECK_INT(key.bits, 2048);
    CHECK_INT(key.e.n, 3);
    CHECK(key.e.p[0] == 1 && key.e.p[1] == 0 && key.e.p[2] == 1);
    CHECK_OK(ssh_key_fingerprint(buf_bytes(&blob), fp));
    CHECK_STR(fp, FINGERPRINT);
    /* rebuilt from its numbers, the blob is the same bytes */
    CHECK_OK(ssh_key_blob(key.e, key.n, &again));
    CHECK(again.n == blob.n && memcmp(again.p, blob.p, blob.n) == 0);
    CHECK_OK(ssh_key_text(buf_bytes(&blob), &text));
    CHECK_STR(text.p, "ssh-rsa " KEY_B64);
    /* white space around it, tabs, no comment: the same key */
    CHECK_OK(parse("  \t ssh-rsa\t" KEY_B64 "  ", &blob, &recognized));
    CHECK(blob.n == again.n && memcmp(blob.p, again.p, blob.n) == 0);
    buf_release(&blob);
    buf_release(&again);
    buf_release(&text);
}

/* KEY's blob with its bytes from `at` replaced by `with` (n bytes) or cut at `at` (n 0),
 * re-encoded as a key text into out. */
static void edited(size_t at, const void *with, size_t n, bool cut, struct buf *out)
{
    struct buf blob;
    bool recognized;

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    CHECK_OK(parse(KEY_TEXT, &blob, &recognized));
    if (cut)
        blob.n = at;
    else if (at + n <= blob.n)
        memcpy(blob.p + at, with, n);
    buf_reset(out);
    CHECK_OK(buf_addstr(out, "ssh-rsa "));
    CHECK_OK(b64_encode(buf_bytes(&blob), out));
    buf_release(&blob);
}

static void broken(void)
{
    struct buf blob, text;
    bool recognized = true;
    static const uint8_t big_len[] = {0x7f, 0xff, 0xff, 0xff};
    static const uint8_t dss[] = {'s', 's', 'h', '-', 'd', 's', 's'};
    static const uint8_t zero = 0, high = 0x80;
    char huge[SSH_KEY_TEXT_MAX + 16];

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    buf_init(&text, 2 * SSH_KEY_TEXT_MAX);
    /* not an ssh-rsa text at all: not recognized */
    CHECK_RC(parse("", &blob, &recognized), CU_E_MALFORMED_INPUT);
    CHECK(!recognized);
    CHECK_RC(parse("ssh-rsa", &blob, &recognized), CU_E_MALFORMED_INPUT);
    CHECK(!recognized);
    CHECK_RC(parse(ED25519, &blob, &recognized), CU_E_MALFORMED_INPUT);
    CHECK(!recognized);
    CHECK_RC(parse("-----BEGIN PUBLIC KEY-----", &blob, &recognized), CU_E_MALFORMED_INPUT);
    CHECK(!recognized);
    /* an ssh-rsa text with a broken body: recognized */
    CHECK_RC(parse("ssh-rsa !!!!", &blob, &recognized), CU_E_MALFORMED_INPUT);
    CHECK(recognized);
    CHECK(blob.n == 0); /* nothing left behind */
    CHECK_RC(parse("ssh-rsa AAAA", &blob, &recognized), CU_E_MALFORMED_INPUT);
    /* the ed25519 blob behind an ssh-rsa label */
    CHECK_RC(parse("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIDjdnLhDnnhG0gGhQwTtk4g4MRM/uB7dMpjW42XGCiN/",
                   &blob, &recognized),
             CU_E_MALFORMED_INPUT);
    /* truncated inside n, and after e */
    edited(200, NULL, 0, true, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    edited(18, NULL, 0, true, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    /* a length past the end, a type of another name */
    edited(18, big_len, 4, false, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    edited(0, big_len, 4, false, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    edited(4, dss, sizeof(dss), false, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    /* n's sign byte made non-minimal (0x00 before a byte under 0x80) or dropped (negative) */
    edited(23, &zero, 1, false, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    edited(22, &high, 1, false, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    /* an even modulus */
    edited(278, &zero, 1, false, &text);
    CHECK_RC(parse(text.p, &blob, &recognized), CU_E_MALFORMED_INPUT);
    /* oversized text */
    memset(huge, 'A', sizeof(huge) - 1);
    memcpy(huge, "ssh-rsa ", 8);
    huge[sizeof(huge) - 1] = '\0';
    CHECK_RC(parse(huge, &blob, &recognized), CU_E_MALFORMED_INPUT);
    /* an e of zero bytes cannot be built */
    CHECK_RC(ssh_key_blob(bytes_of(&zero, 1), bytes_of(&high, 1), &blob), CU_E_MALFORMED_INPUT);
    buf_release(&blob);
    buf_release(&text);
}

static void trailing_byte(void)
{
    struct buf blob;
    bool recognized;
    struct ssh_key_rsa key;

    buf_init(&blob, SSH_KEY_TEXT_MAX);
    CHECK_OK(parse(KEY_TEXT, &blob, &recognized));
    CHECK_OK(buf_addch(&blob, 0));
    CHECK_RC(ssh_key_parse_blob(buf_bytes(&blob), &key), CU_E_MALFORMED_INPUT);
    buf_release(&blob);
}

int main(void)
{
    good_key();
    broken();
    trailing_byte();
    TEST_END();
}
