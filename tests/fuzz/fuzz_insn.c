/*
 * libFuzzer target: MMIO instruction decoding and guest page walks from
 * arbitrary bytes.
 *
 * The first byte picks the test. Decoding asserts what the MMIO exit
 * handler relies on: a length within the bytes given and the 15-byte
 * limit, exactly that many bytes needed, sizes and registers in range,
 * and merges that only touch the register bits the width allows. Page
 * walks run over a RAM made of the remaining input and must return one of
 * the documented results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/insn.h"
#include "tests/fuzz/fuzz_check.h"

#define SEL_PAGING 0x80
#define SEL_MODE 0x03

static uint64_t mask_of(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

static bool valid_size(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_regs(const struct insn *d, enum insn_mode mode)
{
	CHECK(d->reg < (mode == INSN_MODE_LONG64 ? 16 : 8));
	CHECK(valid_size(d->reg_size));
	CHECK(d->reg_size == d->size || d->zero_extend);
	if (d->reg_high8)
		CHECK(d->reg < 4 && d->reg_size == 1);
	if (mode != INSN_MODE_LONG64)
		CHECK(d->reg_size != 8);
}

/* A merge changes only the bits the destination width covers. */
static void check_merge(const struct insn *d, uint64_t old, uint64_t val)
{
	uint64_t got = insn_merge_read(d, old, val), touched;

	if (d->kind != INSN_MMIO_READ) {
		CHECK(got == old);
		return;
	}
	touched = d->reg_size >= 4 ? ~0ULL : mask_of(d->reg_size) << (d->reg_high8 ? 8 : 0);
	CHECK((got & ~touched) == (old & ~touched));
	got >>= d->reg_high8 ? 8 : 0;
	CHECK((got & mask_of(d->size)) == (val & mask_of(d->size)));
	CHECK((got & mask_of(d->reg_size) & ~mask_of(d->size)) == 0);
}

static void check_decoded(const uint8_t *bytes, size_t n, enum insn_mode mode,
			  const struct insn *d)
{
	struct insn again;
	uint8_t *copy;

	CHECK(d->len >= 2 && d->len <= n && d->len <= INSN_MAX_LEN);
	CHECK(d->kind == INSN_MMIO_READ || d->kind == INSN_MMIO_WRITE || d->kind == INSN_MMIO_RMW);
	CHECK(valid_size(d->size));
	CHECK(mode == INSN_MODE_LONG64 || d->size != 8);
	if (d->has_imm) {
		CHECK(d->kind == INSN_MMIO_WRITE || d->kind == INSN_MMIO_RMW);
		if (d->size == 8)
			CHECK(d->imm == (uint64_t)(int64_t)(int32_t)d->imm);
		else
			CHECK((d->imm & ~mask_of(d->size)) == 0);
	} else {
		check_regs(d, mode);
	}
	CHECK((insn_write_value(d, ~0ULL) & ~mask_of(d->size)) == 0);
	if (d->kind == INSN_MMIO_RMW) {
		/* the result has the access width; only OF SF ZF PF CF change (AF kept) */
		uint64_t fl = 0x10ULL, r = insn_alu_result(d, ~0ULL, ~0ULL, &fl);

		CHECK(r == mask_of(d->size) && (fl & ~0x8c5ULL) == 0x10ULL);
	}
	check_merge(d, 0x1122334455667788ULL, 0xa5a5a5a5a5a5a5a5ULL);
	check_merge(d, 0, ~0ULL);

	/* exactly len bytes decode the same way, one fewer does not */
	copy = malloc(d->len);
	CHECK(copy);
	memcpy(copy, bytes, d->len);
	CHECK(insn_decode(copy, d->len, mode, &again) == 0);
	CHECK(again.len == d->len && again.kind == d->kind && again.size == d->size &&
	      again.imm == d->imm && again.reg == d->reg);
	CHECK(insn_decode(copy, d->len - 1u, mode, &again) == -EINVAL);
	free(copy);
}

static void fuzz_decode(const uint8_t *bytes, size_t n, enum insn_mode mode)
{
	struct insn d;
	int err = insn_decode(bytes, n, mode, &d);

	CHECK(err == 0 || err == -EINVAL);
	if (!err)
		check_decoded(bytes, n, mode, &d);
}

struct fuzz_ram {
	const uint8_t *mem;
	size_t size;
};

static int fuzz_ram_read(void *ctx, gpa_t gpa, void *dst, size_t n)
{
	const struct fuzz_ram *r = ctx;

	if (gpa > r->size || n > r->size - gpa)
		return -EINVAL;
	memcpy(dst, r->mem + gpa, n);
	return 0;
}

static int fuzz_ram_write(void *ctx UNUSED, gpa_t gpa UNUSED, const void *src UNUSED,
			  size_t n UNUSED)
{
	return -EINVAL;
}

static uint64_t take_u64(const uint8_t **p, size_t *left)
{
	uint64_t v = 0;
	size_t k = MIN(*left, sizeof(v));

	memcpy(&v, *p, k);
	*p += k;
	*left -= k;
	return v;
}

/* Physical-address widths: 32 bits unpaged, 40 with PSE-36, 52 otherwise. */
static void check_gpa(const struct guest_paging *pg, gpa_t gpa)
{
	bool lma = pg->efer & GUEST_EFER_LMA;

	if (!(pg->cr0 & GUEST_CR0_PG))
		CHECK(lma || gpa < (1ULL << 32));
	else if (!lma && !(pg->cr4 & GUEST_CR4_PAE))
		CHECK(gpa < (1ULL << 40));
	else
		CHECK(gpa < (1ULL << 52));
}

/*
 * cr0, cr3, cr4, efer and the address, then the RAM. CR3 is kept small so
 * that its table usually lies in the RAM and the walk goes deeper.
 */
static void fuzz_paging(const uint8_t *p, size_t left)
{
	struct guest_paging pg;
	struct fuzz_ram fr;
	struct guest_ram ram = { fuzz_ram_write, fuzz_ram_read, &fr, 0 };
	uint8_t buf[INSN_MAX_LEN];
	uint64_t linear;
	gpa_t gpa = 0;
	int err, got;

	pg.cr0 = take_u64(&p, &left);
	pg.cr3 = take_u64(&p, &left) & 0xffff;
	pg.cr4 = take_u64(&p, &left);
	pg.efer = take_u64(&p, &left);
	linear = take_u64(&p, &left);
	fr.mem = p;
	fr.size = left;
	ram.size = left;

	err = guest_linear_to_phys(&pg, &ram, linear, &gpa);
	CHECK(err == 0 || err == -ENOENT || err == -EINVAL);
	if (!err)
		check_gpa(&pg, gpa);

	got = insn_fetch(&pg, &ram, linear, buf, sizeof(buf));
	CHECK(got <= (int)sizeof(buf));
	CHECK(got != 0);
	if (err)
		CHECK(got == err);
	if (got > 0)
		fuzz_decode(buf, (size_t)got, INSN_MODE_LONG64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & SEL_PAGING)
		fuzz_paging(data + 1, size - 1);
	else
		fuzz_decode(data + 1, size - 1, (enum insn_mode)(data[0] & SEL_MODE));
	return 0;
}
