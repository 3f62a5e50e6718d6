/*
 * Unit tests for kernel/guest_state.c (the record's encoding) and
 * lib/crc32.c. The expected section sizes are the table of
 * docs/guest-state.md, counted by hand: a field the encoder forgets
 * changes a size and fails here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "gs_fixture.h"

#define HEADER 12
#define SECTION_HEAD 8

struct expected_section {
	uint16_t type;
	uint32_t bytes;
};

/* docs/guest-state.md, "Sections" */
static const struct expected_section expected[] = {
	{ GS_SEC_CONFIG, 880 }, { GS_SEC_CPU, 597 }, { GS_SEC_FPU, 512 },
	{ GS_SEC_LAPIC, 242 }, { GS_SEC_UART, 29 }, { GS_SEC_HPET, 147 }, { GS_SEC_PC, 272 },
	{ GS_SEC_ACPI, 4 }, { GS_SEC_IOAPIC, 204 },
};

static struct guest_state a, b, a2, b2;
static uint8_t enc[GUEST_STATE_ENCODED_MAX], enc2[GUEST_STATE_ENCODED_MAX];
static char err[160];

static uint16_t u16_at(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32_at(const uint8_t *p) { return u16_at(p) | (uint32_t)u16_at(p + 2) << 16; }

static int encode_a(void)
{
	gs_fill(&a, 42, 0);
	return guest_state_encode(&a, enc, sizeof(enc));
}

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *q = p;

	while (n--)
		if (*q++)
			return false;
	return true;
}

TEST crc32_matches_the_standard_check_value(void)
{
	ASSERT_EQ_FMT(0xcbf43926u, crc32_update(0, "123456789", 9), "0x%08x");
	ASSERT_EQ_FMT(0u, crc32_update(0, "", 0), "0x%08x");
	/* continuing over a split gives the CRC of the whole */
	ASSERT_EQ_FMT(crc32_update(0, "123456789", 9),
		      crc32_update(crc32_update(0, "1234", 4), "56789", 5), "0x%08x");
	PASS();
}

TEST sections_have_the_documented_sizes_and_order(void)
{
	int n = encode_a();
	size_t at = HEADER, i;

	ASSERT(n > 0);
	ASSERT_EQ_FMT(GUEST_STATE_MAGIC, u32_at(enc), "0x%08x");
	ASSERT_EQ(GUEST_STATE_VERSION, u16_at(enc + 4));
	ASSERT_EQ((uint32_t)n, u32_at(enc + 8));
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		ASSERT_EQ(expected[i].type, u16_at(enc + at));
		ASSERT_EQ(0, u16_at(enc + at + 2));
		ASSERT_EQ(expected[i].bytes, u32_at(enc + at + 4));
		at += SECTION_HEAD + expected[i].bytes;
	}
	ASSERT_EQ(GS_SEC_END, u16_at(enc + at));
	ASSERT_EQ(4u, u32_at(enc + at + 4));
	ASSERT_EQ((size_t)n, at + SECTION_HEAD + 4);
	PASS();
}

/*
 * Every byte of every member survives encode -> decode: a random record
 * and its complement (so no byte can match by luck) each come back with
 * all the bytes the encoding carries; the rest (padding) decodes as 0.
 */
