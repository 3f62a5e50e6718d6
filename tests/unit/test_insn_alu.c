/*
 * Unit tests for the read-modify-write MMIO forms: OR and AND into memory
 * as arch/x86/insn.c decodes them, and the result and flags
 * arch/x86/insn_alu.c computes. The encodings were checked against GNU as
 * once (the AT&T text is beside each); the test needs no assembler.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/insn.h"

#define CF (1ULL << 0)
#define PF (1ULL << 2)
#define AF (1ULL << 4)
#define ZF (1ULL << 6)
#define SF (1ULL << 7)
#define OF (1ULL << 11)
#define IF (1ULL << 9)

struct rmw_case {
	enum insn_mode mode;
	uint8_t bytes[INSN_MAX_LEN];
	uint8_t len;
	enum insn_alu alu;
	uint8_t size;
	bool has_imm;
	uint64_t imm; /* or the register number when !has_imm */
};

static const struct rmw_case cases[] = {
	/* orq $0x1,(%rax): kvm-unit-tests' hpet_read_test enabling the HPET */
	{ INSN_MODE_LONG64, { 0x48, 0x83, 0x08, 0x01 }, 4, INSN_ALU_OR, 8, true, 1 },
	/* orl $0x1,0xfed00010: the same in i386 */
	{ INSN_MODE_PROT32, { 0x83, 0x0d, 0x10, 0x00, 0xd0, 0xfe, 0x01 }, 7, INSN_ALU_OR, 4, true, 1 },
	/* andl $0xfffffffe,(%rdi): imm8 sign-extended */
	{ INSN_MODE_LONG64, { 0x83, 0x27, 0xfe }, 3, INSN_ALU_AND, 4, true, 0xfffffffeULL },
	/* andq $-2,(%rdi) as 81 /4 id: imm32 sign-extended to 64 bits */
	{ INSN_MODE_LONG64, { 0x48, 0x81, 0x27, 0xfe, 0xff, 0xff, 0xff }, 7, INSN_ALU_AND, 8, true,
	  0xfffffffffffffffeULL },
	/* orw $0x8000,(%bx) in real mode: 81 /1 iw */
	{ INSN_MODE_REAL16, { 0x81, 0x0f, 0x00, 0x80 }, 4, INSN_ALU_OR, 2, true, 0x8000 },
	/* orb $0x80,0x10(%rax): 80 /1 ib */
	{ INSN_MODE_LONG64, { 0x80, 0x48, 0x10, 0x80 }, 4, INSN_ALU_OR, 1, true, 0x80 },
	/* lock orl %ecx,(%rdx): 09 /r with LOCK */
	{ INSN_MODE_LONG64, { 0xf0, 0x09, 0x0a }, 3, INSN_ALU_OR, 4, false, 1 },
	/* and %r9,(%rax): 21 /r with REX.WR */
	{ INSN_MODE_LONG64, { 0x4c, 0x21, 0x08 }, 3, INSN_ALU_AND, 8, false, 9 },
	/* orb %bh,(%eax) in 32-bit mode: 08 /r, a high-byte register */
	{ INSN_MODE_PROT32, { 0x08, 0x38 }, 2, INSN_ALU_OR, 1, false, 3 },
	/* andb %dl,(%esi): 20 /r */
	{ INSN_MODE_PROT32, { 0x20, 0x16 }, 2, INSN_ALU_AND, 1, false, 2 },
};

TEST rmw_forms_decode(void)
{
	char msg[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rmw_case *c = &cases[i];
		struct insn d;

		snprintf(msg, sizeof(msg), "case %zu", i);
		ASSERT_EQm(msg, 0, insn_decode(c->bytes, c->len, c->mode, &d));
		ASSERT_EQm(msg, INSN_MMIO_RMW, d.kind);
		ASSERT_EQm(msg, c->len, d.len);
		ASSERT_EQm(msg, c->alu, d.alu);
		ASSERT_EQm(msg, c->size, d.size);
		ASSERT_EQm(msg, c->has_imm, d.has_imm);
		if (c->has_imm)
			ASSERT_EQm(msg, c->imm, d.imm);
		else
			ASSERT_EQm(msg, c->imm, d.reg);
		/* one byte short is not an instruction */
		ASSERT_EQm(msg, -EINVAL, insn_decode(c->bytes, c->len - 1u, c->mode, &d));
	}
	PASS();
}

TEST only_or_and_of_group_1_decode(void)
{
	uint8_t b[INSN_MAX_LEN] = { 0x83, 0x00, 0x01 };
	struct insn d;
	unsigned reg;

	/* /0 ADD, /2 ADC, /3 SBB, /5 SUB, /6 XOR, /7 CMP are not emulated */
	for (reg = 0; reg < 8; reg++) {
		b[1] = (uint8_t)(reg << 3);
		ASSERT_EQ(reg == 1 || reg == 4 ? 0 : -EINVAL,
			  insn_decode(b, 3, INSN_MODE_PROT32, &d));
	}
	/* a register destination touches no memory */
	b[1] = 0xc8; /* or $1,%eax */
	ASSERT_EQ(-EINVAL, insn_decode(b, 3, INSN_MODE_PROT32, &d));
	PASS();
}

static uint64_t run(enum insn_alu alu, unsigned size, uint64_t mem, uint64_t src, uint64_t *fl)
{
	struct insn in = { .kind = INSN_MMIO_RMW, .alu = alu, .size = (uint8_t)size };

	return insn_alu_result(&in, mem, src, fl);
}

TEST or_and_results_and_flags(void)
{
	uint64_t fl;

	/* OF and CF cleared, AF and the other bits kept */
	fl = CF | OF | AF | IF;
	ASSERT_EQ(0x11ULL, run(INSN_ALU_OR, 4, 0x10, 0x1, &fl));
	ASSERT_EQ(AF | IF | PF, fl); /* 0x11: two bits set, even parity */
	fl = 0;
	ASSERT_EQ(0x0ULL, run(INSN_ALU_AND, 4, 0xf0, 0x0f, &fl));
	ASSERT_EQ(ZF | PF, fl);
	fl = ZF;
	ASSERT_EQ(0x80000000ULL, run(INSN_ALU_OR, 4, 0x80000000ULL, 0, &fl));
	ASSERT_EQ(SF | PF, fl); /* low byte 0: even */
	fl = 0;
	ASSERT_EQ(0x1ULL, run(INSN_ALU_AND, 8, 0xffffffffffffffffULL, 1, &fl));
	ASSERT_EQ(0ULL, fl); /* one bit: odd parity */
	/* the width decides sign and truncation */
	fl = 0;
	ASSERT_EQ(0x80ULL, run(INSN_ALU_OR, 1, 0x100, 0x80, &fl));
	ASSERT_EQ(SF, fl);
	fl = 0;
	ASSERT_EQ(0x8000000000000000ULL, run(INSN_ALU_OR, 8, 0, 1ULL << 63, &fl));
	ASSERT_EQ(SF | PF, fl);
	fl = 0;
	ASSERT_EQ(0xffffULL, run(INSN_ALU_OR, 2, 0xffff0000ULL, 0xffff, &fl));
	ASSERT_EQ(SF | PF, fl);
	PASS();
}

SUITE(insn_alu)
{
	SHUFFLED_TESTS({
		RUN_TEST(rmw_forms_decode);
		RUN_TEST(only_or_and_of_group_1_decode);
		RUN_TEST(or_and_results_and_flags);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(insn_alu);
	});
	GREATEST_MAIN_END();
}
