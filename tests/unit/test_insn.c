/*
 * Unit tests for arch/x86/insn.c: MMIO instruction decoding, register
 * merging, and guest page-table walks over a fake RAM.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/insn.h"
#include "greatest.h"
#include "unit_order.h"
#include "tests/unit/insn_cases.h"

#define TAIL 16

#define ASSERT_HEX(exp, got) ASSERT_EQ_FMT((uint64_t)(exp), (uint64_t)(got), "0x%" PRIx64)
#define ASSERT_HEXm(m, exp, got) \
	ASSERT_EQ_FMTm(m, (uint64_t)(exp), (uint64_t)(got), "0x%" PRIx64)

/*
 * A heap block the decoder gets its bytes from, copied to the end so that
 * ASan reports any read past n.
 */
static uint8_t *tail_buf;
static char msg[160];

static size_t hex_parse(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*hex && n < max) {
		unsigned v;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static int decode_exact(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out)
{
	uint8_t *p = tail_buf + TAIL - n;

	memcpy(p, bytes, n);
	return insn_decode(p, n, mode, out);
}

/* Every proper prefix of an encoding of length len must be rejected. */
static int first_accepted_prefix(const uint8_t *bytes, size_t len, enum insn_mode mode)
{
	struct insn d;
	size_t k;

	for (k = 0; k < len; k++)
		if (decode_exact(bytes, k, mode, &d) == 0)
			return (int)k;
	return -1;
}

static enum greatest_test_res check_case(const struct insn_case *c)
{
	uint8_t b[INSN_MAX_LEN], padded[INSN_MAX_LEN];
	size_t n = hex_parse(c->hex, b, sizeof(b));
	struct insn d;

	snprintf(msg, sizeof(msg), "mode %d: %s (%s)", c->mode, c->hex, c->text ? c->text : "-");
	ASSERT_EQm(msg, 0, decode_exact(b, n, c->mode, &d));
	ASSERT_EQ_FMTm(msg, (unsigned)n, (unsigned)d.len, "%u");
	ASSERT_EQm(msg, c->kind, d.kind);
	ASSERT_EQ_FMTm(msg, (unsigned)c->size, (unsigned)d.size, "%u");
	ASSERT_EQ_FMTm(msg, c->has_imm, d.has_imm, "%d");
	if (c->has_imm) {
		ASSERT_HEXm(msg, c->imm, d.imm);
	} else {
		ASSERT_EQ_FMTm(msg, (unsigned)c->reg, (unsigned)d.reg, "%u");
		ASSERT_EQ_FMTm(msg, (unsigned)c->reg_size, (unsigned)d.reg_size, "%u");
		ASSERT_EQ_FMTm(msg, c->high8, d.reg_high8, "%d");
	}
	ASSERT_EQ_FMTm(msg, c->zero_extend, d.zero_extend, "%d");
	ASSERT_EQ_FMTm(msg, -1, first_accepted_prefix(b, n, c->mode), "%d");
	/* trailing bytes (the next instruction) must not change the length */
	memset(padded, 0x8b, sizeof(padded));
	memcpy(padded, b, n);
	ASSERT_EQm(msg, 0, decode_exact(padded, sizeof(padded), c->mode, &d));
	ASSERT_EQ_FMTm(msg, (unsigned)n, (unsigned)d.len, "%u");
	PASS();
}

TEST table_cases_decode_exactly(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(insn_cases); i++)
		CHECK_CALL(check_case(&insn_cases[i]));
	PASS();
}

TEST table_rejects(void)
{
	uint8_t b[TAIL];
	struct insn d;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(insn_rejects); i++) {
		n = hex_parse(insn_rejects[i].hex, b, sizeof(b));
		snprintf(msg, sizeof(msg), "mode %d: %s", insn_rejects[i].mode, insn_rejects[i].hex);
		ASSERT_EQm(msg, -EINVAL, decode_exact(b, n, insn_rejects[i].mode, &d));
	}
	PASS();
}

