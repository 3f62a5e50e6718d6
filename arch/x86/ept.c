/*
 * EPT page tables. Pure: see ept.h.
 *
 * Every range operation is one walker (ept_walk_table) over the four
 * levels, parameterised by level as in Jailhouse's paging code: for each
 * entry that meets the range it asks the operation's visitor what to do
 * (stop at this entry, descend into the table below it, or fail), and
 * after a descent an optional hook may free the table below. Levels count
 * up from the leaves: 0 = PT (4 KiB), 1 = PD (2 MiB), 2 = PDPT (1 GiB),
 * 3 = PML4 (512 GiB), so a level's page size is 4 KiB << 9 * level.
 *
 * Entries are read and changed with atomic operations: once the EPT is
 * live, CPUs running the guest set A/D flags in the same words, and a
 * plain read-modify-write could drop a D flag set between the read and
 * the write, and with it a page that dirty logging must copy.
 *
 * Invariants: "present" means bits 2:0 are not all 0, as for the CPU
 * (SDM Vol. 3C 29.3.2), so perms 0 and write-without-read (a
 * misconfiguration, SDM 29.3.3.1) are refused. Non-leaf entries carry
 * R|W|X so that leaves alone decide access. A PT is never empty: unmap
 * frees a table it empties, and map fills a PT right after allocating it.
 * Only a map that fails with -ENOMEM can leave an empty PD or PDPT.
 */
#include <string.h>

#include "arch/x86/ept.h"

#define EPT_ENTRIES 512
#define EPT_ROOT_LEVEL (EPT_LEVELS - 1)
#define EPT_TABLE_PERMS EPT_RWX
/* RAM is write-back whatever the guest's PAT says (ignore PAT, SDM Vol. 3C 29.3.7): no
 * device is passed through, so no guest mapping of RAM needs another type */
#define EPT_LEAF_MEMTYPE ((EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_IGNORE_PAT)
/* Entries hold address bits 51:12 (SDM Vol. 3C 29.3.2, MAXPHYADDR <= 52) */
#define EPT_MAX_HPA (1ULL << 52)

/* What a visitor tells the walker, besides a negative error. */
enum ept_step {
	EPT_STOP,    /* done with this entry */
	EPT_DESCEND, /* the entry is a table: walk it */
};

struct ept_walk;
typedef int (*ept_visit_fn)(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level);
typedef void (*ept_leave_fn)(struct ept_walk *w, uint64_t *pte, unsigned level);

struct ept_walk {
	struct ept *e;
	gpa_t start, end; /* the range, end exclusive */
	ept_visit_fn visit;
	ept_leave_fn leave; /* after a successful descent, or NULL */
	hpa_t hpa;          /* map: host address of start */
	uint64_t perms;     /* map, protect */
	bool clear;         /* harvest */
	ept_dirty_fn fn;    /* harvest */
	void *ctx;          /* harvest */
	uint64_t pages;     /* harvest: 4 KiB pages reported */
};

static uint64_t ept_level_size(unsigned level)
{
	return EPT_PAGE_4K << (9 * level);
}

static unsigned ept_index(gpa_t gpa, unsigned level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) & (EPT_ENTRIES - 1);
}

static uint64_t *ept_table(const struct ept *e, hpa_t table)
{
	return e->ops.map(e->ops.ctx, table);
}

static uint64_t ept_read(const uint64_t *pte)
{
	return __atomic_load_n(pte, __ATOMIC_RELAXED);
}

/* Release order: a table's contents are visible before the entry pointing at it. */
static void ept_write(uint64_t *pte, uint64_t val)
{
	__atomic_store_n(pte, val, __ATOMIC_RELEASE);
}

