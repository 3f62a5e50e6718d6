/*
 * Decoding the guest's MMIO instructions. Pure: see insn.h. The page
 * walk that finds them is arch/x86/insn_walk.c.
 *
 * Instruction format, SDM Vol. 2A chapter 2: legacy prefixes, REX (64-bit
 * mode only), opcode, ModRM, SIB, displacement, immediate; 15 bytes at
 * most (2.3.11). The decoder only needs the length of the memory operand,
 * not its address: the hypervisor already has the guest-physical address
 * from the EPT violation.
 */
#include <string.h>

#include "arch/x86/insn.h"

/* Legacy prefixes, SDM Vol. 2A 2.1.1 */
#define PFX_LOCK 0xF0
#define PFX_REPNE 0xF2
#define PFX_REP 0xF3
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_ES 0x26
#define PFX_CS 0x2E
#define PFX_SS 0x36
#define PFX_DS 0x3E
#define PFX_FS 0x64
#define PFX_GS 0x65

/* REX prefix 0100WRXB, SDM Vol. 2A 2.2.1 and table 2-4 */
#define REX_MASK 0xF0
#define REX_BASE 0x40
#define REX_W 0x08
#define REX_R 0x04

/* Opcodes, SDM Vol. 2B "MOV" and "MOVZX" */
#define OP_MOV_RM8_R8 0x88
#define OP_MOV_RM_R 0x89
#define OP_MOV_R8_RM8 0x8A
#define OP_MOV_R_RM 0x8B
#define OP_MOV_RM8_IMM8 0xC6
#define OP_MOV_RM_IMM 0xC7
#define OP_ESCAPE 0x0F
#define OP_MOV_AL_MOFFS 0xA0 /* A0-A3: MOV with an absolute address (moffs) */
#define OP_MOV_MOFFS_EAX 0xA3
#define OP2_MOVZX_R_RM8 0xB6
#define OP2_MOVZX_R_RM16 0xB7
/* SDM Vol. 2B "OR", Vol. 2A "AND": r/m OP= r, and group 1 with an immediate */
#define OP_OR_RM8_R8 0x08
#define OP_OR_RM_R 0x09
#define OP_AND_RM8_R8 0x20
#define OP_AND_RM_R 0x21
#define OP_GRP1_RM8_IMM8 0x80
#define OP_GRP1_RM_IMM 0x81
#define OP_GRP1_RM_IMM8 0x83 /* imm8 sign-extended to the operand size */
#define GRP1_OR 1            /* ModRM.reg of group 1, Vol. 2A table A-6 */
#define GRP1_AND 4

/* ModRM and SIB fields, SDM Vol. 2A 2.1.5, tables 2-1, 2-2 and 2-3 */
#define MODRM_MOD(b) ((b) >> 6)
#define MODRM_REG(b) (((b) >> 3) & 7)
#define MODRM_RM(b) ((b) & 7)
#define MOD_NO_DISP 0
#define MOD_DISP8 1
#define MOD_DISP_FULL 2
#define MOD_REGISTER 3
#define RM16_DISP16 6 /* mod=00: [disp16] instead of [BP] */
#define RM_SIB 4      /* 32/64-bit: a SIB byte follows */
#define RM_DISP32 5   /* mod=00: [disp32], RIP-relative in 64-bit mode */
#define SIB_BASE(b) ((b) & 7)
#define SIB_BASE_NONE 5 /* mod=00: no base, disp32 instead of [EBP] */


/* A bounded reader: never looks past the bytes the caller supplied. */
struct cursor {
	const uint8_t *bytes;
	size_t n;
	size_t pos;
};

struct prefixes {
	bool opsize;  /* 66 seen */
	bool addrsize; /* 67 seen */
	bool has_rex; /* a REX immediately precedes the opcode */
	uint8_t rex;
};

static int cursor_byte(struct cursor *c, uint8_t *b)
{
	if (c->pos >= c->n)
		return -EINVAL;
	*b = c->bytes[c->pos++];
	return 0;
}

static int cursor_skip(struct cursor *c, size_t k)
{
	if (k > c->n - c->pos)
		return -EINVAL;
	c->pos += k;
	return 0;
}

/* A little-endian immediate of size bytes (SDM Vol. 2A 1.3.1 byte order). */
static int cursor_imm(struct cursor *c, unsigned size, uint64_t *v)
{
	unsigned i;

	if (size > c->n - c->pos)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < size; i++)
		*v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += size;
	return 0;
}

static bool mode_is_16(enum insn_mode mode)
{
	return mode == INSN_MODE_REAL16 || mode == INSN_MODE_PROT16;
}

