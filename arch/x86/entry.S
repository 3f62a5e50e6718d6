/*
 * Small assembly entry points that C cannot express.
 */
	.text

/*
 * void arch_switch_stack(void *top, void (*fn)(void *), void *arg)
 * Move onto a new stack and call fn(arg); fn never returns. RBP is
 * cleared so stack traces end here.
 */
	.globl arch_switch_stack
	.type arch_switch_stack, @function
arch_switch_stack:
	mov	%rdi, %rsp
	xor	%ebp, %ebp
	mov	%rdx, %rdi
	call	*%rsi
1:	cli
	hlt
	jmp	1b

/*
 * void gdt_load_segments(uint16_t cs, uint16_t ds)
 * A far return is the way to reload CS in long mode (SDM Vol. 3A 5.8.6
 * and RET in Vol. 2B).
 */
	.globl gdt_load_segments
	.type gdt_load_segments, @function
gdt_load_segments:
	mov	%si, %ds
	mov	%si, %es
	mov	%si, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	pop	%rax
	movzwq	%di, %rdi
	push	%rdi
	push	%rax
	lretq

	.section .note.GNU-stack, "", @progbits
