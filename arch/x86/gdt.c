/*
 * GDT and TSS. Long mode ignores segment bases and limits except for the
 * TSS, which we need only for its interrupt stack table: exceptions that
 * must work even when the current stack is broken (#DF, NMI, #MC) switch
 * to a known-good stack (SDM Vol. 3A 6.14.5).
 */
#include "arch/x86/gdt.h"
#include <string.h>

#define IST_STACK_SIZE (16 * 1024)

/* 64-bit TSS, SDM Vol. 3A 8.7 figure 8-11 */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* descriptor flags, SDM Vol. 3A 3.4.5: present, DPL 0, code/data, L (64-bit) or D/B */
#define GDT_CODE64 0x00af9a000000ffffULL
#define GDT_DATA 0x00cf92000000ffffULL
#define TSS_TYPE_AVAILABLE 0x89ULL

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/* A 16-byte system descriptor for the TSS, SDM Vol. 3A 8.2.3 figure 8-4 */
static void set_tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
		  (TSS_TYPE_AVAILABLE << 40) | (((uint64_t)limit >> 16 & 0xf) << 48) |
		  ((base >> 24 & 0xff) << 56);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	struct gdt_pointer ptr;
	int i;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = GDT_CODE64;
	gdt[GDT_KERNEL_DS / 8] = GDT_DATA;
	memset(&tss, 0, sizeof(tss));
	for (i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	/* no I/O permission bitmap: the base points past the TSS limit */
	tss.iomap_base = sizeof(tss);
	set_tss_descriptor(&gdt[GDT_TSS / 8], (uint64_t)&tss, sizeof(tss) - 1);

	ptr.limit = sizeof(gdt) - 1;
	ptr.base = (uint64_t)gdt;
	__asm__ volatile("lgdt %0" : : "m"(ptr));
	gdt_load_segments(GDT_KERNEL_CS, GDT_KERNEL_DS);
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS));
}

uint64_t gdt_tss_base(void)
{
	return (uint64_t)&tss;
}
