/*
 * Exception and interrupt dispatch. Any exception in the hypervisor
 * itself is fatal: it is reported with every register, decoded, with a
 * stack trace, and the CPU halts. A report that never reaches the serial
 * port because the machine reset is the worst outcome, so this path uses
 * nothing but the UART and its own stack frame.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "kernel/printk.h"

#define BACKTRACE_MAX 16

static irq_handler_t handlers[256];
static uint64_t unexpected;
static volatile int fatal_depth;

static const char *const exception_names[NUM_EXCEPTIONS] = {
	[VEC_DE] = "#DE divide error",
	[VEC_DB] = "#DB debug",
	[VEC_NMI] = "NMI",
	[VEC_BP] = "#BP breakpoint",
	[VEC_OF] = "#OF overflow",
	[VEC_BR] = "#BR bound range exceeded",
	[VEC_UD] = "#UD invalid opcode",
	[VEC_NM] = "#NM device not available",
	[VEC_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[VEC_TS] = "#TS invalid TSS",
	[VEC_NP] = "#NP segment not present",
	[VEC_SS] = "#SS stack-segment fault",
	[VEC_GP] = "#GP general protection",
	[VEC_PF] = "#PF page fault",
	[VEC_MF] = "#MF x87 floating-point error",
	[VEC_AC] = "#AC alignment check",
	[VEC_MC] = "#MC machine check",
	[VEC_XM] = "#XM SIMD floating-point",
	[VEC_VE] = "#VE virtualization exception",
	[VEC_CP] = "#CP control protection",
};

const char *trap_exception_name(unsigned vector)
{
	if (vector >= NUM_EXCEPTIONS)
		return NULL;
	return exception_names[vector] ? exception_names[vector] : "reserved exception";
}

uint64_t trap_unexpected_count(void)
{
	return unexpected;
}

void trap_set_handler(unsigned vector, irq_handler_t handler)
{
	if (vector >= NUM_EXCEPTIONS && vector < 256)
		handlers[vector] = handler;
}

static void print_code_address(const char *label, uint64_t addr)
{
	if (addr >= image_base() && addr < image_end())
		kprintf("%s0x%016lx (hv.so+0x%lx)\n", label, addr, addr - image_base());
	else
		kprintf("%s0x%016lx\n", label, addr);
}

void trap_print_backtrace(uint64_t rbp)
{
	int i;

	kputs("stack trace (addr2line -e build/hv.so OFFSET):\n");
	/* each frame holds the caller's RBP then the return address (-fno-omit-frame-pointer) */
	for (i = 0; i < BACKTRACE_MAX && rbp && !(rbp & 7); i++) {
		uint64_t *frame = (uint64_t *)rbp;
		uint64_t ret = frame[1];

		if (ret < image_base() || ret >= image_end())
			break;
		kprintf("  #%-2d ", i);
		print_code_address("", ret);
		if (frame[0] <= rbp || frame[0] - rbp > (1 << 20))
			break;
		rbp = frame[0];
	}
}

static void print_page_fault(const struct trap_frame *tf)
{
	/* error code bits, SDM Vol. 3A 6.15 interrupt 14 figure 6-11 */
	kprintf("page fault at CR2=0x%016lx: %s, %s, %s%s%s\n", read_cr2(),
		tf->error & 1 ? "protection violation" : "page not present",
		tf->error & 2 ? "write" : "read", tf->error & 4 ? "user" : "supervisor",
		tf->error & 8 ? ", reserved bit set" : "",
		tf->error & 16 ? ", instruction fetch" : "");
}

static void print_registers(const struct trap_frame *tf)
{
	print_code_address("RIP    ", tf->rip);
	kprintf("RSP    0x%016lx  RFLAGS 0x%016lx  CS 0x%04lx  SS 0x%04lx\n",
		tf->rsp, tf->rflags, tf->cs, tf->ss);
	kprintf("RAX 0x%016lx  RBX 0x%016lx  RCX 0x%016lx\n", tf->rax, tf->rbx, tf->rcx);
	kprintf("RDX 0x%016lx  RSI 0x%016lx  RDI 0x%016lx\n", tf->rdx, tf->rsi, tf->rdi);
	kprintf("RBP 0x%016lx  R8  0x%016lx  R9  0x%016lx\n", tf->rbp, tf->r8, tf->r9);
	kprintf("R10 0x%016lx  R11 0x%016lx  R12 0x%016lx\n", tf->r10, tf->r11, tf->r12);
	kprintf("R13 0x%016lx  R14 0x%016lx  R15 0x%016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("CR0 0x%016lx  CR2 0x%016lx  CR3 0x%016lx  CR4 0x%016lx\n",
		read_cr0(), read_cr2(), read_cr3(), read_cr4());
	kprintf("image at 0x%016lx\n", image_base());
}

NORETURN void trap_fatal(struct trap_frame *tf)
{
	cli();
	printk_sync();
	if (++fatal_depth > 1) {
		/* faulted while reporting: say so with the least machinery and stop */
		kputs("\n!!! EXCEPTION while reporting an exception; halted.\n");
		cpu_halt_forever();
	}
	kprintf("\n!!! EXCEPTION %s (vector %lu), error code 0x%lx\n",
		trap_exception_name(tf->vector), tf->vector, tf->error);
	if (tf->vector == VEC_PF)
		print_page_fault(tf);
	print_registers(tf);
	trap_print_backtrace(tf->rbp);
	kputs("hypervisor halted (no reset); power-cycle or restart the emulator.\n");
	cpu_halt_forever();
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned vec = tf->vector;

	if (vec < NUM_EXCEPTIONS)
		trap_fatal(tf);
	if (vec == VEC_APIC_SPURIOUS)
		return; /* spurious interrupts take no EOI, SDM Vol. 3A 11.9 */
	if (handlers[vec])
		handlers[vec](tf);
	else
		unexpected++;
	/* PIC vectors stay masked; anything arriving there is spurious and needs no local EOI */
	if (vec < VEC_PIC_BASE || vec >= VEC_PIC_BASE + 16)
		apic_eoi();
}
