/* Unit tests for lib/memmap.c: kinds, normalization, summaries. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/memmap.h"

#define PG(n) ((uint64_t)(n) << PAGE_SHIFT)

static struct mem_region R(uint64_t page, uint64_t pages, uint32_t kind)
{
	struct mem_region r = { PG(page), pages, kind, 0 };

	return r;
}

/* Compare a normalized map with the expected one, entry by entry. */
static enum greatest_test_res check_map(const struct mem_region *got, int n,
					const struct mem_region *want, int nwant)
{
	int i;

	ASSERT_EQ_FMT(nwant, n, "%d");
	for (i = 0; i < n; i++) {
		ASSERT_EQ_FMT(want[i].base, got[i].base, "0x%" PRIx64);
		ASSERT_EQ_FMT(want[i].pages, got[i].pages, "%" PRIu64);
		ASSERT_EQ_FMT(want[i].kind, got[i].kind, "%u");
	}
	PASS();
}

TEST kind_from_efi_all_types(void)
{
	ASSERT_EQ(MEM_UNUSABLE, memmap_kind_from_efi(EFI_RESERVED_MEMORY));
	ASSERT_EQ(MEM_LOADER, memmap_kind_from_efi(EFI_LOADER_CODE));
	ASSERT_EQ(MEM_LOADER, memmap_kind_from_efi(EFI_LOADER_DATA));
	ASSERT_EQ(MEM_RECLAIMABLE, memmap_kind_from_efi(EFI_BOOT_SERVICES_CODE));
	ASSERT_EQ(MEM_RECLAIMABLE, memmap_kind_from_efi(EFI_BOOT_SERVICES_DATA));
	ASSERT_EQ(MEM_RUNTIME, memmap_kind_from_efi(EFI_RUNTIME_SERVICES_CODE));
	ASSERT_EQ(MEM_RUNTIME, memmap_kind_from_efi(EFI_RUNTIME_SERVICES_DATA));
	ASSERT_EQ(MEM_USABLE, memmap_kind_from_efi(EFI_CONVENTIONAL_MEMORY));
	ASSERT_EQ(MEM_UNUSABLE, memmap_kind_from_efi(EFI_UNUSABLE_MEMORY));
	ASSERT_EQ(MEM_ACPI, memmap_kind_from_efi(EFI_ACPI_RECLAIM_MEMORY));
	ASSERT_EQ(MEM_ACPI_NVS, memmap_kind_from_efi(EFI_ACPI_MEMORY_NVS));
	ASSERT_EQ(MEM_MMIO, memmap_kind_from_efi(EFI_MEMORY_MAPPED_IO));
	ASSERT_EQ(MEM_MMIO, memmap_kind_from_efi(EFI_MEMORY_MAPPED_IO_PORT_SPACE));
	ASSERT_EQ(MEM_UNUSABLE, memmap_kind_from_efi(EFI_PAL_CODE));
	ASSERT_EQ(MEM_UNUSABLE, memmap_kind_from_efi(EFI_PERSISTENT_MEMORY));
	ASSERT_EQ(MEM_UNUSABLE, memmap_kind_from_efi(15));
	ASSERT_EQ(MEM_UNUSABLE, memmap_kind_from_efi(0x80000000u));
	PASS();
}

TEST kind_names(void)
{
	ASSERT_STR_EQ("usable", mem_kind_name(MEM_USABLE));
	ASSERT_STR_EQ("reclaimable", mem_kind_name(MEM_RECLAIMABLE));
	ASSERT_STR_EQ("loader", mem_kind_name(MEM_LOADER));
	ASSERT_STR_EQ("runtime", mem_kind_name(MEM_RUNTIME));
	ASSERT_STR_EQ("acpi", mem_kind_name(MEM_ACPI));
	ASSERT_STR_EQ("acpi-nvs", mem_kind_name(MEM_ACPI_NVS));
	ASSERT_STR_EQ("mmio", mem_kind_name(MEM_MMIO));
	ASSERT_STR_EQ("unusable", mem_kind_name(MEM_UNUSABLE));
	ASSERT_STR_EQ("unknown", mem_kind_name(MEM_KIND_COUNT));
	PASS();
}