static bool is_prefix(uint8_t b, enum insn_mode mode)
{
	static const uint8_t pfx[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0 };

	if (mode == INSN_MODE_LONG64 && (b & 0xf0) == 0x40)
		return true;
	return memchr(pfx, b, sizeof(pfx)) != NULL;
}

TEST other_opcodes_rejected(void)
{
	static const uint8_t ok[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x0f,
				      0xa0, 0xa1, 0xa2, 0xa3,
				      0x08, 0x09, 0x20, 0x21, 0x80, 0x81, 0x83 }; /* OR, AND */
	enum insn_mode mode;
	unsigned op, rejected = 0;
	uint8_t b[INSN_MAX_LEN] = { 0 };
	struct insn d;

	for (mode = INSN_MODE_REAL16; mode <= INSN_MODE_LONG64; mode++) {
		for (op = 0; op < 256; op++) {
			b[0] = 0x0f;
			b[1] = (uint8_t)op;
			ASSERT_EQ(op == 0xb6 || op == 0xb7 ? 0 : -EINVAL,
				  insn_decode(b, sizeof(b), mode, &d));
			if (memchr(ok, (int)op, sizeof(ok)) || is_prefix((uint8_t)op, mode))
				continue;
			b[0] = (uint8_t)op;
			b[1] = 0;
			ASSERT_EQ(-EINVAL, insn_decode(b, sizeof(b), mode, &d));
			rejected++;
		}
	}
	/* per mode 256 minus 18 opcodes and 9 prefixes; 16 REX more in 64-bit mode */
	ASSERT_EQ(4 * (256 - 18 - 9) - 16, rejected);
	PASS();
}

TEST imm_forms_need_slash0(void)
{
	uint8_t b[INSN_MAX_LEN] = { 0xc6, 0x00, 0x01, 0x02, 0x03, 0x04 };
	struct insn d;
	unsigned reg;

	for (reg = 0; reg < 8; reg++) {
		b[0] = 0xc6;
		b[1] = (uint8_t)(reg << 3);
		ASSERT_EQ(reg ? -EINVAL : 0, insn_decode(b, 6, INSN_MODE_PROT32, &d));
		b[0] = 0xc7;
		ASSERT_EQ(reg ? -EINVAL : 0, insn_decode(b, 6, INSN_MODE_PROT32, &d));
	}
	PASS();
}

TEST bad_arguments(void)
{
	uint8_t b[] = { 0x89, 0x07 };
	struct insn d;

	ASSERT_EQ(-EINVAL, insn_decode(NULL, 2, INSN_MODE_LONG64, &d));
	ASSERT_EQ(-EINVAL, insn_decode(b, 2, INSN_MODE_LONG64, NULL));
	ASSERT_EQ(-EINVAL, insn_decode(b, 2, (enum insn_mode)4, &d));
	ASSERT_EQ(0, insn_decode(b, 2, INSN_MODE_LONG64, &d));
	PASS();
}

/*
 * Systematic ModRM/SIB coverage. The expected lengths come from the
 * SDM Vol. 2A tables 2-1 (16-bit), 2-2 and 2-3 (32/64-bit); they were
 * checked against objdump for every combination generated here.
 */
static size_t expect_modrm16(uint8_t modrm)
{
	static const uint8_t disp[3] = { 0, 1, 2 };
	unsigned mod = modrm >> 6, rm = modrm & 7;

	return 1 + (mod == 0 && rm == 6 ? 2 : disp[mod]);
}

static size_t expect_modrm32(uint8_t modrm, uint8_t sib)
{
	static const uint8_t disp[3] = { 0, 1, 4 };
	unsigned mod = modrm >> 6, rm = modrm & 7;
	size_t len = 1 + disp[mod];

	if (rm == 4)
		return len + 1 + (mod == 0 && (sib & 7) == 5 ? 4 : 0);
	return len + (mod == 0 && rm == 5 ? 4 : 0);
}

