/*
 * Exceptions and interrupts: the trap frame, handler registration, and
 * the fatal-exception report.
 */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include "lib/types.h"

/* Exception vectors, SDM Vol. 3A 6.3.1 table 6-1 */
#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_OF 4
#define VEC_BR 5
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MF 16
#define VEC_AC 17
#define VEC_MC 18
#define VEC_XM 19
#define VEC_VE 20
#define VEC_CP 21
#define NUM_EXCEPTIONS 32

/* Interrupt vectors the hypervisor assigns. */
#define VEC_PIC_BASE 0xe0   /* legacy 8259s, remapped out of the way and masked */
#define VEC_APIC_TIMER 0xf0
#define VEC_APIC_SPURIOUS 0xff

/* Laid out by arch/x86/isr.S: general registers, then vector and error, then the CPU's frame. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

typedef void (*irq_handler_t)(struct trap_frame *tf);

/* Build and load the IDT; every vector gets a stub. */
void idt_init(void);

/* Route vector (>= 32) to handler; the handler sends no EOI itself. */
void trap_set_handler(unsigned vector, irq_handler_t handler);

/* Called from isr.S for every vector. */
void trap_dispatch(struct trap_frame *tf);

/* Name of an exception vector ("#PF page fault"), or NULL past 31. */
const char *trap_exception_name(unsigned vector);

/* Interrupts that arrived on a vector nobody handles. */
uint64_t trap_unexpected_count(void);

/*
 * Print a register dump and stack trace for a fatal exception, then halt
 * this CPU for good. Never resets the machine.
 */
NORETURN void trap_fatal(struct trap_frame *tf);

/* Print a stack trace starting at frame pointer rbp. */
void trap_print_backtrace(uint64_t rbp);

#endif
