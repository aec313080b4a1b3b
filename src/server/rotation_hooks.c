/* rotation_hooks.c — the rotation worker (rotation_hooks.h): one thread that claims the
 * Secrets Manager rotations due (services/secretsmanager, sm_rotation_claim), runs the
 * hook of each through its four steps, and ends it (sm_rotation_end).
 *
 * It never holds a transaction while a hook runs: the hook calls back into custos over
 * HTTP like any client, and its calls are authorized, recorded and committed on their own.
 * A claim, and each end, is a write transaction whose service event (RotationStarted,
 * RotationSucceeded, RotationFailed, as CloudTrail shows Secrets Manager's rotation) is
 * durable in the trail before it commits. The hook's credentials and output never reach
 * the log; the environment made of them is wiped once a step's process is started, the
 * credentials themselves (secure heap) once the rotation's last step ends. */
#include "rotation_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/regions.h"
#include "core/secret.h"
#include "services/secretsmanager/secretsmanager.h"

#define POLL_MS 20
#define ENV_MAX 10

struct hook {
    char arn[ROTATION_HOOK_ARN_MAX];
    char command[ROTATION_HOOK_COMMAND_MAX];
};

struct rotation_hooks {
    struct call_env *env;
    struct audit_writer *trail;
    struct hook hooks[ROTATION_HOOKS_MAX];
    size_t n;
    char role_arn[ROTATION_HOOK_ARN_MAX];
    int64_t timeout_ms;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool wake, stop;
};

static const char *const steps[] = {"createSecret", "setSecret", "testSecret", "finishSecret"};

cu_rc rotation_hook_parse(const char *spec, char arn[ROTATION_HOOK_ARN_MAX],
                          char command[ROTATION_HOOK_COMMAND_MAX], struct cu_err *err)
{
    const char *eq = strchr(spec, '=');

    if (!eq || eq == spec || !eq[1])
        return cu_err_set(err, CU_E_VALIDATION, "--rotation-hook: expected ARN=COMMAND");
    if ((size_t)(eq - spec) >= ROTATION_HOOK_ARN_MAX || strlen(eq + 1) >= ROTATION_HOOK_COMMAND_MAX)
        return cu_err_set(err, CU_E_VALIDATION, "--rotation-hook: ARN or COMMAND too long");
    if (strncmp(spec, "arn:aws:lambda:", 15) != 0)
        return cu_err_set(err, CU_E_VALIDATION,
                          "--rotation-hook: the ARN must be a Lambda function's "
                          "(arn:aws:lambda:REGION:ACCOUNT:function:NAME)");
    memcpy(arn, spec, (size_t)(eq - spec));
    arn[eq - spec] = '\0';
    str_copy(command, ROTATION_HOOK_COMMAND_MAX, eq + 1);
    return CU_OK;
}

static const struct hook *hook_of(const struct rotation_hooks *h, const char *arn)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->hooks[i].arn, arn) == 0)
            return &h->hooks[i];
    return NULL;
}

static bool hook_known(const struct call_env *env, const char *arn)
{
    return hook_of(env->rotation_ctx, arn) != NULL;
}

static void wake(const struct call_env *env)
{
    struct rotation_hooks *h = env->rotation_ctx;

    pthread_mutex_lock(&h->mu);
    h->wake = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* sm_event_fn: the rotation's AwsServiceEvent, synced before the commit. */
static cu_rc record_event(const char *region, const char *arn, const char *event_name,
                          uint64_t commit_seq, void *ctx)
{
    cu_rc rc = CU_OK;
    struct rotation_hooks *h = ctx;
    struct audit_service_event e = {.time_ms = clock_now_ms(),
                                    .service = "secretsmanager",
                                    .event_name = event_name,
                                    .region = region,
                                    .account_id = h->env->account_id,
                                    .resource_arn = arn,
                                    .commit_seq = commit_seq};
    struct buf record;

    buf_init(&record, 8192);
    TRY(audit_record_build_service_event(&e, &record));
    TRY(audit_writer_append(h->trail, record.p, record.n, true));
out:
    buf_release(&record);
    return rc;
}

static bool stopping(struct rotation_hooks *h)
{
    bool stop;

    pthread_mutex_lock(&h->mu);
    stop = h->stop;
    pthread_mutex_unlock(&h->mu);
    return stop;
}

/* Wait for pid (a process group of its own) until the step's deadline or a stop; a late
 * one is killed, group and all. *ok: it exited 0 in time. */
static void wait_step(struct rotation_hooks *h, pid_t pid, bool *ok)
{
    int64_t deadline = clock_now_ms() + h->timeout_ms;
    struct timespec poll = {0, POLL_MS * 1000000L};
    int status = 0;

    *ok = false;
    for (;;) {
        pid_t got = waitpid(pid, &status, WNOHANG);

        if (got == pid) {
            *ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            return;
        }
        if (got < 0 && errno != EINTR)
            return;
        if (clock_now_ms() >= deadline || stopping(h)) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            log_warn("secretsmanager: a rotation hook step was killed (timeout or shutdown)");
            return;
        }
        nanosleep(&poll, NULL);
    }
}

