/*
 * The hypervisor's own GDT and TSS, replacing the firmware's.
 */
#ifndef ARCH_X86_GDT_H
#define ARCH_X86_GDT_H

#include "lib/types.h"

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18

/* Interrupt stack table slots (1-based, as in the IDT gate), SDM Vol. 3A 6.14.5 */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

/* Load the GDT, reload every segment register and load the task register. */
void gdt_init(void);

/* Address of the TSS (for the VMCS host state). */
uint64_t gdt_tss_base(void);

/* Assembly helper (entry.S): far-return into cs, load ds into the data segments. */
void gdt_load_segments(uint16_t cs, uint16_t ds);

#endif
