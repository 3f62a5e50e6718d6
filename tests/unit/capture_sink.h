/* A reply sink for tests: everything written, NUL-terminated, and the write count. */
#ifndef TESTS_UNIT_CAPTURE_SINK_H
#define TESTS_UNIT_CAPTURE_SINK_H

#include <string.h>
#include "lib/reply.h"

struct capture {
	char out[3 * REPLY_BUF_SIZE];
	size_t len;
	int writes;
};

static void capture_write(void *ctx, const char *s, size_t n)
{
	struct capture *c = ctx;

	if (n > sizeof(c->out) - 1 - c->len)
		n = sizeof(c->out) - 1 - c->len;
	memcpy(c->out + c->len, s, n);
	c->len += n;
	c->out[c->len] = '\0';
	c->writes++;
}

#endif
