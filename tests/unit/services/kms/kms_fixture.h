/* kms_fixture.h — what the KMS unit tests that drive handlers over a real SQLite store
 * share: the account, a clock origin, the store and call_env (fixture_open makes them in
 * a fresh directory with a random master key, fixture_close removes them), and run(),
 * which calls a resolver and a handler in a write transaction as the pipeline would
 * (committed on success). Include it once, after defining KMS_FIXTURE_DIR (a mkdtemp
 * template). The helpers are inline so a test that uses only some of them builds without
 * warnings. */
#ifndef CU_KMS_FIXTURE_H
#define CU_KMS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "crypto/master_key.h"
#include "services/kms/kms_ops.gen.h"
#include "store/store.h"

#define ACCOUNT "111122223333"
#define NOW 1700000000000LL
#define DAY 86400000LL
#define MSG_MAX (sizeof(((struct cu_err *)0)->msg))

static char dir[] = KMS_FIXTURE_DIR;
static struct store *store;
static struct call_env env = {.account_id = ACCOUNT, .region = "us-east-1"};
static struct master_key *fixture_master_key;

/* The store in a new directory from KMS_FIXTURE_DIR and a random master key, in env. */
static inline void fixture_open(void)
{
    struct cu_err err = {0};

    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(store_open(dir, &store, &err));
    CHECK_OK(master_key_new_random(&fixture_master_key));
    env.master_key = fixture_master_key;
    env.store = store;
}

/* Close the store, free the master key and remove the directory. */
static inline void fixture_close(void)
{
    char cmd[128];

    store_close(store);
    master_key_free(fixture_master_key);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* Run resolver + handler at now_ms in a write transaction (committed on success). */
static inline cu_rc run(call_resolver resolve, call_handler handler, const char *input, int64_t now_ms,
                 json_t **out, char msg[MSG_MAX])
{
    struct call call = {0};
    struct call_keys keys = {0};
    json_t *in = json_loads(input, 0, NULL);
    cu_rc rc;

    CHECK(in != NULL);
    call.env = &env;
    call.region = env.region;
    call.keys = &keys;
    call.now_ms = now_ms;
    call.allowed_by_policy = true;
    *out = json_object();
    CHECK_OK(store_tx_begin(store, true, &call.tx));
    rc = resolve ? resolve(&call, in) : CU_OK;
    if (rc == CU_OK)
        rc = handler(&call, in, *out);
    if (rc == CU_OK)
        CHECK_OK(store_tx_commit(call.tx));
    else
        store_tx_rollback(call.tx);
    if (msg)
        snprintf(msg, MSG_MAX, "%s", call.err.msg);
    if (call.target.unpin)
        call.target.unpin(call.target.pin);
    json_decref(call.target.doc);
    json_decref(in);
    return rc;
}

static inline void new_key(char key_id[64])
{
    json_t *out = NULL;

    CHECK_OK(run(NULL, kms_create_key, "{}", NOW, &out, NULL));
    snprintf(key_id, 64, "%s",
             json_string_value(json_object_get(json_object_get(out, "KeyMetadata"), "KeyId")));
    json_decref(out);
}

static inline void call_key(call_resolver resolve, call_handler handler, const char *fmt,
                     const char *arg, int64_t now_ms, cu_rc want)
{
    char text[512];
    json_t *out = NULL;

    snprintf(text, sizeof(text), fmt, arg);
    CHECK_RC(run(resolve, handler, text, now_ms, &out, NULL), want);
    json_decref(out);
}

#endif
