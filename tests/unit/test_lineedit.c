/*
 * lineedit: typing and echo, erasing, cancel, line-end pairing, history
 * browsing with redraws, limits, binary input, escape sequences, and a
 * long random byte stream.
 */
#include <stdio.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/lineedit.h"

#define PROMPT "hv> "

static struct lineedit le;
static char echo_buf[1 << 20];
static size_t echo_len;

/* Every finished line and event, in order, for the last feed_str(). */
static char lines[64][LINEEDIT_MAX + 1];
static enum lineedit_event events[64];
static int nevents;

static void echo_cb(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (n > sizeof(echo_buf) - 1 - echo_len)
		n = sizeof(echo_buf) - 1 - echo_len;
	memcpy(echo_buf + echo_len, s, n);
	echo_len += n;
	echo_buf[echo_len] = '\0';
}

static void reset_echo(void)
{
	echo_len = 0;
	echo_buf[0] = '\0';
}

static void setup(void *data)
{
	(void)data;
	lineedit_init(&le, PROMPT, echo_cb, NULL);
	reset_echo();
}

/* Feed n bytes, recording events other than LINEEDIT_NONE. */
static void feed_n(const char *s, size_t n)
{
	size_t i;

	nevents = 0;
	reset_echo();
	for (i = 0; i < n; i++) {
		const char *line = (const char *)1;
		enum lineedit_event ev = lineedit_feed(&le, (uint8_t)s[i], &line);

		if (ev == LINEEDIT_NONE)
			continue;
		events[nevents] = ev;
		snprintf(lines[nevents], sizeof(lines[0]), "%s",
			 ev == LINEEDIT_LINE ? line : "");
		nevents++;
	}
}

static void feed(const char *s)
{
	feed_n(s, strlen(s));
}

TEST typing_and_echo(void)
{
	feed("help me\r");
	ASSERT_EQ(1, nevents);
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("help me", lines[0]);
	ASSERT_STR_EQ("help me\r\n", echo_buf);
	PASS();
}

TEST empty_line(void)
{
	feed("\r");
	ASSERT_EQ(1, nevents);
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("", lines[0]);
	PASS();
}

TEST backspace_and_delete(void)
{
	feed("helq\bp\x7f" "p\r");
	ASSERT_EQ(1, nevents);
	ASSERT_STR_EQ("help", lines[0]);
	ASSERT_STR_EQ("helq\b \bp\b \bp\r\n", echo_buf);
	PASS();
}

TEST backspace_at_empty_line(void)
{
	feed("\b\x7f\b");
	ASSERT_EQ(0, nevents);
	ASSERT_EQ(0, echo_len);
	feed("a\b\b\bb\r");
	ASSERT_STR_EQ("b", lines[0]);
	ASSERT_STR_EQ("a\b \bb\r\n", echo_buf);
	PASS();
}

TEST ctrl_c_drops_line(void)
{
	feed("abc\x03" "x\r");
	ASSERT_EQ(2, nevents);
	ASSERT_EQ(LINEEDIT_CANCEL, events[0]);
	ASSERT_EQ(LINEEDIT_LINE, events[1]);
	ASSERT_STR_EQ("x", lines[1]);
	ASSERT_STR_EQ("abc^C\r\nx\r\n", echo_buf);
	PASS();
}

TEST ctrl_u_erases_line(void)
{
	feed("abc\x15" "de\r");
	ASSERT_EQ(1, nevents);
	ASSERT_STR_EQ("de", lines[0]);
	ASSERT_STR_EQ("abc\r\x1b[K" PROMPT "de\r\n", echo_buf);
	PASS();
}

