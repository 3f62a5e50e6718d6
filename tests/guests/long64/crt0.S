/*
 * Entry of the 64-bit test guest. The multiboot loader enters in 32-bit
 * protected mode with paging off (Multiboot 0.6.96 3.2); this stub builds
 * identity page tables for the first 4 GiB (2 MiB pages, user-accessible
 * so the ring-3 part can run anywhere), turns on PAE, SSE, EFER.LME/SCE
 * and paging, and far-jumps to 64-bit code (SDM Vol. 3A 10.8.5).
 */
#define MB_HEADER_MAGIC 0x1badb002
#define MB_HEADER_FLAGS 0x00000003
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18
#define STACK_SIZE 16384
#define MSR_EFER 0xc0000080
#define EFER_SCE_LME 0x101
#define CR4_PAE_OSFXSR_OSXMMEXCPT 0x620
#define CR0_PG_PE_MP 0x80000003
#define CR0_EM 0x4
#define PTE_P_RW_US 0x7
#define PDE_2M 0x87 /* present, writable, user, 2 MiB page */

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
	movl %ebx, %ebp			/* boot information */
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss

	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages */
	movl $pdpt, %eax
	orl $PTE_P_RW_US, %eax
	movl %eax, pml4
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $pd, %eax
	orl $PTE_P_RW_US, %eax
	movl %eax, pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_2M, %eax
	movl %eax, pd(,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the address: entry / 2048 */
	movl %eax, pd+4(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 3b

	movl $pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE_OSFXSR_OSXMMEXCPT, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_SCE_LME, %eax
	wrmsr
	movl %cr0, %eax
	andl $~CR0_EM, %eax
	orl $CR0_PG_PE_MP, %eax
	movl %eax, %cr0			/* EFER.LMA is set from here on */
	ljmp $SEL_CODE64, $long_mode

	.code64
long_mode:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $stack_top, %rsp
	xorl %eax, %eax
	movl %esi, %edi			/* magic, zero-extended */
	movl %ebp, %esi			/* boot information */
	xorl %ebp, %ebp
	pushq %rdi
	pushq %rsi
	call guest_init
	popq %rsi
	popq %rdi
	call main
	movl %eax, %edi
	call guest_exit
4:	cli
	hlt
	jmp 4b

	.section .rodata
	.align 8
	.globl gdt
gdt:
	.quad 0				/* null */
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, ring 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, ring 0 */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code, ring 0 (SYSCALL CS) */
	.quad 0x00cf92000000ffff	/* 0x20: data, ring 0 (SYSCALL SS) */
	.quad 0x00cffa000000ffff	/* 0x28: 32-bit code, ring 3 (SYSRET base) */
	.quad 0x00cff2000000ffff	/* 0x30: data, ring 3 (SYSRET SS) */
	.quad 0x00affa000000ffff	/* 0x38: 64-bit code, ring 3 (SYSRET CS) */
gdt_end:
	.align 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss
	.align 4096
pml4:	.space 4096
pdpt:	.space 4096
pd:	.space 4 * 4096
	.align 16
	.globl stack_bottom
stack_bottom:
	.space STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
