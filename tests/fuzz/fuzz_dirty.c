/*
 * libFuzzer target: dirty logging under random interleavings of guest
 * writes, hypervisor writes, harvests, vCPU switches (PML drains),
 * back-end switches and stop/start, against a model that records every
 * page written while logging. A harvest must return every page the model
 * holds (extra pages are allowed: over-reporting is safe, missing is
 * not); after a stop the guest must have its 2 MiB RWX mappings back.
 * The CPU is tests/unit/dirty_cpu.h: real EPT tables, reference walker.
 *
 * Input: 3 bytes per operation: the op and a 16-bit argument.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/dirty_cpu.h"

#define FUZZ_RAM MiB(8)
#define FUZZ_FRAMES (FUZZ_RAM >> PAGE_SHIFT)
#define FUZZ_MAX_OPS 2000

static struct dcpu cpu;
static bool model[FUZZ_FRAMES];
static uint64_t out_words[FUZZ_FRAMES / 64];
static struct dirty_bitmap harvested;

static void fuzz_die(const char *what, uint64_t frame)
{
	fprintf(stderr, "fuzz_dirty: %s (frame %#llx)\n", what, (unsigned long long)frame);
	abort();
}

/* Every page the model holds must be in harvested; then the model starts afresh. */
static void check_covered(const char *what)
{
	uint64_t f;

	for (f = 0; f < FUZZ_FRAMES; f++) {
		if (model[f] && !dirty_bitmap_test(&harvested, f))
			fuzz_die(what, f);
		model[f] = false;
	}
}

static void check_harvest(void)
{
	dirty_bitmap_clear_all(&harvested);
	if (dirty_log_harvest(&cpu.log, &harvested) < 0)
		fuzz_die("harvest failed while logging", 0);
	check_covered("harvest missed a written page");
}

static void check_full_speed(void)
{
	gpa_t g;
	struct ref_xlate x;

	if (cpu.ept.large_pages != FUZZ_RAM / MiB(2) || cpu.ept.small_pages)
		fuzz_die("2 MiB leaves not merged back after stop", 0);
	for (g = 0; g < FUZZ_RAM; g += MiB(2))
		if (ref_translate(&cpu.ref, g, &x) != REF_OK || (x.entry & 7) != 7)
			fuzz_die("page not RWX after stop", g >> PAGE_SHIFT);
}

static void write_page(uint64_t frame, bool by_host)
{
	if (by_host) {
		dirty_log_mark(&cpu.log, frame << PAGE_SHIFT, PAGE_SIZE);
	} else if (!dcpu_write(&cpu, (frame << PAGE_SHIFT) | (frame & 0xff8))) {
		fuzz_die("guest write did not complete", frame);
	}
	if (cpu.log.active)
		model[frame] = true;
}

static void switch_mode(enum dirty_mode m)
{
	if (!cpu.log.active) {
		if (dirty_log_start(&cpu.log, m))
			fuzz_die("start failed", 0);
		return;
	}
	dirty_bitmap_clear_all(&harvested);
	if (dirty_log_switch(&cpu.log, m, &harvested))
		fuzz_die("switch failed", 0);
	check_covered("switch lost a written page");
}

static void stop(void)
{
	if (cpu.log.active) {
		check_harvest();
		dirty_log_stop(&cpu.log);
	}
	check_full_speed();
}

static void fuzz_op(uint8_t op, uint16_t arg)
{
	uint64_t frame = arg % FUZZ_FRAMES;

	switch (op % 8) {
	case 0: case 1: case 2:
		write_page(frame, false);
		break;
	case 3:
		write_page(frame, true);
		break;
	case 4:
		if (cpu.log.active)
			check_harvest();
		break;
	case 5:
		dcpu_pml_flush(&cpu, &cpu.log); /* the vCPU left the CPU */
		break;
	case 6:
		switch_mode((enum dirty_mode)(arg % DIRTY_MODE_COUNT));
		break;
	case 7:
		stop();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	dcpu_init(&cpu, FUZZ_RAM);
	dirty_bitmap_init(&harvested, out_words, FUZZ_FRAMES);
	memset(model, 0, sizeof(model));
	for (i = 0; i + 3 <= size && i / 3 < FUZZ_MAX_OPS; i += 3)
		fuzz_op(data[i], (uint16_t)(data[i + 1] | data[i + 2] << 8));
	stop();
	if (cpu.unexpected || cpu.sim.bad)
		fuzz_die("unexpected fault or table misuse", 0);
	dcpu_fini(&cpu);
	if (sim_live(&cpu.sim))
		fuzz_die("table pages leaked", 0);
	return 0;
}