static unsigned systematic_count;

static enum greatest_test_res check_form(const struct addr_config *cfg, const struct opform *f,
					 uint8_t modrm, uint8_t sib)
{
	uint8_t b[INSN_MAX_LEN];
	size_t n = 0, mlen, i;
	struct insn d;

	if (f->slash0)
		modrm &= 0xc7;
	memset(b, 0xa5, sizeof(b));
	memcpy(b, cfg->pfx, cfg->npfx);
	n = cfg->npfx;
	memcpy(b + n, f->op, f->oplen);
	n += f->oplen;
	b[n] = modrm;
	mlen = cfg->a16 ? expect_modrm16(modrm) : expect_modrm32(modrm, sib);
	if (!cfg->a16 && (modrm & 7) == 4)
		b[n + 1] = sib;
	n += mlen + (cfg->o16 ? f->imm16 : f->imm32);
	snprintf(msg, sizeof(msg), "mode %d pfx %d op %02x modrm %02x sib %02x",
		 cfg->mode, cfg->npfx ? cfg->pfx[0] : -1, f->op[0], modrm, sib);
	ASSERT_EQm(msg, 0, insn_decode(b, sizeof(b), cfg->mode, &d));
	ASSERT_EQ_FMTm(msg, (unsigned)n, (unsigned)d.len, "%u");
	ASSERT_EQm(msg, 0, decode_exact(b, n, cfg->mode, &d));
	for (i = 0; i < n; i++)
		ASSERT_EQm(msg, -EINVAL, decode_exact(b, i, cfg->mode, &d));
	systematic_count++;
	PASS();
}

static enum greatest_test_res check_config(const struct addr_config *cfg)
{
	unsigned f, mod, rm, x;

	for (f = 0; f < ARRAY_SIZE(opforms); f++) {
		for (mod = 0; mod < 3; mod++) {
			for (rm = 0; rm < 8; rm++) {
				for (x = 0; x < 8; x++) {
					uint8_t modrm = (uint8_t)(mod << 6 | x << 3 | rm);

					CHECK_CALL(check_form(cfg, &opforms[f], modrm, 0));
				}
			}
			if (cfg->a16)
				continue;
			for (x = 0; x < 256; x++)
				CHECK_CALL(check_form(cfg, &opforms[f],
						      (uint8_t)(mod << 6 | (x & 7) << 3 | 4),
						      (uint8_t)x));
		}
	}
	PASS();
}

TEST modrm_sib_all_forms_16_32(void)
{
	static const struct addr_config cfgs[] = {
		{ INSN_MODE_REAL16, { 0 }, 0, true, true },
		{ INSN_MODE_PROT16, { 0 }, 0, true, true },
		{ INSN_MODE_REAL16, { 0x67 }, 1, false, true },
		{ INSN_MODE_PROT16, { 0x3e, 0x67 }, 2, false, true },
		{ INSN_MODE_PROT32, { 0 }, 0, false, false },
		{ INSN_MODE_PROT32, { 0x67 }, 1, true, false },
		{ INSN_MODE_PROT32, { 0x66 }, 1, false, true },
	};
	size_t i;

	systematic_count = 0;
	for (i = 0; i < ARRAY_SIZE(cfgs); i++)
		CHECK_CALL(check_config(&cfgs[i]));
	/* 16-bit: 8 forms x 3 mods x 64; 32-bit: 8 x 3 x (64 + 256) */
	ASSERT_EQ(3u * 8 * 3 * 64 + 4u * 8 * 3 * 320, systematic_count);
	PASS();
}