TEST line_end_pairing(void)
{
	feed("a\r\nb\n\rc\rd\ne\r\n");
	ASSERT_EQ(5, nevents);
	ASSERT_STR_EQ("a", lines[0]);
	ASSERT_STR_EQ("b", lines[1]);
	ASSERT_STR_EQ("c", lines[2]);
	ASSERT_STR_EQ("d", lines[3]);
	ASSERT_STR_EQ("e", lines[4]);
	/* Repeats of the same end byte are separate (empty) lines. */
	feed("\r\r\n\n");
	ASSERT_EQ(3, nevents);
	ASSERT_STR_EQ("", lines[0]);
	ASSERT_STR_EQ("", lines[2]);
	/* CR LF CR LF is two lines, CR LF LF is two as well. */
	feed("\r\n\r\n");
	ASSERT_EQ(2, nevents);
	feed("\r\n\n");
	ASSERT_EQ(2, nevents);
	PASS();
}

TEST pairing_needs_adjacent_bytes(void)
{
	feed("\rx\n");
	ASSERT_EQ(2, nevents);
	ASSERT_STR_EQ("", lines[0]);
	ASSERT_STR_EQ("x", lines[1]);
	PASS();
}

#define UP "\x1b[A"
#define DOWN "\x1b[B"

static bool holds_secret(const char *line)
{
	return strstr(line, "secret") != NULL;
}

TEST private_lines_stay_out_of_the_history(void)
{
	lineedit_set_private(&le, holds_secret);
	feed("one\rset secret 00ff\r");
	ASSERT_EQ(2, nevents);
	ASSERT_STR_EQ("set secret 00ff", lines[1]); /* still delivered */
	feed(UP);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "one", echo_buf);
	feed(UP); /* "one" is the oldest: nothing else to show */
	ASSERT_EQ(0, echo_len);
	PASS();
}

TEST history_up_down(void)
{
	feed("one\rtwo\rthree\r");
	ASSERT_EQ(3, nevents);

	feed(UP);
	ASSERT_EQ(0, nevents);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "three", echo_buf);
	feed(UP);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "two", echo_buf);
	feed(UP);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "one", echo_buf);
	feed(UP); /* oldest: stays, no redraw */
	ASSERT_EQ(0, echo_len);
	feed(DOWN);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "two", echo_buf);
	feed(DOWN);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "three", echo_buf);
	feed(DOWN); /* past the newest: an empty line */
	ASSERT_STR_EQ("\r\x1b[K" PROMPT, echo_buf);
	feed(DOWN);
	ASSERT_EQ(0, echo_len);
	feed(UP UP "\r");
	ASSERT_EQ(1, nevents);
	ASSERT_STR_EQ("two", lines[0]);
	PASS();
}

TEST history_ss3_arrows_and_edit(void)
{
	feed("ls\r");
	feed("\x1bOA" "x\r");
	ASSERT_STR_EQ("lsx", lines[0]);
	feed("\x1bOA\x1bOA");
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "lsx" "\r\x1b[K" PROMPT "ls", echo_buf);
	PASS();
}

TEST history_skips_empty_duplicates_and_rejects(void)
{
	feed("a\r\ra\ra\rb\x01\r");
	feed(UP UP UP);
	/* Only "a" is in history: one redraw, then nothing. */
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "a", echo_buf);
	feed("\x15" UP);
	ASSERT_STR_EQ("\r\x1b[K" PROMPT "\r\x1b[K" PROMPT "a", echo_buf);
	PASS();
}

TEST history_up_when_empty(void)
{
	feed(UP DOWN);
	ASSERT_EQ(0, echo_len);
	feed("\r");
	ASSERT_STR_EQ("", lines[0]);
	PASS();
}

TEST history_wraps_keeping_newest(void)
{
	char cmd[16], want[64];
	int i;

	for (i = 0; i < LINEEDIT_HISTORY + 5; i++) {
		snprintf(cmd, sizeof(cmd), "cmd%d\r", i);
		feed(cmd);
	}
	for (i = 0; i < LINEEDIT_HISTORY; i++) {
		feed(UP);
		snprintf(want, sizeof(want), "\r\x1b[K" PROMPT "cmd%d",
			 LINEEDIT_HISTORY + 4 - i);
		ASSERT_STR_EQ(want, echo_buf);
	}
	feed(UP); /* cmd4 and older fell off the ring */
	ASSERT_EQ(0, echo_len);
	feed("\r");
	ASSERT_STR_EQ("cmd5", lines[0]);
	PASS();
}