/* Clear then set bits without losing A/D flags a CPU sets meanwhile. */
static uint64_t ept_update(uint64_t *pte, uint64_t clear, uint64_t set)
{
	uint64_t old = ept_read(pte);

	while (!__atomic_compare_exchange_n(pte, &old, (old & ~clear) | set, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	return old;
}

static bool ept_present(uint64_t entry)
{
	return (entry & EPT_RWX) != 0;
}

static bool ept_is_leaf(uint64_t entry, unsigned level)
{
	return level == 0 || (entry & EPT_LARGE);
}

/*
 * R, R|W, R|X, R|W|X or X alone; W needs R (SDM Vol. 3C 29.3.3.1). X alone
 * needs the execute-only capability (IA32_VMX_EPT_VPID_CAP bit 0), which
 * is the caller's to check.
 */
static bool ept_perms_valid(uint64_t perms)
{
	return perms && !(perms & ~EPT_RWX) && (!(perms & EPT_WRITE) || (perms & EPT_READ));
}

static bool ept_range_valid(gpa_t gpa, uint64_t size)
{
	return !(gpa & ~PAGE_MASK) && !(size & ~PAGE_MASK) && gpa <= EPT_MAX_GPA &&
	       size <= EPT_MAX_GPA - gpa;
}

/* Does the range cover the whole page the entry at `at` maps? */
static bool ept_covers(const struct ept_walk *w, gpa_t at, unsigned level)
{
	return at >= w->start && at + ept_level_size(level) <= w->end;
}

static void ept_count(struct ept *e, unsigned level, int64_t delta)
{
	if (level == 0)
		e->small_pages += delta;
	else
		e->large_pages += delta;
}

static hpa_t ept_alloc(struct ept *e)
{
	hpa_t table = e->ops.alloc_table(e->ops.ctx);

	if (table)
		e->table_pages++;
	return table;
}

static void ept_free(struct ept *e, hpa_t table)
{
	e->ops.free_table(e->ops.ctx, table);
	e->table_pages--;
}

static int ept_walk_table(struct ept_walk *w, hpa_t table, gpa_t base, unsigned level)
{
	uint64_t *t = ept_table(w->e, table);
	uint64_t size = ept_level_size(level);
	gpa_t lo = MAX(base, w->start);
	gpa_t hi = MIN(base + size * EPT_ENTRIES, w->end);
	unsigned i;
	int ret;

	for (i = ept_index(lo, level); i <= ept_index(hi - 1, level); i++) {
		ret = w->visit(w, &t[i], base + i * size, level);
		if (ret == EPT_STOP)
			continue;
		if (ret < 0)
			return ret;
		ret = ept_walk_table(w, ept_read(&t[i]) & EPT_ADDR_MASK, base + i * size,
				     level - 1);
		if (ret < 0)
			return ret;
		if (w->leave)
			w->leave(w, &t[i], level);
	}
	return 0;
}

static int ept_walk(struct ept_walk *w)
{
	if (!w->e->root)
		return -EINVAL;
	if (w->start >= w->end)
		return 0;
	return ept_walk_table(w, w->e->root, 0, EPT_ROOT_LEVEL);
}

/*
 * Replace the large leaf at pte by a table of 512 leaves one level down
 * with the same flags. The compare-exchange retries if a CPU set A/D in
 * the old leaf while the table was being filled, so no D flag is lost.
 */
static int ept_split_entry(struct ept *e, uint64_t *pte, unsigned level)
{
	uint64_t sub = ept_level_size(level - 1);
	uint64_t keep = level == 1 ? ~(EPT_ADDR_MASK | EPT_LARGE) : ~EPT_ADDR_MASK;
	hpa_t table = ept_alloc(e);
	uint64_t *t, old;
	unsigned i;

	if (!table)
		return -ENOMEM;
	t = ept_table(e, table);
	old = ept_read(pte);
	do {
		for (i = 0; i < EPT_ENTRIES; i++)
			t[i] = (old & keep) | ((old & EPT_ADDR_MASK) + i * sub);
	} while (!__atomic_compare_exchange_n(pte, &old,
					      table | EPT_TABLE_PERMS | (old & EPT_ACCESSED),
					      false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	ept_count(e, level, -1);
	ept_count(e, level - 1, EPT_ENTRIES);
	return EPT_DESCEND;
}

static bool ept_table_empty(const struct ept *e, hpa_t table)
{
	const uint64_t *t = ept_table(e, table);
	unsigned i;

	for (i = 0; i < EPT_ENTRIES; i++)
		if (ept_read(&t[i]))
			return false;
	return true;
}

/*
 * Leave hook: unlink and free the table below pte. CPUs may keep using a
 * cached copy of the entry until the INVEPT the caller owes after an
 * unmap, so no guest may run on this EPT in between (or the caller must
 * delay reusing freed table pages until then).
 */
static void ept_drop_table(struct ept_walk *w, uint64_t *pte, unsigned level)
{
	hpa_t table = ept_read(pte) & EPT_ADDR_MASK;

	ept_write(pte, 0);
	ept_free(w->e, table);
}

static void ept_drop_if_empty(struct ept_walk *w, uint64_t *pte, unsigned level)
{
	if (ept_table_empty(w->e, ept_read(pte) & EPT_ADDR_MASK))
		ept_drop_table(w, pte, level);
}

/* ---------------------------------------------------------------- map */

/* Precheck: any leaf in the range makes the map fail before it changes anything. */
static int ept_busy_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte);

	if (!ept_present(old))
		return EPT_STOP;
	return ept_is_leaf(old, level) ? -EEXIST : EPT_DESCEND;
}

static int ept_set_leaf(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	hpa_t hpa = w->hpa + (at - w->start);
	uint64_t large = level ? EPT_LARGE : 0;

	ept_write(pte, hpa | w->perms | EPT_LEAF_MEMTYPE | large);
	ept_count(w->e, level, 1);
	return EPT_STOP;
}

static int ept_map_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	hpa_t table;

	if (level == 0)
		return ept_set_leaf(w, pte, at, level);
	/* The precheck found no leaf, so a present entry is a table. */
	if (ept_present(ept_read(pte)))
		return EPT_DESCEND;
	if (level == 1 && ept_covers(w, at, level) &&
	    !((w->hpa + (at - w->start)) & (EPT_PAGE_2M - 1)))
		return ept_set_leaf(w, pte, at, level);
	table = ept_alloc(w->e);
	if (!table)
		return -ENOMEM;
	ept_write(pte, table | EPT_TABLE_PERMS);
	return EPT_DESCEND;
}

int ept_map_range(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size, uint64_t perms)
{
	struct ept_walk w = { .e = e, .start = gpa, .end = gpa + size, .visit = ept_busy_visit };
	int ret;

	if (!ept_range_valid(gpa, size) || !ept_perms_valid(perms) || (hpa & ~PAGE_MASK) ||
	    hpa > EPT_MAX_HPA || size > EPT_MAX_HPA - hpa)
		return -EINVAL;
	ret = ept_walk(&w);
	if (ret)
		return ret;
	w.visit = ept_map_visit;
	w.hpa = hpa;
	w.perms = perms;
	return ept_walk(&w);
}

/* ---------------------------------------------------------------- unmap, protect */

static int ept_unmap_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte);

	if (!ept_present(old))
		return EPT_STOP;
	if (!ept_is_leaf(old, level))
		return EPT_DESCEND;
	if (!ept_covers(w, at, level))
		return ept_split_entry(w->e, pte, level);
	ept_write(pte, 0);
	ept_count(w->e, level, -1);
	return EPT_STOP;
}

