/* policy_cmd.h — `custos policy check` and `custos policy eval`: the policy engine
 * offline, for people who want an answer without a server. */
#ifndef CU_POLICY_CMD_H
#define CU_POLICY_CMD_H

/* argv[0] is "check" or "eval". Returns the process exit code. */
int policy_cmd(int argc, char **argv);

#endif