TEST round_trip_reproduces_every_field(void)
{
	size_t i, kept = 0, payload = 0;
	int n, n2;

	n = encode_a();
	ASSERT(n > 0);
	ASSERT_EQ(0, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	gs_fill(&a2, 42, 0xff);
	n2 = guest_state_encode(&a2, enc2, sizeof(enc2));
	ASSERT_EQ(n, n2);
	ASSERT_EQ(0, guest_state_decode(enc2, (size_t)n2, &b2, err, sizeof(err)));
	for (i = 0; i < sizeof(a); i++) {
		uint8_t x = ((uint8_t *)&a)[i], y = ((uint8_t *)&b)[i];
		uint8_t x2 = ((uint8_t *)&a2)[i], y2 = ((uint8_t *)&b2)[i];

		if (x == y && x2 == y2)
			kept++;
		else
			ASSERT(y == 0 && y2 == 0); /* not carried: padding, decoded as zero */
	}
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		payload += expected[i].bytes;
	ASSERT_EQ(payload, kept);
	/* and the decoded record encodes to the same bytes */
	ASSERT_EQ(n, guest_state_encode(&b, enc2, sizeof(enc2)));
	ASSERT_MEM_EQ(enc, enc2, (size_t)n);
	PASS();
}

TEST encode_refuses_a_short_buffer(void)
{
	int n = encode_a();
	size_t len;

	for (len = 0; len < (size_t)n; len += 97)
		ASSERT_EQ(-ENOSPC, guest_state_encode(&a, enc2, len));
	ASSERT_EQ(-ENOSPC, guest_state_encode(&a, enc2, (size_t)n - 1));
	ASSERT_EQ(n, guest_state_encode(&a, enc2, (size_t)n));
	PASS();
}

TEST every_truncation_is_refused_and_leaves_nothing(void)
{
	int n = encode_a();
	size_t len;

	for (len = 0; len < (size_t)n; len++) {
		memset(&b, 0xaa, sizeof(b));
		ASSERT_EQ(-EPROTO, guest_state_decode(enc, len, &b, err, sizeof(err)));
		ASSERT(is_zero(&b, sizeof(b)));
		ASSERT(err[0]);
	}
	PASS();
}

TEST every_flipped_bit_is_refused(void)
{
	int n = encode_a();
	size_t i;
	int bit;

	for (i = 0; i < (size_t)n; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			enc[i] ^= (uint8_t)(1u << bit);
			ASSERT(guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)) < 0);
			enc[i] ^= (uint8_t)(1u << bit);
		}
	}
	ASSERT_EQ(0, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	PASS();
}

TEST corrupted_record_names_the_checksum(void)
{
	int n = encode_a();

	enc[HEADER + SECTION_HEAD + 3] ^= 0x40; /* inside the guest's name */
	ASSERT_EQ(-EPROTO, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	ASSERT(strstr(err, "checksum"));
	PASS();
}

/* Patch, re-seal the CRC, decode: the structural check must refuse, naming why. */
static enum greatest_test_res refused(size_t at, const uint8_t *bytes, size_t nbytes,
				      const char *why)
{
	int n = encode_a();

	memcpy(enc + at, bytes, nbytes);
	gs_reseal(enc, (size_t)n);
	memset(&b, 0x55, sizeof(b));
	ASSERT(guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)) < 0);
	ASSERTm(err, strstr(err, why) != NULL);
	ASSERT(is_zero(&b, sizeof(b)));
	PASS();
}

TEST header_fields_are_checked(void)
{
	CHECK_CALL(refused(0, (const uint8_t *)"XXXX", 4, "not a guest-state record"));
	CHECK_CALL(refused(4, (const uint8_t[]){ 3, 0 }, 2, "unsupported version 3"));
	CHECK_CALL(refused(4, (const uint8_t[]){ 4, 0 }, 2, "unsupported version 4"));
	CHECK_CALL(refused(4, (const uint8_t[]){ 5, 0 }, 2, "unsupported version 5"));
	CHECK_CALL(refused(4, (const uint8_t[]){ 7, 0 }, 2, "unsupported version 7"));
	CHECK_CALL(refused(4, (const uint8_t[]){ 1, 0 }, 2, "unsupported version 1"));
	CHECK_CALL(refused(6, (const uint8_t[]){ 1, 0 }, 2, "unknown flags"));
	CHECK_CALL(refused(8, (const uint8_t[]){ 0, 1, 0, 0 }, 4, "length field says 256 bytes"));
	PASS();
}

TEST section_headers_are_checked(void)
{
	size_t cpu = HEADER + SECTION_HEAD + 880;

	CHECK_CALL(refused(HEADER, (const uint8_t[]){ 99, 0 }, 2, "unknown section type 99"));
	CHECK_CALL(refused(cpu, (const uint8_t[]){ GS_SEC_CONFIG, 0 }, 2, "duplicate section config"));
	CHECK_CALL(refused(cpu + 2, (const uint8_t[]){ 1, 0 }, 2, "instance 1"));
	CHECK_CALL(refused(cpu + 4, (const uint8_t[]){ 0x44, 0x02, 0, 0 }, 4, "section cpu is 580"));
	CHECK_CALL(refused(cpu + 4, (const uint8_t[]){ 0xff, 0xff, 0, 0 }, 4, "runs past the end"));
	/* a section turned into END before its time */
	CHECK_CALL(refused(cpu, (const uint8_t[]){ 0xff, 0xff }, 2, "end section at byte"));
	PASS();
}

