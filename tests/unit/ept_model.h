/*
 * Model check for the EPT builder, shared by the unit test and the fuzzer:
 * a page-granular shadow of a window of guest-physical space (mapped?,
 * host address, permissions, dirty?) that every operation updates the
 * way ept.h promises, and a full comparison of the tables (decoded by the
 * reference walker, never by ept.c) against it after every step.
 *
 * model_step() turns four numbers into one operation, so the unit test
 * drives it with a PRNG and the fuzzer with its input bytes.
 */
#ifndef TESTS_UNIT_EPT_MODEL_H
#define TESTS_UNIT_EPT_MODEL_H

#include <stdarg.h>
#include <stdio.h>

#include "tests/unit/ept_sim.h"
#include "tests/unit/ept_walk.h"

#define MODEL_HPA_DELTA 0x10000000000ULL /* guest memory lives 1 TiB above its gpa */
#define MODEL_LEAF_BITS (REF_ADDR_BITS | 7 | (7 << 3) | REF_IGNORE_PAT | REF_PS | REF_A | REF_D)

struct model_page {
	uint64_t hpa;
	uint8_t perms;
	bool mapped, dirty;
};

struct model {
	struct ept *e;
	struct sim *sim;
	struct ref_ept ref;
	struct ref_stats stats;
	gpa_t base;             /* window start, 2 MiB aligned */
	uint64_t npages;        /* window size in pages, a multiple of 512 */
	struct model_page *pg;
	uint8_t *mark;          /* scratch, one byte per page */
	bool may_fail;          /* the allocator may fail: accept -ENOMEM */
	bool had_empty;         /* a failed map may have left empty tables */
	uint64_t first_bad;     /* first page found wrong by model_leaf */
	unsigned bad;
	char why[256];
};

static const uint64_t model_perms[] = { REF_R, REF_R | REF_W, REF_R | REF_X,
					REF_R | REF_W | REF_X, REF_X };

static inline bool model_fail(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	return false;
}

