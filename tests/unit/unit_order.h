/*
 * Order of the unit tests: source order, or shuffled when the environment
 * holds UNIT_SEED=N (N > 0). scripts/run-unit.sh picks a seed per run and
 * prints it, so a failing order replays with UNIT_SEED=N build/unit/test_x.
 * A test must pass alone (-e -t NAME), shuffled and in source order.
 */
#ifndef TESTS_UNIT_UNIT_ORDER_H
#define TESTS_UNIT_UNIT_ORDER_H

#include <stdlib.h>

#include "greatest.h"

/* The shuffle seed from UNIT_SEED, 0 for source order. */
static inline unsigned long unit_seed(void)
{
	const char *s = getenv("UNIT_SEED");

	return s ? strtoul(s, NULL, 0) : 0;
}

/* Run the RUN_TEST / RUN_SUITE calls of BODY in the seed's order
 * (ID 0: suites, 1: tests; greatest evaluates BODY once per test). */
#define UNIT_SHUFFLED(ID, BODY)						\
	do {								\
		unsigned long unit_seed_ = unit_seed();			\
		if (unit_seed_)						\
			GREATEST_SHUFFLE(ID, unit_seed_, BODY);		\
		else							\
			BODY;						\
	} while (0)
#define SHUFFLED_SUITES(BODY) UNIT_SHUFFLED(0, BODY)
#define SHUFFLED_TESTS(BODY) UNIT_SHUFFLED(1, BODY)

#endif
