/*
 * Hand-assembled MMIO instructions for tests/unit/test_insn.c, with the
 * decoding each must produce. The text is GNU as (AT&T) syntax for the
 * mode's .code16/.code32/.code64; the bytes were checked against it once
 * with as and objdump, the test itself needs neither. Hex-only entries
 * (no text) are prefix orders as does not emit.
 */
#ifndef TESTS_UNIT_INSN_CASES_H
#define TESTS_UNIT_INSN_CASES_H

#include "arch/x86/insn.h"

struct insn_case {
	enum insn_mode mode;
	const char *hex;  /* the whole instruction: its length is the expected len */
	const char *text;
	enum insn_kind kind;
	uint8_t size, reg, reg_size;
	bool high8, zero_extend, has_imm;
	uint64_t imm;
};

#define R16 INSN_MODE_REAL16
#define P16 INSN_MODE_PROT16
#define P32 INSN_MODE_PROT32
#define L64 INSN_MODE_LONG64

/* load into reg; store from reg; store of an immediate */
#define LD(m, h, t, sz, r, rs, hi, zx) { m, h, t, INSN_MMIO_READ, sz, r, rs, hi, zx, false, 0 }
#define ST(m, h, t, sz, r, hi) { m, h, t, INSN_MMIO_WRITE, sz, r, sz, hi, false, false, 0 }
#define IM(m, h, t, sz, v) { m, h, t, INSN_MMIO_WRITE, sz, 0, 0, false, false, true, v }

