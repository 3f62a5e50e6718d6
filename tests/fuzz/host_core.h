/*
 * The host build of the hypervisor core used by fuzz_commands.c
 * (tests/fuzz/host_core.c): console input and output in memory.
 */
#ifndef TESTS_FUZZ_HOST_CORE_H
#define TESTS_FUZZ_HOST_CORE_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_OUTPUT_MAX (1 << 20)

/* Bytes the serial port delivers next (uart_getc consumes them). */
extern const uint8_t *host_input;
extern size_t host_input_len;
/* Everything the console wrote (kwrite), capped at HOST_OUTPUT_MAX. */
extern char host_output[HOST_OUTPUT_MAX];
extern size_t host_output_len;
/* Where power_off (1) and power_reboot (2) jump to: set it with setjmp. */
extern jmp_buf host_power;

#endif
