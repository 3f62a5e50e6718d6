/*
 * Two migrate/tls.c sessions joined through memory, for the TLS tests:
 * what each side sends is recorded, so a test can look for plaintext in
 * it, replay it, or tamper with it.
 */
#ifndef TESTS_UNIT_TLS_PIPE_H
#define TESTS_UNIT_TLS_PIPE_H

#include <string.h>

#include "lib/types.h"
#include "migrate/tls.h"

#define WIRE_MAX (1 << 20)

struct wire {
	uint8_t buf[WIRE_MAX];
	size_t len;
};

/* Move what from has for to (at most what to can take), recording it in w. */
static inline size_t wire_move(struct mtls *from, struct mtls *to, struct wire *w)
{
	uint8_t chunk[4096];
	size_t total = 0, n;

	for (;;) {
		n = MIN(sizeof(chunk), mtls_ciphertext_room(to));
		n = n ? mtls_take_ciphertext(from, chunk, n) : 0;
		if (!n)
			return total;
		if (w->len + n <= WIRE_MAX) {
			memcpy(w->buf + w->len, chunk, n);
			w->len += n;
		}
		mtls_put_ciphertext(to, chunk, n);
		total += n;
	}
}

/* Both ways until nothing moves. */
static inline void wire_pump(struct mtls *c, struct mtls *s, struct wire *c2s, struct wire *s2c)
{
	while (wire_move(c, s, c2s) + wire_move(s, c, s2c))
		;
}

/* Whether needle occurs in w. */
static inline bool wire_holds(const struct wire *w, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= w->len; i++)
		if (!memcmp(w->buf + i, needle, n))
			return true;
	return false;
}

#endif
