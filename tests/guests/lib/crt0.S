/*
 * Entry of every test guest. Multiboot 0.6.96 section 3.2: the loader
 * enters here in 32-bit protected mode, paging off, interrupts off, EAX =
 * 0x2BADB002, EBX = boot information, CS/DS flat but with selectors we
 * cannot know and no valid GDT, stack or IDT. So load our own GDT (the IDT
 * gates need a known code selector), a stack, clear BSS, then C.
 */
#define MB_HEADER_MAGIC 0x1badb002
/* Bit 0: page-align modules; bit 1: give memory information (3.1.2). */
#define MB_HEADER_FLAGS 0x00000003
#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define STACK_SIZE 16384

	.section .multiboot, "a"
	.align 4
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi			/* boot magic */
	movl %ebx, %edi			/* boot information */
	lgdt gdt_desc
	ljmp $SEL_CODE, $1f
1:	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss

	/* BSS (including the stack) may hold garbage if the loader skipped it. */
	movl %edi, %edx
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %edx, %edi

	movl $stack_top, %esp
	xorl %ebp, %ebp
	pushl %edi
	pushl %esi
	call guest_init
	addl $8, %esp
	/* cdecl lets the callee clobber its argument slots: push them again. */
	pushl %edi
	pushl %esi
	call main
	addl $8, %esp
	pushl %eax
	call guest_exit
2:	cli
	hlt
	jmp 2b

	.section .rodata
	.align 8
gdt:
	.quad 0				/* null descriptor */
	.quad 0x00cf9a000000ffff	/* SEL_CODE: 32-bit code, base 0, 4 GiB */
	.quad 0x00cf92000000ffff	/* SEL_DATA: data, base 0, 4 GiB */
gdt_end:
	.align 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss
	.align 16
	.globl stack_bottom
stack_bottom:
	.space STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