/* Past the newest entry is an empty line, also when the ring is full
 * (the slot after the newest then holds the oldest line). */
TEST history_full_down_past_newest_is_empty(void)
{
	char cmd[16];
	int i;

	for (i = 0; i < LINEEDIT_HISTORY + 1; i++) {
		snprintf(cmd, sizeof(cmd), "c%d\r", i);
		feed(cmd);
	}
	feed(UP DOWN "\r");
	ASSERT_EQ(1, nevents);
	ASSERT_STR_EQ("", lines[0]);
	PASS();
}

/* A short line stored over a longer one in the same ring slot comes back
 * alone, and a line of the maximum length comes back whole. */
TEST history_entries_are_whole_lines(void)
{
	char longest[LINEEDIT_MAX + 2];
	int i;

	feed("abcdefgh\r");
	for (i = 1; i < LINEEDIT_HISTORY; i++)
		feed(i % 2 ? "p\r" : "q\r");
	feed("xy\r"); /* lands in abcdefgh's slot */
	feed(UP "\r");
	ASSERT_STR_EQ("xy", lines[0]);
	memset(longest, 'm', LINEEDIT_MAX);
	longest[LINEEDIT_MAX] = '\r';
	longest[LINEEDIT_MAX + 1] = '\0';
	feed(longest);
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	feed(UP "\r");
	ASSERT_EQ(LINEEDIT_MAX, (int)strlen(lines[0]));
	ASSERT_EQ('m', lines[0][LINEEDIT_MAX - 1]);
	PASS();
}

/* Storing a line of the maximum length leaves the next ring slot (here
 * the oldest line) alone. */
TEST history_longest_line_spares_its_neighbour(void)
{
	char cmd[16], longest[LINEEDIT_MAX + 2];
	int i;

	for (i = 0; i < LINEEDIT_HISTORY; i++) {
		snprintf(cmd, sizeof(cmd), "e%d\r", i);
		feed(cmd);
	}
	memset(longest, 'm', LINEEDIT_MAX);
	longest[LINEEDIT_MAX] = '\r';
	longest[LINEEDIT_MAX + 1] = '\0';
	feed(longest); /* replaces e0; e1 is now the oldest */
	for (i = 0; i < LINEEDIT_HISTORY; i++)
		feed(UP);
	feed("\r");
	ASSERT_STR_EQ("e1", lines[0]);
	PASS();
}

/* The bytes that bound an escape sequence's parameters (ECMA-48 5.4): space to '?' continue it, a control or DEL ends it unused. */
TEST escape_parameter_bounds(void)
{
	feed("x\x1b[ A\r"); /* space is a parameter: "A" is then no arrow */
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("x", lines[0]);
	feed("xy\x1b[\x7f\r"); /* DEL abandons the sequence and erases */
	ASSERT_STR_EQ("x", lines[0]);
	feed("x\x1b[\x1f\r"); /* a control abandons it and is itself binary */
	ASSERT_EQ(LINEEDIT_BINARY, events[0]);
	feed("x\x1b[?~\r"); /* '?' is still a parameter, '~' ends the sequence */
	ASSERT_STR_EQ("x", lines[0]);
	PASS();
}

TEST too_long_rejected(void)
{
	char s[LINEEDIT_MAX + 3];

	memset(s, 'a', sizeof(s));
	s[LINEEDIT_MAX] = '\r';
	feed_n(s, LINEEDIT_MAX + 1);
	ASSERT_EQ(1, nevents);
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_EQ(LINEEDIT_MAX, strlen(lines[0]));

	memset(s, 'b', sizeof(s));
	s[LINEEDIT_MAX + 2] = '\r';
	feed_n(s, LINEEDIT_MAX + 3);
	ASSERT_EQ(1, nevents);
	ASSERT_EQ(LINEEDIT_TOO_LONG, events[0]);
	/* Only what fits was echoed, then the line end. */
	ASSERT_EQ(LINEEDIT_MAX + 2, echo_len);
	/* Backspacing does not rescue a line that lost bytes. */
	feed_n(s, LINEEDIT_MAX + 2);
	feed("\b\b\b\b\r");
	ASSERT_EQ(LINEEDIT_TOO_LONG, events[0]);
	feed("ok\r");
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("ok", lines[0]);
	PASS();
}

