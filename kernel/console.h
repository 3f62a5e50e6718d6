/*
 * The operator's serial console: line editing, command dispatch, and the
 * reply mode (text for people, JSON for tools).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/cmdline.h"
#include "kernel/config.h"
#include "kernel/reply.h"

#define CONSOLE_PROMPT "hv> "

/* Set up the editor and reply mode from the configuration, print the prompt. */
void console_init(const struct config *cfg);

/* Consume every byte waiting on the serial port; runs commands as lines end. */
void console_poll(void);

/* True when input arrived in the last few milliseconds (the main loop keeps polling). */
bool console_busy(void);

void console_set_mode(enum reply_mode mode);
enum reply_mode console_mode(void);

/* The command table, for help. */
const struct command *console_commands(size_t *n);

#endif
