/*
 * Unit tests for migrate/ack.c: the destination's answer. Encoded answers
 * parse back in chunks of every size; the parser refuses what a
 * confused or hostile peer could send.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/crc32.h"
#include "migrate/ack.h"

static uint8_t wire[MACK_MAX + 16];
static struct mack_parser parser;

static void setup(void *arg)
{
	memset(wire, 0, sizeof(wire));
	mack_parser_init(&parser);
}

/* Feed len bytes of wire in chunks of size chunk; the last status. */
static enum mack_status feed_chunks(size_t len, size_t chunk)
{
	enum mack_status st = MACK_MORE;
	size_t at;

	for (at = 0; at < len; at += chunk)
		st = mack_feed(&parser, wire + at, chunk < len - at ? chunk : len - at);
	return st;
}

TEST accepted_round_trips_in_every_chunk_size(void)
{
	int n = mack_encode(wire, sizeof(wire), MACK_ACCEPTED, "guest running");
	size_t chunk;

	ASSERT_EQ(MACK_HEAD + 13 + MACK_TAIL, n);
	for (chunk = 1; chunk <= (size_t)n; chunk++) {
		mack_parser_init(&parser);
		ASSERT_EQ(MACK_DONE, feed_chunks((size_t)n, chunk));
		ASSERT_EQ(MACK_ACCEPTED, parser.code);
		ASSERT_STR_EQ("guest running", parser.msg);
	}
	PASS();
}

TEST refusal_carries_code_and_reason(void)
{
	int n = mack_encode(wire, sizeof(wire), MACK_BAD_DIGEST, "memory digest differs");

	ASSERT_EQ(MACK_DONE, mack_feed(&parser, wire, (size_t)n));
	ASSERT_EQ(MACK_BAD_DIGEST, parser.code);
	ASSERT_STR_EQ("memory digest differs", parser.msg);
	ASSERT_STR_EQ("bad-digest", mack_code_name(parser.code));
	PASS();
}

TEST empty_and_null_messages(void)
{
	int n = mack_encode(wire, sizeof(wire), MACK_BUSY, NULL);

	ASSERT_EQ(MACK_HEAD + MACK_TAIL, n);
	ASSERT_EQ(MACK_DONE, mack_feed(&parser, wire, (size_t)n));
	ASSERT_EQ(MACK_BUSY, parser.code);
	ASSERT_STR_EQ("", parser.msg);
	PASS();
}

TEST long_messages_are_cut(void)
{
	char msg[MACK_MSG_MAX * 2];
	int n;

	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = 0;
	n = mack_encode(wire, sizeof(wire), MACK_BAD_STREAM, msg);
	ASSERT_EQ(MACK_MAX, n);
	ASSERT_EQ(MACK_DONE, mack_feed(&parser, wire, (size_t)n));
	ASSERT_EQ(MACK_MSG_MAX, (int)strlen(parser.msg));
	PASS();
}

TEST encoder_refuses_bad_code_and_small_buffer(void)
{
	ASSERT_EQ(-EINVAL, mack_encode(wire, sizeof(wire), MACK_CODE_COUNT, "x"));
	ASSERT_EQ(-ENOSPC, mack_encode(wire, MACK_HEAD + 3, MACK_ACCEPTED, "abc"));
	ASSERT_EQ(MACK_HEAD + 3 + MACK_TAIL,
		  mack_encode(wire, MACK_HEAD + 3 + MACK_TAIL, MACK_ACCEPTED, "abc"));
	PASS();
}

TEST every_flipped_byte_is_an_error(void)
{
	int n = mack_encode(wire, sizeof(wire), MACK_ACCEPTED, "ok"), i;

	for (i = 0; i < n; i++) {
		mack_encode(wire, sizeof(wire), MACK_ACCEPTED, "ok");
		wire[i] ^= 0x40;
		mack_parser_init(&parser);
		/* a flipped length may leave it waiting; it must never accept */
		ASSERT(mack_feed(&parser, wire, (size_t)n) != MACK_DONE);
	}
	PASS();
}

/* Patch a field and seal the CRC again, so only the field's check can refuse. */
static int forged(uint16_t version, uint16_t code, uint16_t len)
{
	int n = mack_encode(wire, sizeof(wire), MACK_ACCEPTED, "ok");
	uint32_t crc;

	wire[4] = (uint8_t)version;
	wire[5] = (uint8_t)(version >> 8);
	wire[6] = (uint8_t)code;
	wire[7] = (uint8_t)(code >> 8);
	wire[8] = (uint8_t)len;
	wire[9] = (uint8_t)(len >> 8);
	crc = crc32_update(0, wire, MACK_HEAD + 2);
	memcpy(wire + MACK_HEAD + 2, &crc, 4);
	return n;
}

TEST head_fields_are_checked(void)
{
	int n = forged(1, 0, 2);

	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, wire, (size_t)n));
	ASSERT(strstr(parser.msg, "version")); /* version 1 had no commit: refused */
	mack_parser_init(&parser);
	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, wire, (size_t)forged(MACK_VERSION, MACK_CODE_COUNT, 2)));
	ASSERT(strstr(parser.msg, "code"));
	mack_parser_init(&parser);
	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, wire, (size_t)forged(MACK_VERSION, 0, MACK_MSG_MAX + 1)));
	ASSERT(strstr(parser.msg, "too long"));
	mack_parser_init(&parser);
	n = forged(MACK_VERSION, 0, 2);
	wire[0] ^= 1;
	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, wire, (size_t)n));
	ASSERT(strstr(parser.msg, "magic"));
	PASS();
}

TEST garbage_is_refused_at_once(void)
{
	static const char text[] = "GET / HTTP/1.0\r\n\r\n";

	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, (const uint8_t *)text, sizeof(text) - 1));
	/* and stays refused */
	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, wire, 4));
	PASS();
}

TEST bytes_after_the_answer_are_an_error(void)
{
	int n = mack_encode(wire, sizeof(wire), MACK_ACCEPTED, "ok");

	ASSERT_EQ(MACK_ERROR, mack_feed(&parser, wire, (size_t)n + 1));
	ASSERT(strstr(parser.msg, "after"));
	PASS();
}

TEST unprintable_message_bytes_are_masked(void)
{
	int n = mack_encode(wire, sizeof(wire), MACK_BAD_STREAM, "a\033[2Jb");

	ASSERT_EQ(MACK_DONE, mack_feed(&parser, wire, (size_t)n));
	ASSERT_STR_EQ("a?[2Jb", parser.msg);
	PASS();
}

TEST code_names(void)
{
	ASSERT_STR_EQ("accepted", mack_code_name(MACK_ACCEPTED));
	ASSERT_STR_EQ("cancelled", mack_code_name(MACK_CANCELLED));
	ASSERT_STR_EQ("commit", mack_code_name(MACK_COMMIT));
	ASSERT_STR_EQ("unknown", mack_code_name(MACK_CODE_COUNT));
	PASS();
}

SUITE(ack)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(accepted_round_trips_in_every_chunk_size);
		RUN_TEST(refusal_carries_code_and_reason);
		RUN_TEST(empty_and_null_messages);
		RUN_TEST(long_messages_are_cut);
		RUN_TEST(encoder_refuses_bad_code_and_small_buffer);
		RUN_TEST(every_flipped_byte_is_an_error);
		RUN_TEST(head_fields_are_checked);
		RUN_TEST(garbage_is_refused_at_once);
		RUN_TEST(bytes_after_the_answer_are_an_error);
		RUN_TEST(unprintable_message_bytes_are_masked);
		RUN_TEST(code_names);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(ack);
	});
	GREATEST_MAIN_END();
}
