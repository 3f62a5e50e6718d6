/*
 * Snapshots in host memory. The state goes through the same encoder and
 * decoder migration uses, so every snapshot exercises the record format;
 * RAM is copied in 2 MiB blocks through the guest's RAM accessors, so a
 * restore is seen by whatever watches writes to guest memory (dirty logs).
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "kernel/snapshot.h"

#define BLOCK GUEST_CHUNK
#define BLOCK_ORDER 9 /* 2^9 pages = 2 MiB */
#define BLOCKS_MAX (GUEST_MEM_MAX_MIB / 2)

struct snapshot {
	bool used;
	char name[GUEST_NAME_MAX];
	uint8_t record[GUEST_STATE_ENCODED_MAX];
	uint32_t record_len;
	hpa_t block_table; /* page(s) holding blocks[] */
	unsigned block_table_order;
	hpa_t *blocks;
	uint32_t nblocks;
	uint64_t ram_bytes, guest_tsc;
};

static struct snapshot snaps[GUEST_MAX];
static struct guest_state scratch; /* one operation at a time (main loop) */

static struct snapshot *find(const char *name)
{
	int i;

	for (i = 0; i < GUEST_MAX; i++)
		if (snaps[i].used && !strcmp(snaps[i].name, name))
			return &snaps[i];
	return NULL;
}

static struct snapshot *find_free(void)
{
	int i;

	for (i = 0; i < GUEST_MAX; i++)
		if (!snaps[i].used)
			return &snaps[i];
	return NULL;
}

static void free_blocks(struct snapshot *s)
{
	uint32_t i;

	for (i = 0; s->blocks && i < s->nblocks; i++)
		if (s->blocks[i])
			physmem_free_pages(s->blocks[i], BLOCK_ORDER);
	if (s->block_table)
		physmem_free_pages(s->block_table, s->block_table_order);
	s->blocks = NULL;
	s->block_table = 0;
	s->nblocks = 0;
}

static int alloc_blocks(struct snapshot *s, uint64_t ram_bytes)
{
	uint32_t i, n = (uint32_t)DIV_ROUND_UP(ram_bytes, BLOCK);

	s->block_table_order = palloc_order_for(n * sizeof(hpa_t));
	s->block_table = physmem_alloc_pages(s->block_table_order);
	if (!s->block_table)
		return -ENOMEM;
	s->blocks = phys_to_virt(s->block_table);
	memset(s->blocks, 0, n * sizeof(hpa_t));
	s->nblocks = n;
	for (i = 0; i < n; i++) {
		s->blocks[i] = physmem_alloc_pages(BLOCK_ORDER);
		if (!s->blocks[i])
			return -ENOMEM;
	}
	s->ram_bytes = ram_bytes;
	return 0;
}

/* Copy all of RAM between the guest and the snapshot's blocks. */
static int copy_ram(struct snapshot *s, struct guest *g, bool to_guest)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; !rc && i < s->nblocks; i++) {
		void *host = phys_to_virt(s->blocks[i]);
		gpa_t gpa = (gpa_t)i * BLOCK;
		size_t n = MIN(BLOCK, s->ram_bytes - gpa);

		rc = to_guest ? g->ram.write(g->ram.ctx, gpa, host, n)
			      : g->ram.read(g->ram.ctx, gpa, host, n);
	}
	return rc;
}

static void fill_info(const struct snapshot *s, struct snapshot_info *info, uint64_t t0)
{
	info->guest_tsc = s->guest_tsc;
	info->ram_bytes = s->ram_bytes;
	info->record_bytes = s->record_len;
	info->elapsed_tsc = rdtsc() - t0;
}

static int nomem(char *err, size_t errlen, uint64_t bytes)
{
	fmt_snprintf(err, errlen, "not enough memory for a %lu MiB snapshot (%lu MiB free)",
		     (unsigned long)(bytes >> 20),
		     (unsigned long)(physmem_allocator()->free_pages >> 8));
	return -ENOMEM;
}

