/* rotation_hooks.h — the operator's rotation hooks (`--rotation-hook ARN=COMMAND`) and the
 * worker thread that runs Secrets Manager rotations through them, off the request path.
 *
 * A hook stands where AWS calls a rotation Lambda function: RotationLambdaARN names it,
 * and the worker runs COMMAND (through /bin/sh -c) once per step with the event a rotation
 * function receives on stdin, {"Step", "SecretId", "ClientRequestToken"}, and in its
 * environment temporary credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN: a session of the --rotation-role role narrowed to the one secret),
 * AWS_ENDPOINT_URL (custos's public URL), AWS_REGION and AWS_DEFAULT_REGION. A step
 * succeeds when the command exits 0 within --rotation-hook-timeout seconds; its output is
 * discarded, never logged, since a hook may print the secret. */
#ifndef CU_ROTATION_HOOKS_H
#define CU_ROTATION_HOOKS_H

#include "audit/audit.h"
#include "core/cu.h"
#include "services/call.h"

#define ROTATION_HOOKS_MAX 16
#define ROTATION_HOOK_ARN_MAX 2048
#define ROTATION_HOOK_COMMAND_MAX 4096
#define ROTATION_SWEEP_MS (60 * 1000)

/* Split "ARN=COMMAND" (the ARN holds no '='): arn and command, NUL-terminated, in the
 * caller's arrays. CU_E_VALIDATION with a message for the operator otherwise. Pure. */
MUST_CHECK cu_rc rotation_hook_parse(const char *spec, char arn[ROTATION_HOOK_ARN_MAX],
                                     char command[ROTATION_HOOK_COMMAND_MAX], struct cu_err *err);

struct rotation_hooks;

/* Start the worker over env (its rotation_* members are set to this worker's: env must be
 * the one the pipeline serves with, and outlive the worker), recording into trail.
 * specs: the --rotation-hook values (borrowed; n of them); role_arn the --rotation-role;
 * timeout_s each step's limit. The worker claims due rotations at once, every
 * ROTATION_SWEEP_MS, and whenever RotateSecret wakes it. *out: rotation_hooks_stop; NULL
 * when n is 0 (no worker: a rotation has nothing to run it). */
MUST_CHECK cu_rc rotation_hooks_start(struct call_env *env, struct audit_writer *trail,
                                      const char (*specs)[ROTATION_HOOK_ARN_MAX + ROTATION_HOOK_COMMAND_MAX],
                                      size_t n, const char *role_arn, size_t timeout_s,
                                      struct rotation_hooks **out, struct cu_err *err);

/* Stop the worker: a hook still running is killed, and its rotation ends as failed.
 * NULL-safe. */
void rotation_hooks_stop(struct rotation_hooks *h);

#endif
