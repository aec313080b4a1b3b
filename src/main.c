/* main.c — the custos command line. `custos serve [flags]` runs the server (flags in
 * server/config.c and README.md); `custos policy check|eval` runs the policy engine
 * offline (cli/policy_cmd.c); `custos store migrate` copies a store into PostgreSQL
 * (cli/store_cmd.c). Signals are blocked before any thread starts so
 * that only server_run_until_signal() receives SIGTERM/SIGINT (and SIGHUP). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/audit_cmd.h"
#include "cli/policy_cmd.h"
#include "cli/store_cmd.h"
#include "core/log.h"
#include "server/server.h"

static int usage(FILE *f)
{
    fprintf(f, "usage: custos serve [--listen HOST:PORT] [--data-dir DIR] [--region REGION]\n"
               "                    [--regions LIST] [--account-id 000000000000]\n"
               "                    [--tls-cert F --tls-key F]\n"
               "                    [--store URL] [--master-key-file F] [--public-url URL]\n"
               "                    [--max-body-bytes N] [--max-header-bytes N]\n"
               "                    [--max-connections N] [--max-connections-per-source N]\n"
               "                    [--header-timeout S] [--body-timeout S] [--idle-timeout S]\n"
               "                    [--drain-seconds S] [--unauth-rate N] [--unauth-burst N]\n"
               "                    [--oidc-jwks ISSUER_URL=JWKS_FILE]...\n"
               "                    [--audit-digest-interval SECONDS] [--audit-rotate-bytes N]\n"
               "                    [--audit-retain DAYS] [--audit-disk-warn-bytes N]\n"
               "                    [--rotation-hook ARN=COMMAND]... [--rotation-role ROLE_ARN]\n"
               "                    [--rotation-hook-timeout SECONDS]\n"
               "         --rotation-hook: run COMMAND (sh -c) for Secrets Manager rotations\n"
               "         whose RotationLambdaARN is ARN: each step's event on stdin, a session\n"
               "         of --rotation-role narrowed to the secret in AWS_* variables\n"
               "         --oidc-jwks: the JSON Web Key Set that verifies the OIDC tokens whose\n"
               "         iss is ISSUER_URL (AssumeRoleWithWebIdentity); repeatable, one per\n"
               "         issuer; re-read on SIGHUP (a bad file keeps the previous keys)\n"
               "         --regions: the regions served, comma-separated (default: every\n"
               "         commercial region of the aws partition); --region, the default one,\n"
               "         must be among them; a request's SigV4 scope selects its region\n"
               "       custos policy check FILE [--type identity|resource|key|boundary]\n"
               "       custos policy eval FILE\n"
               "       custos audit verify [--from DATE] [--to DATE] [--public-key PEM]... DIR [DIR...]\n"
               "       custos audit public-key [--master-key-file F] DIR\n"
               "       custos audit export --since DATE --until DATE [--format jsonl|cloudtrail]\n"
               "                           DIR [DIR...]\n"
               "         several DIRs: several nodes' trails, merged oldest first by eventTime\n"
               "       custos store migrate --from DIR --to postgres://...\n"
               "         copies DIR's store (stop its server first) into an empty PostgreSQL\n"
               "         database and verifies the copy\n");
    return f == stderr ? 2 : 0;
}

static int serve(int argc, char **argv)
{
    struct config cfg;
    struct cu_err err = {0};
    struct server *srv = NULL;
    sigset_t set;

    if (argc == 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0))
        return usage(stdout);
    config_defaults(&cfg);
    if (config_parse(argc, argv, &cfg, &err) != CU_OK) {
        fprintf(stderr, "custos: %s\n", err.msg);
        return usage(stderr);
    }
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (server_start(&cfg, &srv, &err) != CU_OK) {
        fprintf(stderr, "custos: cannot start: %s\n", err.msg[0] ? err.msg : "internal error");
        return 1;
    }
    server_run_until_signal(srv);
    server_stop(srv);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return serve(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "audit") == 0)
        return audit_cmd(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "policy") == 0)
        return policy_cmd(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "store") == 0)
        return store_cmd(argc - 2, argv + 2);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0))
        return usage(stdout);
    return usage(stderr);
}
