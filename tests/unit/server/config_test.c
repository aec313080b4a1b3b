/* Tests for server/config.c: every flag, and the malformed forms an operator might type. */
#include "check.h"
#include "server/server.h"

static cu_rc parse(struct config *cfg, int argc, char **argv)
{
    struct cu_err err = {0};

    config_defaults(cfg);
    return config_parse(argc, argv, cfg, &err);
}

/* --unauth-rate / --unauth-burst: defaults, values, and what is refused. */
static void unauth_limits(void)
{
    struct config cfg;
    char *set[] = {"--unauth-rate", "5", "--unauth-burst", "50"};
    char *zero[] = {"--unauth-rate", "0"};
    char *negative[] = {"--unauth-burst", "-3"};
    char *junk[] = {"--unauth-burst", "10x"};

    config_defaults(&cfg);
    CHECK_INT(cfg.unauth_rate, 20);
    CHECK_INT(cfg.unauth_burst, 100);
    CHECK_OK(parse(&cfg, 4, set));
    CHECK_INT(cfg.unauth_rate, 5);
    CHECK_INT(cfg.unauth_burst, 50);
    CHECK_RC(parse(&cfg, 2, zero), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, negative), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, junk), CU_E_VALIDATION);
}

/* --oidc-jwks: repeatable (each kept, in order), at most OIDC_KEYS_MAX_ISSUERS of them;
 * the spec itself is checked when the server reads its file (auth/oidc_keys.c). */
static void oidc_jwks(void)
{
    static struct config cfg;
    char *two[] = {"--oidc-jwks", "https://a.example.com=a.json", "--oidc-jwks",
                   "https://b.example.com=b.json"};
    char *many[2 * (OIDC_KEYS_MAX_ISSUERS + 1)];

    config_defaults(&cfg);
    CHECK_INT(cfg.n_oidc_jwks, 0);
    CHECK_OK(parse(&cfg, 4, two));
    CHECK_INT(cfg.n_oidc_jwks, 2);
    CHECK_STR(cfg.oidc_jwks[0], "https://a.example.com=a.json");
    CHECK_STR(cfg.oidc_jwks[1], "https://b.example.com=b.json");
    for (int i = 0; i < OIDC_KEYS_MAX_ISSUERS + 1; i++) {
        many[2 * i] = "--oidc-jwks";
        many[2 * i + 1] = "https://a.example.com=a.json";
    }
    CHECK_OK(parse(&cfg, 2 * OIDC_KEYS_MAX_ISSUERS, many));
    CHECK_RC(parse(&cfg, 2 * (OIDC_KEYS_MAX_ISSUERS + 1), many), CU_E_VALIDATION);
}

/* --node-id: a valid name kept, others refused; --audit-peer-dir: repeatable, at most 7. */
static void audit_nodes(void)
{
    static struct config cfg;
    char *set[] = {"--node-id", "node-a", "--audit-peer-dir", "/srv/b", "--audit-peer-dir",
                   "/srv/c"};
    char *bad[][2] = {{"--node-id", "node a"}, {"--node-id", "-a"}, {"--node-id", "a/b"},
                      {"--node-id", ""}};
    char *many[2 * 8];

    config_defaults(&cfg);
    CHECK_STR(cfg.node_id, "");
    CHECK_INT(cfg.n_audit_peer_dirs, 0);
    CHECK_OK(parse(&cfg, 6, set));
    CHECK_STR(cfg.node_id, "node-a");
    CHECK_INT(cfg.n_audit_peer_dirs, 2);
    CHECK_STR(cfg.audit_peer_dirs[0], "/srv/b");
    CHECK_STR(cfg.audit_peer_dirs[1], "/srv/c");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_RC(parse(&cfg, 2, bad[i]), CU_E_VALIDATION);
    for (int i = 0; i < 8; i++) {
        many[2 * i] = "--audit-peer-dir";
        many[2 * i + 1] = "/srv/x";
    }
    CHECK_OK(parse(&cfg, 2 * 7, many));
    CHECK_RC(parse(&cfg, 2 * 8, many), CU_E_VALIDATION);
}

