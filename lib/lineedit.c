/*
 * Serial console line editor (behaviour in lineedit.h).
 *
 * Escape sequences follow ECMA-48: ESC '[' starts a control sequence of
 * parameter bytes 0x30-0x3f, intermediates 0x20-0x2f and one final byte
 * 0x40-0x7e (section 5.4); ESC 'O' is SS3, here parsed the same way. A
 * byte that cannot belong to a sequence (a control such as CR or Ctrl-C)
 * abandons it and is handled normally, so a stray ESC never eats Enter.
 */
#include "lib/lineedit.h"

#include <string.h>

#define LE_CTRL_C 0x03
#define LE_BS     0x08
#define LE_LF     0x0a
#define LE_CR     0x0d
#define LE_CTRL_U 0x15
#define LE_ESC    0x1b
#define LE_DEL    0x7f

enum { ESC_NONE, ESC_START, ESC_SEQ };

static void le_echo(struct lineedit *le, const char *s, size_t n)
{
	if (le->echo && n)
		le->echo(le->ctx, s, n);
}

static void le_echo_str(struct lineedit *le, const char *s)
{
	le_echo(le, s, strlen(s));
}

/* Forget the line being edited (buf keeps its text for *line). */
static void le_reset(struct lineedit *le)
{
	le->len = 0;
	le->too_long = false;
	le->binary = false;
	le->esc_state = ESC_NONE;
	le->esc_len = 0;
	le->hist_pos = -1;
}

void lineedit_init(struct lineedit *le, const char *prompt,
		   void (*echo)(void *ctx, const char *s, size_t n), void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->prompt = prompt;
	le->echo = echo;
	le->ctx = ctx;
	/* So the first entry lands in slot 0. */
	le->hist_newest = LINEEDIT_HISTORY - 1;
	le_reset(le);
}

void lineedit_set_private(struct lineedit *le, bool (*is_private)(const char *line))
{
	le->is_private = is_private;
}

/* Return to column 0, clear the row (ECMA-48 EL, CSI K), redraw. */
static void le_redraw(struct lineedit *le)
{
	le_echo_str(le, "\r\x1b[K");
	if (le->prompt)
		le_echo_str(le, le->prompt);
	le_echo(le, le->buf, le->len);
}

static void le_history_add(struct lineedit *le)
{
	int slot;

	if (le->len == 0 || (le->is_private && le->is_private(le->buf)))
		return;
	if (le->hist_count > 0 &&
	    strcmp(le->history[le->hist_newest], le->buf) == 0)
		return;
	slot = (le->hist_newest + 1) % LINEEDIT_HISTORY;
	memcpy(le->history[slot], le->buf, le->len + 1);
	le->hist_newest = slot;
	if (le->hist_count < LINEEDIT_HISTORY)
		le->hist_count++;
}

/* Show history entry pos (0 newest), or an empty line for -1. */
static void le_history_show(struct lineedit *le, int pos)
{
	int slot;

	le->hist_pos = pos;
	le->too_long = false;
	le->binary = false;
	if (pos < 0) {
		le->len = 0;
	} else {
		slot = (le->hist_newest - pos + LINEEDIT_HISTORY) % LINEEDIT_HISTORY;
		le->len = strlen(le->history[slot]);
		memcpy(le->buf, le->history[slot], le->len);
	}
	le->buf[le->len] = '\0';
	le_redraw(le);
}

static void le_history_up(struct lineedit *le)
{
	if (le->hist_pos + 1 < le->hist_count)
		le_history_show(le, le->hist_pos + 1);
}

static void le_history_down(struct lineedit *le)
{
	if (le->hist_pos >= 0)
		le_history_show(le, le->hist_pos - 1);
}

/* One byte of an escape sequence; false if c ends it without using it. */
static bool le_escape(struct lineedit *le, uint8_t c)
{
	if (c < 0x20 || c > 0x7e) {
		le->esc_state = c == LE_ESC ? ESC_START : ESC_NONE;
		le->esc_len = 0;
		return c == LE_ESC;
	}
	if (le->esc_state == ESC_START) {
		/* ESC followed by anything else (Alt-key) is two bytes. */
		le->esc_state = (c == '[' || c == 'O') ? ESC_SEQ : ESC_NONE;
		le->esc_len = 0;
		return true;
	}
	if (c < 0x40) {
		if (le->esc_len < 64)
			le->esc_len++;
		return true;
	}
	le->esc_state = ESC_NONE;
	if (le->esc_len == 0 && c == 'A')
		le_history_up(le);
	else if (le->esc_len == 0 && c == 'B')
		le_history_down(le);
	le->esc_len = 0;
	return true;
}

static enum lineedit_event le_end_line(struct lineedit *le, uint8_t c,
				       const char **line)
{
	enum lineedit_event ev = LINEEDIT_LINE;

	le->last_end = c;
	le_echo_str(le, "\r\n");
	le->buf[le->len] = '\0';
	if (le->too_long)
		ev = LINEEDIT_TOO_LONG;
	else if (le->binary)
		ev = LINEEDIT_BINARY;
	else
		le_history_add(le);
	if (line)
		*line = ev == LINEEDIT_LINE ? le->buf : NULL;
	le_reset(le);
	return ev;
}

static void le_append(struct lineedit *le, uint8_t c)
{
	if (le->len >= LINEEDIT_MAX) {
		le->too_long = true;
		return;
	}
	le->buf[le->len++] = (char)c;
	le->buf[le->len] = '\0';
	le_echo(le, (const char *)&c, 1);
}

static void le_erase_char(struct lineedit *le)
{
	if (le->len == 0)
		return;
	le->buf[--le->len] = '\0';
	le_echo_str(le, "\b \b");
}

static void le_erase_line(struct lineedit *le)
{
	le_reset(le);
	le->buf[0] = '\0';
	le_redraw(le);
}

enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t c,
				  const char **line)
{
	uint8_t last_end = le->last_end;

	if (line)
		*line = NULL;
	le->last_end = 0;
	if (le->esc_state != ESC_NONE && le_escape(le, c))
		return LINEEDIT_NONE;
	switch (c) {
	case LE_CR:
	case LE_LF:
		/* The second half of a CR LF or LF CR pair ends nothing. */
		if (last_end && last_end != c)
			return LINEEDIT_NONE;
		return le_end_line(le, c, line);
	case LE_CTRL_C:
		le_echo_str(le, "^C\r\n");
		le_reset(le);
		return LINEEDIT_CANCEL;
	case LE_CTRL_U:
		le_erase_line(le);
		break;
	case LE_BS:
	case LE_DEL:
		le_erase_char(le);
		break;
	case LE_ESC:
		le->esc_state = ESC_START;
		le->esc_len = 0;
		break;
	default:
		if (c >= 0x20 && c <= 0x7e)
			le_append(le, c);
		else
			le->binary = true;
		break;
	}
	return LINEEDIT_NONE;
}
