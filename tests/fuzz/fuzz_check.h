/*
 * CHECK for the fuzz targets: a property that must hold whatever the
 * input; a violation prints where and aborts, which libFuzzer reports
 * with the input that caused it.
 */
#ifndef TESTS_FUZZ_FUZZ_CHECK_H
#define TESTS_FUZZ_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                           \
		}                                                          \
	} while (0)

#endif