/*
 * Consume the prefixes and return the first opcode byte. A REX followed by
 * a legacy prefix is ignored, and of several REX bytes the last counts,
 * as the CPU does (SDM Vol. 2A 2.2.1: "Other placements are ignored").
 * F2/F3 give no form we emulate, so they are rejected. LOCK with a MOV
 * makes the CPU raise #UD before any MMIO access, so accepting it changes
 * nothing; with OR/AND it asks for atomicity, which one vCPU has anyway.
 */
static int insn_decode_prefixes(struct cursor *c, enum insn_mode mode,
				struct prefixes *pf, uint8_t *opcode)
{
	uint8_t b;

	for (;;) {
		if (cursor_byte(c, &b))
			return -EINVAL;
		switch (b) {
		case PFX_OPSIZE:
			pf->opsize = true;
			break;
		case PFX_ADDRSIZE:
			pf->addrsize = true;
			break;
		case PFX_ES: case PFX_CS: case PFX_SS: case PFX_DS:
		case PFX_FS: case PFX_GS: case PFX_LOCK:
			break;
		case PFX_REPNE: case PFX_REP:
			return -EINVAL;
		default:
			if (mode == INSN_MODE_LONG64 && (b & REX_MASK) == REX_BASE) {
				pf->has_rex = true;
				pf->rex = b;
				continue;
			}
			*opcode = b;
			return 0;
		}
		pf->has_rex = false;
		pf->rex = 0;
	}
}

/* Operand size in bytes, SDM Vol. 2A 2.2.1.2 and Vol. 1 table 3-4. */
static unsigned insn_operand_size(enum insn_mode mode, const struct prefixes *pf)
{
	if (pf->rex & REX_W)
		return 8;
	if (mode_is_16(mode))
		return pf->opsize ? 4 : 2;
	return pf->opsize ? 2 : 4;
}

/* Address size only decides the ModRM form: 16-bit or 32/64-bit. */
static bool insn_addr_is_16(enum insn_mode mode, const struct prefixes *pf)
{
	if (mode == INSN_MODE_LONG64)
		return false;
	return mode_is_16(mode) != pf->addrsize;
}

/* Displacement length for 16-bit addressing, SDM Vol. 2A table 2-1. */
static size_t insn_disp16_len(uint8_t modrm)
{
	switch (MODRM_MOD(modrm)) {
	case MOD_NO_DISP:
		return MODRM_RM(modrm) == RM16_DISP16 ? 2 : 0;
	case MOD_DISP8:
		return 1;
	default:
		return 2;
	}
}

/*
 * Skip SIB and displacement of a 32/64-bit memory operand, SDM Vol. 2A
 * tables 2-2 and 2-3. REX.B does not change the special cases (table 2-5):
 * R12 as base still needs a SIB, R13 with mod=00 still means disp32.
 */
static int insn_skip_addr32(struct cursor *c, uint8_t modrm)
{
	uint8_t sib = 0;
	bool sib_no_base = false;

	if (MODRM_RM(modrm) == RM_SIB) {
		if (cursor_byte(c, &sib))
			return -EINVAL;
		sib_no_base = SIB_BASE(sib) == SIB_BASE_NONE;
	}
	switch (MODRM_MOD(modrm)) {
	case MOD_NO_DISP:
		if (MODRM_RM(modrm) == RM_DISP32 || sib_no_base)
			return cursor_skip(c, 4);
		return 0;
	case MOD_DISP8:
		return cursor_skip(c, 1);
	default:
		return cursor_skip(c, 4);
	}
}

/* Read ModRM and skip the rest of the memory operand; registers are rejected. */
static int insn_decode_modrm(struct cursor *c, enum insn_mode mode,
			     const struct prefixes *pf, uint8_t *modrm)
{
	if (cursor_byte(c, modrm))
		return -EINVAL;
	if (MODRM_MOD(*modrm) == MOD_REGISTER)
		return -EINVAL;
	if (insn_addr_is_16(mode, pf))
		return cursor_skip(c, insn_disp16_len(*modrm));
	return insn_skip_addr32(c, *modrm);
}

/* The register of ModRM.reg, with REX.R and the byte-register rules (table 3-1). */
static void insn_set_reg(struct insn *out, const struct prefixes *pf,
			 uint8_t modrm, unsigned reg_size)
{
	out->reg = MODRM_REG(modrm) | ((pf->rex & REX_R) ? 8 : 0);
	out->reg_size = (uint8_t)reg_size;
	if (reg_size == 1 && !pf->has_rex && out->reg >= 4) {
		out->reg_high8 = true;
		out->reg -= 4;
	}
}

