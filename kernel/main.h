/*
 * The hand-over from the boot stage to the core.
 */
#ifndef KERNEL_MAIN_H
#define KERNEL_MAIN_H

#include "kernel/bootinfo.h"
#include "kernel/config.h"

/*
 * Enter the core after ExitBootServices: disable interrupts, move onto
 * the hypervisor's own stack and run kmain. Called on the firmware's stack.
 */
NORETURN void kernel_enter(struct boot_info *bi);

#define CONFIG_MAX_ERRORS 8

/* The configuration in force: defaults plus hv.cfg. */
const struct config *kernel_config(void);

/* Problems found in hv.cfg at boot: *n entries (of *total bad lines). */
const struct config_error *kernel_config_errors(int *n, int *total);

#endif
