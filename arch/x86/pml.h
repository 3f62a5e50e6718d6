/*
 * Page-modification logging (PML), SDM Vol. 3C 29.3.6: with EPT A/D
 * flags on and the "enable PML" control set, each time the CPU changes an
 * EPT dirty flag from 0 to 1 it writes the guest-physical address (bits
 * 11:0 zero) to entry PML_index of a 4 KiB log of 512 64-bit entries and
 * decrements the index. The index starts at 511; after entry 0 it reads
 * 0xFFFF, and the next access that would set an A or D flag finds the
 * index outside 0-511: a page-modification log-full event, i.e. a VM exit
 * (reason 62) before the access happens.
 *
 * Pure: reading the log into a dirty bitmap. The VMCS side is in
 * arch/x86/dirty_vmx.c.
 */
#ifndef ARCH_X86_PML_H
#define ARCH_X86_PML_H

#include "kernel/dirty_bitmap.h"
#include "lib/types.h"

#define PML_ENTRIES 512
#define PML_INDEX_START (PML_ENTRIES - 1) /* first entry the CPU fills */
#define PML_ENTRY_GPA_MASK PAGE_MASK

/*
 * How many entries hold addresses, given the index the CPU left:
 * entries index + 1 .. 511. An index outside 0-511 means the log is full
 * (0xFFFF after the last entry; anything else was never written by a
 * CPU, and counting the whole log then over-reports rather than misses).
 */
unsigned pml_valid_entries(uint16_t index);

/*
 * Mark the frame of every valid entry of log in b; addresses outside b
 * are ignored. Returns the number of valid entries. The caller then sets
 * the VMCS PML index back to PML_INDEX_START.
 */
unsigned pml_drain(const uint64_t *log, uint16_t index, struct dirty_bitmap *b);

#endif
