/*
 * Console command lines: word splitting and dispatch (see cmdline.h).
 */
#include "lib/cmdline.h"

#include <string.h>

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy one word from *src to dst, removing quotes and escapes. The word
 * never grows, so dst may trail src in the same buffer. Returns false on
 * an unterminated quote.
 */
static bool cmdline_word(char **src, char *dst)
{
	char *p = *src;
	bool quoted = false;

	while (*p && (quoted || !cmdline_is_space(*p))) {
		if (*p == '"') {
			quoted = !quoted;
			p++;
		} else if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\')) {
			*dst++ = p[1];
			p += 2;
		} else {
			*dst++ = *p++;
		}
	}
	/* Terminate after reading p: the NUL may land on a separator. */
	*src = *p ? p + 1 : p;
	*dst = '\0';
	return !quoted;
}

int cmdline_split(char *line, char **argv, int max_args, const char **err)
{
	char *p = line;
	int argc = 0;

	for (;;) {
		while (cmdline_is_space(*p))
			p++;
		if (!*p)
			break;
		if (argc >= max_args) {
			if (err)
				*err = "too many arguments";
			return -1;
		}
		argv[argc++] = p;
		if (!cmdline_word(&p, p)) {
			if (err)
				*err = "unterminated quote";
			return -1;
		}
	}
	if (argc < max_args)
		argv[argc] = NULL;
	return argc;
}

const struct command *command_find(const struct command *table, size_t n,
				   const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < n; i++)
		if (table[i].name && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

void command_dispatch(const struct command *table, size_t n, struct reply *r,
		      int argc, char **argv)
{
	const struct command *cmd;
	int nargs = argc - 1;

	if (argc <= 0)
		return;
	cmd = command_find(table, n, argv[0]);
	if (!cmd) {
		reply_error(r, "unknown command '%s'; try help", argv[0]);
		return;
	}
	if (nargs < cmd->min_args || (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		if (cmd->usage && *cmd->usage)
			reply_error(r, "usage: %s %s", cmd->name, cmd->usage);
		else
			reply_error(r, "usage: %s", cmd->name);
		return;
	}
	if (cmd->run)
		cmd->run(r, argc, argv);
}