/* Every REX value (B and X must not change the special cases), with and without 67. */
TEST modrm_sib_all_forms_64(void)
{
	struct addr_config cfg = { INSN_MODE_LONG64, { 0 }, 0, false, false };
	unsigned rex, a32;

	systematic_count = 0;
	for (a32 = 0; a32 < 2; a32++) {
		for (rex = 0x3f; rex < 0x50; rex++) {
			cfg.npfx = 0;
			if (a32)
				cfg.pfx[cfg.npfx++] = 0x67;
			if (rex >= 0x40)
				cfg.pfx[cfg.npfx++] = (uint8_t)rex;
			CHECK_CALL(check_config(&cfg));
		}
	}
	ASSERT_EQ(2u * 17 * 8 * 3 * 320, systematic_count);
	PASS();
}

TEST prefix_limit_is_15_bytes(void)
{
	uint8_t b[INSN_MAX_LEN + 4];
	struct insn d;
	size_t npfx;

	for (npfx = 0; npfx <= 16; npfx++) {
		memset(b, 0x26, npfx);
		b[npfx] = 0x89;
		b[npfx + 1] = 0x07;
		ASSERT_EQ(npfx <= 13 ? 0 : -EINVAL, insn_decode(b, npfx + 2, INSN_MODE_PROT32, &d));
	}
	PASS();
}

static struct insn decode_hex(enum insn_mode mode, const char *hex)
{
	uint8_t b[INSN_MAX_LEN];
	struct insn d = { 0 };
	size_t n = hex_parse(hex, b, sizeof(b));

	if (decode_exact(b, n, mode, &d))
		d.len = 0;
	return d;
}

TEST merge_read_rules(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(insn_merges); i++) {
		const struct insn_merge_case *m = &insn_merges[i];
		struct insn d = decode_hex(m->mode, m->hex);

		ASSERTm(m->hex, d.len != 0);
		ASSERT_HEXm(m->hex, m->expect, insn_merge_read(&d, INSN_CASE_OLD, m->val));
	}
	PASS();
}

TEST write_value_rules(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(insn_writes); i++) {
		const struct insn_merge_case *m = &insn_writes[i];
		struct insn d = decode_hex(m->mode, m->hex);

		ASSERTm(m->hex, d.len != 0);
		ASSERT_HEXm(m->hex, m->expect, insn_write_value(&d, INSN_CASE_OLD));
	}
	PASS();
}

/* ---------------------------------------------------------------- paging */

#define RAM_SIZE 0x10000
#define P 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL
#define PAT_LARGE 0x1000ULL
#define XD (1ULL << 63)
#define CR0_PE 0x1ULL

static uint8_t ram_mem[RAM_SIZE];

static int ram_read(void *ctx UNUSED, gpa_t gpa, void *dst, size_t n)
{
	if (gpa > RAM_SIZE || n > RAM_SIZE - gpa)
		return -EINVAL;
	memcpy(dst, ram_mem + gpa, n);
	return 0;
}

static int ram_write(void *ctx UNUSED, gpa_t gpa, const void *src, size_t n)
{
	if (gpa > RAM_SIZE || n > RAM_SIZE - gpa)
		return -EINVAL;
	memcpy(ram_mem + gpa, src, n);
	return 0;
}

static const struct guest_ram ram = { ram_write, ram_read, NULL, RAM_SIZE };

static void put32(gpa_t gpa, uint32_t v)
{
	memcpy(ram_mem + gpa, &v, 4);
}

static void put64(gpa_t gpa, uint64_t v)
{
	memcpy(ram_mem + gpa, &v, 8);
}

static int walk(uint64_t cr4, uint64_t efer, uint64_t cr3, uint64_t la, gpa_t *gpa)
{
	struct guest_paging pg = { GUEST_CR0_PG | CR0_PE, cr3, cr4, efer };

	*gpa = 0xbad;
	return guest_linear_to_phys(&pg, &ram, la, gpa);
}

