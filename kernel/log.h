/*
 * Leveled logging to the console. Lines look like
 *   [    12.345678] warn: message
 * Messages above the current level are dropped.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include "lib/types.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Name of a level ("error", ...). */
const char *log_level_name(enum log_level level);
/* Level for a name; returns 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *out);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
