/*
 * Console command lines: splitting into words and finding the command.
 * Pure: the command table is data handed in by the caller.
 */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include "lib/reply.h"
#include "lib/types.h"

#define CMDLINE_MAX_ARGS 16

/*
 * Split line in place into words separated by spaces or tabs. Double
 * quotes group words ("a b"); inside them \" and \\ escape. Returns argc
 * (0 for a blank line), or -1 with *err set to a message ("too many
 * arguments", "unterminated quote").
 */
int cmdline_split(char *line, char **argv, int max_args, const char **err);

struct command {
	const char *name;
	const char *usage; /* arguments, e.g. "LEVEL" */
	const char *help;  /* one line */
	int min_args;      /* not counting the command name */
	int max_args;      /* -1 for no limit */
	bool hidden;       /* left out of help */
	void (*run)(struct reply *r, int argc, char **argv);
};

/* The command named name, or NULL. */
const struct command *command_find(const struct command *table, size_t n, const char *name);

/*
 * Run one split line against table: unknown commands and wrong argument
 * counts become errors on r ("unknown command 'x'; try help",
 * "usage: log LEVEL"). argv[0] is the command name.
 */
void command_dispatch(const struct command *table, size_t n, struct reply *r, int argc, char **argv);

#endif
