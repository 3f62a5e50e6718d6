/*
 * The IDT: 256 interrupt gates pointing at the stubs of isr.S.
 */
#include "arch/x86/gdt.h"
#include "arch/x86/trap.h"

/* 64-bit interrupt gate, SDM Vol. 3A 6.14.1 figure 6-8 */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

/* present, DPL 0, type 0xE: 64-bit interrupt gate (clears IF on entry) */
#define IDT_INTERRUPT_GATE 0x8e
#define ISR_STUB_SIZE 16

extern char isr_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned vec, uint64_t handler, uint8_t ist)
{
	struct idt_gate *g = &idt[vec];

	g->offset_lo = handler & 0xffff;
	g->selector = GDT_KERNEL_CS;
	g->ist = ist;
	g->type_attr = IDT_INTERRUPT_GATE;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->reserved = 0;
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr;
	unsigned v;

	for (v = 0; v < 256; v++)
		set_gate(v, (uint64_t)isr_stubs + v * ISR_STUB_SIZE, 0);
	idt[VEC_DF].ist = IST_DOUBLE_FAULT;
	idt[VEC_NMI].ist = IST_NMI;
	idt[VEC_MC].ist = IST_MACHINE_CHECK;
	ptr.limit = sizeof(idt) - 1;
	ptr.base = (uint64_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ptr));
}
