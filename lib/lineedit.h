/*
 * Serial console line editor. Pure: bytes in, events and echo out.
 *
 * Printable ASCII (0x20-0x7e) is appended and echoed. Backspace (0x08) and
 * DEL (0x7f) erase the last character. Ctrl-C (0x03) drops the line.
 * Ctrl-U erases the line. CR, LF, CR LF and LF CR each end one line.
 * Up/down arrows (ESC [ A, ESC [ B; also ESC O A/B) walk the history of
 * recent lines, redrawing prompt and line. Other escape sequences are
 * consumed and ignored. Any other byte makes the line "binary": it is
 * rejected when it ends. Bytes past LINEEDIT_MAX make it "too long": also
 * rejected when it ends, never silently truncated and run.
 */
#ifndef LIB_LINEEDIT_H
#define LIB_LINEEDIT_H

#include "lib/types.h"

#define LINEEDIT_MAX 255
#define LINEEDIT_HISTORY 16

enum lineedit_event {
	LINEEDIT_NONE,     /* byte consumed, line not finished */
	LINEEDIT_LINE,     /* a line is ready (may be empty) */
	LINEEDIT_CANCEL,   /* Ctrl-C dropped the line */
	LINEEDIT_TOO_LONG, /* line ended but exceeded LINEEDIT_MAX */
	LINEEDIT_BINARY,   /* line ended but held non-printable bytes */
};

struct lineedit {
	char buf[LINEEDIT_MAX + 1];
	size_t len;
	bool too_long;
	bool binary;
	int esc_state;  /* 0 none, 1 after ESC, 2 in CSI/SS3 */
	int esc_len;
	uint8_t last_end; /* CR or LF that ended the previous line, to pair CR LF */
	char history[LINEEDIT_HISTORY][LINEEDIT_MAX + 1];
	int hist_count;  /* valid entries */
	int hist_newest; /* index of newest entry */
	int hist_pos;    /* -1 when not browsing, else how far back */
	const char *prompt;
	bool (*is_private)(const char *line); /* such lines stay out of the history */
	void (*echo)(void *ctx, const char *s, size_t n);
	void *ctx;
};

/* Initialise with the prompt used for redraws and an echo callback. */
void lineedit_init(struct lineedit *le, const char *prompt,
		   void (*echo)(void *ctx, const char *s, size_t n), void *ctx);
/*
 * Keep lines for which is_private returns true (a secret typed as part
 * of a command) out of the history, so no arrow key brings them back.
 * NULL (the default after lineedit_init) keeps every line.
 */
void lineedit_set_private(struct lineedit *le, bool (*is_private)(const char *line));

/*
 * Feed one byte. On LINEEDIT_LINE *line points at the NUL-terminated line
 * (valid until the next call); a non-empty line enters the history unless
 * it repeats the newest entry. The editor is ready for the next line after
 * any event other than LINEEDIT_NONE.
 */
enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t c, const char **line);

#endif