int ept_unmap_range(struct ept *e, gpa_t gpa, uint64_t size)
{
	struct ept_walk w = {
		.e = e, .start = gpa, .end = gpa + size,
		.visit = ept_unmap_visit, .leave = ept_drop_if_empty,
	};

	if (!ept_range_valid(gpa, size))
		return -EINVAL;
	return ept_walk(&w);
}

/* A large leaf partly covered is split only when its permissions change. */
static int ept_protect_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte);

	if (!ept_present(old))
		return EPT_STOP;
	if (!ept_is_leaf(old, level))
		return EPT_DESCEND;
	if ((old & EPT_RWX) == w->perms)
		return EPT_STOP;
	if (!ept_covers(w, at, level))
		return ept_split_entry(w->e, pte, level);
	ept_update(pte, EPT_RWX, w->perms);
	return EPT_STOP;
}

int ept_protect_range(struct ept *e, gpa_t gpa, uint64_t size, uint64_t perms)
{
	struct ept_walk w = {
		.e = e, .start = gpa, .end = gpa + size,
		.visit = ept_protect_visit, .perms = perms,
	};

	if (!ept_range_valid(gpa, size) || !ept_perms_valid(perms))
		return -EINVAL;
	return ept_walk(&w);
}

/* ---------------------------------------------------------------- single entries */

/*
 * The entry for gpa at level stop, or the entry above it where the path
 * ends early (not present, or a leaf); *level says which level that is.
 */
static uint64_t *ept_descend(const struct ept *e, gpa_t gpa, unsigned stop, unsigned *level)
{
	hpa_t table = e->root;
	unsigned l = EPT_ROOT_LEVEL;
	uint64_t *pte, val;

	for (;;) {
		pte = &ept_table(e, table)[ept_index(gpa, l)];
		val = ept_read(pte);
		if (l == stop || !ept_present(val) || ept_is_leaf(val, l))
			break;
		table = val & EPT_ADDR_MASK;
		l--;
	}
	*level = l;
	return pte;
}

