/*
 * Console command handlers, grouped by subject in kernel/cmd_*.c. The
 * table that names them is in kernel/console.c.
 */
#ifndef KERNEL_COMMANDS_H
#define KERNEL_COMMANDS_H

#include "kernel/reply.h"

void cmd_help(struct reply *r, int argc, char **argv);
void cmd_version(struct reply *r, int argc, char **argv);
void cmd_mem(struct reply *r, int argc, char **argv);
void cmd_cpu(struct reply *r, int argc, char **argv);
void cmd_uptime(struct reply *r, int argc, char **argv);
void cmd_log(struct reply *r, int argc, char **argv);
void cmd_mode(struct reply *r, int argc, char **argv);
void cmd_boot(struct reply *r, int argc, char **argv);
void cmd_config(struct reply *r, int argc, char **argv);
void cmd_reboot(struct reply *r, int argc, char **argv);
void cmd_shutdown(struct reply *r, int argc, char **argv);
void cmd_guest(struct reply *r, int argc, char **argv);
void cmd_net(struct reply *r, int argc, char **argv);
void cmd_ping(struct reply *r, int argc, char **argv);
void cmd_netbench(struct reply *r, int argc, char **argv);
void cmd_dirty(struct reply *r, int argc, char **argv);
void cmd_profile(struct reply *r, int argc, char **argv);
void cmd_debug(struct reply *r, int argc, char **argv);

#endif