/* "NAME=value" into slot, in env's buffer (sensitive: it holds the credentials). */
static cu_rc env_add(struct buf *all, size_t *offsets, size_t *n, const char *name,
                     const char *value)
{
    cu_rc rc = CU_OK;

    offsets[(*n)++] = all->n;
    TRY(buf_addstrs(all, name, "=", value ? value : "", NULL));
    TRY(buf_addch(all, '\0'));
out:
    return rc;
}

/* Run one step: the event on the command's stdin, stdout and stderr to /dev/null. */
static cu_rc run_step(struct rotation_hooks *h, const struct hook *hook,
                      const struct sm_rotation_job *job, const struct sm_hook_credentials *creds,
                      const char *step, bool *ok)
{
    cu_rc rc = CU_OK;
    struct buf envs, event;
    size_t offsets[ENV_MAX], n = 0;
    char *envp[ENV_MAX + 1];
    char *argv[] = {"/bin/sh", "-c", (char *)hook->command, NULL};
    const char *path = getenv("PATH"), *home = getenv("HOME");
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dflt;
    int in[2] = {-1, -1};
    pid_t pid = 0;
    bool fa_made = false, attr_made = false, spawned;
    ssize_t wrote;

    *ok = false;
    buf_init_sensitive(&envs, 64 * 1024);
    buf_init(&event, 8192);
    TRY(env_add(&envs, offsets, &n, "PATH", path ? path : "/usr/local/bin:/usr/bin:/bin"));
    if (home)
        TRY(env_add(&envs, offsets, &n, "HOME", home));
    TRY(env_add(&envs, offsets, &n, "AWS_ACCESS_KEY_ID", creds->access_key_id));
    TRY(env_add(&envs, offsets, &n, "AWS_SECRET_ACCESS_KEY", creds->secret_access_key));
    TRY(env_add(&envs, offsets, &n, "AWS_SESSION_TOKEN", creds->session_token));
    TRY(env_add(&envs, offsets, &n, "AWS_ENDPOINT_URL", h->env->public_url));
    TRY(env_add(&envs, offsets, &n, "AWS_REGION", job->region));
    TRY(env_add(&envs, offsets, &n, "AWS_DEFAULT_REGION", job->region));
    for (size_t i = 0; i < n; i++)
        envp[i] = envs.p + offsets[i];
    envp[n] = NULL;
    /* the event a rotation function receives (user guide, rotate-secrets_lambda) */
    TRY(buf_addstrs(&event, "{\"Step\":\"", step, "\",\"SecretId\":\"", job->arn,
                    "\",\"ClientRequestToken\":\"", job->token, "\"}\n", NULL));
    ENSURE(pipe(in) == 0, CU_E_INTERNAL);
    ENSURE(posix_spawn_file_actions_init(&fa) == 0, CU_E_NOMEM);
    fa_made = true;
    ENSURE(posix_spawnattr_init(&attr) == 0, CU_E_NOMEM);
    attr_made = true;
    /* the server's threads block the signals it waits for; the hook starts with none
     * blocked and SIGPIPE back to its default, in a process group of its own to kill */
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    ENSURE(posix_spawnattr_setsigmask(&attr, &none) == 0 &&
               posix_spawnattr_setsigdefault(&attr, &dflt) == 0 &&
               posix_spawnattr_setpgroup(&attr, 0) == 0 &&
               posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                   POSIX_SPAWN_SETPGROUP) == 0,
           CU_E_INTERNAL);
    ENSURE(posix_spawn_file_actions_adddup2(&fa, in[0], 0) == 0 &&
               posix_spawn_file_actions_addclose(&fa, in[1]) == 0 &&
               posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) == 0 &&
               posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) == 0,
           CU_E_NOMEM);
    spawned = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp) == 0;
    /* the child has its own copy once started: this one is not kept while the step runs */
    buf_release(&envs);
    if (!spawned) {
        log_warn("secretsmanager: cannot start the rotation hook of %s", hook->arn);
        goto out;
    }
    close(in[0]);
    in[0] = -1;
    wrote = write(in[1], event.p, event.n); /* a few hundred bytes: within the pipe's buffer */
    (void)wrote;
    close(in[1]);
    in[1] = -1;
    wait_step(h, pid, ok);
out:
    if (in[0] >= 0)
        close(in[0]);
    if (in[1] >= 0)
        close(in[1]);
    if (fa_made)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_made)
        posix_spawnattr_destroy(&attr);
    buf_release(&envs);
    buf_release(&event);
    return rc;
}