int ept_split_large(struct ept *e, gpa_t gpa)
{
	uint64_t *pte;
	unsigned level;
	int ret;

	if (!e->root || gpa >= EPT_MAX_GPA)
		return -ENOENT;
	pte = ept_descend(e, gpa, 1, &level);
	if (level != 1 || !ept_present(ept_read(pte)) || !(ept_read(pte) & EPT_LARGE))
		return -ENOENT;
	ret = ept_split_entry(e, pte, level);
	return ret < 0 ? ret : 0;
}

/* Any of hpa, leaf and page_size may be NULL. */
int ept_lookup(const struct ept *e, gpa_t gpa, hpa_t *hpa, uint64_t *leaf, uint64_t *page_size)
{
	uint64_t val, size;
	unsigned level;

	if (!e->root || gpa >= EPT_MAX_GPA)
		return -ENOENT;
	val = ept_read(ept_descend(e, gpa, 0, &level));
	if (!ept_present(val) || !ept_is_leaf(val, level))
		return -ENOENT;
	size = ept_level_size(level);
	if (hpa)
		*hpa = (val & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
	if (leaf)
		*leaf = val;
	if (page_size)
		*page_size = size;
	return 0;
}

/* ---------------------------------------------------------------- A/D flags */

static void ept_report(struct ept_walk *w, gpa_t gpa, uint64_t size)
{
	if (w->fn)
		w->fn(w->ctx, gpa, size);
	w->pages += size / EPT_PAGE_4K;
}

/*
 * A dirty large leaf only partly in the range is reported page by page
 * and keeps its D flag: clearing it would lose the dirty state of the
 * part outside the range. Reporting too much is safe; losing is not.
 */
static int ept_harvest_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte);
	gpa_t p;

	if (!ept_present(old))
		return EPT_STOP;
	if (!ept_is_leaf(old, level))
		return EPT_DESCEND;
	if (!(old & EPT_DIRTY))
		return EPT_STOP;
	if (!ept_covers(w, at, level)) {
		for (p = MAX(at, w->start); p < MIN(at + ept_level_size(level), w->end);
		     p += EPT_PAGE_4K)
			ept_report(w, p, EPT_PAGE_4K);
		return EPT_STOP;
	}
	if (w->clear)
		old = __atomic_fetch_and(pte, ~EPT_DIRTY, __ATOMIC_SEQ_CST);
	if (old & EPT_DIRTY)
		ept_report(w, at, ept_level_size(level));
	return EPT_STOP;
}

int64_t ept_harvest_dirty(struct ept *e, gpa_t gpa, uint64_t size, bool clear,
			  ept_dirty_fn fn, void *ctx)
{
	struct ept_walk w = {
		.e = e, .start = gpa, .end = gpa + size, .visit = ept_harvest_visit,
		.clear = clear, .fn = fn, .ctx = ctx,
	};
	int ret;

	if (!ept_range_valid(gpa, size))
		return -EINVAL;
	ret = ept_walk(&w);
	return ret < 0 ? ret : (int64_t)w.pages;
}

int ept_clear_dirty(struct ept *e, gpa_t gpa)
{
	uint64_t *pte;
	unsigned level;

	if (!e->root || gpa >= EPT_MAX_GPA)
		return -ENOENT;
	pte = ept_descend(e, gpa, 0, &level);
	if (level != 0 || !ept_present(ept_read(pte)))
		return -ENOENT;
	return (__atomic_fetch_and(pte, ~EPT_DIRTY, __ATOMIC_SEQ_CST) & EPT_DIRTY) != 0;
}

static int ept_young_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte);

	if (!ept_present(old))
		return EPT_STOP;
	if (old & EPT_ACCESSED)
		__atomic_fetch_and(pte, ~EPT_ACCESSED, __ATOMIC_SEQ_CST);
	return ept_is_leaf(old, level) ? EPT_STOP : EPT_DESCEND;
}

void ept_clear_accessed(struct ept *e, gpa_t gpa, uint64_t size)
{
	struct ept_walk w = { .e = e, .start = gpa, .end = gpa + size, .visit = ept_young_visit };

	if (ept_range_valid(gpa, size))
		ept_walk(&w);
}

/* ---------------------------------------------------------------- split, merge */