TEST binary_rejected(void)
{
	static const char *const bad[] = { "ab\x01" "c\r", "a\tb\r", "\x80\r",
					   "x\xff\r", "\x02\b\r" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		feed(bad[i]);
		ASSERTm(bad[i], nevents == 1 && events[0] == LINEEDIT_BINARY);
	}
	feed_n("a\0b\r", 4);
	ASSERT_EQ(LINEEDIT_BINARY, events[0]);
	feed("a\x01\x15" "b\r"); /* Ctrl-U starts a clean line */
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("b", lines[0]);
	PASS();
}

TEST at_sign_is_the_first_final_byte(void)
{
	feed("\x1b[@A\r"); /* '@' (0x40) ends the sequence: the 'A' is typed */
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("A", lines[0]);
	PASS();
}

TEST arrows_with_parameters_leave_the_history_alone(void)
{
	feed("ls\r");
	feed("\x1b[1A\x1b[1;5A\r"); /* CSI 1 A, Ctrl-Up: not the plain up arrow */
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("", lines[0]);
	PASS();
}

TEST tilde_is_typed(void)
{
	feed(" ~\r"); /* the ends of the printable range, 0x20 and 0x7e */
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ(" ~", lines[0]);
	PASS();
}

TEST a_null_line_pointer_is_allowed(void)
{
	ASSERT_EQ(LINEEDIT_NONE, lineedit_feed(&le, 'a', NULL));
	ASSERT_EQ(LINEEDIT_LINE, lineedit_feed(&le, '\r', NULL));
	PASS();
}

TEST escape_sequences_swallowed(void)
{
	feed("a\x1b[Cb\x1b[1;5Dc\x1b[200~d\x1b" "xe\x1b[3~\r");
	ASSERT_EQ(1, nevents);
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("abcde", lines[0]);
	ASSERT_STR_EQ("abcde\r\n", echo_buf);
	PASS();
}

TEST escape_abandoned_by_controls(void)
{
	feed("ab\x1b\r");
	ASSERT_EQ(LINEEDIT_LINE, events[0]);
	ASSERT_STR_EQ("ab", lines[0]);
	feed("ab\x1b[12\n");
	ASSERT_STR_EQ("ab", lines[0]);
	feed("ab\x1b[\x03");
	ASSERT_EQ(LINEEDIT_CANCEL, events[0]);
	/* ESC ESC [ A: the second ESC starts over, so this is Up. */
	feed("\x1b\x1b[Ax\r");
	ASSERT_STR_EQ("abx", lines[0]);
	PASS();
}

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A byte drawn either uniformly or from the interesting ones. */
static uint8_t random_byte(bool biased)
{
	static const char interesting[] = "\r\n\b\x7f\x03\x15\x1b[OAB1;~ abc";

	if (biased && rng() % 4)
		return (uint8_t)interesting[rng() % (sizeof(interesting) - 1)];
	if (biased)
		return (uint8_t)(' ' + rng() % 95);
	return (uint8_t)rng();
}

static bool line_printable(const char *s)
{
	size_t n = strlen(s);

	if (n > LINEEDIT_MAX)
		return false;
	for (; *s; s++)
		if ((uint8_t)*s < 0x20 || (uint8_t)*s > 0x7e)
			return false;
	return true;
}

/*
 * Random bytes: every event fits the byte that caused it (Ctrl-C cancels,
 * only CR or LF ends a line), the editor is ready for a new line after
 * each event, lines are printable and bounded, and every kind of event
 * turns up.
 */
