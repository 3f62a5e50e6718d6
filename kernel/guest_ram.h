/*
 * Access to a guest's RAM for loaders and device models, independent of
 * how the RAM is backed (host pages behind EPT, or a test's buffer).
 */
#ifndef KERNEL_GUEST_RAM_H
#define KERNEL_GUEST_RAM_H

#include "lib/types.h"

struct guest_ram {
	/* copy n bytes to guest-physical gpa; -EINVAL when outside RAM */
	int (*write)(void *ctx, gpa_t gpa, const void *src, size_t n);
	/* copy n bytes from guest-physical gpa; -EINVAL when outside RAM */
	int (*read)(void *ctx, gpa_t gpa, void *dst, size_t n);
	void *ctx;
	uint64_t size; /* RAM spans [0, size) */
};

#endif
