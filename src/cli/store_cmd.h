/* store_cmd.h — `custos store migrate`: an embedded store copied into PostgreSQL. */
#ifndef CU_STORE_CMD_H
#define CU_STORE_CMD_H

/* argv[0] is "migrate". Returns the process exit code. */
int store_cmd(int argc, char **argv);

#endif