/* C6 /0 ib and C7 /0 iw/id: imm32 is sign-extended for a 64-bit store. */
static int insn_decode_imm(struct cursor *c, struct insn *out, uint8_t modrm)
{
	uint64_t imm;
	unsigned imm_size = out->size == 8 ? 4 : out->size;

	if (MODRM_REG(modrm) != 0)
		return -EINVAL;
	if (cursor_imm(c, imm_size, &imm))
		return -EINVAL;
	if (out->size == 8)
		imm = (uint64_t)(int64_t)(int32_t)(uint32_t)imm;
	out->has_imm = true;
	out->imm = imm;
	return 0;
}

/* Fill in kind, sizes and register for the one-byte opcodes. */
static int insn_decode_mov(struct cursor *c, struct insn *out, enum insn_mode mode,
			   const struct prefixes *pf, uint8_t opcode)
{
	unsigned osize = insn_operand_size(mode, pf);
	uint8_t modrm;
	bool byte = opcode == OP_MOV_RM8_R8 || opcode == OP_MOV_R8_RM8 ||
		    opcode == OP_MOV_RM8_IMM8;

	if (insn_decode_modrm(c, mode, pf, &modrm))
		return -EINVAL;
	out->size = (uint8_t)(byte ? 1 : osize);
	switch (opcode) {
	case OP_MOV_RM8_R8:
	case OP_MOV_RM_R:
		out->kind = INSN_MMIO_WRITE;
		insn_set_reg(out, pf, modrm, out->size);
		return 0;
	case OP_MOV_R8_RM8:
	case OP_MOV_R_RM:
		out->kind = INSN_MMIO_READ;
		insn_set_reg(out, pf, modrm, out->size);
		out->zero_extend = mode == INSN_MODE_LONG64 && out->size == 4;
		return 0;
	default:
		out->kind = INSN_MMIO_WRITE;
		return insn_decode_imm(c, out, modrm);
	}
}

/* 08/09/20/21: OR or AND of a register into memory. */
static int insn_decode_alu_reg(struct cursor *c, struct insn *out, enum insn_mode mode,
			       const struct prefixes *pf, uint8_t opcode)
{
	uint8_t modrm;

	if (insn_decode_modrm(c, mode, pf, &modrm))
		return -EINVAL;
	out->kind = INSN_MMIO_RMW;
	out->alu = opcode >= OP_AND_RM8_R8 ? INSN_ALU_AND : INSN_ALU_OR;
	out->size = (uint8_t)(opcode & 1 ? insn_operand_size(mode, pf) : 1);
	insn_set_reg(out, pf, modrm, out->size);
	return 0;
}

/* 80/81/83 /1 (OR) and /4 (AND): the immediate is sign-extended (imm32 for 64 bits). */
static int insn_decode_alu_imm(struct cursor *c, struct insn *out, enum insn_mode mode,
			       const struct prefixes *pf, uint8_t opcode)
{
	unsigned osize = opcode == OP_GRP1_RM8_IMM8 ? 1 : insn_operand_size(mode, pf);
	unsigned isize = opcode == OP_GRP1_RM_IMM ? MIN(osize, 4u) : 1;
	uint8_t modrm;
	uint64_t imm;

	if (insn_decode_modrm(c, mode, pf, &modrm))
		return -EINVAL;
	if (MODRM_REG(modrm) != GRP1_OR && MODRM_REG(modrm) != GRP1_AND)
		return -EINVAL;
	if (cursor_imm(c, isize, &imm))
		return -EINVAL;
	if (isize == 1)
		imm = (uint64_t)(int64_t)(int8_t)(uint8_t)imm;
	else if (isize == 4)
		imm = (uint64_t)(int64_t)(int32_t)(uint32_t)imm;
	out->kind = INSN_MMIO_RMW;
	out->alu = MODRM_REG(modrm) == GRP1_AND ? INSN_ALU_AND : INSN_ALU_OR;
	out->size = (uint8_t)osize;
	out->has_imm = true;
	out->imm = imm & (osize >= 8 ? ~0ULL : (1ULL << (8 * osize)) - 1);
	return 0;
}

/*
 * A0-A3: MOV between AL/eAX and memory at an absolute offset, no ModRM.
 * Compilers emit these for loads and stores of a fixed address through
 * the accumulator (e.g. "mov 0xfee00390, %eax"). The offset has the
 * address size: 8 bytes in 64-bit mode (4 with 67), SDM Vol. 2B MOV.
 */