TEST paging_off_is_identity(void)
{
	struct guest_paging pg = { CR0_PE, 0x1000, 0, 0 };
	gpa_t gpa;

	ASSERT_EQ(0, guest_linear_to_phys(&pg, &ram, 0x123456789ULL, &gpa));
	ASSERT_HEX(0x23456789ULL, gpa);
	pg.efer = GUEST_EFER_LMA;
	ASSERT_EQ(0, guest_linear_to_phys(&pg, &ram, 0x123456789ULL, &gpa));
	ASSERT_HEX(0x123456789ULL, gpa);
	PASS();
}

TEST paging_32bit(void)
{
	uint64_t cr3 = 0x1000 | 0x18; /* PWT/PCD are not address bits */
	gpa_t gpa;

	memset(ram_mem, 0, sizeof(ram_mem));
	put32(0x1000 + 0x300 * 4, 0x2000 | P | RW);      /* PDE for 0xc0000000 */
	put32(0x2000 + 0x101 * 4, 0xfee00000 | P);       /* PTE for 0xc0101000 */
	ASSERT_EQ(0, walk(0, 0, cr3, 0xc0101234, &gpa));
	ASSERT_HEX(0xfee00234ULL, gpa);
	ASSERT_EQ(0, walk(0, 0, cr3, 0x1c0101234ULL, &gpa)); /* bits 63:32 ignored */
	ASSERT_HEX(0xfee00234ULL, gpa);
	ASSERT_EQ(-ENOENT, walk(0, 0, cr3, 0xc0102234, &gpa)); /* PTE clear */
	ASSERT_EQ(-ENOENT, walk(0, 0, cr3, 0xc0401234, &gpa)); /* PDE clear */

	/* 4 MiB pages need CR4.PSE; without it PS is ignored */
	put32(0x1000 + 2 * 4, 0x00c00000 | PS | P);
	ASSERT_EQ(0, walk(GUEST_CR4_PSE, 0, cr3, 0x00abcdef, &gpa));
	ASSERT_HEX(0xebcdefULL, gpa);
	ASSERT_EQ(-EINVAL, walk(0, 0, cr3, 0x00abcdef, &gpa)); /* PT at 12 MiB: no RAM */
	put32(0x1000 + 2 * 4, 0x3000 | PS | P);
	put32(0x3000 + 0x2bc * 4, 0x7000 | P);
	ASSERT_EQ(0, walk(0, 0, cr3, 0x00abcdef, &gpa));
	ASSERT_HEX(0x7defULL, gpa);

	/* PSE-36: PDE bits 20:13 are physical bits 39:32; bit 21 is reserved */
	put32(0x1000 + 3 * 4, 0xfec00000 | (0x85 << 13) | PS | P);
	ASSERT_EQ(0, walk(GUEST_CR4_PSE, 0, cr3, 0x00c000b0, &gpa));
	ASSERT_HEX(0x85fec000b0ULL, gpa);
	put32(0x1000 + 3 * 4, 0xfec00000 | (1 << 21) | PS | P);
	ASSERT_EQ(-EINVAL, walk(GUEST_CR4_PSE, 0, cr3, 0x00c000b0, &gpa));

	/* tables outside RAM */
	ASSERT_EQ(-EINVAL, walk(0, 0, 0x100000, 0xc0101234, &gpa));
	put32(0x1000 + 0x300 * 4, 0x00200000 | P);
	ASSERT_EQ(-EINVAL, walk(0, 0, cr3, 0xc0101234, &gpa));
	PASS();
}

