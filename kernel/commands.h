/*
 * Console commands register themselves: a module that offers commands
 * defines each one with COMMAND() at the end of its file, and the linker
 * gathers them into one table, sorted by name (section .hv_commands.*,
 * see linker.ld). kernel/console.c dispatches on that table; no central
 * list names the modules, so a new layer (migrate/) adds commands without
 * anything below it knowing.
 */
#ifndef KERNEL_COMMANDS_H
#define KERNEL_COMMANDS_H

#include "lib/cmdline.h"
#include "lib/reply.h"

#define COMMAND(id, usage, help, min_args, max_args, hidden, run)                    \
	static const struct command command_##id                                   \
		__attribute__((used, section(".hv_commands." #id), aligned(8))) = { \
			#id, usage, help, min_args, max_args, hidden, run          \
		}

/* The registered commands, sorted by name; *n is their number. */
const struct command *commands_table(size_t *n);

#endif
