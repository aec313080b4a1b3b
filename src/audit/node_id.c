/* node_id.c — a node's trail name (node_id.h): validated, defaulted, kept in one file. */
#include "node_id.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain.h"
#include "core/buf.h"
#include "core/file.h"
#include "crypto/digest.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

bool audit_node_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > AUDIT_NODE_ID_MAX || !name_char(s[0]) || s[0] == '.' || s[0] == '_' ||
        s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i]))
            return false;
    return true;
}

void audit_node_id_default(const char *data_dir, char out[AUDIT_NODE_ID_MAX + 1])
{
    char host[AUDIT_NODE_ID_MAX - 8], abs[PATH_MAX], hex[2 * DIGEST_SHA256_LEN + 1];
    const char *path = realpath(data_dir, abs) ? abs : data_dir;
    size_t n;

    if (gethostname(host, sizeof(host)) != 0 || !host[0])
        str_copy(host, sizeof(host), "node");
    host[sizeof(host) - 1] = '\0';
    for (char *c = host; *c; c++)
        if (!name_char(*c))
            *c = '-';
    if (!name_char(host[0]) || host[0] == '.' || host[0] == '_' || host[0] == '-')
        host[0] = 'n';
    digest_sha256_hex((struct bytes){(const uint8_t *)path, strlen(path)}, hex);
    n = strlen(host);
    memcpy(out, host, n);
    out[n] = '-';
    memcpy(out + n + 1, hex, 8);
    out[n + 9] = '\0';
}

static void id_path(const char *data_dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%s", data_dir, AUDIT_TRAIL_SUBDIR, AUDIT_NODE_ID_FILE);
}

void audit_node_id_read(const char *data_dir, char out[AUDIT_NODE_ID_MAX + 1])
{
    struct buf text;
    char path[1200];

    out[0] = '\0';
    buf_init(&text, AUDIT_NODE_ID_MAX + 2);
    id_path(data_dir, path, sizeof(path));
    if (file_read_all(path, &text) == CU_OK) {
        while (text.n && text.p[text.n - 1] == '\n')
            text.p[--text.n] = '\0';
        if (audit_node_id_valid(text.p))
            str_copy(out, AUDIT_NODE_ID_MAX + 1, text.p);
    }
    buf_release(&text);
}

cu_rc audit_node_id_write(const char *data_dir, const char *id, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    char path[1200], line[AUDIT_NODE_ID_MAX + 2], now[AUDIT_NODE_ID_MAX + 1], why[128] = "";

    ENSURE(audit_node_id_valid(id), CU_E_VALIDATION);
    audit_node_id_read(data_dir, now);
    if (strcmp(now, id) == 0)
        goto out; /* kept already: a restart writes nothing */
    id_path(data_dir, path, sizeof(path));
    snprintf(line, sizeof(line), "%s\n", id);
    rc = file_write_atomic(path, (struct bytes){(const uint8_t *)line, strlen(line)}, 0644, false,
                           why, sizeof(why));
    if (rc != CU_OK)
        rc = cu_err_set(err, CU_E_STORE, "cannot keep the node id in %s: %s", path, why);
out:
    return rc;
}