static const struct insn_case insn_cases[] = {
	/* 64-bit mode: the forms Linux readl/writel and friends produce */
	ST(L64, "89 07", "mov %eax,(%rdi)", 4, 0, false),
	LD(L64, "8b 07", "mov (%rdi),%eax", 4, 0, 4, false, true),
	LD(L64, "8b 4b 20", "mov 0x20(%rbx),%ecx", 4, 1, 4, false, true),
	LD(L64, "8b 93 00 03 00 00", "mov 0x300(%rbx),%edx", 4, 2, 4, false, true),
	ST(L64, "44 89 40 20", "mov %r8d,0x20(%rax)", 4, 8, false),
	LD(L64, "4d 8b 3c 24", "mov (%r12),%r15", 8, 15, 8, false, false),
	LD(L64, "41 8b 45 00", "mov 0x0(%r13),%eax", 4, 0, 4, false, true),
	LD(L64, "8b 05 78 56 34 12", "mov 0x12345678(%rip),%eax", 4, 0, 4, false, true),
	ST(L64, "48 89 05 10 00 00 00", "mov %rax,0x10(%rip)", 8, 0, false),
	LD(L64, "67 8b 05 10 00 00 00", "mov 0x10(%eip),%eax", 4, 0, 4, false, true),
	LD(L64, "8b 04 85 10 00 00 00", "mov 0x10(,%rax,4),%eax", 4, 0, 4, false, true),
	LD(L64, "8b 34 25 f0 00 e0 7e", "mov 0x7ee000f0,%esi", 4, 6, 4, false, true),
	LD(L64, "8b 04 24", "mov (%rsp),%eax", 4, 0, 4, false, true),
	LD(L64, "48 8b 44 24 08", "mov 0x8(%rsp),%rax", 8, 0, 8, false, false),
	LD(L64, "8b 14 c8", "mov (%rax,%rcx,8),%edx", 4, 2, 4, false, true),
	LD(L64, "47 8b 9c 51 80 00 00 00", "mov 0x80(%r9,%r10,2),%r11d", 4, 11, 4, false, true),
	ST(L64, "4e 89 04 25 00 00 00 00", "mov %r8,0x0(,%r12,1)", 8, 8, false),
	ST(L64, "88 07", "mov %al,(%rdi)", 1, 0, false),
	ST(L64, "88 27", "mov %ah,(%rdi)", 1, 0, true),
	ST(L64, "40 88 27", "mov %spl,(%rdi)", 1, 4, false),
	LD(L64, "8a 3e", "mov (%rsi),%bh", 1, 3, 1, true, false),
	LD(L64, "40 8a 3e", "mov (%rsi),%dil", 1, 7, 1, false, false),
	LD(L64, "44 8a 0e", "mov (%rsi),%r9b", 1, 9, 1, false, false),
	LD(L64, "48 8a 3e", "rex.W mov (%rsi),%dil", 1, 7, 1, false, false),
	IM(L64, "66 c7 00 34 12", "movw $0x1234,(%rax)", 2, 0x1234),
	IM(L64, "c7 00 78 56 34 12", "movl $0x12345678,(%rax)", 4, 0x12345678),
	IM(L64, "c7 00 ff ff ff ff", "movl $0xffffffff,(%rax)", 4, 0xffffffff),
	IM(L64, "48 c7 00 ff ff ff ff", "movq $-1,(%rax)", 8, UINT64_MAX),
	IM(L64, "48 c7 40 08 ff ff ff 7f", "movq $0x7fffffff,0x8(%rax)", 8, 0x7fffffff),
	IM(L64, "48 c7 05 00 01 00 00 00 00 00 80", "movq $-0x80000000,0x100(%rip)", 8,
	   0xffffffff80000000ULL),
	IM(L64, "c6 01 ab", "movb $0xab,(%rcx)", 1, 0xab),
	IM(L64, "41 c6 84 24 b0 00 00 00 00", "movb $0x0,0xb0(%r12)", 1, 0),
	IM(L64, "66 48 c7 00 01 00 00 00", "data16 movq $1,(%rax)", 8, 1),
	LD(L64, "0f b6 07", "movzbl (%rdi),%eax", 1, 0, 4, false, true),
	LD(L64, "44 0f b7 17", "movzwl (%rdi),%r10d", 2, 10, 4, false, true),
	LD(L64, "48 0f b6 07", "movzbq (%rdi),%rax", 1, 0, 8, false, true),
	LD(L64, "4c 0f b7 40 04", "movzwq 0x4(%rax),%r8", 2, 8, 8, false, true),
	LD(L64, "66 0f b6 07", "movzbw (%rdi),%ax", 1, 0, 2, false, true),
	LD(L64, "40 0f b6 36", "rex movzbl (%rsi),%esi", 1, 6, 4, false, true),
	ST(L64, "66 89 07", "mov %ax,(%rdi)", 2, 0, false),
	LD(L64, "66 8b 07", "mov (%rdi),%ax", 2, 0, 2, false, false),
	LD(L64, "66 44 8b 37", "mov (%rdi),%r14w", 2, 14, 2, false, false),
	ST(L64, "67 89 07", "mov %eax,(%edi)", 4, 0, false),
	ST(L64, "64 89 07", "mov %eax,%fs:(%rdi)", 4, 0, false),
	ST(L64, "65 48 89 04 25 30 00 00 00", "mov %rax,%gs:0x30", 8, 0, false),
	ST(L64, "2e 26 36 3e 89 07", NULL, 4, 0, false),
	ST(L64, "f0 89 07", NULL, 4, 0, false),
	/* a REX not right before the opcode is ignored; of two, the last counts */
	ST(L64, "48 66 89 07", NULL, 2, 0, false),
	ST(L64, "44 67 89 07", NULL, 4, 0, false),
	ST(L64, "66 48 89 07", NULL, 8, 0, false),
	ST(L64, "44 48 89 07", NULL, 8, 0, false),
	ST(L64, "48 44 89 07", NULL, 4, 8, false),
	ST(L64, "44 40 88 27", NULL, 1, 4, false),
	ST(L64, "40 66 88 27", NULL, 1, 0, true),
	/* the longest legal instruction: 15 bytes */
	IM(L64, "66 66 66 66 48 c7 80 00 01 00 00 05 00 00 80", NULL, 8,
	   0xffffffff80000005ULL),
	IM(L64, "66 66 66 66 66 66 66 c7 80 00 01 00 00 05 00", NULL, 2, 0x0005),

	/* 32-bit protected mode: absolute xAPIC addresses are common here */
	ST(P32, "89 0d b0 00 e0 fe", "mov %ecx,0xfee000b0", 4, 1, false),
	LD(P32, "8b 1d 20 00 e0 fe", "mov 0xfee00020,%ebx", 4, 3, 4, false, false),
	IM(P32, "c7 05 b0 00 e0 fe 00 00 00 00", "movl $0x0,0xfee000b0", 4, 0),
	LD(P32, "8b 10", "mov (%eax),%edx", 4, 2, 4, false, false),
	LD(P32, "8b 83 00 03 00 00", "mov 0x300(%ebx),%eax", 4, 0, 4, false, false),
	LD(P32, "8b 45 20", "mov 0x20(%ebp),%eax", 4, 0, 4, false, false),
	LD(P32, "8b 45 00", "mov 0x0(%ebp),%eax", 4, 0, 4, false, false),
	LD(P32, "8b 04 24", "mov (%esp),%eax", 4, 0, 4, false, false),
	LD(P32, "8b 4c be 10", "mov 0x10(%esi,%edi,4),%ecx", 4, 1, 4, false, false),
	LD(P32, "8b 3c 2d 00 00 e0 fe", "mov 0xfee00000(,%ebp,1),%edi", 4, 7, 4, false, false),
	LD(P32, "8b 84 24 00 01 00 00", "mov 0x100(%esp),%eax", 4, 0, 4, false, false),
	ST(P32, "66 89 03", "mov %ax,(%ebx)", 2, 0, false),
	LD(P32, "67 8b 00", "addr16 mov (%bx,%si),%eax", 4, 0, 4, false, false),
	LD(P32, "67 8b 0e 34 12", "addr16 mov 0x1234,%ecx", 4, 1, 4, false, false),
	LD(P32, "67 66 8b 56 f0", "addr16 mov -0x10(%bp),%dx", 2, 2, 2, false, false),
	LD(P32, "0f b6 08", "movzbl (%eax),%ecx", 1, 1, 4, false, true),
	LD(P32, "0f b7 40 04", "movzwl 0x4(%eax),%eax", 2, 0, 4, false, true),
	LD(P32, "66 0f b6 08", "movzbw (%eax),%cx", 1, 1, 2, false, true),
	IM(P32, "c6 00 05", "movb $0x5,(%eax)", 1, 5),
	IM(P32, "66 c7 00 34 12", "movw $0x1234,(%eax)", 2, 0x1234),
	LD(P32, "8a 20", "mov (%eax),%ah", 1, 0, 1, true, false),
	ST(P32, "88 3b", "mov %bh,(%ebx)", 1, 3, true),
	LD(P32, "3e 8b 00", "ds mov (%eax),%eax", 4, 0, 4, false, false),
	LD(P32, "64 8b 0d 00 00 00 00", "mov %fs:0x0,%ecx", 4, 1, 4, false, false),

	/* 16-bit modes: every 16-bit ModRM base, and 32-bit forms via 67 */
	LD(R16, "8b 00", "mov (%bx,%si),%ax", 2, 0, 2, false, false),
	LD(R16, "8b 09", "mov (%bx,%di),%cx", 2, 1, 2, false, false),
	LD(R16, "8b 12", "mov (%bp,%si),%dx", 2, 2, 2, false, false),
	LD(R16, "8b 1b", "mov (%bp,%di),%bx", 2, 3, 2, false, false),
	LD(R16, "8b 24", "mov (%si),%sp", 2, 4, 2, false, false),
	LD(R16, "8b 2d", "mov (%di),%bp", 2, 5, 2, false, false),
	LD(R16, "8b 0e 34 12", "mov 0x1234,%cx", 2, 1, 2, false, false),
	LD(R16, "8b 3f", "mov (%bx),%di", 2, 7, 2, false, false),
	LD(R16, "8b 46 10", "mov 0x10(%bp),%ax", 2, 0, 2, false, false),
	LD(R16, "8b 46 00", "mov 0x0(%bp),%ax", 2, 0, 2, false, false),
	LD(R16, "8b 97 00 10", "mov 0x1000(%bx),%dx", 2, 2, 2, false, false),
	ST(R16, "66 89 07", "mov %eax,(%bx)", 4, 0, false),
	ST(P16, "64 66 89 0f", "mov %ecx,%fs:(%bx)", 4, 1, false),
	LD(R16, "67 8b 00", "mov (%eax),%ax", 2, 0, 2, false, false),
	LD(R16, "67 8b 04 05 b0 00 e0 fe", "mov 0xfee000b0(,%eax,1),%ax", 2, 0, 2, false, false),
	LD(P16, "67 66 8b 0d b0 00 e0 fe", "addr32 mov 0xfee000b0,%ecx", 4, 1, 4, false, false),
	IM(R16, "26 66 c7 06 b0 00 00 00 00 00", "movl $0x0,%es:0xb0", 4, 0),
	IM(P16, "c7 05 34 12", "movw $0x1234,(%di)", 2, 0x1234),
	IM(R16, "c6 07 01", "movb $0x1,(%bx)", 1, 1),
	IM(R16, "67 66 c7 80 00 01 00 00 ff ff ff ff", "movl $0xffffffff,0x100(%eax)", 4,
	   0xffffffff),
	LD(R16, "0f b6 04", "movzbw (%si),%ax", 1, 0, 2, false, true),
	LD(P16, "66 0f b6 04", "movzbl (%si),%eax", 1, 0, 4, false, true),
	LD(R16, "66 0f b7 5e 02", "movzwl 0x2(%bp),%ebx", 2, 3, 4, false, true),
	ST(R16, "88 04", "mov %al,(%si)", 1, 0, false),
	LD(P16, "8a 2c", "mov (%si),%ch", 1, 1, 1, true, false),
	ST(R16, "66 88 2c", NULL, 1, 1, true),
};