/* The four steps in order, stopping at the first that fails. */
static void run_job(struct rotation_hooks *h, const struct sm_rotation_job *job)
{
    const struct hook *hook = hook_of(h, job->lambda_arn);
    struct secret *held = NULL;
    struct sm_hook_credentials *creds = NULL;
    const char *failed = "credentials";
    bool ok = false, succeeded = false;

    if (secret_new(sizeof(*creds), &held) == CU_OK)
        creds = (struct sm_hook_credentials *)(void *)held->p;
    if (!hook) {
        failed = "no hook";
    } else if (creds &&
               sm_rotation_credentials(h->env, h->role_arn, job, clock_now_ms(), creds) == CU_OK) {
        failed = NULL;
        for (size_t i = 0; i < ARRAY_LEN(steps) && !failed; i++)
            if (run_step(h, hook, job, creds, steps[i], &ok) != CU_OK || !ok)
                failed = steps[i];
    }
    secret_free(held); /* wipes the credentials */
    if (sm_rotation_end(h->env, job, !failed, clock_now_ms(), record_event, h, &succeeded) != CU_OK)
        log_error("secretsmanager: cannot record the end of the rotation of %s", job->arn);
    else if (succeeded)
        log_info("secretsmanager: rotated %s", job->arn);
    else
        log_warn("secretsmanager: the rotation of %s failed%s%s", job->arn,
                 failed ? " at " : "", failed ? failed : " (AWSCURRENT not moved by finishSecret)");
}

/* One pass over every region served: how many rotations it claimed. */
static size_t pass(struct rotation_hooks *h, bool resume)
{
    size_t claimed = 0;

    for (size_t i = 0; i < regions_count(); i++) {
        const char *region = regions_name(i);
        struct sm_rotation_job *jobs = NULL;
        size_t n = 0;

        if (h->env->regions ? !region_set_has(h->env->regions, region)
                            : strcmp(region, h->env->region) != 0)
            continue;
        if (sm_rotation_claim(h->env, region, clock_now_ms(), resume, record_event, h, &jobs,
                              &n) != CU_OK) {
            log_warn("secretsmanager: cannot claim the rotations due in %s; retried later",
                     region);
            continue;
        }
        claimed += n;
        for (size_t j = 0; j < n && !stopping(h); j++)
            run_job(h, &jobs[j]);
        free(jobs);
    }
    return claimed;
}

/* After a wake-up, the pass until it finds the requested rotation: on SQLite the claim's
 * write transaction queues behind RotateSecret's commit, but a store whose writers do
 * not queue (PostgreSQL) may show the claim the state before it; a few short retries. */
static void pass_after_wake(struct rotation_hooks *h)
{
    struct timespec pause = {0, 200 * 1000000L};

    for (int i = 0; i < 5 && !stopping(h); i++) {
        if (pass(h, false))
            return;
        nanosleep(&pause, NULL);
    }
}

static void *worker(void *arg)
{
    struct rotation_hooks *h = arg;
    bool woken;

    pass(h, true);
    for (;;) {
        pthread_mutex_lock(&h->mu);
        if (!h->wake && !h->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += ROTATION_SWEEP_MS / 1000;
            pthread_cond_timedwait(&h->cv, &h->mu, &until);
        }
        woken = h->wake;
        h->wake = false;
        if (h->stop) {
            pthread_mutex_unlock(&h->mu);
            return NULL;
        }
        pthread_mutex_unlock(&h->mu);
        if (woken)
            pass_after_wake(h);
        else
            pass(h, false);
    }
}

cu_rc rotation_hooks_start(struct call_env *env, struct audit_writer *trail,
                           const char (*specs)[ROTATION_HOOK_ARN_MAX + ROTATION_HOOK_COMMAND_MAX],
                           size_t n, const char *role_arn, size_t timeout_s,
                           struct rotation_hooks **out, struct cu_err *err)
{
    cu_rc rc = CU_OK;
    struct rotation_hooks *h = NULL;

    *out = NULL;
    /* no hook, no rotation can run: no worker (RotateSecret then finds no function) */
    if (n == 0)
        return CU_OK;
    h = calloc(1, sizeof(*h));
    ENSURE(h, CU_E_NOMEM);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    ENSURE(n <= ROTATION_HOOKS_MAX, CU_E_VALIDATION);
    for (size_t i = 0; i < n; i++)
        TRY(rotation_hook_parse(specs[i], h->hooks[i].arn, h->hooks[i].command, err));
    h->n = n;
    h->env = env;
    h->trail = trail;
    h->timeout_ms = (int64_t)(timeout_s ? timeout_s : 60) * 1000;
    str_copy(h->role_arn, sizeof(h->role_arn), role_arn ? role_arn : "");
    env->rotation_ctx = h;
    env->rotation_hook_known = hook_known;
    env->rotation_wake = wake;
    ENSURE(pthread_create(&h->thread, NULL, worker, h) == 0, CU_E_INTERNAL);
    h->started = true;
    *out = h;
    h = NULL;
out:
    rotation_hooks_stop(h);
    return rc;
}

void rotation_hooks_stop(struct rotation_hooks *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->started)
        pthread_join(h->thread, NULL);
    if (h->env && h->env->rotation_ctx == h) {
        h->env->rotation_hook_known = NULL;
        h->env->rotation_wake = NULL;
        h->env->rotation_ctx = NULL;
    }
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}
