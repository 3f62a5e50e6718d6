/*
 * Decoding the guest instructions that touch emulated MMIO (the xAPIC
 * page), and translating guest-linear addresses through the guest's own
 * page tables to find those instructions. Pure: guest memory is read
 * through struct guest_ram.
 *
 * Only the forms compilers and kernels use for device registers are
 * decoded: MOV r/m <-> r (88, 89, 8A, 8B), MOV r/m <- imm (C6 /0, C7 /0),
 * MOV AL/eAX <-> moffs (A0-A3),
 * MOVZX (0F B6, 0F B7), and the read-modify-write OR and AND that
 * setting or clearing a bit in place compiles to (08, 09, 20, 21, and
 * 80/81/83 with /1 or /4), with operand-size (66), REX (in 64-bit mode),
 * segment-override, LOCK and address-size (67) prefixes and every
 * ModRM/SIB addressing form. SDM Vol. 2A chapter 2 (instruction format)
 * and the MOV, MOVZX, OR and AND pages of Vol. 2A/2B.
 */
#ifndef ARCH_X86_INSN_H
#define ARCH_X86_INSN_H

#include "kernel/guest_ram.h"
#include "lib/types.h"

#define INSN_MAX_LEN 15

/* Guest execution mode, which decides default operand/address sizes and REX. */
enum insn_mode { INSN_MODE_REAL16, INSN_MODE_PROT16, INSN_MODE_PROT32, INSN_MODE_LONG64 };

enum insn_kind {
	INSN_MMIO_READ,  /* load from memory into a register (zero-extended by MOVZX) */
	INSN_MMIO_WRITE, /* store a register or an immediate to memory */
	INSN_MMIO_RMW,   /* memory = memory OP (register or immediate); flags set */
};

/* The operation of an INSN_MMIO_RMW. */
enum insn_alu { INSN_ALU_OR, INSN_ALU_AND };

struct insn {
	enum insn_kind kind;
	uint8_t len;       /* bytes, to advance RIP */
	uint8_t size;      /* memory access width: 1, 2, 4 or 8 */
	uint8_t reg;       /* register number (0 RAX ... 15 R15) for reg operands */
	uint8_t reg_size;  /* width written to / read from the register */
	bool reg_high8;    /* AH, CH, DH, BH (no REX, 8-bit reg 4-7) */
	bool has_imm;
	uint64_t imm;      /* the stored immediate, when has_imm */
	bool zero_extend;  /* MOVZX, or a 32-bit destination in 64-bit mode */
	enum insn_alu alu; /* for INSN_MMIO_RMW */
};

/*
 * Decode the instruction in bytes (n available, n <= INSN_MAX_LEN).
 * Returns 0, or -EINVAL for anything outside the supported forms (the
 * caller then stops the guest with a diagnostic naming the bytes).
 */
int insn_decode(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out);

/*
 * The value a register holds after an MMIO read of val through insn,
 * given its previous value old: applies width, high-byte registers and
 * the 64-bit-mode rule that 32-bit writes zero the upper half.
 */
uint64_t insn_merge_read(const struct insn *insn, uint64_t old, uint64_t val);

/* The value an MMIO write stores (or an RMW's source operand): the
 * immediate, or the register's low bytes. */
uint64_t insn_write_value(const struct insn *insn, uint64_t regval);

/*
 * An INSN_MMIO_RMW's result for memory value mem and source src, and the
 * RFLAGS it leaves (arch/x86/insn_alu.c): OR and AND clear OF and CF,
 * set SF, ZF and PF from the result; AF is undefined and left as it was
 * (SDM Vol. 2A/2B, OR and AND, "Flags Affected").
 */
uint64_t insn_alu_result(const struct insn *insn, uint64_t mem, uint64_t src, uint64_t *rflags);

/* Guest paging state needed to walk its tables. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* CR0/CR4/EFER bits the walk depends on, SDM Vol. 3A 2.5 and 4.1 */
#define GUEST_CR0_PG (1ULL << 31)
#define GUEST_CR4_PSE (1ULL << 4)
#define GUEST_CR4_PAE (1ULL << 5)
#define GUEST_CR4_LA57 (1ULL << 12)
#define GUEST_EFER_LMA (1ULL << 10)

/*
 * Translate a guest-linear address to guest-physical through the guest's
 * page tables: paging off (identity), 32-bit paging (4 KiB and 4 MiB
 * pages with CR4.PSE), PAE, and 4-level paging (1 GiB/2 MiB/4 KiB).
 * Permissions are not checked (the instruction already ran). Returns 0,
 * -ENOENT (not present), -EINVAL (reserved bits, table outside RAM, LA57).
 * SDM Vol. 3A 4.3, 4.4, 4.5.
 */
int guest_linear_to_phys(const struct guest_paging *pg, const struct guest_ram *ram,
			 uint64_t linear, gpa_t *gpa);

/*
 * Copy n (<= INSN_MAX_LEN) instruction bytes at guest-linear linear into
 * dst, translating page by page. Returns the count copied, fewer than n
 * when a later page cannot be read (the instruction may end before it),
 * or the error of guest_linear_to_phys / -EINVAL for the first byte.
 */
int insn_fetch(const struct guest_paging *pg, const struct guest_ram *ram,
	       uint64_t linear, uint8_t *dst, size_t n);

#endif
