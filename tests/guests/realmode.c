/*
 * realmode: a trip to real mode and back. In real mode it executes RDMSR
 * of an MSR no CPU has, which must raise #GP (vector 13) through the
 * real-mode IVT: without an error code, since real mode pushes none (SDM
 * Vol. 3A 20.1.4). A hypervisor that injects the fault with an error code
 * makes VM entry fail, and the guest never comes back.
 *
 * Output: "RESULT realmode ok gp=N" (N faults taken in real mode, 2
 * expected) or "RESULT realmode fail reason=...".
 */
#include "guest.h"

#define STUB_BASE 0x7000u /* real-mode segment 0x0700 */

extern char rm_stub_start[], rm_stub_end[], rm_gp_count[];
void realmode_roundtrip(void);

/*
 * The 16-bit code, copied to STUB_BASE and run there: offsets inside it
 * are relative to rm_stub_start (CS = DS = 0x0700 in real mode).
 */
__asm__(
	".section .rodata\n"
	".globl rm_stub_start, rm_stub_end, rm_gp_count\n"
	".code16\n"
	"rm_stub_start:\n"
	"rm_pm16:\n" /* 16-bit protected mode, CS base 0 */
	"	movw $0x20, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %ss\n"
	"	movl %cr0, %eax\n"
	"	andl $0xfffffffe, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmp $0x0700, $(rm_real - rm_stub_start)\n"
	"rm_real:\n"
	"	movw $0x0700, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %ss\n"
	"	movw $0x0ff0, %sp\n"
	"	lidt (rm_ivt_desc - rm_stub_start)\n"
	"	xorw %ax, %ax\n"
	"	movw %ax, %es\n"
	"	movw $(rm_gp_handler - rm_stub_start), %es:0x34\n" /* IVT[13]: offset, */
	"	movw $0x0700, %es:0x36\n"                           /* segment */
	"	movl $0x4b564d99, %ecx\n" /* no CPU has this MSR */
	"	rdmsr\n"
	"	wrmsr\n"
	"	lgdtl (rm_gdt_desc - rm_stub_start)\n"
	"	movl %cr0, %eax\n"
	"	orl $1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmpl $0x08, $rm_back32\n"
	"rm_gp_handler:\n" /* skip the 2-byte RDMSR/WRMSR that faulted */
	"	incw %ds:(rm_gp_count - rm_stub_start)\n"
	"	pushw %bp\n"
	"	movw %sp, %bp\n"
	"	addw $2, 2(%bp)\n"
	"	popw %bp\n"
	"	iret\n"
	"rm_ivt_desc: .word 0x3ff\n .long 0\n"
	"rm_gdt_desc: .word rm_gdt_end - rm_gdt - 1\n .long rm_gdt\n"
	"rm_gp_count: .word 0\n"
	"rm_stub_end:\n"
	".code32\n"
	".align 8\n"
	"rm_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00cf9a000000ffff\n" /* 0x08: 32-bit code, as crt0's */
	"	.quad 0x00cf92000000ffff\n" /* 0x10: data, as crt0's */
	"	.quad 0x00009a000000ffff\n" /* 0x18: 16-bit code, 64 KiB */
	"	.quad 0x000092000000ffff\n" /* 0x20: 16-bit data, 64 KiB */
	"rm_gdt_end:\n"
	".text\n"
	".code32\n"
	".globl realmode_roundtrip\n"
	"realmode_roundtrip:\n"
	"	pushal\n"
	"	movl %esp, rm_saved_esp\n"
	"	sidt rm_saved_idt\n"
	"	cli\n"
	"	lgdt rm_gdt_desc\n"
	"	ljmp $0x18, $(0x7000 + rm_pm16 - rm_stub_start)\n"
	"rm_back32:\n"
	"	movw $0x10, %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %fs\n"
	"	movw %ax, %gs\n"
	"	movw %ax, %ss\n"
	"	movl rm_saved_esp, %esp\n"
	"	lidt rm_saved_idt\n"
	"	popal\n"
	"	ret\n"
	".data\n"
	"rm_saved_esp: .long 0\n"
	"rm_saved_idt: .word 0\n .long 0\n"
	".text\n");

int main(uint32_t magic, const struct mb_info *mbi)
{
	size_t len = (size_t)(rm_stub_end - rm_stub_start);
	volatile uint16_t *count;

	(void)magic;
	(void)mbi;
	guest_start("realmode");
	memcpy((void *)STUB_BASE, rm_stub_start, len);
	count = (volatile uint16_t *)(STUB_BASE + (uint32_t)(rm_gp_count - rm_stub_start));
	*count = 0;
	realmode_roundtrip();
	if (*count != 2)
		guest_fail("reason=faults-in-real-mode gp=%u want=2", *count);
	guest_ok("gp=%u", *count);
}
