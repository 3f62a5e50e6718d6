/*
 * Interrupt entry stubs and the fault-recovery jump buffer. Each stub is
 * 16 bytes so the IDT can point at isr_stubs + 16 * vector. Vectors that
 * push an error code (SDM Vol. 3A table 6-1: 8, 10-14, 17, 21, 29, 30)
 * skip the dummy push so every frame has the same layout.
 */
/* Bits 8, 10-14, 17, 21, 29, 30. */
#define ERROR_CODE_VECTORS 0x60227d00

	.text
	.code32
	.align 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec < 32) && ((ERROR_CODE_VECTORS >> (vec & 31)) & 1)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	pushl %esp			/* struct trap_frame * */
	call isr_dispatch
	addl $4, %esp
	popal
	addl $8, %esp			/* vector and error code */
	iret

/*
 * int fault_setjmp(struct fault_jmp *jb): save callee-saved registers,
 * the stack, the return address and EFLAGS; returns 0 now and the value
 * given to fault_longjmp later. Layout: ebx esi edi ebp esp eip eflags.
 */
	.globl fault_setjmp
fault_setjmp:
	movl 4(%esp), %eax
	movl %ebx, 0(%eax)
	movl %esi, 4(%eax)
	movl %edi, 8(%eax)
	movl %ebp, 12(%eax)
	leal 4(%esp), %ecx		/* the stack once we have returned */
	movl %ecx, 16(%eax)
	movl (%esp), %ecx
	movl %ecx, 20(%eax)
	pushfl
	popl %ecx
	movl %ecx, 24(%eax)
	xorl %eax, %eax
	ret

/*
 * void fault_longjmp(struct fault_jmp *jb, int val): called from the
 * exception dispatcher, on the same stack below the saved one (ring 0
 * throughout, so no stack switch to undo). EFLAGS comes back too: the
 * interrupt gate cleared IF.
 */
	.globl fault_longjmp
fault_longjmp:
	movl 4(%esp), %edx
	movl 8(%esp), %eax
	movl 0(%edx), %ebx
	movl 4(%edx), %esi
	movl 8(%edx), %edi
	movl 12(%edx), %ebp
	movl 16(%edx), %esp
	pushl 24(%edx)
	popfl
	jmp *20(%edx)

	.section .note.GNU-stack, "", @progbits
