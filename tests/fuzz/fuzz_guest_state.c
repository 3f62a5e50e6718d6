/*
 * libFuzzer target: the guest-state record decoder (kernel/guest_state.c).
 *
 * The first input byte picks how the rest is used:
 *  - even: the rest is a record, decoded as it is (what a corrupted
 *    snapshot or a hostile peer would send);
 *  - odd: the rest is XORed over a valid record, whose CRC is then
 *    recomputed, so the structural checks behind the checksum are reached.
 * With bit 1 of the first byte also set, the valid record's CPU is a
 * multiboot boot state, so the mutations start from a CPU state the
 * hypervisor would run. A record that decodes must satisfy what the
 * loaders rely on, and must encode back to the very bytes it came from;
 * its CPU state then goes through the check a migration's receiver makes
 * before accepting it (arch/x86/cpu_check.c), and a state that check lets
 * through must hold what VM entry requires of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/gs_fixture.h"
#include "arch/x86/boot_state.h"
#include "arch/x86/cpu_check.h"
#include "tests/fuzz/fuzz_check.h"

/* As tests/unit/test_cpu_check.c: CR0 31:0 holdable, a modern CPU's CR4 features, 39-bit. */
static const struct cpu_check_policy pol = { 0xffffffffULL, 0x3727ffULL & ~(1ULL << 13), 39 };

static struct guest_state s;
static uint8_t rec[GUEST_STATE_ENCODED_MAX], again[GUEST_STATE_ENCODED_MAX];
static int base_len;

/* What an accepted CPU state must hold, checked apart from the checker's own code. */
static void check_cpu(const struct gs_cpu *c)
{
	char err[160] = "";
	bool lma = c->efer & (1ULL << 10), code64 = lma && (c->seg[GS_CS].ar & (1u << 13));
	int64_t rip = (int64_t)(c->rip << 16) >> 16;

	if (cpu_check_state(c, &pol, err, sizeof(err))) {
		CHECK(!strncmp(err, "cpu: ", 5));
		return;
	}
	CHECK(!(c->cr0 >> 32) && !(c->cr4 & ~pol.cr4_allowed));
	CHECK(!(c->efer & ~0xd01ULL));
	CHECK(lma == ((c->efer & (1ULL << 8)) && (c->cr0 & (1ULL << 31))));
	CHECK(code64 ? (uint64_t)rip == c->rip || (c->cr4 & (1ULL << 12)) : !(c->rip >> 32));
	CHECK((c->rflags & 2) && !(c->rflags >> 22));
	CHECK(!(c->seg[GS_CS].ar & (1u << 16)) && !(c->seg[GS_TR].ar & (1u << 16)));
	CHECK(c->activity <= 3);
}

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
	check_cpu(&s.cpu);
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
		if (data[0] & 2)
			boot_state_multiboot(&s.cpu, 0x100000, 0x2badb002, 0x9000, 0);
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
