/*
 * Port I/O of a guest's minimal PC: COM1 (16550), the isa-debug-exit
 * port, the legacy PIC's mask registers, the ACPI fixed hardware
 * (kernel/acpi_pm.h: PM1a blocks with S5 power-off, PM timer, reset
 * register 0xCF9). Every other port behaves as an
 * empty ISA bus: reads return all ones, writes vanish; both are counted.
 */
#ifndef KERNEL_VIO_H
#define KERNEL_VIO_H

#include "lib/types.h"

struct guest;

#define VIO_EXIT_PORT 0xf4 /* QEMU isa-debug-exit compatible: a write ends the guest */
#define VIO_PIC1_DATA 0x21
#define VIO_PIC2_DATA 0xa1

/* Value for an IN of size (1, 2, 4) bytes from port. */
uint32_t vio_in(struct guest *g, uint16_t port, unsigned size);

/* Whether the guest's last port reads found its UART busy (then it should
 * give up the CPU for now); reading clears it. */
bool vio_take_yield(struct guest *g);

/* An OUT of size bytes; returns false when the guest ended itself through the exit port (then stopped). */
bool vio_out(struct guest *g, uint16_t port, unsigned size, uint32_t val);

#endif
