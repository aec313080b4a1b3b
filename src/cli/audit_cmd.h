/* audit_cmd.h — `custos audit verify|public-key|export`: the audit trail offline. */
#ifndef CU_AUDIT_CMD_H
#define CU_AUDIT_CMD_H

/* argv[0] is "verify", "public-key" or "export". Returns the process exit code. */
int audit_cmd(int argc, char **argv);

#endif
