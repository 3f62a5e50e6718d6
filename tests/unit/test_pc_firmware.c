/*
 * Unit tests for kernel/pc_firmware.c: the vector table and handlers a
 * multiboot guest finds in low memory, and the 8259A/8254 state that
 * makes the PIT's IRQ0 arrive as vector 8, 18.2 times a second.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/pc_firmware.h"

#define HZ 1000000000ull /* guest TSC: 1 GHz, so ticks are nanoseconds */
#define MIB (1024 * 1024)

static uint8_t mem[MIB];
static struct pcdev pc;

/* ctx: the RAM's size (at most sizeof(mem)) */
static int ram_write(void *ctx, gpa_t gpa, const void *src, size_t n)
{
	size_t size = *(const size_t *)ctx;

	if (gpa > size || n > size - gpa)
		return -EINVAL;
	memcpy(mem + gpa, src, n);
	return 0;
}

static int ram_read(void *ctx, gpa_t gpa, void *dst, size_t n)
{
	if (gpa > sizeof(mem) || n > sizeof(mem) - gpa)
		return -EINVAL;
	memcpy(dst, mem + gpa, n);
	return 0;
}

static size_t mem_size = sizeof(mem);
static const struct guest_ram ram = { ram_write, ram_read, &mem_size, sizeof(mem) };

static void setup(void *arg)
{
	(void)arg;
	memset(mem, 0, sizeof(mem));
	pcdev_init(&pc, HZ, 0, 0);
}

/* The linear address of vector v's handler. */
static uint32_t handler(unsigned v)
{
	uint16_t off = (uint16_t)(mem[v * 4] | mem[v * 4 + 1] << 8);
	uint16_t seg = (uint16_t)(mem[v * 4 + 2] | mem[v * 4 + 3] << 8);

	return (uint32_t)seg * 16 + off;
}

TEST every_vector_has_a_handler_in_the_bios_area(void)
{
	unsigned v;

	ASSERT_EQ(0, pc_firmware_write(&ram));
	for (v = 0; v < 256; v++) {
		ASSERT(handler(v) >= 0xf0000 && handler(v) < 0x100000);
		ASSERT(mem[handler(v)] == 0xcf || mem[handler(v)] == 0x50); /* iret, push ax */
	}
	ASSERT_EQ(0xcf, mem[handler(0x10)]); /* a software interrupt just returns */
	PASS();
}

TEST hardware_vectors_acknowledge_their_8259(void)
{
	static const uint8_t master_eoi[] = { 0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf };
	static const uint8_t slave_eoi[] = { 0x50, 0xb0, 0x20, 0xe6, 0xa0, 0xe6, 0x20, 0x58, 0xcf };

	ASSERT_EQ(0, pc_firmware_write(&ram));
	ASSERT_MEM_EQ(master_eoi, mem + handler(0x08), sizeof(master_eoi));
	ASSERT_MEM_EQ(master_eoi, mem + handler(0x0f), sizeof(master_eoi));
	ASSERT_MEM_EQ(slave_eoi, mem + handler(0x70), sizeof(slave_eoi));
	ASSERT_MEM_EQ(slave_eoi, mem + handler(0x77), sizeof(slave_eoi));
	PASS();
}

TEST ram_ending_below_the_bios_area_is_refused(void)
{
	size_t small = 0xf0000;
	const struct guest_ram low = { ram_write, ram_read, &small, small };

	ASSERT_EQ(-EINVAL, pc_firmware_write(&low));
	PASS();
}

TEST the_timer_ticks_as_vector_8_at_18_hz(void)
{
	uint64_t t = 0, first = 0;
	unsigned n = 0;

	pc_firmware_program(&pc, 0);
	ASSERT_EQ(0xfa, pcdev_read(&pc, 0x21, 0)); /* IRQ0 and the cascade open */
	ASSERT_EQ(0xff, pcdev_read(&pc, 0xa1, 0));
	while (n < 19 && t < 2 * HZ) {
		t = pcdev_next_event(&pc);
		ASSERT(t != 0);
		pcdev_update(&pc, t);
		if (vpic_pending_vector(&pc.pic) >= 0) {
			ASSERT_EQ(0x08, vpic_pending_vector(&pc.pic));
			vpic_ack(&pc.pic);
			pcdev_write(&pc, 0x20, 0x20, t); /* EOI, as the handler does */
			if (!n++)
				first = t;
		}
	}
	ASSERT_EQ(19, n);
	/* 18 periods of 65536 / 1193182 s */
	ASSERT_IN_RANGE(18 * 54925000ull, t - first, 18 * 10000ull);
	PASS();
}

SUITE(pc_firmware)
{
	SET_SETUP(setup, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(every_vector_has_a_handler_in_the_bios_area);
		RUN_TEST(hardware_vectors_acknowledge_their_8259);
		RUN_TEST(ram_ending_below_the_bios_area_is_refused);
		RUN_TEST(the_timer_ticks_as_vector_8_at_18_hz);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(pc_firmware);
	});
	GREATEST_MAIN_END();
}
