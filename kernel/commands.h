/*
 * Console commands register themselves: a module that offers commands
 * defines each one with COMMAND() at the end of its file, and the linker
 * gathers them into one table (section hv_commands: linker.ld for the
 * image; a host linker provides __start_/__stop_hv_commands itself, so the
 * host builds of the console get the same table). kernel/console.c dispatches on that table; no central
 * list names the modules, so a new layer (migrate/) adds commands without
 * anything below it knowing.
 */
#ifndef KERNEL_COMMANDS_H
#define KERNEL_COMMANDS_H

#include "lib/cmdline.h"
#include "lib/reply.h"

/* A sanitizer must not pad the entries apart: the section is an array. */
#if defined(__clang__)
#define COMMAND_NO_REDZONE __attribute__((no_sanitize("address")))
#else
#define COMMAND_NO_REDZONE
#endif

#define COMMAND(id, usage, help, min_args, max_args, hidden, run)                        \
	static const struct command command_##id COMMAND_NO_REDZONE                    \
		__attribute__((used, section("hv_commands"), aligned(8))) = {          \
			#id, usage, help, min_args, max_args, hidden, run              \
		}

/* The registered commands, in link order; *n is their number. */
const struct command *commands_table(size_t *n);

#endif
