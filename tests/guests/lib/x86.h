/*
 * Thin wrappers around the x86 instructions the test guests use: port
 * I/O, MSRs, CPUID, the TSC, interrupt control. 32-bit protected mode.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

#define MSR_IA32_APIC_BASE 0x1b    /* SDM Vol. 3A 11.4.4 */
#define MSR_IA32_TSC_DEADLINE 0x6e0 /* SDM Vol. 3A 11.5.4.1 */
#define MSR_X2APIC_BASE 0x800      /* SDM Vol. 3A table 11-6 */

#define EFLAGS_IF (1u << 9)

/* CPUID instructions executed through cpuid() so far (cpuid_bench reports it). */
extern volatile uint32_t cpuid_count;

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* Write a byte to an I/O port. */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Write a 16-bit word to an I/O port. */
static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

/* Write a 32-bit doubleword to an I/O port. */
static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* Read a byte from an I/O port. */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Read a 16-bit word from an I/O port. */
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Read a 32-bit doubleword from an I/O port. */
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Read the time-stamp counter. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Read a model-specific register (raises #GP for unknown ones). */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* Write a model-specific register (raises #GP for unknown ones). */
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

/* One CPUID instruction, not counted: for timed loops that count themselves. */
static inline void cpuid_raw(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(subleaf));
}

/* CPUID leaf/subleaf, counted in cpuid_count. */
static inline void cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	cpuid_count++;
	cpuid_raw(leaf, subleaf, r);
}

/* Disable maskable interrupts. */
static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

/* Enable maskable interrupts. */
static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

/* Halt until the next interrupt. */
static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

/*
 * Enable interrupts and halt in one step: STI's interrupt shadow keeps an
 * interrupt from slipping in between the two (SDM Vol. 2B, STI), so a
 * wake-up is never lost. Returns with interrupts disabled again.
 */
static inline void sti_hlt_cli(void)
{
	asm volatile("sti; hlt; cli" : : : "memory");
}

/* Spin-loop hint. */
static inline void cpu_pause(void)
{
	asm volatile("pause" : : : "memory");
}

/* Current EFLAGS. */
static inline uint32_t read_eflags(void)
{
	uint32_t f;

	asm volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

/* Compiler barrier. */
static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

#endif
