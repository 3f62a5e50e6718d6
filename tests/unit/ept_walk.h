/*
 * Reference EPT decoder for the tests, written from the SDM alone (Vol. 3C
 * 29.3.2 tables 29-1 to 29-6, misconfigurations 29.3.3.1, A/D flags
 * 29.3.5) and deliberately sharing nothing with arch/x86/ept.c: it sees
 * raw 64-bit entries through a map callback and decodes them itself, so
 * a wrong idea in ept.c is not silently repeated here. It also plays the
 * CPU: an access sets the accessed flags on the way and the dirty flag
 * in the leaf, as a guest's writes would.
 */
#ifndef TESTS_UNIT_EPT_WALK_H
#define TESTS_UNIT_EPT_WALK_H

#include <stdbool.h>
#include <stdint.h>

#define REF_ADDR_BITS 0x000ffffffffff000ULL /* bits 51:12 */
#define REF_R 0x1ULL
#define REF_W 0x2ULL
#define REF_X 0x4ULL
#define REF_IGNORE_PAT (1ULL << 6) /* leaves: guest PAT ignored */
#define REF_PS (1ULL << 7)
#define REF_A (1ULL << 8)
#define REF_D (1ULL << 9)
#define REF_MAX_TABLES 8192

enum ref_status {
	REF_OK,
	REF_NOT_PRESENT, /* EPT violation: bits 2:0 all clear somewhere on the walk */
	REF_VIOLATION,   /* EPT violation: the leaf forbids the access */
	REF_MISCONFIG,   /* EPT misconfiguration */
};

struct ref_ept {
	void *(*map)(void *ctx, uint64_t pa);
	void *ctx;
	uint64_t root; /* PML4 */
};

struct ref_xlate {
	uint64_t hpa;       /* of the byte translated */
	uint64_t entry;     /* the leaf */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t page_gpa;  /* guest address where the leaf's page starts */
	uint64_t *path[4];  /* entries used, PML4E first */
	int steps;          /* how many of path are set */
};

/* Walk steps in the order the CPU takes them: PML4E, PDPTE, PDE, PTE. */
static const unsigned ref_shift[4] = { 39, 30, 21, 12 };

static inline uint64_t *ref_table(const struct ref_ept *r, uint64_t pa)
{
	return (uint64_t *)r->map(r->ctx, pa);
}

/* Table 29-1..29-6: which bits of a non-leaf entry must be 0 at each step. */
static inline bool ref_nonleaf_reserved(uint64_t e, int step)
{
	return step == 0 ? (e & 0xf8) != 0 : (e & 0x78) != 0;
}

static inline bool ref_leaf_misconfig(uint64_t e, int step)
{
	uint64_t type = (e >> 3) & 7;
	uint64_t low_addr = (1ULL << ref_shift[step]) - 1;

	/* memory types 2, 3 and 7 are reserved; a large page's low address bits must be 0 */
	return type == 2 || type == 3 || type == 7 || (e & REF_ADDR_BITS & low_addr);
}

/* Write without read is a misconfiguration at any level (29.3.3.1). */
static inline bool ref_bad_perms(uint64_t e)
{
	return (e & REF_W) && !(e & REF_R);
}

static inline int ref_translate(const struct ref_ept *r, uint64_t gpa, struct ref_xlate *x)
{
	uint64_t table = r->root, e = 0, size;
	int step;

	x->steps = 0;
	if (gpa >> 48)
		return REF_NOT_PRESENT;
	for (step = 0; step < 4; step++) {
		uint64_t *pte = &ref_table(r, table)[(gpa >> ref_shift[step]) & 511];

		e = *pte;
		x->path[x->steps++] = pte;
		if (!(e & 7))
			return REF_NOT_PRESENT;
		if (ref_bad_perms(e))
			return REF_MISCONFIG;
		if (step == 3 || ((step == 1 || step == 2) && (e & REF_PS)))
			break;
		if (ref_nonleaf_reserved(e, step))
			return REF_MISCONFIG;
		table = e & REF_ADDR_BITS;
	}
	if (ref_leaf_misconfig(e, step))
		return REF_MISCONFIG;
	size = 1ULL << ref_shift[step];
	x->entry = e;
	x->page_size = size;
	x->page_gpa = gpa & ~(size - 1);
	x->hpa = (e & REF_ADDR_BITS & ~(size - 1)) | (gpa & (size - 1));
	return REF_OK;
}

/*
 * A guest access of kind need (REF_R, REF_W or REF_X) as the CPU with
 * A/D enabled performs it: A in every entry used, D in the leaf on a write.
 */
static inline int ref_cpu_access(const struct ref_ept *r, uint64_t gpa, uint64_t need)
{
	struct ref_xlate x;
	int st = ref_translate(r, gpa, &x), i;

	if (st != REF_OK)
		return st;
	if ((x.entry & need) != need)
		return REF_VIOLATION;
	for (i = 0; i < x.steps; i++)
		*x.path[i] |= REF_A;
	if (need & REF_W)
		*x.path[x.steps - 1] |= REF_D;
	return REF_OK;
}

struct ref_stats {
	uint64_t tables;     /* including the root */
	uint64_t empty;      /* non-root tables with no entry present */
	uint64_t small, large, huge;
	uint64_t misconfig;  /* entries the CPU would reject */
	uint64_t shared;     /* table pages reached twice */
	uint64_t seen[REF_MAX_TABLES];
};

typedef void (*ref_leaf_fn)(void *ctx, uint64_t gpa, uint64_t size, uint64_t entry);

static inline void ref_note_table(struct ref_stats *s, uint64_t pa)
{
	uint64_t i;

	for (i = 0; i < s->tables && i < REF_MAX_TABLES; i++)
		if (s->seen[i] == pa)
			s->shared++;
	if (s->tables < REF_MAX_TABLES)
		s->seen[s->tables] = pa;
	s->tables++;
}

static inline void ref_scan(const struct ref_ept *r, uint64_t table, int step, uint64_t gpa,
			    struct ref_stats *s, ref_leaf_fn fn, void *ctx)
{
	uint64_t *t = ref_table(r, table);
	int i, present = 0;

	ref_note_table(s, table);
	for (i = 0; i < 512; i++) {
		uint64_t e = t[i], at = gpa + ((uint64_t)i << ref_shift[step]);
		bool leaf = step == 3 || ((step == 1 || step == 2) && (e & REF_PS));

		if (!(e & 7))
			continue;
		present++;
		if (ref_bad_perms(e) || (leaf ? ref_leaf_misconfig(e, step)
					      : ref_nonleaf_reserved(e, step))) {
			s->misconfig++;
			continue;
		}
		if (!leaf) {
			ref_scan(r, e & REF_ADDR_BITS, step + 1, at, s, fn, ctx);
			continue;
		}
		if (step == 3)
			s->small++;
		else if (step == 2)
			s->large++;
		else
			s->huge++;
		if (fn)
			fn(ctx, at, 1ULL << ref_shift[step], e);
	}
	if (!present && step > 0)
		s->empty++;
}

/* Count every table and leaf; call fn (may be NULL) for each valid leaf. */
static inline void ref_stats_scan(const struct ref_ept *r, struct ref_stats *s, ref_leaf_fn fn,
				  void *ctx)
{
	s->tables = s->empty = s->small = s->large = s->huge = 0;
	s->misconfig = s->shared = 0;
	ref_scan(r, r->root, 0, 0, s, fn, ctx);
}

#endif
