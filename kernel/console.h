/*
 * The operator's serial console: line editing, command dispatch, and the
 * reply mode (text for people, JSON for tools).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "lib/cmdline.h"
#include "kernel/config.h"
#include "lib/reply.h"

#define CONSOLE_PROMPT "hv> "

/* Set up the editor and reply mode from the configuration, print the prompt. */
void console_init(const struct config *cfg);

/* Consume every byte waiting on the serial port; runs commands as lines end. */
void console_poll(void);

/*
 * A log line (not a reply): queued, never waited for; a full queue drops
 * it and counts. Lines are printed above the prompt by
 * console_service_output, and held back while the operator types a line
 * or a reply is being printed, so replies and echoed input are never split.
 */
void console_async_write(const char *s, size_t n);

/*
 * From the main loop: move queued lines (the log's, each guest's, in
 * turn) onto the console when it is idle, report drops, and feed the
 * UART what it takes without waiting.
 */
void console_service_output(void);

/*
 * One status line that updates in place (text mode: a migration's
 * progress). It shares the prompt's line, "TEXT | hv> ", redrawn with
 * "\r\e[K" when the console is idle and after every line printed above
 * the prompt; it never interrupts a line being typed or a reply. NULL or
 * "" removes it. The text is copied (cut at CONSOLE_STATUS_MAX - 1). Main loop.
 */
#define CONSOLE_STATUS_MAX 160
void console_status(const char *text);

/* True when input arrived in the last few milliseconds (the main loop keeps polling). */
bool console_busy(void);

/*
 * True while queued lines are held back: the operator is typing a line,
 * or a command is running (one that waits, like `dirty rate` or `ping`,
 * can take seconds).
 */
bool console_holding(void);

/*
 * True while someone waits on the console: input just arrived, or a reply
 * or echo is queued. The main loop then comes round often enough to keep
 * the UART busy; queued guest and log lines alone do not count (a guest
 * flooding its serial port cannot make every other guest's slices short).
 */
bool console_interactive(void);

void console_set_mode(enum reply_mode mode);
enum reply_mode console_mode(void);

struct guest;

/* Key that returns from a guest's console to the hypervisor's: Ctrl-] */
#define CONSOLE_DETACH_KEY 0x1d

/* Send console input to g's UART until the detach key (guest console NAME). */
void console_attach(struct guest *g);
/* Back to the hypervisor console (also when the attached guest stops). */
void console_detach(void);
/* The guest the console is attached to, or NULL. */
struct guest *console_attached(void);


#endif