/* --rotation-hook ARN=COMMAND: repeatable (each kept, in order), the ARN a Lambda
 * function's, the command after the first '=' (which may hold more); --rotation-role is
 * required with any hook; --rotation-hook-timeout a number. */
static void rotation_hooks(void)
{
    static struct config cfg;
    char *two[] = {"--rotation-hook", "arn:aws:lambda:us-east-1:123456789012:function:a=run a",
                   "--rotation-hook", "arn:aws:lambda:us-east-1:123456789012:function:b=X=1 run b",
                   "--rotation-role", "arn:aws:iam::123456789012:role/rotator",
                   "--rotation-hook-timeout", "30"};
    char *no_role[] = {"--rotation-hook", "arn:aws:lambda:us-east-1:123456789012:function:a=run"};
    char *bad[][2] = {{"--rotation-hook", "arn:aws:lambda:us-east-1:123456789012:function:a"},
                      {"--rotation-hook", "=run"},
                      {"--rotation-hook", "arn:aws:lambda:us-east-1:123456789012:function:a="},
                      {"--rotation-hook", "arn:aws:iam::123456789012:role/x=run"},
                      {"--rotation-hook-timeout", "soon"}};
    char arn[ROTATION_HOOK_ARN_MAX], command[ROTATION_HOOK_COMMAND_MAX];
    struct cu_err err = {0};

    config_defaults(&cfg);
    CHECK_INT(cfg.n_rotation_hooks, 0);
    CHECK_OK(parse(&cfg, 8, two));
    CHECK_INT(cfg.n_rotation_hooks, 2);
    CHECK_STR(cfg.rotation_role, "arn:aws:iam::123456789012:role/rotator");
    CHECK_INT(cfg.rotation_hook_timeout_s, 30);
    CHECK_OK(rotation_hook_parse(cfg.rotation_hooks[1], arn, command, &err));
    CHECK_STR(arn, "arn:aws:lambda:us-east-1:123456789012:function:b");
    CHECK_STR(command, "X=1 run b");
    config_defaults(&cfg);
    CHECK_RC(parse(&cfg, 2, no_role), CU_E_VALIDATION);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        config_defaults(&cfg);
        CHECK_RC(parse(&cfg, 2, bad[i]), CU_E_VALIDATION);
    }
}

/* --public-url: absent by default, kept without its trailing slashes, refused unless it
 * is an http(s) URL (the base of the outbound federation issuer). */
static void public_url(void)
{
    struct config cfg;
    char *set[] = {"--public-url", "https://custos.example.com/base//"};
    char *plain[] = {"--public-url", "http://10.0.0.1:4599"};
    char *relative[] = {"--public-url", "custos.example.com"};
    char *other[] = {"--public-url", "ftp://custos.example.com"};

    config_defaults(&cfg);
    CHECK_STR(cfg.public_url, "");
    CHECK_OK(parse(&cfg, 2, set));
    CHECK_STR(cfg.public_url, "https://custos.example.com/base");
    CHECK_OK(parse(&cfg, 2, plain));
    CHECK_STR(cfg.public_url, "http://10.0.0.1:4599");
    CHECK_RC(parse(&cfg, 2, relative), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, other), CU_E_VALIDATION);
}

/* --regions: every region of the partition by default; a list narrows it; the default
 * --region must be served and a region of the partition. */
