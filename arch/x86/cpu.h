/*
 * x86 instructions the core needs, one inline wrapper each, named after
 * the instruction. This header and the .S files are where assembly lives.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "lib/types.h"

/* RFLAGS.TF and IF, SDM Vol. 1 3.4.3 */
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)

/* CR0 / CR4 bits, SDM Vol. 3A 2.5 */
#define CR0_PE (1ULL << 0)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_VMXE (1ULL << 13)

/* CPUID feature bits, SDM Vol. 2A CPUID */
#define CPUID_1_ECX_VMX (1U << 5)
#define CPUID_1_ECX_RDRAND (1U << 30)
#define CPUID_1_ECX_HYPERVISOR (1U << 31)
#define CPUID_7_EBX_RDSEED (1U << 18)
#define CPUID_1_EDX_APIC (1U << 9)
#define CPUID_80000001_EDX_PDPE1GB (1U << 26)

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                          \
	static inline uint64_t read_cr##n(void)                         \
	{                                                               \
		uint64_t v;                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));       \
		return v;                                               \
	}                                                               \
	static inline void write_cr##n(uint64_t v)                      \
	{                                                               \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

#define DEFINE_DR_ACCESSORS(n)                                          \
	static inline uint64_t read_dr##n(void)                         \
	{                                                               \
		uint64_t v;                                             \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));       \
		return v;                                               \
	}                                                               \
	static inline void write_dr##n(uint64_t v)                      \
	{                                                               \
		__asm__ volatile("mov %0, %%db" #n : : "r"(v));         \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)
#undef DEFINE_DR_ACCESSORS

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* RDRAND / RDSEED: CF=1 when *v holds a random value, CF=0 when the
 * generator had none ready (SDM Vol. 1 7.3.17). */
static inline bool rdrand64(uint64_t *v)
{
	bool ok;

	__asm__ volatile("rdrand %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}

static inline bool rdseed64(uint64_t *v)
{
	bool ok;

	__asm__ volatile("rdseed %0" : "=r"(*v), "=@ccc"(ok));
	return ok;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }

/* Enable interrupts and halt as one step: the STI shadow covers the HLT (SDM Vol. 2B STI). */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

/* Stop this CPU for good: interrupts off, halt forever (NMIs return to the loop). */
static inline NORETURN void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

struct cpu_info {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf, max_ext_leaf;
	bool hypervisor; /* CPUID.1:ECX[31]: we run under another hypervisor */
	bool pdpe1gb;
	bool x2apic;
	bool invariant_tsc;
};

/* Fill info from CPUID. */
void cpu_identify(struct cpu_info *info);

struct vmx_msrs;
/*
 * Read the VMX capability MSRs that exist on this CPU (each only when
 * CPUID and the MSRs read before it say it exists, so nothing can #GP).
 */
void cpu_read_vmx_msrs(struct vmx_msrs *m);

/* Address of the instruction after the call: for stack traces and panics. */
#define cpu_return_address() ((uint64_t)__builtin_return_address(0))

#endif