TEST a_missing_section_is_refused(void)
{
	int n = encode_a();
	size_t last = (size_t)n - 12 - (SECTION_HEAD + 204);

	/* drop the last section, the I/O APIC's: move the END section over it and fix the length */
	memmove(enc + last, enc + last + SECTION_HEAD + 204, 12);
	n -= SECTION_HEAD + 204;
	enc[8] = (uint8_t)n;
	enc[9] = (uint8_t)(n >> 8);
	gs_reseal(enc, (size_t)n);
	ASSERT_EQ(-EPROTO, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	ASSERT(strstr(err, "sections missing"));
	PASS();
}

/* The first len bytes of the record in enc, its length field saying len, decoded. */
static int decode_cut(size_t len)
{
	enc[8] = (uint8_t)len;
	enc[9] = enc[10] = enc[11] = 0;
	gs_reseal(enc, len);
	return guest_state_decode(enc, len, &b, err, sizeof(err));
}

TEST shorter_than_a_header_and_an_end_section_has_no_end_section(void)
{
	size_t len;

	for (len = HEADER; len < HEADER + SECTION_HEAD + 4; len += 4) {
		encode_a();
		ASSERT_EQ(-EPROTO, decode_cut(len));
		ASSERTm(err, strstr(err, "no end section") != NULL);
	}
	PASS();
}

TEST a_header_and_an_end_section_alone_miss_the_sections(void)
{
	encode_a();
	memcpy(enc + HEADER, (const uint8_t[]){ 0xff, 0xff, 0, 0, 4, 0, 0, 0 }, 8);
	ASSERT_EQ(-EPROTO, decode_cut(HEADER + SECTION_HEAD + 4));
	ASSERTm(err, strstr(err, "sections missing") != NULL);
	PASS();
}

TEST an_end_section_inside_the_last_payload_is_not_the_end(void)
{
	int n = encode_a();
	size_t config = SECTION_HEAD + 880, len = (size_t)n - 12, rest;
	uint8_t *rec = malloc(len); /* exactly the record: reading past it is caught */
	int rc;

	ASSERT(rec);
	/* header, the sections after config, then config last, its payload
	 * ending in bytes that look like an END section (type 0xffff, length 4,
	 * a good CRC): the walk ends at the record's end with no END of its own */
	rest = (size_t)n - HEADER - config - 12;
	memcpy(rec, enc, HEADER);
	memcpy(rec + HEADER, enc + HEADER + config, rest);
	memcpy(rec + HEADER + rest, enc + HEADER, config);
	memcpy(rec + len - 12, (const uint8_t[]){ 0xff, 0xff, 0, 0, 4, 0, 0, 0 }, 8);
	rec[8] = (uint8_t)len;
	rec[9] = (uint8_t)(len >> 8);
	gs_reseal(rec, len);
	rc = guest_state_decode(rec, len, &b, err, sizeof(err));
	free(rec);
	ASSERT_EQ(-EPROTO, rc);
	ASSERTm(err, strstr(err, "truncated at byte") != NULL);
	PASS();
}

/* Change one field of a, encode, decode: refused with why in the message. */
static enum greatest_test_res invalid(const char *why)
{
	int n = guest_state_encode(&a, enc, sizeof(enc));

	ASSERT(n > 0);
	err[0] = '\0';
	ASSERT_EQm(why, -EINVAL, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	ASSERTm(err, strstr(err, why) != NULL);
	ASSERT(is_zero(&b, sizeof(b)));
	PASS();
}

TEST values_out_of_range_are_refused(void)
{
	gs_fill(&a, 7, 0);
	strcpy(a.config.name, "bad name");
	CHECK_CALL(invalid("bad guest name"));
	gs_fill(&a, 7, 0);
	memset(a.config.name, 'x', sizeof(a.config.name));
	CHECK_CALL(invalid("bad guest name"));
	gs_fill(&a, 7, 0);
	a.config.file[0] = '\0';
	CHECK_CALL(invalid("bad image name"));
	gs_fill(&a, 7, 0);
	a.config.nmodules = GUEST_MODULES_MAX + 1;
	CHECK_CALL(invalid("modules"));
	gs_fill(&a, 7, 0);
	a.config.modules[1][0] = '\0';
	CHECK_CALL(invalid("bad module name 1"));
	gs_fill(&a, 7, 0);
	a.ram_size = MiB(66);
	CHECK_CALL(invalid("RAM size"));
	gs_fill(&a, 7, 0);
	a.ram_size = MiB(64) + 4096;
	CHECK_CALL(invalid("RAM size"));
	gs_fill(&a, 7, 0);
	a.config.mem_mib = 1;
	CHECK_CALL(invalid("RAM size"));
	gs_fill(&a, 7, 0);
	a.cpu.exception_vector = 32;
	CHECK_CALL(invalid("pending-event"));
	gs_fill(&a, 7, 0);
	a.cpu.halted = 2;
	CHECK_CALL(invalid("pending-event"));
	gs_fill(&a, 7, 0);
	a.uart.rx_head = 16;
	CHECK_CALL(invalid("receive FIFO"));
	gs_fill(&a, 7, 0);
	a.uart.rx_count = 17;
	CHECK_CALL(invalid("receive FIFO"));
	gs_fill(&a, 7, 0);
	a.lapic.tsc_hz = 0;
	CHECK_CALL(invalid("timer clock"));
	gs_fill(&a, 7, 0);
	a.lapic.nmi_pending = 2;
	CHECK_CALL(invalid("lapic"));
	gs_fill(&a, 7, 0);
	a.hpet.config |= HPET_LEG_RT_CNF; /* not offered */
	CHECK_CALL(invalid("hpet"));
	gs_fill(&a, 7, 0);
	a.hpet.timer[1].armed = 2;
	CHECK_CALL(invalid("hpet"));
	gs_fill(&a, 7, 0);
	a.hpet.timer[2].config |= 1ULL << 32; /* Tn_INT_ROUTE_CAP is read-only */
	CHECK_CALL(invalid("hpet"));
	PASS();
}

/* Each PC device's ranges: a value just outside is refused, by name. */
TEST acpi_control_bits_it_never_keeps_are_refused(void)
{
	gs_fill(&a, 9, 0);
	a.acpi.pm1_cnt |= ACPI_PM1_SLP_EN; /* write-only: never stored */
	CHECK_CALL(invalid("acpi: PM1 control"));
	gs_fill(&a, 9, 0);
	a.acpi.pm1_cnt |= 0x8000; /* reserved */
	CHECK_CALL(invalid("acpi: PM1 control"));
	PASS();
}

TEST ioapic_values_it_cannot_hold_are_refused(void)
{
	gs_fill(&a, 9, 0);
	a.ioapic.redir[3] = IOREDTBL_REMOTE_IRR; /* edge entries never wait for an EOI */
	CHECK_CALL(invalid("ioapic:"));
	gs_fill(&a, 9, 0);
	a.ioapic.redir[23] |= 1ull << 20; /* reserved */
	CHECK_CALL(invalid("ioapic:"));
	gs_fill(&a, 9, 0);
	a.ioapic.lines |= 1u << 24; /* pin 24 does not exist */
	CHECK_CALL(invalid("ioapic:"));
	gs_fill(&a, 9, 0);
	a.ioapic.id |= 1; /* only bits 24-27 hold the ID */
	CHECK_CALL(invalid("ioapic:"));
	gs_fill(&a, 9, 0);
	a.ioapic.redir[0] = IOREDTBL_LEVEL | IOREDTBL_REMOTE_IRR | 0x31;
	a.ioapic.sel = 0xff;
	ASSERT_EQ(0, guest_state_decode(enc, (size_t)guest_state_encode(&a, enc, sizeof(enc)), &b,
					err, sizeof(err)));
	ASSERT_EQ(a.ioapic.redir[0], b.ioapic.redir[0]);
	PASS();
}

TEST pc_device_values_out_of_range_are_refused(void)
{
	gs_fill(&a, 9, 0);
	a.pc.pic.chip[0].elcr = 0x01; /* IRQ0 is edge only */
	CHECK_CALL(invalid("8259A state (chip 0)"));
	gs_fill(&a, 9, 0);
	a.pc.pic.chip[1].vector_base = 0x71;
	CHECK_CALL(invalid("8259A state (chip 1)"));
	gs_fill(&a, 9, 0);
	a.pc.pic.chip[0].auto_eoi = 2;
	CHECK_CALL(invalid("8259A"));
	gs_fill(&a, 9, 0);
	a.pc.pit.ch[1].count = 0x10001;
	CHECK_CALL(invalid("8254 channel 1"));
	gs_fill(&a, 9, 0);
	a.pc.pit.ch[0].count = 0;
	CHECK_CALL(invalid("8254 channel 0"));
	gs_fill(&a, 9, 0);
	a.pc.pit.ch[2].mode = 6;
	CHECK_CALL(invalid("8254 channel 2"));
	gs_fill(&a, 9, 0);
	a.pc.pit.ch[0].gate = 0; /* channel 0's gate is wired high */
	CHECK_CALL(invalid("8254 channel 0"));
	gs_fill(&a, 9, 0);
	a.pc.pit.port61 ^= 1; /* gate 2 disagrees with port 0x61 */
	CHECK_CALL(invalid("port 0x61"));
	gs_fill(&a, 9, 0);
	a.pc.rtc.index = 0x80;
	CHECK_CALL(invalid("RTC"));
	gs_fill(&a, 9, 0);
	a.pc.rtc.seconds = 253402300800ULL;
	CHECK_CALL(invalid("RTC"));
	gs_fill(&a, 9, 0);
	a.pc.kbc.pending = 0x20;
	CHECK_CALL(invalid("i8042"));
	PASS();
}

TEST boundary_values_are_accepted(void)
{
	int n;

	gs_fill(&a, 9, 0);
	memset(a.config.name, 0, sizeof(a.config.name));
	memset(a.config.name, 'n', GUEST_NAME_MAX - 1);
	a.config.nmodules = GUEST_MODULES_MAX;
	a.config.mem_mib = GUEST_MEM_MIN_MIB;
	a.ram_size = MiB(GUEST_MEM_MIN_MIB);
	a.cpu.exception_vector = 31;
	a.uart.rx_head = 15;
	a.uart.rx_count = 16;
	n = guest_state_encode(&a, enc, sizeof(enc));
	ASSERT_EQ(0, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	a.config.mem_mib = 3; /* RAM comes in 2 MiB blocks: 3 MiB asks for 4 */
	a.ram_size = MiB(4);
	n = guest_state_encode(&a, enc, sizeof(enc));
	ASSERT_EQ(0, guest_state_decode(enc, (size_t)n, &b, err, sizeof(err)));
	PASS();
}

SUITE(guest_state)
{
	SHUFFLED_TESTS({
		RUN_TEST(crc32_matches_the_standard_check_value);
		RUN_TEST(sections_have_the_documented_sizes_and_order);
		RUN_TEST(round_trip_reproduces_every_field);
		RUN_TEST(encode_refuses_a_short_buffer);
		RUN_TEST(every_truncation_is_refused_and_leaves_nothing);
		RUN_TEST(every_flipped_bit_is_refused);
		RUN_TEST(corrupted_record_names_the_checksum);
		RUN_TEST(header_fields_are_checked);
		RUN_TEST(section_headers_are_checked);
		RUN_TEST(a_missing_section_is_refused);
		RUN_TEST(shorter_than_a_header_and_an_end_section_has_no_end_section);
		RUN_TEST(a_header_and_an_end_section_alone_miss_the_sections);
		RUN_TEST(an_end_section_inside_the_last_payload_is_not_the_end);
		RUN_TEST(values_out_of_range_are_refused);
		RUN_TEST(boundary_values_are_accepted);
		RUN_TEST(pc_device_values_out_of_range_are_refused);
		RUN_TEST(acpi_control_bits_it_never_keeps_are_refused);
		RUN_TEST(ioapic_values_it_cannot_hold_are_refused);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(guest_state);
	});
	GREATEST_MAIN_END();
}