static void regions(void)
{
    struct config cfg;
    char *two[] = {"--regions", "us-east-1,eu-west-1"};
    char *default_out[] = {"--regions", "eu-west-1,us-west-2"};
    char *moved[] = {"--regions", "eu-west-1,us-west-2", "--region", "us-west-2"};
    char *unknown[] = {"--regions", "us-east-1,mars-1"};
    char *fake_default[] = {"--region", "local"};

    config_defaults(&cfg);
    CHECK(region_set_has(&cfg.served, "ap-southeast-2"));
    CHECK_OK(parse(&cfg, 2, two));
    CHECK(region_set_has(&cfg.served, "eu-west-1"));
    CHECK(!region_set_has(&cfg.served, "ap-southeast-2"));
    config_defaults(&cfg);
    CHECK_RC(parse(&cfg, 2, default_out), CU_E_VALIDATION);
    CHECK(strstr(cfg.region, "us-east-1") != NULL);
    config_defaults(&cfg);
    CHECK_OK(parse(&cfg, 4, moved));
    CHECK(region_set_has(&cfg.served, "us-west-2") && !region_set_has(&cfg.served, "us-east-1"));
    config_defaults(&cfg);
    CHECK_RC(parse(&cfg, 2, unknown), CU_E_VALIDATION);
    config_defaults(&cfg);
    CHECK_RC(parse(&cfg, 2, fake_default), CU_E_VALIDATION);
}

int main(void)
{
    struct config cfg;
    char *ok[] = {"--listen", "0.0.0.0:8080", "--data-dir", "/tmp/x", "--region", "eu-west-1",
                  "--account-id", "111122223333", "--max-body-bytes", "4096"};
    char *v6[] = {"--listen", "[::1]:4600"};
    char *tls_half[] = {"--tls-cert", "c.pem"};
    char *bad_port[] = {"--listen", "127.0.0.1:99999"};
    char *bad_acct[] = {"--account-id", "12345"};
    char *missing[] = {"--region"};
    char *unknown[] = {"--what", "x"};
    char *zero[] = {"--max-body-bytes", "0"};
    char *http[] = {"--max-connections", "50", "--max-connections-per-source", "7",
                    "--header-timeout", "2", "--body-timeout", "3", "--idle-timeout", "4",
                    "--drain-seconds", "5"};
    char *neg_timeout[] = {"--header-timeout", "-1"};
    char *zero_conns[] = {"--max-connections", "0"};
    char *junk_drain[] = {"--drain-seconds", "10s"};

    config_defaults(&cfg);
    CHECK_STR(cfg.listen_host, "127.0.0.1");
    CHECK_INT(cfg.port, 4599);
    CHECK_STR(cfg.account_id, "000000000000");
    CHECK_INT(cfg.max_connections, 0);
    CHECK_INT(cfg.max_connections_per_source, 1024);
    CHECK_INT(cfg.header_timeout_s, 10);
    CHECK_INT(cfg.idle_timeout_s, 60);
    CHECK_INT(cfg.drain_seconds, 10);
    CHECK_OK(parse(&cfg, 10, ok));
    CHECK_STR(cfg.listen_host, "0.0.0.0");
    CHECK_INT(cfg.port, 8080);
    CHECK_STR(cfg.data_dir, "/tmp/x");
    CHECK_STR(cfg.region, "eu-west-1");
    CHECK_STR(cfg.account_id, "111122223333");
    CHECK(cfg.account_id_given);
    CHECK_INT(cfg.max_body_bytes, 4096);
    CHECK_OK(parse(&cfg, 2, v6));
    CHECK_STR(cfg.listen_host, "::1");
    CHECK_INT(cfg.port, 4600);
    CHECK_RC(parse(&cfg, 2, tls_half), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, bad_port), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, bad_acct), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 1, missing), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, unknown), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, zero), CU_E_VALIDATION);
    unauth_limits();
    oidc_jwks();
    CHECK_OK(parse(&cfg, 12, http));
    CHECK_INT(cfg.max_connections, 50);
    CHECK_INT(cfg.max_connections_per_source, 7);
    CHECK_INT(cfg.header_timeout_s, 2);
    CHECK_INT(cfg.body_timeout_s, 3);
    CHECK_INT(cfg.idle_timeout_s, 4);
    CHECK_INT(cfg.drain_seconds, 5);
    CHECK_RC(parse(&cfg, 2, neg_timeout), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, zero_conns), CU_E_VALIDATION);
    CHECK_RC(parse(&cfg, 2, junk_drain), CU_E_VALIDATION);
    public_url();
    regions();
    rotation_hooks();
    audit_nodes();
    TEST_END();
}
