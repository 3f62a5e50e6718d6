/*
 * Draining a page-modification log into a dirty bitmap. Pure: see pml.h.
 */
#include "arch/x86/pml.h"

unsigned pml_valid_entries(uint16_t index)
{
	if (index >= PML_ENTRIES)
		return PML_ENTRIES;
	return PML_INDEX_START - index;
}

unsigned pml_drain(const uint64_t *log, uint16_t index, struct dirty_bitmap *b)
{
	unsigned n = pml_valid_entries(index), i;

	/* the CPU filled the log from the top: entries PML_ENTRIES - n .. 511 */
	for (i = PML_ENTRIES - n; i < PML_ENTRIES; i++)
		dirty_bitmap_set(b, (log[i] & PML_ENTRY_GPA_MASK) >> PAGE_SHIFT);
	return n;
}