TEST paging_pae(void)
{
	uint64_t cr4 = GUEST_CR4_PAE, cr3 = 0x1020; /* 32-byte aligned, CR3[31:5] */
	gpa_t gpa;

	memset(ram_mem, 0, sizeof(ram_mem));
	put64(0x1020 + 3 * 8, 0x2000 | P);               /* PDPTE 3: 0xc0000000 */
	put64(0x2000 + 1 * 8, 0x3000 | P | RW);          /* PDE 1 */
	put64(0x3000 + 1 * 8, XD | 0x123456000ULL | P);  /* PTE 1, above 4 GiB */
	ASSERT_EQ(0, walk(cr4, 0, cr3, 0xc0201234, &gpa));
	ASSERT_HEX(0x123456234ULL, gpa);
	ASSERT_EQ(-ENOENT, walk(cr4, 0, cr3, 0xc0202234, &gpa));
	ASSERT_EQ(-ENOENT, walk(cr4, 0, cr3, 0xc0401234, &gpa));
	ASSERT_EQ(-ENOENT, walk(cr4, 0, cr3, 0x00201234, &gpa)); /* PDPTE 0 clear */
	ASSERT_EQ(-ENOENT, walk(cr4, 0, 0x1000, 0xc0201234, &gpa)); /* CR3 bits 11:5 used */

	/* 2 MiB pages; PAT (bit 12) allowed, bits 20:13 reserved */
	put64(0x1020 + 1 * 8, 0x4000 | P);
	put64(0x4000 + 2 * 8, 0xfee00000 | PS | P);
	ASSERT_EQ(0, walk(cr4, 0, cr3, 0x40412345, &gpa));
	ASSERT_HEX(0xfee12345ULL, gpa);
	put64(0x4000 + 2 * 8, 0xfee00000 | PAT_LARGE | PS | P);
	ASSERT_EQ(0, walk(cr4, 0, cr3, 0x40412345, &gpa));
	ASSERT_HEX(0xfee12345ULL, gpa);
	put64(0x4000 + 2 * 8, 0xfee00000 | (1 << 13) | PS | P);
	ASSERT_EQ(-EINVAL, walk(cr4, 0, cr3, 0x40412345, &gpa));

	/* PDPTE reserved bits (RW is one of them) and tables outside RAM */
	put64(0x4000 + 2 * 8, 0xfee00000 | PS | P);
	put64(0x1020 + 1 * 8, 0x4000 | RW | P);
	ASSERT_EQ(-EINVAL, walk(cr4, 0, cr3, 0x40412345, &gpa));
	put64(0x1020 + 1 * 8, 0x40000 | P);
	ASSERT_EQ(-EINVAL, walk(cr4, 0, cr3, 0x40412345, &gpa));
	ASSERT_EQ(-EINVAL, walk(cr4, 0, 0xfffe0, 0x40412345, &gpa));
	PASS();
}

static void build_4level(void)
{
	memset(ram_mem, 0, sizeof(ram_mem));
	put64(0x1000 + 0x100 * 8, 0x2000 | P | RW);      /* PML4E for 0xffff8000_00000000 */
	put64(0x2000 + 0 * 8, 0x3000 | P | RW);          /* PDPTE */
	put64(0x3000 + 1 * 8, 0x4000 | P | RW);          /* PDE */
	put64(0x4000 + 1 * 8, XD | 0xfee00000 | P);      /* PTE */
	put64(0x1000 + 0 * 8, 0x5000 | P);               /* low half */
	put64(0x5000 + 3 * 8, 0x140000000ULL | PS | P);  /* 1 GiB at 0xc0000000 */
	put64(0x5000 + 1 * 8, 0x6000 | P);
	put64(0x6000 + 5 * 8, 0x7fe00000 | PS | P);      /* 2 MiB at 0x40a00000 */
}

