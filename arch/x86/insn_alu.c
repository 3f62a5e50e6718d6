/*
 * The arithmetic of the read-modify-write MMIO instructions the decoder
 * accepts (OR and AND into memory). Pure: see insn.h.
 */
#include "arch/x86/insn.h"

/* RFLAGS bits, SDM Vol. 1 3.4.3.1 */
#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_PF (1ULL << 2)
#define RFLAGS_ZF (1ULL << 6)
#define RFLAGS_SF (1ULL << 7)
#define RFLAGS_OF (1ULL << 11)

uint64_t insn_alu_result(const struct insn *insn, uint64_t mem, uint64_t src, uint64_t *rflags)
{
	unsigned bits = insn->size >= 8 ? 64 : insn->size * 8u;
	uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	uint64_t r = (insn->alu == INSN_ALU_AND ? mem & src : mem | src) & mask;
	uint64_t f = *rflags & ~(RFLAGS_CF | RFLAGS_PF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF);

	if (!r)
		f |= RFLAGS_ZF;
	if (r >> (bits - 1))
		f |= RFLAGS_SF;
	/* PF: an even number of set bits in the low byte only */
	if (!(__builtin_popcount((unsigned)(r & 0xff)) & 1))
		f |= RFLAGS_PF;
	*rflags = f;
	return r;
}