TEST normalize_sorts_unsorted_input(void)
{
	struct mem_region r[] = {
		R(300, 10, MEM_MMIO), R(0, 10, MEM_USABLE), R(100, 5, MEM_ACPI),
		R(50, 1, MEM_LOADER),
	};
	struct mem_region want[] = {
		R(0, 10, MEM_USABLE), R(50, 1, MEM_LOADER), R(100, 5, MEM_ACPI),
		R(300, 10, MEM_MMIO),
	};
	int n = memmap_normalize(r, 4, 4);

	CHECK_CALL(check_map(r, n, want, 4));
	PASS();
}

TEST normalize_merges_touching_same_kind_only(void)
{
	struct mem_region r[] = {
		R(10, 10, MEM_USABLE), R(0, 10, MEM_USABLE), R(20, 5, MEM_RECLAIMABLE),
		R(25, 5, MEM_RECLAIMABLE), R(30, 5, MEM_USABLE), R(36, 4, MEM_USABLE),
	};
	struct mem_region want[] = {
		R(0, 20, MEM_USABLE), R(20, 10, MEM_RECLAIMABLE), R(30, 5, MEM_USABLE),
		R(36, 4, MEM_USABLE),
	};
	int n = memmap_normalize(r, 6, 6);

	CHECK_CALL(check_map(r, n, want, 4));
	PASS();
}

TEST normalize_drops_zero_length(void)
{
	struct mem_region r[] = {
		R(5, 0, MEM_MMIO), R(0, 10, MEM_USABLE), R(10, 0, MEM_UNUSABLE),
		R(10, 3, MEM_USABLE),
	};
	struct mem_region want[] = { R(0, 13, MEM_USABLE) };
	int n = memmap_normalize(r, 4, 4);

	CHECK_CALL(check_map(r, n, want, 1));
	ASSERT_EQ(0, memmap_normalize(r, 0, 0));
	r[0] = R(0, 0, MEM_USABLE);
	ASSERT_EQ(0, memmap_normalize(r, 1, 1));
	PASS();
}

TEST normalize_hole_splits_and_needs_room(void)
{
	struct mem_region r[3] = { R(0, 100, MEM_USABLE), R(10, 10, MEM_UNUSABLE) };
	struct mem_region want[] = {
		R(0, 10, MEM_USABLE), R(10, 10, MEM_UNUSABLE), R(20, 80, MEM_USABLE),
	};
	int n;

	ASSERT_EQ(-ENOSPC, memmap_normalize(r, 2, 2));
	r[0] = R(0, 100, MEM_USABLE);
	r[1] = R(10, 10, MEM_UNUSABLE);
	n = memmap_normalize(r, 2, 3);
	CHECK_CALL(check_map(r, n, want, 3));
	PASS();
}

TEST normalize_same_kind_inside_another_needs_no_room(void)
{
	struct mem_region r[2] = { R(0, 100, MEM_USABLE), R(10, 10, MEM_USABLE) };
	struct mem_region want[] = { R(0, 100, MEM_USABLE) };

	/* the inner entry just goes: no hole is cut, so a full map will do */
	CHECK_CALL(check_map(r, memmap_normalize(r, 2, 2), want, 1));
	PASS();
}

TEST normalize_capacity_below_the_count_is_the_count(void)
{
	struct mem_region r[3] = { R(0, 100, MEM_USABLE), R(10, 10, MEM_UNUSABLE),
				   R(50, 0, MEM_USABLE) };
	struct mem_region want[] = {
		R(0, 10, MEM_USABLE), R(10, 10, MEM_UNUSABLE), R(20, 80, MEM_USABLE),
	};

	/* cap 0 means the n entries given; the empty one leaves room for the hole */
	CHECK_CALL(check_map(r, memmap_normalize(r, 3, 0), want, 3));
	PASS();
}

