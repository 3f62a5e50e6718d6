/*
 * Dirty logging: the interface over the back-ends of
 * arch/x86/dirty_backend.h. Pure: see dirty_log.h.
 */
#include <string.h>

#include "arch/x86/dirty_backend.h"
#include "arch/x86/pml.h"
#include "kernel/dirty_log.h"

static const char *const mode_names[DIRTY_MODE_COUNT] = { "ad", "pml", "wp" };

static const struct dirty_backend *const backends[DIRTY_MODE_COUNT] = {
	[DIRTY_MODE_AD] = &dirty_backend_ad,
	[DIRTY_MODE_PML] = &dirty_backend_pml,
	[DIRTY_MODE_WP] = &dirty_backend_wp,
};

void dirty_log_init(struct dirty_log *l, struct ept *ept, uint64_t ram_size,
		    uint64_t *pending_words, const struct dirty_hw_ops *hw)
{
	memset(l, 0, sizeof(*l));
	l->ept = ept;
	l->ram_size = ram_size;
	l->hw = *hw;
	dirty_bitmap_init(&l->pending, pending_words, ram_size >> PAGE_SHIFT);
}

const char *dirty_mode_name(enum dirty_mode m)
{
	return m < DIRTY_MODE_COUNT ? mode_names[m] : "unknown";
}

int dirty_mode_parse(const char *s, enum dirty_mode *m)
{
	unsigned i;

	for (i = 0; i < DIRTY_MODE_COUNT; i++) {
		if (!strcmp(s, mode_names[i])) {
			*m = (enum dirty_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool dirty_mode_supported(const struct dirty_caps *c, enum dirty_mode m, const char **why)
{
	const char *no = NULL;

	if (m == DIRTY_MODE_AD && !c->ept_ad)
		no = "the CPU has no EPT accessed/dirty flags";
	else if (m == DIRTY_MODE_PML && !c->ept_ad)
		no = "PML needs EPT accessed/dirty flags, which the CPU lacks";
	else if (m == DIRTY_MODE_PML && !c->pml)
		no = "the CPU has no page-modification logging";
	else if (m >= DIRTY_MODE_COUNT)
		no = "unknown back-end";
	if (why)
		*why = no;
	return !no;
}

enum dirty_mode dirty_mode_choose(const struct dirty_caps *c)
{
	if (dirty_mode_supported(c, DIRTY_MODE_PML, NULL))
		return DIRTY_MODE_PML;
	return c->ept_ad ? DIRTY_MODE_AD : DIRTY_MODE_WP;
}

int dirty_log_start(struct dirty_log *l, enum dirty_mode m)
{
	int err;

	if (l->active)
		return -EBUSY;
	if (m >= DIRTY_MODE_COUNT)
		return -EINVAL;
	dirty_bitmap_clear_all(&l->pending);
	err = backends[m]->start(l);
	l->hw.invept(l->hw.ctx);
	if (err)
		return err;
	l->mode = m;
	l->active = true;
	return 0;
}

int64_t dirty_log_harvest(struct dirty_log *l, struct dirty_bitmap *out)
{
	uint64_t n;

	if (!l->active)
		return -EINVAL;
	if (backends[l->mode]->collect(l))
		return -EINVAL;
	/* the re-armed pages take effect only once cached translations are gone */
	l->hw.invept(l->hw.ctx);
	n = dirty_bitmap_count(&l->pending);
	dirty_bitmap_move(out, &l->pending);
	l->stats.harvests++;
	l->stats.pages_last = n;
	l->stats.pages_total += n;
	return (int64_t)n;
}

int dirty_log_stop(struct dirty_log *l)
{
	if (!l->active)
		return -EINVAL;
	backends[l->mode]->stop(l);
	l->hw.invept(l->hw.ctx);
	dirty_bitmap_clear_all(&l->pending);
	l->active = false;
	return 0;
}

int dirty_log_switch(struct dirty_log *l, enum dirty_mode m, struct dirty_bitmap *out)
{
	int64_t n = dirty_log_harvest(l, out);

	if (n < 0)
		return (int)n;
	dirty_log_stop(l);
	return dirty_log_start(l, m);
}

void dirty_log_mark(struct dirty_log *l, gpa_t gpa, uint64_t len)
{
	if (!l->active)
		return;
	dirty_bitmap_set_range(&l->pending, gpa, len);
	l->stats.host_writes++;
}

void dirty_log_pml_drained(struct dirty_log *l, const uint64_t *log, uint16_t idx, bool full)
{
	l->stats.pml_entries += pml_drain(log, idx, &l->pending);
	if (full)
		l->stats.pml_full_exits++;
}

bool dirty_log_write_fault(struct dirty_log *l, gpa_t gpa)
{
	if (!l->active || l->mode != DIRTY_MODE_WP || gpa >= l->ram_size)
		return false;
	gpa &= PAGE_MASK;
	if (ept_protect_range(l->ept, gpa, PAGE_SIZE, EPT_RWX))
		return false;
	dirty_bitmap_set(&l->pending, gpa >> PAGE_SHIFT);
	l->stats.wp_exits++;
	return true;
}
