/*
 * libFuzzer target: the guest-state record decoder (kernel/guest_state.c).
 *
 * The first input byte picks how the rest is used:
 *  - even: the rest is a record, decoded as it is (what a corrupted
 *    snapshot or a hostile peer would send);
 *  - odd: the rest is XORed over a valid record, whose CRC is then
 *    recomputed, so the structural checks behind the checksum are reached.
 * A record that decodes must satisfy what the loaders rely on, and must
 * encode back to the very bytes it came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/gs_fixture.h"
#include "tests/fuzz/fuzz_check.h"

static struct guest_state s;
static uint8_t rec[GUEST_STATE_ENCODED_MAX], again[GUEST_STATE_ENCODED_MAX];
static int base_len;

static void check_decoded(const uint8_t *data, size_t len)
{
	int n;

	CHECK(memchr(s.config.name, '\0', sizeof(s.config.name)));
	CHECK(memchr(s.config.args, '\0', sizeof(s.config.args)));
	CHECK(s.config.nmodules <= GUEST_MODULES_MAX);
	CHECK(s.ram_size % MiB(2) == 0 && s.ram_size >= MiB(s.config.mem_mib));
	CHECK(s.uart.rx_head < 16 && s.uart.rx_count <= 16);
	CHECK(s.cpu.exception_vector < 32);
	n = guest_state_encode(&s, again, sizeof(again));
	CHECK(n == (int)len && !memcmp(again, data, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	size_t i, len;

	if (!base_len) {
		gs_fill(&s, 3, 0);
		base_len = guest_state_encode(&s, rec, sizeof(rec));
		CHECK(base_len > 0);
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		gs_fill(&s, 3, 0);
		len = (size_t)guest_state_encode(&s, rec, sizeof(rec));
		for (i = 1; i < size && i - 1 < len; i++)
			rec[i - 1] ^= data[i];
		gs_reseal(rec, len);
	} else {
		len = MIN(size - 1, sizeof(rec));
		memcpy(rec, data + 1, len);
	}
	if (guest_state_decode(rec, len, &s, err, sizeof(err)) == 0)
		check_decoded(rec, len);
	else
		CHECK(err[0] != '\0');
	return 0;
}