/* Rejected in the given mode: not an MMIO form we emulate, or malformed. */
static const struct {
	enum insn_mode mode;
	const char *hex;
} insn_rejects[] = {
	{ L64, "89 c0" },             /* mov %eax,%eax: mod=11 is a register */
	{ P32, "8b c8" },
	{ R16, "8a c4" },
	{ L64, "c6 c0 01" },
	{ L64, "c7 c0 01 00 00 00" },
	{ L64, "0f b6 c0" },          /* movzbl %al,%eax */
	{ L64, "0f b7 c1" },
	{ L64, "c6 08 01" },          /* C6 /1 is undefined */
	{ L64, "c7 38 01 00 00 00" }, /* C7 /7 */
	{ L64, "f3 89 07" },          /* REP */
	{ L64, "f2 89 07" },          /* REPNE */
	{ P32, "89 f3" },             /* mod=11, whatever follows */
	{ L64, "66 f3 89 07" },
	{ L64, "48 f3 89 07" },
	{ L64, "0f b8 07" },          /* POPCNT without F3 */
	{ L64, "0f 00 07" },
	{ L64, "0f" },
	{ L64, "8c 00" },             /* mov %es,(%rax) */
	{ L64, "c4 e2 79 18 07" },    /* VEX */
	{ L64, "90" },
	{ P32, "48 89 07" },          /* 48 is DEC EAX outside 64-bit mode */
	{ R16, "40 8b 00" },
	{ L64, "40" },                /* a lone REX */
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 07" }, /* 16 bytes */
	{ L64, "66 66 66 66 66 48 c7 80 00 01 00 00 05 00 00 00" },
	{ L64, "" },
};

