/*
 * Interrupts and exceptions for the test guests: a 256-entry IDT whose
 * stubs all reach one dispatcher, per-vector handlers, and "expected
 * fault" recovery so hostile guests can provoke #GP/#UD and carry on.
 */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdint.h>

/* Exception vectors, SDM Vol. 3A table 6-1. */
#define VEC_DE 0
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_SPURIOUS 0xff /* our APIC spurious-interrupt vector */

/* What the stubs and isr_common push, lowest address first. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* PUSHAD */
	uint32_t vector, error;  /* error is 0 for vectors without a code */
	uint32_t eip, cs, eflags; /* pushed by the processor (no ring change) */
};

/* What an expected fault looked like. */
struct fault_info {
	uint32_t vector, error, eip;
};

typedef void (*trap_handler_t)(struct trap_frame *f);

/* Fill and load the IDT (every vector present, interrupt gates). */
void idt_init(void);

/* Load an arbitrary IDT (hostile_triple loads an empty one). */
void idt_load(const void *base, uint16_t limit);

/* Handle vector with fn (NULL: back to "unexpected", which fails the guest). */
void idt_set_handler(uint8_t vector, trap_handler_t fn);

/* Remap the 8259 PICs to vectors 0x20-0x2F and mask every line. */
void pic_disable(void);

/*
 * Run fn(arg); an exception (vector < 32) inside it abandons fn and comes
 * back here. Returns -1 if fn returned normally, else the vector (details
 * in *info when info is not NULL). Interrupt flag restored either way.
 */
int fault_call(void (*fn)(void *), void *arg, struct fault_info *info);

/* RDMSR catching faults: -1 and *val set, or the exception vector. */
int rdmsr_safe(uint32_t msr, uint64_t *val);

/* WRMSR catching faults: -1, or the exception vector. */
int wrmsr_safe(uint32_t msr, uint64_t val);

/* Spurious-vector interrupts seen so far (they need no EOI). */
extern volatile uint32_t idt_spurious_count;

#endif
