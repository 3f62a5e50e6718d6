/*
 * Log level names, shared by hv.cfg, the console's "log" command and the
 * log line prefix. Pure: kept apart from kernel/log.c, which needs the
 * console, so the config parser and its tests can use it.
 */
#include <string.h>

#include "kernel/log.h"

static const char *const log_level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= ARRAY_SIZE(log_level_names))
		return "?";
	return log_level_names[level];
}

int log_level_parse(const char *name, enum log_level *out)
{
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(log_level_names); i++) {
		if (strcmp(name, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}
