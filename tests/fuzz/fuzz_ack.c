/*
 * libFuzzer target: the parser of the destination's answer
 * (migrate/ack.c), as a source would meet a hostile or broken peer.
 *
 * The first byte sets the chunk size the rest is fed in. Whatever the
 * input, the parser must end in exactly one of more / done / error, a
 * done answer must carry a known code and a printable message no longer
 * than MACK_MSG_MAX, re-encoding it must give back the bytes it came
 * from, and an error must stick.
 */
#include <string.h>

#include "migrate/ack.h"
#include "tests/fuzz/fuzz_check.h"

static struct mack_parser parser;

static void check_done(const uint8_t *data, size_t n)
{
	uint8_t again[MACK_MAX];
	size_t i, len = strlen(parser.msg);
	bool printable = true;
	int m;

	CHECK((unsigned)parser.code < MACK_CODE_COUNT);
	CHECK(len <= MACK_MSG_MAX);
	for (i = 0; i < len; i++) {
		CHECK(parser.msg[i] >= 0x20 && parser.msg[i] < 0x7f);
		printable &= data[MACK_HEAD + i] >= 0x20 && data[MACK_HEAD + i] < 0x7f;
	}
	m = mack_encode(again, sizeof(again), parser.code, parser.msg);
	/* a masked (non-printable) byte re-encodes differently: compare only when none was */
	CHECK(m > 0 && (size_t)m == n);
	if (printable)
		CHECK(!memcmp(again, data, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk, at = 0, take;
	enum mack_status st = MACK_MORE;

	if (!size)
		return 0;
	chunk = (size_t)data[0] % 32 + 1;
	data++;
	size--;
	mack_parser_init(&parser);
	while (at < size) {
		take = size - at < chunk ? size - at : chunk;
		st = mack_feed(&parser, data + at, take);
		at += take;
		if (st == MACK_ERROR) {
			CHECK(mack_feed(&parser, data, 1) == MACK_ERROR);
			return 0;
		}
	}
	if (st == MACK_DONE)
		check_done(data, size);
	return 0;
}