static int insn_decode_moffs(struct cursor *c, struct insn *out, enum insn_mode mode,
			     const struct prefixes *pf, uint8_t opcode)
{
	unsigned asize;

	if (mode == INSN_MODE_LONG64)
		asize = pf->addrsize ? 4 : 8;
	else
		asize = insn_addr_is_16(mode, pf) ? 2 : 4;
	if (cursor_skip(c, asize))
		return -EINVAL;
	out->size = (uint8_t)((opcode & 1) ? insn_operand_size(mode, pf) : 1);
	out->kind = (opcode & 2) ? INSN_MMIO_WRITE : INSN_MMIO_READ;
	out->reg = 0;
	out->reg_size = out->size;
	out->zero_extend = out->kind == INSN_MMIO_READ && mode == INSN_MODE_LONG64 && out->size == 4;
	return 0;
}

/* 0F B6 / 0F B7: the destination has the operand size, the load 1 or 2 bytes. */
static int insn_decode_movzx(struct cursor *c, struct insn *out, enum insn_mode mode,
			     const struct prefixes *pf)
{
	uint8_t op2, modrm;

	if (cursor_byte(c, &op2))
		return -EINVAL;
	if (op2 != OP2_MOVZX_R_RM8 && op2 != OP2_MOVZX_R_RM16)
		return -EINVAL;
	if (insn_decode_modrm(c, mode, pf, &modrm))
		return -EINVAL;
	out->kind = INSN_MMIO_READ;
	out->size = op2 == OP2_MOVZX_R_RM8 ? 1 : 2;
	insn_set_reg(out, pf, modrm, insn_operand_size(mode, pf));
	out->zero_extend = true;
	return 0;
}

int insn_decode(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out)
{
	struct cursor c = { bytes, MIN(n, (size_t)INSN_MAX_LEN), 0 };
	struct prefixes pf = { 0 };
	struct insn d;
	uint8_t opcode;
	int err;

	if (!bytes || !out || (unsigned)mode > INSN_MODE_LONG64)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	if (insn_decode_prefixes(&c, mode, &pf, &opcode))
		return -EINVAL;
	switch (opcode) {
	case OP_MOV_RM8_R8: case OP_MOV_RM_R: case OP_MOV_R8_RM8:
	case OP_MOV_R_RM: case OP_MOV_RM8_IMM8: case OP_MOV_RM_IMM:
		err = insn_decode_mov(&c, &d, mode, &pf, opcode);
		break;
	case OP_ESCAPE:
		err = insn_decode_movzx(&c, &d, mode, &pf);
		break;
	case OP_MOV_AL_MOFFS ... OP_MOV_MOFFS_EAX:
		err = insn_decode_moffs(&c, &d, mode, &pf, opcode);
		break;
	case OP_OR_RM8_R8: case OP_OR_RM_R: case OP_AND_RM8_R8: case OP_AND_RM_R:
		err = insn_decode_alu_reg(&c, &d, mode, &pf, opcode);
		break;
	case OP_GRP1_RM8_IMM8: case OP_GRP1_RM_IMM: case OP_GRP1_RM_IMM8:
		err = insn_decode_alu_imm(&c, &d, mode, &pf, opcode);
		break;
	default:
		err = -EINVAL;
	}
	if (err)
		return -EINVAL;
	d.len = (uint8_t)c.pos;
	*out = d;
	return 0;
}

static uint64_t width_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/*
 * SDM Vol. 1 3.4.1.1: in 64-bit mode 8- and 16-bit results keep the rest
 * of the register, 32-bit results zero its upper half. The upper half is
 * zeroed for 32-bit results in every mode: outside 64-bit mode software
 * cannot see it (in compatibility mode it is undefined), and this is what
 * the CPU does. A write instruction leaves the register alone.
 */
uint64_t insn_merge_read(const struct insn *insn, uint64_t old, uint64_t val)
{
	if (insn->kind != INSN_MMIO_READ)
		return old;
	val &= width_mask(insn->size);
	switch (insn->reg_size) {
	case 1:
		if (insn->reg_high8)
			return (old & ~0xFF00ULL) | ((val & 0xFF) << 8);
		return (old & ~0xFFULL) | (val & 0xFF);
	case 2:
		return (old & ~0xFFFFULL) | (val & 0xFFFF);
	case 4:
		return val & 0xFFFFFFFFULL;
	default:
		return val;
	}
}

uint64_t insn_write_value(const struct insn *insn, uint64_t regval)
{
	if (insn->has_imm)
		return insn->imm & width_mask(insn->size);
	if (insn->reg_high8)
		return (regval >> 8) & 0xFF;
	return regval & width_mask(insn->size);
}
