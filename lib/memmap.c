/*
 * The physical memory map: folding UEFI types into kinds and making the
 * map sorted, non-overlapping and minimal. Pure.
 *
 * Firmware maps are usually clean, but the spec does not promise sorted
 * descriptors and buggy firmware has shipped overlapping ones, so the map
 * is normalized before anything is handed to the page allocator. Maps hold
 * at most a few hundred entries: quadratic passes are fine and keep the
 * code free of scratch memory.
 */
#include <string.h>

#include "lib/memmap.h"

enum mem_kind memmap_kind_from_efi(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_CONVENTIONAL_MEMORY:
		return MEM_USABLE;
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return MEM_RECLAIMABLE;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
		return MEM_LOADER;
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
		return MEM_RUNTIME;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MEM_ACPI;
	case EFI_ACPI_MEMORY_NVS:
		return MEM_ACPI_NVS;
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		return MEM_MMIO;
	default:
		/* Types added after UEFI 2.10 (e.g. unaccepted) stay untouched. */
		return MEM_UNUSABLE;
	}
}

const char *mem_kind_name(enum mem_kind kind)
{
	static const char *const names[MEM_KIND_COUNT] = {
		[MEM_USABLE] = "usable",     [MEM_RECLAIMABLE] = "reclaimable",
		[MEM_LOADER] = "loader",     [MEM_RUNTIME] = "runtime",
		[MEM_ACPI] = "acpi",         [MEM_ACPI_NVS] = "acpi-nvs",
		[MEM_MMIO] = "mmio",         [MEM_UNUSABLE] = "unusable",
	};

	if ((unsigned)kind >= MEM_KIND_COUNT)
		return "unknown";
	return names[kind];
}

/* End address; saturates so a bogus entry cannot wrap around. */
static uint64_t region_end(const struct mem_region *r)
{
	uint64_t max_pages = (UINT64_MAX - r->base) >> PAGE_SHIFT;

	return r->base + (MIN(r->pages, max_pages) << PAGE_SHIFT);
}

static void region_remove(struct mem_region *r, size_t *n, size_t i)
{
	memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
	(*n)--;
}

/* Insert x at its place by base among r[from..n); room must exist. */
static void region_insert(struct mem_region *r, size_t *n, size_t from,
			  const struct mem_region *x)
{
	size_t j = from;

	while (j < *n && r[j].base <= x->base)
		j++;
	memmove(&r[j + 1], &r[j], (*n - j) * sizeof(*r));
	r[j] = *x;
	(*n)++;
}

/*
 * Make every entry well formed: known kind, page-aligned base, an end
 * that does not wrap, and no empty entries. Returns the new count.
 */
static size_t memmap_sanitize(struct mem_region *r, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		struct mem_region x = r[i];
		uint64_t max_pages;

		if (x.kind >= MEM_KIND_COUNT)
			x.kind = MEM_UNUSABLE;
		x.base = ALIGN_DOWN(x.base, PAGE_SIZE);
		max_pages = (UINT64_MAX - x.base) >> PAGE_SHIFT;
		if (x.pages > max_pages)
			x.pages = max_pages;
		if (x.pages)
			r[out++] = x;
	}
	return out;
}

static void memmap_sort(struct mem_region *r, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct mem_region x = r[i];

		for (j = i; j > 0 && r[j - 1].base > x.base; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/*
 * Resolve overlaps in a sorted map. Invariant: no entry before i overlaps
 * anything after it, and the map stays sorted by base. The only step that
 * grows the map is cutting a hole into a less restrictive entry.
 */
static int memmap_resolve(struct mem_region *r, size_t *n, size_t cap)
{
	size_t i = 0;

	while (i + 1 < *n) {
		struct mem_region *a = &r[i], *b = &r[i + 1];
		uint64_t end_a = region_end(a), end_b = region_end(b), head;
		struct mem_region rest;

		if (b->base >= end_a) {
			i++;
			continue;
		}
		if (a->kind >= b->kind) {
			/* b loses the overlap; what sticks out moves on. */
			rest = *b;
			region_remove(r, n, i + 1);
			if (end_b > end_a) {
				rest.base = end_a;
				rest.pages = (end_b - end_a) >> PAGE_SHIFT;
				region_insert(r, n, i + 1, &rest);
			}
			continue;
		}
		/* a loses the overlap: keep its head, re-queue its tail. */
		head = (b->base - a->base) >> PAGE_SHIFT;
		if (end_a > end_b) {
			rest = *a;
			rest.base = end_b;
			rest.pages = (end_a - end_b) >> PAGE_SHIFT;
			if (head == 0) {
				/* The tail takes a's place: no room needed. */
				region_remove(r, n, i);
				region_insert(r, n, i, &rest);
				continue;
			}
			if (*n >= cap)
				return -ENOSPC;
			region_insert(r, n, i + 2, &rest);
		}
		a->pages = head;
		if (head == 0)
			region_remove(r, n, i);
		else
			i++;
	}
	return 0;
}

static size_t memmap_merge(struct mem_region *r, size_t n)
{
	size_t i, out = 0;

	for (i = 1; i < n; i++) {
		if (r[i].kind == r[out].kind && region_end(&r[out]) == r[i].base)
			r[out].pages += r[i].pages;
		else
			r[++out] = r[i];
	}
	return n ? out + 1 : 0;
}

int memmap_normalize(struct mem_region *r, size_t n, size_t cap)
{
	int err;

	if (cap < n)
		cap = n;
	n = memmap_sanitize(r, n);
	memmap_sort(r, n);
	err = memmap_resolve(r, &n, cap);
	if (err)
		return err;
	n = memmap_merge(r, n);
	return (int)n;
}

void memmap_summarize(const struct mem_region *r, size_t n, struct memmap_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		uint32_t kind = r[i].kind < MEM_KIND_COUNT ? r[i].kind : MEM_UNUSABLE;
		uint64_t end = region_end(&r[i]);

		s->pages[kind] += r[i].pages;
		if (end > s->top)
			s->top = end;
		if ((kind == MEM_USABLE || kind == MEM_RECLAIMABLE) && end > s->top_usable)
			s->top_usable = end;
	}
}
