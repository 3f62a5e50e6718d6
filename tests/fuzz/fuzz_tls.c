/*
 * libFuzzer target: migrate/tls.c meeting hostile ciphertext, as a
 * destination's server session would from anyone who reaches its port,
 * and as a source's client session would after its hello.
 *
 * Without the key no input can complete a handshake, so neither session
 * may ever report one done; any error must come with words; and the
 * session must keep refusing after its first error. The input is fed in
 * chunks whose sizes come from the input itself, then the stream ends.
 */
#include <string.h>

#include "migrate/tls.h"
#include "tests/fuzz/fuzz_check.h"

static const uint8_t key[32] = { 0x42, 0x17 };

static void feed(struct mtls *t, const uint8_t *data, size_t size)
{
	uint8_t out[4096], plain[256];
	size_t pos = 0;

	while (pos < size) {
		size_t n = 1 + data[pos] % 97;

		n = n > size - pos ? size - pos : n;
		mtls_put_ciphertext(t, data + pos, n);
		pos += n;
		while (mtls_take_ciphertext(t, out, sizeof(out)))
			;
		CHECK(mtls_read(t, plain, sizeof(plain)) <= 0);
		CHECK(!mtls_handshake_done(t));
		if (mtls_error(t)) {
			CHECK(mtls_error_text(t)[0] != '\0');
			CHECK(mtls_write(t, "x", 1) == mtls_error(t));
		}
	}
	mtls_put_eof(t);
	CHECK(!mtls_handshake_done(t));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtls *t;

	CHECK(mtls_init_server(&t, key, sizeof(key), "hv-fuzz") == 0);
	feed(t, data, size);
	mtls_free(t);
	CHECK(mtls_init_client(&t, key, sizeof(key), "hv-fuzz") == 0);
	feed(t, data, size);
	mtls_free(t);
	return 0;
}
