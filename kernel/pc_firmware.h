/*
 * What a PC's BIOS leaves behind when it hands the machine to a
 * multiboot loader, as SeaBIOS does under QEMU: a real-mode interrupt
 * vector table whose hardware-interrupt entries acknowledge the 8259A
 * and return, the 8259A pair initialised to vectors 0x08 and 0x70 with
 * only the timer and the cascade open, and the 8254's channel 0 ticking
 * at 18.2 Hz. A multiboot guest that drops to real mode and waits with
 * STI; HLT (kvm-unit-tests' realmode) wakes as it would on a PC; one
 * that sets up its own interrupts re-initialises the 8259A, or masks it
 * as kvm-unit-tests' start-up code does. Pure.
 */
#ifndef KERNEL_PC_FIRMWARE_H
#define KERNEL_PC_FIRMWARE_H

#include "kernel/guest_ram.h"
#include "kernel/pcdev.h"

/* The handlers live at F000:FF00, in the BIOS area the multiboot memory map reserves. */
#define PC_FIRMWARE_SEG 0xf000u
#define PC_FIRMWARE_OFF 0xff00u

/* Write the vector table (0-0x3ff) and its handlers into guest RAM. 0 or -EINVAL. */
int pc_firmware_write(const struct guest_ram *ram);

/* Program the board's 8259A pair and 8254 as the BIOS leaves them, at guest TSC now. */
void pc_firmware_program(struct pcdev *pc, uint64_t now);

#endif