TEST normalize_partial_overlaps(void)
{
	struct mem_region a[] = { R(0, 50, MEM_USABLE), R(30, 50, MEM_LOADER) };
	struct mem_region wa[] = { R(0, 30, MEM_USABLE), R(30, 50, MEM_LOADER) };
	struct mem_region b[] = { R(0, 50, MEM_LOADER), R(30, 50, MEM_USABLE) };
	struct mem_region wb[] = { R(0, 50, MEM_LOADER), R(50, 30, MEM_USABLE) };
	struct mem_region c[] = { R(7, 9, MEM_RUNTIME), R(7, 9, MEM_RECLAIMABLE) };
	struct mem_region wc[] = { R(7, 9, MEM_RUNTIME) };
	struct mem_region d[] = { R(0, 100, MEM_USABLE), R(0, 10, MEM_MMIO) };
	struct mem_region wd[] = { R(0, 10, MEM_MMIO), R(10, 90, MEM_USABLE) };
	struct mem_region e[] = { R(0, 100, MEM_ACPI), R(10, 10, MEM_USABLE) };
	struct mem_region we[] = { R(0, 100, MEM_ACPI) };
	struct mem_region f[] = { R(30, 50, MEM_USABLE), R(0, 50, MEM_USABLE) };
	struct mem_region wf[] = { R(0, 80, MEM_USABLE) };

	CHECK_CALL(check_map(a, memmap_normalize(a, 2, 2), wa, 2));
	CHECK_CALL(check_map(b, memmap_normalize(b, 2, 2), wb, 2));
	CHECK_CALL(check_map(c, memmap_normalize(c, 2, 2), wc, 1));
	CHECK_CALL(check_map(d, memmap_normalize(d, 2, 2), wd, 2));
	CHECK_CALL(check_map(e, memmap_normalize(e, 2, 2), we, 1));
	CHECK_CALL(check_map(f, memmap_normalize(f, 2, 2), wf, 1));
	PASS();
}

TEST normalize_chain_of_overlaps(void)
{
	struct mem_region r[8] = {
		R(90, 20, MEM_UNUSABLE), R(20, 20, MEM_RUNTIME),
		R(0, 100, MEM_USABLE), R(10, 20, MEM_RECLAIMABLE),
	};
	struct mem_region want[] = {
		R(0, 10, MEM_USABLE), R(10, 10, MEM_RECLAIMABLE),
		R(20, 20, MEM_RUNTIME), R(40, 50, MEM_USABLE),
		R(90, 20, MEM_UNUSABLE),
	};
	int n = memmap_normalize(r, 4, 8);

	CHECK_CALL(check_map(r, n, want, 5));
	PASS();
}

TEST normalize_bad_kind_and_top_of_memory(void)
{
	struct mem_region r[] = {
		R(0, 4, 99), { UINT64_MAX - PG(8) + 1, UINT64_MAX, MEM_MMIO, 0 },
	};
	int n = memmap_normalize(r, 2, 2);

	ASSERT_EQ(2, n);
	ASSERT_EQ(MEM_UNUSABLE, r[0].kind);
	ASSERT_EQ(MEM_MMIO, r[1].kind);
	/* Clamped so base + pages * 4K does not wrap past 2^64. */
	ASSERT(r[1].pages <= 8);
	ASSERT(r[1].base + (r[1].pages << PAGE_SHIFT) >= r[1].base);
	PASS();
}

/* Page-by-page model of the map: the most restrictive kind wins. */
#define MODEL_PAGES 256
#define MODEL_NONE 0xff

static void model_build(const struct mem_region *r, size_t n, uint8_t *model)
{
	size_t i;
	uint64_t p;

	memset(model, MODEL_NONE, MODEL_PAGES);
	for (i = 0; i < n; i++)
		for (p = r[i].base >> PAGE_SHIFT; p < (r[i].base >> PAGE_SHIFT) + r[i].pages; p++)
			if (model[p] == MODEL_NONE || model[p] < r[i].kind)
				model[p] = (uint8_t)r[i].kind;
}

TEST normalize_matches_page_model(void)
{
	struct mem_region in[24], r[128];
	uint8_t want[MODEL_PAGES], got[MODEL_PAGES];
	int iter;

	srand(1234);
	for (iter = 0; iter < 5000; iter++) {
		size_t n = (size_t)(rand() % 24), i;
		int out;

		for (i = 0; i < n; i++) {
			uint64_t base = (uint64_t)(rand() % 200);

			in[i] = R(base, (uint64_t)(rand() % 40), (uint32_t)(rand() % MEM_KIND_COUNT));
		}
		memcpy(r, in, n * sizeof(in[0]));
		out = memmap_normalize(r, n, ARRAY_SIZE(r));
		ASSERT(out >= 0);
		model_build(in, n, want);
		model_build(r, (size_t)out, got);
		ASSERT_MEM_EQ(want, got, MODEL_PAGES);
		for (i = 0; i < (size_t)out; i++) {
			ASSERT(r[i].pages > 0);
			if (i == 0)
				continue;
			ASSERT(r[i - 1].base + PG(r[i - 1].pages) <= r[i].base);
			ASSERT(!(r[i - 1].kind == r[i].kind &&
				 r[i - 1].base + PG(r[i - 1].pages) == r[i].base));
		}
	}
	PASS();
}

