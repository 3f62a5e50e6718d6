/*
 * Dirty logs of the running guests (see dirty_guest.h). The logic is in
 * kernel/dirty_log.c; this file owns the memory and the timing.
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/dirty_vmx.h"
#include "arch/x86/paging.h"
#include "kernel/clock.h"
#include "kernel/dirty_guest.h"
#include "kernel/dirty_verify.h"
#include "lib/fmt.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/physmem.h"

struct dirty_guest {
	struct dirty_log log;
	hpa_t words;          /* pending bitmap, then the scratch bitmap */
	unsigned words_order;
	struct dirty_bitmap scratch;
	struct dirty_guest_stats stats;
};

static struct dirty_guest slots[GUEST_MAX];

static struct dirty_guest *slot_of(struct guest *g)
{
	return &slots[g - guest_at(0)];
}

struct dirty_log *dirty_guest_log(struct guest *g)
{
	struct dirty_guest *d = slot_of(g);

	return d->log.active ? &d->log : NULL;
}

static void free_words(struct dirty_guest *d)
{
	if (d->words)
		physmem_free_pages(d->words, d->words_order);
	d->words = 0;
}

/* Two bitmaps of the guest's frames in one block: pending and scratch. */
static int alloc_words(struct dirty_guest *d, struct guest *g, uint64_t **pending)
{
	uint64_t nframes = g->ram_size >> PAGE_SHIFT, nwords = dirty_bitmap_words(nframes);
	uint64_t *w;

	d->words_order = palloc_order_for(2 * nwords * sizeof(uint64_t));
	d->words = physmem_alloc_pages(d->words_order);
	if (!d->words)
		return -ENOMEM;
	w = phys_to_virt(d->words);
	*pending = w;
	dirty_bitmap_init(&d->scratch, w + nwords, nframes);
	return 0;
}

static int check_start(struct guest *g, enum dirty_mode m, char *err, size_t errlen)
{
	struct dirty_caps caps;
	const char *why;

	if (g->state == GUEST_STOPPED) {
		fmt_snprintf(err, errlen, "guest %s is stopped", g->name);
		return -EINVAL;
	}
	if (slot_of(g)->log.active) {
		fmt_snprintf(err, errlen, "guest %s already has a dirty log (%s) running", g->name,
			     dirty_mode_name(slot_of(g)->log.mode));
		return -EBUSY;
	}
	dirty_vmx_caps(&caps);
	if (!dirty_mode_supported(&caps, m, &why)) {
		fmt_snprintf(err, errlen, "back-end %s: %s", dirty_mode_name(m), why);
		return -EOPNOTSUPP;
	}
	return 0;
}

int dirty_guest_start(struct guest *g, enum dirty_mode m, char *err, size_t errlen)
{
	struct dirty_guest *d = slot_of(g);
	struct dirty_hw_ops hw;
	uint64_t *pending;
	int ret = check_start(g, m, err, errlen);

	if (ret)
		return ret;
	if (alloc_words(d, g, &pending)) {
		fmt_snprintf(err, errlen, "not enough memory for the dirty bitmaps of %s", g->name);
		return -ENOMEM;
	}
	dirty_vmx_hw_ops(&g->vcpu, &hw);
	dirty_log_init(&d->log, &g->ept, g->ram_size, pending, &hw);
	ret = dirty_log_start(&d->log, m);
	if (ret) {
		free_words(d);
		fmt_snprintf(err, errlen, "cannot start the %s log of %s: out of EPT table memory",
			     dirty_mode_name(m), g->name);
		return ret;
	}
	memset(&d->stats, 0, sizeof(d->stats));
	d->stats.started_ns = clock_ns();
	log_info("guest %s: dirty log started (%s)", g->name, dirty_mode_name(m));
	return 0;
}

int64_t dirty_guest_harvest(struct guest *g, struct dirty_bitmap **out)
{
	struct dirty_guest *d = slot_of(g);
	uint64_t t0 = clock_ns(), c0 = rdtsc(), ns;
	int64_t n;

	if (!d->log.active)
		return -EINVAL;
	dirty_bitmap_clear_all(&d->scratch);
	n = dirty_log_harvest(&d->log, &d->scratch);
	d->stats.harvest_cycles_last = rdtsc() - c0;
	ns = clock_ns() - t0;
	d->stats.harvest_ns_last = ns;
	d->stats.harvest_ns_total += ns;
	d->stats.harvest_ns_max = MAX(d->stats.harvest_ns_max, ns);
	*out = &d->scratch;
	return n;
}

int dirty_guest_stop(struct guest *g)
{
	struct dirty_guest *d = slot_of(g);
	int ret = dirty_log_stop(&d->log);

	if (ret)
		return ret;
	free_words(d);
	dirty_verify_release(g);
	log_info("guest %s: dirty log stopped", g->name);
	return 0;
}

const struct dirty_guest_stats *dirty_guest_stats(struct guest *g)
{
	return &slot_of(g)->stats;
}

void dirty_guest_mark(struct guest *g, gpa_t gpa, uint64_t len)
{
	struct dirty_guest *d = slot_of(g);

	if (d->log.active)
		dirty_log_mark(&d->log, gpa, len);
}

/* Any violation on RAM while write-protected is the log's: RAM pages are then R+X. */
bool dirty_guest_write_fault(struct guest *g, gpa_t gpa)
{
	return dirty_log_write_fault(&slot_of(g)->log, gpa);
}

void dirty_guest_release(struct guest *g)
{
	struct dirty_guest *d = slot_of(g);

	d->log.active = false;
	free_words(d);
	dirty_verify_release(g);
	dirty_vmx_release(&g->vcpu);
}
