/*
 * Pre-copy convergence (see precopy.h). The prediction is the one QEMU
 * makes (migration/ram.c, migration.c "expected_downtime"): what is left
 * over what the link has been carrying.
 */
#include <string.h>

#include "migrate/precopy.h"
#include "migrate/stream.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL

static const char *const reason_names[] = { "", "downtime", "max-rounds", "not-shrinking" };

const char *precopy_reason_name(enum precopy_reason r)
{
	return (unsigned)r <= PRECOPY_NOT_SHRINKING ? reason_names[r] : "unknown";
}

void precopy_params_default(struct precopy_params *p)
{
	p->downtime_limit_ms = PRECOPY_DOWNTIME_DEFAULT_MS;
	p->max_bandwidth_mibps = 0;
	p->max_rounds = PRECOPY_ROUNDS_DEFAULT;
	p->auto_converge = true;
	p->delta = true;
}

void precopy_init(struct precopy *c, const struct precopy_params *p)
{
	memset(c, 0, sizeof(*c));
	c->params = *p;
}

/*
 * a * b / d for rates and times, saturating at UINT64_MAX (the image has
 * no 128-bit division). The whole quotient a / d is exact; the remainder
 * part, when r * b would overflow, is computed with r and d halved
 * together, losing only low bits.
 */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t d)
{
	uint64_t q, r, hi, lo;

	if (!d)
		return UINT64_MAX;
	q = a / d;
	r = a % d;
	if (__builtin_mul_overflow(q, b, &hi))
		return UINT64_MAX;
	while (__builtin_mul_overflow(r, b, &lo)) {
		r >>= 1;
		d >>= 1;
	}
	lo = d ? lo / d : 0;
	return hi + lo < hi ? UINT64_MAX : hi + lo;
}

uint64_t precopy_predict_ns(uint64_t bytes, uint64_t bytes_per_s)
{
	if (!bytes)
		return 0;
	if (!bytes_per_s)
		return UINT64_MAX;
	return muldiv(bytes, NS_PER_S, bytes_per_s);
}

uint64_t precopy_rate(uint64_t bytes, uint64_t ns)
{
	return ns ? muldiv(bytes, NS_PER_S, ns) : 0;
}

uint64_t precopy_budget(uint64_t elapsed_ns, uint32_t max_mibps)
{
	if (!max_mibps)
		return UINT64_MAX;
	return muldiv(elapsed_ns, (uint64_t)max_mibps << 20, NS_PER_S);
}

static enum precopy_step stop(struct precopy *c, enum precopy_reason why)
{
	c->reason = why;
	return PRECOPY_STOP_AND_COPY;
}

/* Track whether rounds still shrink; true once they stalled long enough to act. */
static bool stalled(struct precopy *c, uint64_t dirty)
{
	bool shrank = dirty * 100 <= c->last_dirty * PRECOPY_SHRINK_PCT;

	/* the first pass sends every page: the first round always "shrinks" */
	c->stalls = shrank || c->round == 1 ? 0 : c->stalls + 1;
	c->last_dirty = dirty;
	return c->stalls >= PRECOPY_STALL_ROUNDS;
}

/* Deny the guest a larger share of the CPU; the stall count starts over. */
static void throttle_up(struct precopy *c)
{
	c->throttle_pct = c->throttle_pct ? c->throttle_pct + PRECOPY_THROTTLE_STEP
					  : PRECOPY_THROTTLE_FIRST;
	c->throttle_pct = MIN(c->throttle_pct, (uint32_t)PRECOPY_THROTTLE_MAX);
	c->stalls = 0;
}

enum precopy_step precopy_after_round(struct precopy *c, uint64_t dirty, uint64_t bytes_per_s)
{
	c->expected_ns = precopy_predict_ns(dirty * MSTREAM_PAGE_SIZE, bytes_per_s);
	if (c->expected_ns <= (uint64_t)c->params.downtime_limit_ms * NS_PER_MS)
		return stop(c, PRECOPY_DOWNTIME);
	c->round++;
	if (c->round > c->params.max_rounds)
		return stop(c, PRECOPY_MAX_ROUNDS);
	if (!stalled(c, dirty))
		return PRECOPY_NEXT_ROUND;
	if (!c->params.auto_converge)
		return stop(c, PRECOPY_NOT_SHRINKING);
	throttle_up(c);
	return PRECOPY_NEXT_ROUND;
}