/* With a tight capacity the result is either -ENOSPC or still right. */
TEST normalize_respects_capacity(void)
{
	struct mem_region in[16];
	uint8_t want[MODEL_PAGES], got[MODEL_PAGES];
	int iter, fits = 0, nospace = 0;

	srand(99);
	for (iter = 0; iter < 5000; iter++) {
		size_t n = 1 + (size_t)(rand() % 16), cap = n + (size_t)(rand() % 3), i;
		struct mem_region *r = malloc(cap * sizeof(*r));
		int out;

		ASSERT(r);
		for (i = 0; i < n; i++)
			in[i] = R((uint64_t)(rand() % 200), (uint64_t)(rand() % 50),
				  (uint32_t)(rand() % MEM_KIND_COUNT));
		memcpy(r, in, n * sizeof(in[0]));
		out = memmap_normalize(r, n, cap);
		if (out == -ENOSPC) {
			nospace++;
		} else {
			ASSERT(out >= 0 && (size_t)out <= cap);
			model_build(in, n, want);
			model_build(r, (size_t)out, got);
			ASSERT_MEM_EQ(want, got, MODEL_PAGES);
			fits++;
		}
		free(r);
	}
	ASSERT(fits > 0 && nospace > 0);
	PASS();
}

TEST summarize_counts_and_tops(void)
{
	struct mem_region r[] = {
		R(0, 10, MEM_USABLE), R(10, 5, MEM_RECLAIMABLE), R(20, 3, MEM_USABLE),
		R(100, 7, MEM_MMIO), R(30, 2, MEM_ACPI), R(40, 1, 77),
	};
	struct memmap_summary s;

	memmap_summarize(r, ARRAY_SIZE(r), &s);
	ASSERT_EQ(13, s.pages[MEM_USABLE]);
	ASSERT_EQ(5, s.pages[MEM_RECLAIMABLE]);
	ASSERT_EQ(7, s.pages[MEM_MMIO]);
	ASSERT_EQ(2, s.pages[MEM_ACPI]);
	ASSERT_EQ(1, s.pages[MEM_UNUSABLE]);
	ASSERT_EQ(0, s.pages[MEM_LOADER]);
	ASSERT_EQ(PG(107), s.top);
	ASSERT_EQ(PG(23), s.top_usable);

	memmap_summarize(r, 0, &s);
	ASSERT_EQ(0, s.top);
	ASSERT_EQ(0, s.pages[MEM_USABLE]);
	PASS();
}

TEST summarize_reclaimable_counts_as_usable_top(void)
{
	struct mem_region r[] = { R(0, 10, MEM_USABLE), R(50, 10, MEM_RECLAIMABLE),
				  R(70, 1, MEM_RUNTIME) };
	struct memmap_summary s;

	memmap_summarize(r, ARRAY_SIZE(r), &s);
	ASSERT_EQ(PG(60), s.top_usable);
	ASSERT_EQ(PG(71), s.top);
	PASS();
}

SUITE(memmap)
{
	SHUFFLED_TESTS({
		RUN_TEST(kind_from_efi_all_types);
		RUN_TEST(kind_names);
		RUN_TEST(normalize_sorts_unsorted_input);
		RUN_TEST(normalize_merges_touching_same_kind_only);
		RUN_TEST(normalize_drops_zero_length);
		RUN_TEST(normalize_hole_splits_and_needs_room);
		RUN_TEST(normalize_same_kind_inside_another_needs_no_room);
		RUN_TEST(normalize_capacity_below_the_count_is_the_count);
		RUN_TEST(normalize_partial_overlaps);
		RUN_TEST(normalize_chain_of_overlaps);
		RUN_TEST(normalize_bad_kind_and_top_of_memory);
		RUN_TEST(normalize_matches_page_model);
		RUN_TEST(normalize_respects_capacity);
		RUN_TEST(summarize_counts_and_tops);
		RUN_TEST(summarize_reclaimable_counts_as_usable_top);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(memmap);
	});
	GREATEST_MAIN_END();
}
