/*
 * Access to the boot info after the hand-over.
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/vrtc.h"

static const struct boot_info *boot;

void bootinfo_set(const struct boot_info *bi)
{
	boot = bi;
}

const struct boot_info *bootinfo_get(void)
{
	return boot;
}

const struct boot_file *bootinfo_find_file(const char *name)
{
	uint32_t i;

	for (i = 0; boot && i < boot->nfiles; i++)
		if (!strcmp(boot->files[i].name, name))
			return &boot->files[i];
	return NULL;
}

uint64_t bootinfo_wall_seconds(void)
{
	const struct boot_wall_clock *w = boot ? &boot->wall : NULL;
	struct vrtc_tm tm;
	uint64_t hz = clock_tsc_hz();

	if (!w || !w->valid || w->year < 1970 || w->year > 9999 || !hz)
		return 0;
	tm = (struct vrtc_tm){ .year = w->year, .month = w->month, .day = w->day,
			       .hour = w->hour, .minute = w->minute, .second = w->second };
	return vrtc_seconds_from_tm(&tm) + (rdtsc() - w->tsc) / hz;
}