TEST paging_4level(void)
{
	uint64_t cr4 = GUEST_CR4_PAE, efer = GUEST_EFER_LMA, cr3 = 0x1000 | 0x5;
	uint64_t hi = 0xffff800000201234ULL;
	gpa_t gpa;

	build_4level();
	ASSERT_EQ(0, walk(cr4, efer, cr3, hi, &gpa));
	ASSERT_HEX(0xfee00234ULL, gpa);
	ASSERT_EQ(0, walk(cr4, efer, cr3, 0xc7654321, &gpa));
	ASSERT_HEX(0x147654321ULL, gpa);
	ASSERT_EQ(0, walk(cr4, efer, cr3, 0x40b23456, &gpa));
	ASSERT_HEX(0x7ff23456ULL, gpa);

	/* large-page reserved bits, PAT allowed */
	put64(0x5000 + 3 * 8, 0x140000000ULL | PAT_LARGE | PS | P);
	ASSERT_EQ(0, walk(cr4, efer, cr3, 0xc7654321, &gpa));
	put64(0x5000 + 3 * 8, 0x140000000ULL | (1ULL << 29) | PS | P);
	ASSERT_EQ(-EINVAL, walk(cr4, efer, cr3, 0xc7654321, &gpa));
	put64(0x6000 + 5 * 8, 0x7fe00000 | (1 << 20) | PS | P);
	ASSERT_EQ(-EINVAL, walk(cr4, efer, cr3, 0x40b23456, &gpa));
	put64(0x1000, PS | P);                           /* PS is reserved in a PML4E */
	ASSERT_EQ(-EINVAL, walk(cr4, efer, cr3, 0xc7654321, &gpa));

	/* LA57 and long mode without PAE are not walked */
	ASSERT_EQ(-EINVAL, walk(cr4 | GUEST_CR4_LA57, efer, cr3, hi, &gpa));
	ASSERT_EQ(-EINVAL, walk(0, efer, cr3, hi, &gpa));
	ASSERT_EQ(-EINVAL, walk(cr4, efer, 0x20000, hi, &gpa));
	PASS();
}

TEST paging_4level_not_present_each_level(void)
{
	static const gpa_t entry[] = { 0x1000 + 0x100 * 8, 0x2000, 0x3008, 0x4008 };
	uint64_t cr4 = GUEST_CR4_PAE, efer = GUEST_EFER_LMA;
	uint64_t hi = 0xffff800000201234ULL, e;
	gpa_t gpa;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(entry); i++) {
		build_4level();
		memcpy(&e, ram_mem + entry[i], 8);
		put64(entry[i], e & ~P);
		ASSERT_EQ(-ENOENT, walk(cr4, efer, 0x1000, hi, &gpa));
		put64(entry[i], (e & 0xfff) | 0x80000); /* next table outside RAM */
		ASSERT_EQ(i == 3 ? 0 : -EINVAL, walk(cr4, efer, 0x1000, hi, &gpa));
	}
	PASS();
}

TEST fetch_across_pages(void)
{
	static const uint8_t insn[] = { 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 };
	struct guest_paging pg = { GUEST_CR0_PG | CR0_PE, 0x1000, 0, 0 };
	uint8_t buf[INSN_MAX_LEN];
	struct insn d;

	memset(ram_mem, 0, sizeof(ram_mem));
	put32(0x1000 + 1 * 4, 0x2000 | P);
	put32(0x2000 + 0 * 4, 0x5000 | P);               /* 0x400000 -> 0x5000 */
	put32(0x2000 + 1 * 4, 0x3000 | P);               /* 0x401000 -> 0x3000 */
	memcpy(ram_mem + 0x5ffa, insn, 6);
	memcpy(ram_mem + 0x3000, insn + 6, 4);
	ASSERT_EQ(INSN_MAX_LEN, insn_fetch(&pg, &ram, 0x400ffa, buf, INSN_MAX_LEN));
	ASSERT_MEM_EQ(insn, buf, sizeof(insn));
	ASSERT_EQ(0, insn_decode(buf, INSN_MAX_LEN, INSN_MODE_PROT32, &d));
	ASSERT_EQ(10, d.len);
	ASSERT_EQ(0, d.imm);

	put32(0x2000 + 1 * 4, 0x3000);                   /* second page gone */
	ASSERT_EQ(6, insn_fetch(&pg, &ram, 0x400ffa, buf, INSN_MAX_LEN));
	ASSERT_EQ(-EINVAL, insn_decode(buf, 6, INSN_MODE_PROT32, &d));
	ASSERT_EQ(-ENOENT, insn_fetch(&pg, &ram, 0x401000, buf, 4));
	ASSERT_EQ(-EINVAL, insn_fetch(&pg, &ram, 0x400ffa, buf, INSN_MAX_LEN + 1));
	ASSERT_EQ(4, insn_fetch(&pg, &ram, 0x400ffa, buf, 4));
	PASS();
}

