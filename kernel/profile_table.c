/*
 * Open addressing with linear probing, keyed by a multiplicative hash of
 * the address: instruction addresses cluster, so their low bits alone
 * would pile into neighbouring slots.
 */
#include "kernel/profile_table.h"

#define PROBE_LIMIT 64 /* past this the table counts as full for that address */

static uint32_t slot_of(uint64_t addr)
{
	return (uint32_t)((addr * 0x9e3779b97f4a7c15ULL) >> 52) & (PROFILE_SLOTS - 1);
}

void profile_table_reset(struct profile_table *t)
{
	uint32_t i;

	for (i = 0; i < PROFILE_SLOTS; i++) {
		t->slot[i].addr = 0;
		t->slot[i].count = 0;
	}
	t->used = 0;
	t->samples = 0;
	t->dropped = 0;
}

void profile_table_record(struct profile_table *t, uint64_t addr)
{
	uint32_t i, probe;

	t->samples++;
	if (!addr) {
		t->dropped++;
		return;
	}
	for (probe = 0, i = slot_of(addr); probe < PROBE_LIMIT; probe++, i = (i + 1) & (PROFILE_SLOTS - 1)) {
		struct profile_slot *s = &t->slot[i];

		if (s->addr == addr) {
			if (s->count != UINT32_MAX)
				s->count++;
			return;
		}
		if (!s->addr) {
			s->addr = addr;
			s->count = 1;
			t->used++;
			return;
		}
	}
	t->dropped++;
}

static bool ranks_before(const struct profile_slot *a, const struct profile_slot *b)
{
	return a->count > b->count || (a->count == b->count && a->addr < b->addr);
}

/* Insertion into a short sorted list: max is a screenful, the table is scanned once. */
size_t profile_table_top(const struct profile_table *t, struct profile_slot *out, size_t max)
{
	size_t n = 0, j;
	uint32_t i;

	for (i = 0; i < PROFILE_SLOTS && max; i++) {
		const struct profile_slot *s = &t->slot[i];

		if (!s->addr)
			continue;
		if (n == max && !ranks_before(s, &out[n - 1]))
			continue;
		j = n < max ? n++ : n - 1;
		for (; j > 0 && ranks_before(s, &out[j - 1]); j--)
			out[j] = out[j - 1];
		out[j] = *s;
	}
	return n;
}
