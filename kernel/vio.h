/*
 * Port I/O of a guest's minimal PC: COM1 (16550), the isa-debug-exit
 * port, the PC devices of kernel/pcdev.h (8259A pair and ELCR, 8254
 * PIT, port 0x61, CMOS RTC, i8042, port 0x92) and the ACPI fixed hardware
 * (kernel/acpi_pm.h: PM1a blocks with S5 power-off, PM timer, reset
 * register 0xCF9). Every other port behaves as an empty ISA bus: reads
 * return all ones, writes vanish; both are counted. Accesses wider than a
 * byte to the PC devices are unclaimed too. And the platform devices
 * behind MMIO and their timers: the HPET page at 0xFED00000
 * (kernel/hpet.c). The local APIC is the vCPU's own.
 */
#ifndef KERNEL_VIO_H
#define KERNEL_VIO_H

#include "lib/types.h"

struct guest;

#define VIO_EXIT_PORT 0xf4 /* QEMU isa-debug-exit compatible: a write ends the guest */

/* Connect the guest's interrupt sources: the I/O APIC's messages to its
 * local APIC, and that APIC's level-triggered EOIs back to the I/O APIC. */
void vio_wire_interrupts(struct guest *g);

/* Value for an IN of size (1, 2, 4) bytes from port. */
uint32_t vio_in(struct guest *g, uint16_t port, unsigned size);

/* Whether the guest's last port reads found its UART busy (then it should
 * give up the CPU for now); reading clears it. */
bool vio_take_yield(struct guest *g);

/* An OUT of size bytes; returns false when the guest ended itself through
 * the exit port (then it is stopped) or asked for a reset (i8042, port
 * 0x92, ACPI: then it is rebooted from the run loop, guest_request_reset). */
bool vio_out(struct guest *g, uint16_t port, unsigned size, uint32_t val);

/* Whether a device of the guest's PC answers at gpa (outside RAM and the APIC page). */
bool vio_mmio_claims(const struct guest *g, gpa_t gpa);

/*
 * An MMIO read or write of size bytes at gpa (which vio_mmio_claims) at
 * guest TSC now. Returns 0, or -EINVAL for an access the device refuses
 * (a read then gives 0, a write is dropped).
 */
int vio_mmio_read(struct guest *g, gpa_t gpa, unsigned size, uint64_t now, uint64_t *val);
int vio_mmio_write(struct guest *g, gpa_t gpa, unsigned size, uint64_t val, uint64_t now);

/* Bring the platform timers (HPET) up to guest TSC now; their interrupts go
 * to the guest's local APIC. Before each entry, with vlapic_update_timer. */
void vio_update_timers(struct guest *g, uint64_t now);

/* Guest TSC of the next platform-timer interrupt, or 0 for none. */
uint64_t vio_next_deadline(const struct guest *g);

#endif