/* A register of INSN_CASE_OLD after a load of val (expect), or the value stored. */
struct insn_merge_case {
	enum insn_mode mode;
	const char *hex;
	uint64_t val, expect;
};

#define INSN_CASE_OLD 0x1122334455667788ULL

static const struct insn_merge_case insn_merges[] = {
	{ L64, "8a 07", 0xffffffab, 0x11223344556677abULL },       /* al */
	{ L64, "8a 27", 0xffffffab, 0x112233445566ab88ULL },       /* ah */
	{ L64, "40 8a 27", 0xab, 0x11223344556677abULL },          /* spl */
	{ L64, "44 8a 07", 0xab, 0x11223344556677abULL },          /* r8b */
	{ L64, "66 8b 07", 0xffffabcd, 0x112233445566abcdULL },    /* ax */
	{ L64, "8b 07", 0xdeadbeef, 0xdeadbeefULL },               /* eax: upper half zeroed */
	{ P32, "8b 07", 0xdeadbeef, 0xdeadbeefULL },               /* in every mode */
	{ L64, "48 8b 07", 0x0102030405060708ULL, 0x0102030405060708ULL },
	{ L64, "66 0f b6 07", 0xab, 0x11223344556600abULL },       /* movzbw */
	{ L64, "0f b6 07", 0x1ab, 0xab },                          /* movzbl */
	{ L64, "48 0f b7 07", 0xffff1234, 0x1234 },                /* movzwq */
	{ R16, "8b 07", 0xffff1234, 0x1122334455661234ULL },       /* 16-bit default */
	{ R16, "0f b6 07", 0xab, 0x11223344556600abULL },
	{ R16, "66 0f b7 07", 0x81234, 0x1234 },
	{ L64, "89 07", 0xdeadbeef, INSN_CASE_OLD },               /* a store: unchanged */
};

/* val is unused: the register holds INSN_CASE_OLD */
static const struct insn_merge_case insn_writes[] = {
	{ L64, "88 07", 0, 0x88 },
	{ L64, "88 27", 0, 0x77 },                                 /* ah */
	{ L64, "40 88 27", 0, 0x88 },                              /* spl */
	{ L64, "66 89 07", 0, 0x7788 },
	{ L64, "89 07", 0, 0x55667788 },
	{ L64, "48 89 07", 0, INSN_CASE_OLD },
	{ P32, "88 3b", 0, 0x77 },                                 /* bh */
	{ L64, "c6 00 ab", 0, 0xab },
	{ L64, "66 c7 00 34 12", 0, 0x1234 },
	{ L64, "48 c7 00 fe ff ff ff", 0, 0xfffffffffffffffeULL },
	{ R16, "c7 07 cd ab", 0, 0xabcd },
};

/* Opcode forms and address-size settings for the systematic ModRM/SIB sweep. */
struct opform {
	uint8_t op[2];
	uint8_t oplen;
	bool slash0;
	uint8_t imm16, imm32; /* immediate bytes for 16- and 32-bit operand size */
};

static const struct opform opforms[] = {
	{ { 0x88 }, 1, false, 0, 0 }, { { 0x89 }, 1, false, 0, 0 },
	{ { 0x8a }, 1, false, 0, 0 }, { { 0x8b }, 1, false, 0, 0 },
	{ { 0xc6 }, 1, true, 1, 1 },  { { 0xc7 }, 1, true, 2, 4 },
	{ { 0x0f, 0xb6 }, 2, false, 0, 0 }, { { 0x0f, 0xb7 }, 2, false, 0, 0 },
};

struct addr_config {
	enum insn_mode mode;
	uint8_t pfx[2];
	uint8_t npfx;
	bool a16, o16;
};

#undef LD
#undef ST
#undef IM

#endif