TEST random_bytes_never_break_it(void)
{
	int pass, i, nlines = 0;
	int seen[LINEEDIT_BINARY + 1] = { 0 };

	rng_state = 88172645463325252ULL; /* the same bytes alone or in a suite */
	/* uniform bytes, interesting bytes, long printable lines */
	for (pass = 0; pass < 3; pass++) {
		lineedit_init(&le, PROMPT, echo_cb, NULL);
		for (i = 0; i < 100000; i++) {
			const char *line = NULL;
			enum lineedit_event ev;
			uint8_t b = random_byte(pass == 1);

			if (pass == 2)
				b = rng() % 400 ? (uint8_t)(' ' + rng() % 95) : '\r';

			if (echo_len > sizeof(echo_buf) / 2)
				reset_echo();
			ev = lineedit_feed(&le, b, &line);
			ASSERT(le.len <= LINEEDIT_MAX);
			if (ev == LINEEDIT_NONE)
				continue;
			if (ev == LINEEDIT_CANCEL)
				ASSERT_EQ(0x03, b);
			else
				ASSERT(b == '\r' || b == '\n');
			ASSERT(ev == LINEEDIT_LINE || ev == LINEEDIT_CANCEL ||
			       ev == LINEEDIT_TOO_LONG || ev == LINEEDIT_BINARY);
			ASSERT_EQ(0, le.len);
			ASSERT_FALSE(le.too_long || le.binary);
			seen[ev]++;
			if (ev != LINEEDIT_LINE)
				continue;
			ASSERT(line);
			ASSERT(line_printable(line));
			nlines++;
		}
	}
	ASSERT(nlines > 1000); /* the biased pass really produced lines */
	ASSERT(seen[LINEEDIT_CANCEL] > 0);
	ASSERT(seen[LINEEDIT_TOO_LONG] > 0);
	ASSERT(seen[LINEEDIT_BINARY] > 0);
	PASS();
}

TEST null_echo_and_prompt(void)
{
	const char *line = NULL;
	const char *s = "x\x1b[A\x15y\r";

	lineedit_init(&le, NULL, NULL, NULL);
	while (*s)
		lineedit_feed(&le, (uint8_t)*s++, &line);
	ASSERT(line);
	ASSERT_STR_EQ("y", line);
	PASS();
}

SUITE(lineedit_basic)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(typing_and_echo);
		RUN_TEST(empty_line);
		RUN_TEST(backspace_and_delete);
		RUN_TEST(backspace_at_empty_line);
		RUN_TEST(ctrl_c_drops_line);
		RUN_TEST(ctrl_u_erases_line);
		RUN_TEST(line_end_pairing);
		RUN_TEST(pairing_needs_adjacent_bytes);
		RUN_TEST(too_long_rejected);
		RUN_TEST(binary_rejected);
		RUN_TEST(escape_sequences_swallowed);
		RUN_TEST(at_sign_is_the_first_final_byte);
		RUN_TEST(arrows_with_parameters_leave_the_history_alone);
		RUN_TEST(tilde_is_typed);
		RUN_TEST(a_null_line_pointer_is_allowed);
		RUN_TEST(escape_abandoned_by_controls);
		RUN_TEST(escape_parameter_bounds);
		RUN_TEST(null_echo_and_prompt);
	});
}

SUITE(lineedit_history)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(history_up_down);
		RUN_TEST(private_lines_stay_out_of_the_history);
		RUN_TEST(history_ss3_arrows_and_edit);
		RUN_TEST(history_skips_empty_duplicates_and_rejects);
		RUN_TEST(history_up_when_empty);
		RUN_TEST(history_wraps_keeping_newest);
		RUN_TEST(history_full_down_past_newest_is_empty);
		RUN_TEST(history_entries_are_whole_lines);
		RUN_TEST(history_longest_line_spares_its_neighbour);
	});
}

SUITE(lineedit_random)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(random_bytes_never_break_it);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(lineedit_basic);
		RUN_SUITE(lineedit_history);
		RUN_SUITE(lineedit_random);
	});
	GREATEST_MAIN_END();
}