int snapshot_take(struct guest *g, struct snapshot_info *info, char *err, size_t errlen)
{
	struct snapshot fresh = { .used = true }, *slot = find(g->name);
	uint64_t t0 = rdtsc();
	int n;

	if (g->state == GUEST_STOPPED) {
		fmt_snprintf(err, errlen, "guest '%s' is stopped: nothing to snapshot", g->name);
		return -EINVAL;
	}
	if (!slot)
		slot = find_free();
	if (!slot) {
		fmt_snprintf(err, errlen, "%d snapshots kept already: drop one (guest snapshot-drop NAME)",
			     GUEST_MAX);
		return -ENOSPC;
	}
	if (guest_save_state(g, &scratch)) {
		fmt_snprintf(err, errlen, "cannot read the state of guest '%s'", g->name);
		return -EIO;
	}
	n = guest_state_encode(&scratch, fresh.record, sizeof(fresh.record));
	if (n < 0) {
		fmt_snprintf(err, errlen, "state record does not fit %d bytes", GUEST_STATE_ENCODED_MAX);
		return -EIO;
	}
	fresh.record_len = (uint32_t)n;
	fresh.guest_tsc = scratch.cpu.tsc;
	memcpy(fresh.name, g->name, sizeof(fresh.name));
	if (alloc_blocks(&fresh, g->ram_size)) {
		free_blocks(&fresh);
		return nomem(err, errlen, g->ram_size);
	}
	copy_ram(&fresh, g, false);
	if (slot->used)
		free_blocks(slot);
	*slot = fresh;
	fill_info(slot, info, t0);
	log_info("guest %s: snapshot taken (%lu MiB RAM, %u-byte record)", g->name,
		 (unsigned long)(g->ram_size >> 20), slot->record_len);
	return 0;
}

/* The snapshot called name, decoded into scratch. */
static struct snapshot *open_snapshot(const char *name, char *err, size_t errlen)
{
	struct snapshot *s = find(name);
	char why[96];

	if (!s) {
		fmt_snprintf(err, errlen, "no snapshot of guest '%s' (take one: guest snapshot %s)",
			     name, name);
		return NULL;
	}
	if (guest_state_decode(s->record, s->record_len, &scratch, why, sizeof(why))) {
		fmt_snprintf(err, errlen, "snapshot of '%s' is unusable: %s", name, why);
		return NULL;
	}
	return s;
}

/* A new running guest from snapshot s, whose decoded state is in scratch. */
static struct guest *start_from(struct snapshot *s, char *err, size_t errlen)
{
	struct guest *g = guest_alloc(&scratch.config, err, errlen);

	if (!g)
		return NULL;
	if (guest_load_state(g, &scratch, err, errlen) || copy_ram(s, g, true)) {
		guest_free(g);
		return NULL;
	}
	g->state = GUEST_RUNNING;
	return g;
}

int snapshot_restore(const char *name, struct snapshot_info *info, char *err, size_t errlen)
{
	uint64_t t0 = rdtsc();
	struct snapshot *s = open_snapshot(name, err, errlen);
	struct guest *g = guest_find(name);

	if (!s)
		return -ENOENT;
	if (!g || g->state == GUEST_STOPPED) {
		if (!start_from(s, err, errlen))
			return -ENOMEM;
	} else if (g->ram_size != scratch.ram_size) {
		fmt_snprintf(err, errlen, "guest '%s' has %lu MiB, its snapshot %lu MiB: stop it first",
			     name, (unsigned long)(g->ram_size >> 20),
			     (unsigned long)(scratch.ram_size >> 20));
		return -EINVAL;
	} else if (guest_load_state(g, &scratch, err, errlen) || copy_ram(s, g, true)) {
		guest_stop(g, "restore from snapshot failed");
		return -EIO;
	}
	fill_info(s, info, t0);
	log_info("guest %s: restored from its snapshot", name);
	return 0;
}

struct guest *snapshot_clone(const char *name, const char *new_name, struct snapshot_info *info,
			     char *err, size_t errlen)
{
	uint64_t t0 = rdtsc();
	struct snapshot *s;
	struct guest *g;

	if (!guest_spec_name_valid(new_name)) {
		fmt_snprintf(err, errlen, "bad guest name '%s' (1-%d letters, digits, '-', '_', '.')",
			     new_name, GUEST_NAME_MAX - 1);
		return NULL;
	}
	s = open_snapshot(name, err, errlen);
	if (!s)
		return NULL;
	memset(scratch.config.name, 0, sizeof(scratch.config.name));
	memcpy(scratch.config.name, new_name, strlen(new_name));
	g = start_from(s, err, errlen);
	if (!g)
		return NULL;
	fill_info(s, info, t0);
	log_info("guest %s: cloned from the snapshot of %s", new_name, name);
	return g;
}

int snapshot_drop(const char *name)
{
	struct snapshot *s = find(name);

	if (!s)
		return -ENOENT;
	free_blocks(s);
	s->used = false;
	return 0;
}

const char *snapshot_name_at(int i, struct snapshot_info *info)
{
	if (i < 0 || i >= GUEST_MAX || !snaps[i].used)
		return NULL;
	fill_info(&snaps[i], info, rdtsc());
	info->elapsed_tsc = 0;
	return snaps[i].name;
}
