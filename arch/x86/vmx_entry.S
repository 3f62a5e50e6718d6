/*
 * Entering a guest and coming back. The host's callee-saved registers
 * and the guest-register array pointer are pushed, HOST_RSP is set to
 * the resulting stack pointer, and the VM exit lands at vmx_exit_entry
 * on that stack (SDM Vol. 3C 28.5: RSP and RIP are loaded from the host
 * state area). Guest GPRs are kept in an array indexed by x86 register
 * number (RAX=0 ... R15=15; slot 4, RSP, lives in the VMCS).
 */
#define VMCS_HOST_RSP 0x6c14
#define REG(n) (n * 8)(%rdi)

	.text

/* int vmx_run_guest(uint64_t *gpr, int launched): 0 after a VM exit,
 * 1 on VMfailInvalid, 2 on VMfailValid. */
	.globl	vmx_run_guest
	.type	vmx_run_guest, @function
vmx_run_guest:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	test	%esi, %esi	/* flags survive the MOVs below */
	mov	REG(0), %rax
	mov	REG(1), %rcx
	mov	REG(2), %rdx
	mov	REG(3), %rbx
	mov	REG(5), %rbp
	mov	REG(6), %rsi
	mov	REG(8), %r8
	mov	REG(9), %r9
	mov	REG(10), %r10
	mov	REG(11), %r11
	mov	REG(12), %r12
	mov	REG(13), %r13
	mov	REG(14), %r14
	mov	REG(15), %r15
	mov	REG(7), %rdi
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	/* the entry failed: CF=1 VMfailInvalid, ZF=1 VMfailValid (31.2) */
	mov	$1, %eax
	jc	3f
	mov	$2, %eax
3:	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

	.globl	vmx_exit_entry
vmx_exit_entry:
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, REG(0)
	mov	%rcx, REG(1)
	mov	%rdx, REG(2)
	mov	%rbx, REG(3)
	mov	%rbp, REG(5)
	mov	%rsi, REG(6)
	mov	%r8, REG(8)
	mov	%r9, REG(9)
	mov	%r10, REG(10)
	mov	%r11, REG(11)
	mov	%r12, REG(12)
	mov	%r13, REG(13)
	mov	%r14, REG(14)
	mov	%r15, REG(15)
	pop	%rax
	mov	%rax, REG(7)
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	xor	%eax, %eax
	ret

	.section .note.GNU-stack, "", @progbits
