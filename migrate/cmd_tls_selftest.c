/*
 * Hidden command `tls_selftest`: a client and a server session of
 * migrate/tls.c talking through memory inside the image, so the
 * freestanding mbedTLS build, its page-backed allocator and the entropy
 * source are exercised where they will run, and the handshake's cost can
 * be measured on real or emulated hardware. Blocks the console for its
 * duration (milliseconds; longer under Bochs): a test and measuring aid.
 */
#include <string.h>

#include "arch/x86/entropy.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "migrate/tls.h"

#define BULK_BYTES (256 * 1024)
#define ID "hv-selftest"

/* Move ciphertext both ways until neither side has any. */
static void pump(struct mtls *a, struct mtls *b)
{
	static uint8_t buf[4096];
	size_t n, moved;

	do {
		moved = 0;
		while ((n = mtls_take_ciphertext(a, buf, MIN(sizeof(buf), mtls_ciphertext_room(b))))) {
			mtls_put_ciphertext(b, buf, n);
			moved += n;
		}
		while ((n = mtls_take_ciphertext(b, buf, MIN(sizeof(buf), mtls_ciphertext_room(a))))) {
			mtls_put_ciphertext(a, buf, n);
			moved += n;
		}
	} while (moved);
}

/* Send BULK_BYTES from c to s; returns the bytes s read back. */
static size_t bulk(struct mtls *c, struct mtls *s)
{
	static uint8_t chunk[16384];
	size_t sent = 0, got = 0;
	int n;

	memset(chunk, 0x5a, sizeof(chunk));
	while (got < BULK_BYTES && !mtls_error(c) && !mtls_error(s)) {
		n = mtls_write(c, chunk, MIN(sizeof(chunk), BULK_BYTES - sent));
		sent += n > 0 ? (size_t)n : 0;
		pump(c, s);
		while ((n = mtls_read(s, chunk, sizeof(chunk))) > 0)
			got += (size_t)n;
	}
	return got;
}

static void report_pair(struct reply *r, struct mtls *c, struct mtls *s)
{
	uint64_t t0 = clock_ns(), t1;
	size_t got;

	pump(c, s);
	t1 = clock_ns();
	reply_bool(r, "handshake_ok", mtls_handshake_done(c) && mtls_handshake_done(s));
	reply_str(r, "cipher_suite", mtls_cipher_suite(c));
	reply_u64(r, "handshake_us", (t1 - t0) / 1000);
	got = bulk(c, s);
	reply_u64(r, "bulk_bytes", got);
	reply_u64(r, "bulk_kib_s", got * 1000000000ULL / 1024 / MAX(clock_ns() - t1, 1));
}

static void cmd_tls_selftest(struct reply *r, int argc, char **argv)
{
	uint8_t key[32], other[32];
	struct mtls *c = NULL, *s = NULL;
	uint64_t t0 = clock_ns();

	reply_str(r, "entropy", entropy_source_name());
	if (entropy_read(key, sizeof(key)) ||
	    mtls_init_client(&c, key, sizeof(key), ID) || mtls_init_server(&s, key, sizeof(key), ID)) {
		reply_error(r, "cannot set up the sessions (entropy or memory)");
		goto out;
	}
	reply_u64(r, "setup_us", (clock_ns() - t0) / 1000);
	report_pair(r, c, s);
	mtls_free(c);
	mtls_free(s);
	memcpy(other, key, sizeof(key));
	other[0] ^= 1;
	c = s = NULL;
	if (!mtls_init_client(&c, key, sizeof(key), ID) &&
	    !mtls_init_server(&s, other, sizeof(other), ID)) {
		pump(c, s);
		reply_str(r, "wrong_key_server", mtls_error_text(s));
		reply_str(r, "wrong_key_client", mtls_error_text(c));
	}
out:
	mtls_free(c);
	mtls_free(s);
	memset(key, 0, sizeof(key));
	memset(other, 0, sizeof(other));
}

COMMAND(tls_selftest, "", "TLS sessions through memory: handshake cost, refusals (tests)", 0, 0,
	true, cmd_tls_selftest);