#define MODEL_CHECK(m, cond)                                                       \
	do {                                                                       \
		if (!(cond))                                                       \
			return model_fail(m, "%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

static inline void model_init(struct model *m, struct ept *e, struct sim *s, gpa_t base,
			      uint64_t npages)
{
	memset(m, 0, sizeof(*m));
	m->e = e;
	m->sim = s;
	m->ref = (struct ref_ept){ .map = sim_map, .ctx = s, .root = e->root };
	m->base = base;
	m->npages = npages;
	m->pg = calloc(npages, sizeof(*m->pg));
	m->mark = calloc(npages, 1);
	if (!m->pg || !m->mark)
		abort();
}

static inline void model_fini(struct model *m)
{
	free(m->pg);
	free(m->mark);
}

static inline gpa_t model_gpa(const struct model *m, uint64_t page)
{
	return m->base + page * 4096;
}

static inline int model_xlate(struct model *m, uint64_t page, struct ref_xlate *x)
{
	return ref_translate(&m->ref, model_gpa(m, page), x);
}

/* Reference walker callback: one leaf against the shadow. */
static inline void model_leaf(void *ctx, uint64_t gpa, uint64_t size, uint64_t entry)
{
	struct model *m = ctx;
	uint64_t off, i;

	for (off = 0; off < size; off += 4096) {
		const struct model_page *p;

		if (gpa + off < m->base || gpa + off >= model_gpa(m, m->npages)) {
			m->bad++;
			return;
		}
		i = (gpa + off - m->base) / 4096;
		p = &m->pg[i];
		m->mark[i]++;
		if (!p->mapped || p->hpa != (entry & REF_ADDR_BITS) + off ||
		    p->perms != (entry & 7) || ((entry >> 3) & 7) != 6 ||
		    p->dirty != !!(entry & REF_D) || (entry & ~MODEL_LEAF_BITS)) {
			if (!m->bad++)
				m->first_bad = i;
		}
	}
}

/* The whole tree against the shadow, the counters and the allocator. */
static inline bool model_check_all(struct model *m)
{
	uint64_t i;

	memset(m->mark, 0, m->npages);
	m->bad = 0;
	ref_stats_scan(&m->ref, &m->stats, model_leaf, m);
	if (m->bad)
		return model_fail(m, "leaf for page %#llx disagrees with the model",
				  (unsigned long long)model_gpa(m, m->first_bad));
	for (i = 0; i < m->npages; i++)
		if (m->pg[i].mapped != (m->mark[i] == 1))
			return model_fail(m, "page %#llx: model mapped=%d, tree has it %d times",
					  (unsigned long long)model_gpa(m, i), m->pg[i].mapped,
					  m->mark[i]);
	MODEL_CHECK(m, m->stats.misconfig == 0 && m->stats.shared == 0 && m->stats.huge == 0);
	MODEL_CHECK(m, m->stats.tables == m->e->table_pages);
	MODEL_CHECK(m, m->stats.small == m->e->small_pages);
	MODEL_CHECK(m, m->stats.large == m->e->large_pages);
	MODEL_CHECK(m, m->had_empty || m->stats.empty == 0);
	MODEL_CHECK(m, sim_live(m->sim) == m->e->table_pages);
	MODEL_CHECK(m, m->sim->bad == 0);
	return true;
}

static inline void model_range(const struct model *m, uint32_t a, uint32_t b, uint64_t *first,
			       uint64_t *n)
{
	uint64_t f = a % m->npages, len;

	switch (b & 3) {
	case 0:
		len = 1 + (b >> 2) % 8;
		break;
	case 1:
		len = 1 + (b >> 2) % 1024;
		break;
	case 2:
		f &= ~511ULL;
		len = 512 * (1 + (b >> 2) % 4);
		break;
	default:
		len = 1 + (b >> 2) % m->npages;
		break;
	}
	*first = f;
	*n = MIN(len, m->npages - f);
}

static inline bool model_any_mapped(const struct model *m, uint64_t first, uint64_t n)
{
	uint64_t i;

	for (i = first; i < first + n; i++)
		if (m->pg[i].mapped)
			return true;
	return false;
}

/* After a successful map: 2 MiB leaves exactly where gpa, hpa and size allow. */
static inline bool model_check_sizes(struct model *m, uint64_t first, uint64_t n, hpa_t hpa)
{
	gpa_t lo = model_gpa(m, first), hi = model_gpa(m, first + n);
	struct ref_xlate x;
	uint64_t i;

	for (i = first; i < first + n; i++) {
		gpa_t slot = ALIGN_DOWN(model_gpa(m, i), EPT_PAGE_2M);
		bool big = slot >= lo && slot + EPT_PAGE_2M <= hi &&
			   !((hpa + (slot - lo)) & (EPT_PAGE_2M - 1));

		MODEL_CHECK(m, model_xlate(m, i, &x) == REF_OK);
		MODEL_CHECK(m, x.page_size == (big ? EPT_PAGE_2M : EPT_PAGE_4K));
	}
	return true;
}

static inline bool model_map(struct model *m, uint64_t first, uint64_t n, uint64_t delta,
			     uint64_t perms)
{
	gpa_t gpa = model_gpa(m, first);
	uint64_t allocs = m->sim->allocs, i;
	bool busy = model_any_mapped(m, first, n);
	int ret = ept_map_range(m->e, gpa, gpa + delta, n * 4096, perms);
	struct ref_xlate x;

	if (busy) {
		MODEL_CHECK(m, ret == -EEXIST && m->sim->allocs == allocs);
		return true;
	}
	if (ret == -ENOMEM && m->may_fail)
		m->had_empty = true;
	else
		MODEL_CHECK(m, ret == 0);
	for (i = first; i < first + n; i++) {
		if (model_xlate(m, i, &x) != REF_OK) {
			MODEL_CHECK(m, ret == -ENOMEM);
			continue;
		}
		m->pg[i] = (struct model_page){ .hpa = model_gpa(m, i) + delta, .perms = perms,
						.mapped = true };
	}
	return ret || model_check_sizes(m, first, n, gpa + delta);
}

/* After -ENOMEM a page in the range may be untouched or done. */
static inline bool model_same(const struct model_page *p, const struct ref_xlate *x)
{
	return p->mapped && p->hpa == x->hpa && p->perms == (x->entry & 7) &&
	       p->dirty == !!(x->entry & REF_D);
}

static inline bool model_unmap(struct model *m, uint64_t first, uint64_t n)
{
	int ret = ept_unmap_range(m->e, model_gpa(m, first), n * 4096);
	struct ref_xlate x;
	uint64_t i;

	MODEL_CHECK(m, ret == 0 || (ret == -ENOMEM && m->may_fail));
	for (i = first; i < first + n; i++) {
		if (ret && model_xlate(m, i, &x) == REF_OK) {
			MODEL_CHECK(m, model_same(&m->pg[i], &x));
			continue;
		}
		m->pg[i].mapped = false;
		m->pg[i].dirty = false;
	}
	return true;
}

static inline bool model_protect(struct model *m, uint64_t first, uint64_t n, uint64_t perms)
{
	uint64_t allocs = m->sim->allocs, i;
	bool same = true;
	struct ref_xlate x;
	int ret;

	for (i = first; i < first + n; i++)
		same &= !m->pg[i].mapped || m->pg[i].perms == perms;
	ret = ept_protect_range(m->e, model_gpa(m, first), n * 4096, perms);
	MODEL_CHECK(m, ret == 0 || (ret == -ENOMEM && m->may_fail));
	MODEL_CHECK(m, !same || m->sim->allocs == allocs); /* no needless split */
	for (i = first; i < first + n; i++) {
		if (!m->pg[i].mapped)
			continue;
		MODEL_CHECK(m, model_xlate(m, i, &x) == REF_OK);
		MODEL_CHECK(m, (x.entry & 7) == perms || (ret && (x.entry & 7) == m->pg[i].perms));
		m->pg[i].perms = x.entry & 7;
	}
	return true;
}

static inline bool model_split(struct model *m, uint64_t page)
{
	struct ref_xlate x;
	bool large = model_xlate(m, page, &x) == REF_OK && x.page_size == EPT_PAGE_2M;
	int ret = ept_split_large(m->e, model_gpa(m, page));

	if (!large) {
		MODEL_CHECK(m, ret == -ENOENT);
		return true;
	}
	if (ret == -ENOMEM && m->may_fail)
		return true;
	MODEL_CHECK(m, ret == 0);
	MODEL_CHECK(m, model_xlate(m, page, &x) == REF_OK && x.page_size == EPT_PAGE_4K);
	return true;
}

/* The guest touches a page: the reference CPU sets A/D as hardware would. */
static inline bool model_touch(struct model *m, uint64_t page, uint64_t need)
{
	struct model_page *p = &m->pg[page];
	int want = !p->mapped ? REF_NOT_PRESENT
				: (p->perms & need) != need ? REF_VIOLATION : REF_OK;
	struct ref_xlate x;
	uint64_t i, lo;

	MODEL_CHECK(m, ref_cpu_access(&m->ref, model_gpa(m, page), need) == want);
	if (want != REF_OK || !(need & REF_W))
		return true;
	MODEL_CHECK(m, model_xlate(m, page, &x) == REF_OK);
	lo = (x.page_gpa - m->base) / 4096;
	for (i = lo; i < lo + x.page_size / 4096; i++)
		m->pg[i].dirty = true;
	return true;
}

struct model_harvest {
	struct model *m;
	gpa_t lo, hi;
	unsigned bad;
};

static inline void model_dirty_cb(void *ctx, gpa_t gpa, uint64_t size)
{
	struct model_harvest *h = ctx;
	uint64_t off;

	if ((size != EPT_PAGE_4K && size != EPT_PAGE_2M) || (gpa & (size - 1)) || gpa < h->lo ||
	    gpa + size > h->hi) {
		h->bad++;
		return;
	}
	for (off = 0; off < size; off += 4096)
		h->bad += h->m->mark[(gpa + off - h->m->base) / 4096]++ & 1;
}

/* mark: bit 0 reported, bit 1 the leaf lies wholly in the range so D is cleared */
static inline bool model_harvest(struct model *m, uint64_t first, uint64_t n, bool clear, bool cb)
{
	struct model_harvest h = { m, model_gpa(m, first), model_gpa(m, first + n), 0 };
	uint64_t want = 0, got, i;
	struct ref_xlate x;

	memset(m->mark, 0, m->npages);
	for (i = first; i < first + n; i++) {
		if (!m->pg[i].dirty)
			continue;
		want++;
		MODEL_CHECK(m, model_xlate(m, i, &x) == REF_OK);
		if (x.page_gpa >= h.lo && x.page_gpa + x.page_size <= h.hi)
			m->mark[i] = 2;
	}
	got = ept_harvest_dirty(m->e, h.lo, n * 4096, clear, cb ? model_dirty_cb : NULL, &h);
	MODEL_CHECK(m, got == want && h.bad == 0);
	for (i = first; i < first + n; i++) {
		MODEL_CHECK(m, !cb || (m->mark[i] & 1) == m->pg[i].dirty);
		if (clear && (m->mark[i] & 2))
			m->pg[i].dirty = false;
	}
	return true;
}

static inline bool model_lookup(struct model *m, gpa_t gpa)
{
	struct ref_xlate x;
	hpa_t hpa = 0;
	uint64_t leaf = 0, size = 0;
	int st = ref_translate(&m->ref, gpa, &x);
	int ret = ept_lookup(m->e, gpa, &hpa, &leaf, &size);

	if (st != REF_OK) {
		MODEL_CHECK(m, st == REF_NOT_PRESENT && ret == -ENOENT);
		return true;
	}
	MODEL_CHECK(m, ret == 0 && hpa == x.hpa && leaf == x.entry && size == x.page_size);
	return true;
}

static inline bool model_clear_accessed(struct model *m, uint64_t first, uint64_t n)
{
	struct ref_xlate x;
	uint64_t i;
	int s;

	ept_clear_accessed(m->e, model_gpa(m, first), n * 4096);
	for (i = first; i < first + n; i++) {
		if (model_xlate(m, i, &x) != REF_OK)
			continue;
		for (s = 0; s < x.steps; s++)
			MODEL_CHECK(m, !(*x.path[s] & REF_A));
	}
	return true;
}

static inline bool model_touch_range(struct model *m, uint64_t first, uint64_t n, uint32_t c)
{
	uint64_t i;

	for (i = first; i < first + MIN(n, 64); i += 1 + c % 7)
		if (m->pg[i].mapped && !model_touch(m, i, m->pg[i].perms & REF_W ? REF_W : REF_R))
			return false;
	return true;
}

/* One operation chosen and parameterised by op, a, b, c; then the full check. */
static inline bool model_step(struct model *m, uint8_t op, uint32_t a, uint32_t b, uint32_t c)
{
	uint64_t first, n, perms = model_perms[(c >> 16) % ARRAY_SIZE(model_perms)];
	uint64_t delta = MODEL_HPA_DELTA + ((c >> 10) & 63) * EPT_PAGE_2M +
			 ((c & 1) ? 0 : 4096 * (1 + ((c >> 1) & 511) % 511));
	bool ok;

	model_range(m, a, b, &first, &n);
	switch (op % 12) {
	case 0: case 1: case 2:
		ok = model_map(m, first, n, delta, perms);
		break;
	case 3:
		ok = model_unmap(m, first, n);
		break;
	case 4:
		ok = model_protect(m, first, n, perms);
		break;
	case 5:
		ok = model_split(m, first);
		break;
	case 6: case 7:
		ok = model_touch(m, first, (uint64_t[]){ REF_R, REF_W, REF_X, REF_W }[c & 3]);
		break;
	case 8:
		ok = model_harvest(m, first, n, c & 1, c & 2);
		break;
	case 9:
		ok = model_lookup(m, (b & 1) ? model_gpa(m, first) + (c & 4095)
					       : ((uint64_t)a << 17) ^ c);
		break;
	case 10:
		ok = model_clear_accessed(m, first, n);
		break;
	default:
		ok = model_touch_range(m, first, n, c);
		break;
	}
	return ok && model_check_all(m);
}

#endif
