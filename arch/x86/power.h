/*
 * Powering the machine off and resetting it.
 */
#ifndef ARCH_X86_POWER_H
#define ARCH_X86_POWER_H

#include "lib/types.h"

/*
 * Power off: ACPI S5 when the firmware described it (hardware, QEMU),
 * else the Bochs shutdown port 0x8900. Returns only if nothing worked.
 */
void power_off(void);

/* Reset: ACPI reset register, port 0xCF9, the keyboard controller, then a triple fault. */
NORETURN void power_reboot(void);

#endif
