/*
 * Access to the boot info after the hand-over.
 */
#include <string.h>
#include "kernel/bootinfo.h"

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
