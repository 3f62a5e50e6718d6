/*
 * panic(): the hypervisor cannot go on. Say why, show where, halt.
 */
#include <stdarg.h>
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "lib/fmt.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

NORETURN void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	cli();
	printk_sync();
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("\n!!! PANIC: %s\n", buf);
	kprintf("called from 0x%016lx (hv.so+0x%lx)\n", cpu_return_address(),
		cpu_return_address() - image_base());
	trap_print_backtrace(read_rbp());
	kputs("hypervisor halted (no reset); power-cycle or restart the emulator.\n");
	cpu_halt_forever();
}