/* A0-A3: accumulator to or from an absolute address, the address-size wide. */
TEST moffs_forms(void)
{
	static const uint8_t ld32[] = { 0xa1, 0x90, 0x03, 0xe0, 0xfe };
	static const uint8_t st32[] = { 0xa3, 0xb0, 0x00, 0xe0, 0xfe };
	static const uint8_t ld8[] = { 0xa0, 0x20, 0x00, 0xe0, 0xfe };
	static const uint8_t ld64[] = { 0xa1, 0x90, 0x03, 0xe0, 0xfe, 0, 0, 0, 0 };
	static const uint8_t st16_67[] = { 0x66, 0x67, 0xa3, 0x34, 0x12 };
	static const uint8_t rm16[] = { 0xa1, 0x34, 0x12 };
	struct insn d;

	ASSERT_EQ(0, insn_decode(ld32, sizeof(ld32), INSN_MODE_PROT32, &d));
	ASSERT_EQ(INSN_MMIO_READ, d.kind);
	ASSERT_EQ(5, d.len);
	ASSERT_EQ(4, d.size);
	ASSERT_EQ(0, d.reg);
	ASSERT_EQ(0, insn_decode(st32, sizeof(st32), INSN_MODE_PROT32, &d));
	ASSERT_EQ(INSN_MMIO_WRITE, d.kind);
	ASSERT_EQ(0x1234ULL, insn_write_value(&d, 0xabcd00001234ULL) & 0xffff);
	ASSERT_EQ(0, insn_decode(ld8, sizeof(ld8), INSN_MODE_PROT32, &d));
	ASSERT_EQ(1, d.size);
	ASSERT_EQ(0x11ffULL, insn_merge_read(&d, 0x1100ULL, 0xff));
	ASSERT_EQ(0, insn_decode(ld64, sizeof(ld64), INSN_MODE_LONG64, &d));
	ASSERT_EQ(9, d.len);
	ASSERT(d.zero_extend);
	ASSERT_EQ(-EINVAL, insn_decode(ld64, 8, INSN_MODE_LONG64, &d));
	ASSERT_EQ(0, insn_decode(st16_67, sizeof(st16_67), INSN_MODE_PROT32, &d));
	ASSERT_EQ(5, d.len);
	ASSERT_EQ(2, d.size);
	ASSERT_EQ(0, insn_decode(rm16, sizeof(rm16), INSN_MODE_REAL16, &d));
	ASSERT_EQ(3, d.len);
	ASSERT_EQ(2, d.size);
	PASS();
}

SUITE(insn)
{
	SHUFFLED_TESTS({
		RUN_TEST(table_cases_decode_exactly);
		RUN_TEST(table_rejects);
		RUN_TEST(other_opcodes_rejected);
		RUN_TEST(imm_forms_need_slash0);
		RUN_TEST(bad_arguments);
		RUN_TEST(modrm_sib_all_forms_16_32);
		RUN_TEST(modrm_sib_all_forms_64);
		RUN_TEST(prefix_limit_is_15_bytes);
		RUN_TEST(merge_read_rules);
		RUN_TEST(write_value_rules);
		RUN_TEST(paging_off_is_identity);
		RUN_TEST(paging_32bit);
		RUN_TEST(paging_pae);
		RUN_TEST(paging_4level);
		RUN_TEST(paging_4level_not_present_each_level);
		RUN_TEST(fetch_across_pages);
		RUN_TEST(moffs_forms);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	tail_buf = malloc(TAIL);
	if (!tail_buf)
		return 1;
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(insn);
	});
	GREATEST_MAIN_END();
	free(tail_buf);
}
