/*
 * Pre-copy check of a dirty log (see dirty_verify.h).
 */
#include <string.h>
#include "arch/x86/paging.h"
#include "kernel/dirty_guest.h"
#include "kernel/dirty_verify.h"
#include "lib/fmt.h"
#include "kernel/guest.h"
#include "kernel/physmem.h"

struct dirty_copy {
	hpa_t mem;
	unsigned order;
	struct dirty_verify_result res;
};

static struct dirty_copy copies[GUEST_MAX];

static struct dirty_copy *copy_of(struct guest *g)
{
	return &copies[g - guest_at(0)];
}

int dirty_verify_begin(struct guest *g, char *err, size_t errlen)
{
	struct dirty_copy *c = copy_of(g);

	if (!dirty_guest_log(g)) {
		fmt_snprintf(err, errlen, "guest %s has no dirty log running (dirty start %s)",
			     g->name, g->name);
		return -EINVAL;
	}
	dirty_verify_release(g);
	c->order = palloc_order_for(g->ram_size);
	c->mem = physmem_alloc_pages(c->order);
	if (!c->mem) {
		fmt_snprintf(err, errlen, "not enough memory for a %lu MiB copy of %s",
			     g->ram_size >> 20, g->name);
		return -ENOMEM;
	}
	/* after the log started: whatever changes after this copy is harvested later */
	g->ram.read(g->ram.ctx, 0, phys_to_virt(c->mem), g->ram_size);
	return 0;
}

int64_t dirty_verify_round(struct guest *g)
{
	struct dirty_copy *c = copy_of(g);
	struct dirty_bitmap *dirty;
	uint8_t *buf = phys_to_virt(c->mem);
	int64_t n;
	uint64_t f;

	if (!c->mem)
		return -EINVAL;
	n = dirty_guest_harvest(g, &dirty);
	if (n < 0)
		return n;
	for (f = dirty_bitmap_next(dirty, 0); f < dirty->nframes; f = dirty_bitmap_next(dirty, f + 1))
		g->ram.read(g->ram.ctx, f << PAGE_SHIFT, buf + (f << PAGE_SHIFT), PAGE_SIZE);
	c->res.rounds++;
	c->res.pages_copied += (uint64_t)n;
	return n;
}

static void compare(struct guest *g, struct dirty_copy *c)
{
	static uint8_t page[PAGE_SIZE];
	const uint8_t *buf = phys_to_virt(c->mem);
	gpa_t gpa;

	for (gpa = 0; gpa < g->ram_size; gpa += PAGE_SIZE) {
		g->ram.read(g->ram.ctx, gpa, page, PAGE_SIZE);
		c->res.pages_compared++;
		if (!memcmp(page, buf + gpa, PAGE_SIZE))
			continue;
		if (!c->res.pages_differing++)
			c->res.first_difference = gpa;
	}
}

int dirty_verify_finish(struct guest *g, struct dirty_verify_result *res)
{
	struct dirty_copy *c = copy_of(g);
	bool was_running = g->state == GUEST_RUNNING;
	int64_t n;

	if (!c->mem)
		return -EINVAL;
	guest_pause(g);
	n = dirty_verify_round(g);
	if (n >= 0)
		compare(g, c);
	if (was_running)
		guest_resume(g);
	*res = c->res;
	dirty_verify_release(g);
	return n < 0 ? (int)n : 0;
}

void dirty_verify_release(struct guest *g)
{
	struct dirty_copy *c = copy_of(g);

	if (c->mem)
		physmem_free_pages(c->mem, c->order);
	memset(c, 0, sizeof(*c));
}