static int ept_split_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte);
	int ret;

	if (!ept_present(old) || level == 0)
		return EPT_STOP;
	if (!ept_is_leaf(old, level))
		return EPT_DESCEND;
	ret = ept_split_entry(w->e, pte, level);
	if (ret < 0)
		return ret;
	w->pages++;
	return EPT_DESCEND;
}

/* Walk [gpa, gpa + size) with visit; the count it kept in w->pages, or an error. */
static int ept_walk_counting(struct ept *e, gpa_t gpa, uint64_t size, ept_visit_fn visit)
{
	struct ept_walk w = { .e = e, .start = gpa, .end = gpa + size, .visit = visit };
	int ret;

	if (!ept_range_valid(gpa, size))
		return -EINVAL;
	ret = ept_walk(&w);
	return ret < 0 ? ret : (int)w.pages;
}

int ept_split_range(struct ept *e, gpa_t gpa, uint64_t size)
{
	return ept_walk_counting(e, gpa, size, ept_split_visit);
}

/*
 * The 2 MiB leaf a page table could become, or 0 when it cannot: every
 * entry a 4 KiB leaf, addresses contiguous from a 2 MiB-aligned block,
 * and the same permissions and memory type (bits 6:0) throughout.
 */
static uint64_t ept_merged_leaf(const uint64_t *t)
{
	uint64_t first = ept_read(&t[0]), ad = 0, e;
	unsigned i;

	if (!ept_present(first) || ((first & EPT_ADDR_MASK) & (EPT_PAGE_2M - 1)))
		return 0;
	for (i = 0; i < EPT_ENTRIES; i++) {
		e = ept_read(&t[i]);
		if ((e & ~(EPT_ACCESSED | EPT_DIRTY)) != (first & ~(EPT_ACCESSED | EPT_DIRTY)) + i * EPT_PAGE_4K)
			return 0;
		ad |= e & (EPT_ACCESSED | EPT_DIRTY);
	}
	return (first & ~(EPT_ACCESSED | EPT_DIRTY)) | EPT_LARGE | ad;
}

/*
 * Swap the table for the large leaf, then fold in any D flag a CPU set in
 * the small leaves between the scan and the swap (it could still write
 * them through translations cached from before).
 */
static int ept_merge_visit(struct ept_walk *w, uint64_t *pte, gpa_t at, unsigned level)
{
	uint64_t old = ept_read(pte), leaf, *t;
	hpa_t table;
	unsigned i;

	if (!ept_present(old) || ept_is_leaf(old, level))
		return EPT_STOP;
	if (level > 1)
		return EPT_DESCEND;
	table = old & EPT_ADDR_MASK;
	t = ept_table(w->e, table);
	leaf = ept_merged_leaf(t);
	if (!leaf || !ept_covers(w, at, level))
		return EPT_STOP;
	if (!__atomic_compare_exchange_n(pte, &old, leaf, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return EPT_STOP; /* the entry changed under us: leave it split */
	for (i = 0; i < EPT_ENTRIES; i++)
		if (ept_read(&t[i]) & EPT_DIRTY)
			ept_update(pte, 0, EPT_DIRTY);
	ept_free(w->e, table);
	ept_count(w->e, 0, -EPT_ENTRIES);
	ept_count(w->e, 1, 1);
	w->pages++;
	return EPT_STOP;
}

int ept_merge_range(struct ept *e, gpa_t gpa, uint64_t size)
{
	return ept_walk_counting(e, gpa, size, ept_merge_visit);
}

/* ---------------------------------------------------------------- whole tree */

int ept_init(struct ept *e, const struct ept_mem_ops *ops)
{
	memset(e, 0, sizeof(*e));
	e->ops = *ops;
	e->root = ept_alloc(e);
	return e->root ? 0 : -ENOMEM;
}

/* Unmap everything (keeping the counters right), freeing each table on the way up. */
void ept_destroy(struct ept *e)
{
	struct ept_walk w = {
		.e = e, .start = 0, .end = EPT_MAX_GPA,
		.visit = ept_unmap_visit, .leave = ept_drop_table,
	};

	if (!e->root)
		return;
	ept_walk(&w);
	ept_free(e, e->root);
	e->root = 0;
}

uint64_t ept_eptp(const struct ept *e, bool ad)
{
	return e->root | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4 | (ad ? EPTP_ENABLE_AD : 0);
}
