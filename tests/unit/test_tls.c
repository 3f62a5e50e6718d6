/*
 * Unit tests for migrate/tls.c: a client and a server session talking
 * through memory (tls_pipe.h) over the real mbedTLS 2.28 built with
 * net/tls_config.h. Each way a peer can be wrong or a stream tampered
 * with must end in an error that names it.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "migrate/tls.h"
#include "tests/unit/tls_host.h"
#include "tests/unit/tls_pipe.h"

#define ID "hv-pair-1"
#define MARKER "PLAINTEXT-MARKER-3f9c1e"

static const uint8_t key[32] = {
	0x3a, 0x91, 0x0c, 0x5e, 0x77, 0x12, 0xa8, 0x4f, 0x60, 0xd3, 0x2b, 0x9e, 0x05, 0xc4, 0x88, 0x1d,
	0xf2, 0x47, 0x6a, 0xb9, 0x13, 0xe0, 0x5c, 0x8b, 0x21, 0x7f, 0xd6, 0x94, 0x38, 0xa2, 0x0e, 0x6b,
};

static struct mtls *cli, *srv, *srv2;
static struct wire c2s, s2c;
static uint8_t other_key[sizeof(key)];

static void setup(void *arg)
{
	(void)arg;
	cli = srv = srv2 = NULL;
	c2s.len = s2c.len = 0;
	memcpy(other_key, key, sizeof(key));
	other_key[7] ^= 0x01;
	tls_host_fail_entropy(false);
}

static void teardown(void *arg)
{
	(void)arg;
	mtls_free(cli);
	mtls_free(srv);
	mtls_free(srv2);
	tls_host_fail_entropy(false);
}

/* A client and a server with the given keys and identities, pumped until quiet. */
static int pair(const uint8_t *ckey, const char *cid, const uint8_t *skey, const char *sid)
{
	if (mtls_init_client(&cli, ckey, sizeof(key), cid) || mtls_init_server(&srv, skey, sizeof(key), sid))
		return -1;
	wire_pump(cli, srv, &c2s, &s2c);
	return 0;
}

/* Whether text mentions what and not the identity. */
static bool says(const char *text, const char *what)
{
	return strstr(text, what) && !strstr(text, ID);
}

TEST matching_keys_handshake_and_carry_data_both_ways(void)
{
	char buf[64] = "";

	ASSERT_EQ(0, pair(key, ID, key, ID));
	ASSERT(mtls_handshake_done(cli));
	ASSERT(mtls_handshake_done(srv));
	ASSERT_STR_EQ("TLS-PSK-WITH-CHACHA20-POLY1305-SHA256", mtls_cipher_suite(cli));
	ASSERT_EQ((int)strlen(MARKER), mtls_write(cli, MARKER, strlen(MARKER)));
	wire_pump(cli, srv, &c2s, &s2c);
	ASSERT_EQ((int)strlen(MARKER), mtls_read(srv, buf, sizeof(buf)));
	ASSERT_MEM_EQ(MARKER, buf, strlen(MARKER));
	ASSERT_EQ(7, mtls_write(srv, "MARKER2", 7));
	wire_pump(cli, srv, &c2s, &s2c);
	ASSERT_EQ(7, mtls_read(cli, buf, sizeof(buf)));
	ASSERT_MEM_EQ("MARKER2", buf, 7);
	ASSERT_FALSE(wire_holds(&c2s, MARKER));
	ASSERT_FALSE(wire_holds(&s2c, "MARKER2"));
	ASSERT_STR_EQ("", mtls_error_text(cli));
	PASS();
}

/* More than both FIFOs hold: writes take only what fits as whole records. */
TEST a_megabyte_crosses_in_order(void)
{
	static uint8_t sent[1 << 20], got[1 << 20];
	size_t wr = 0, rd = 0, i;

	for (i = 0; i < sizeof(sent); i++)
		sent[i] = (uint8_t)(i * 7 + (i >> 11));
	ASSERT_EQ(0, pair(key, ID, key, ID));
	while (rd < sizeof(got)) {
		int n = mtls_write(cli, sent + wr, sizeof(sent) - wr);

		ASSERT(n >= 0);
		wr += (size_t)n;
		c2s.len = 0; /* the capture would overflow; the data is checked instead */
		wire_pump(cli, srv, &c2s, &s2c);
		n = mtls_read(srv, got + rd, sizeof(got) - rd);
		ASSERT(n >= 0);
		rd += (size_t)n;
	}
	ASSERT_MEM_EQ(sent, got, sizeof(got));
	PASS();
}

TEST wrong_key_is_refused_on_both_sides(void)
{
	ASSERT_EQ(0, pair(key, ID, other_key, ID));
	ASSERT_FALSE(mtls_handshake_done(cli));
	ASSERT_FALSE(mtls_handshake_done(srv));
	ASSERT(says(mtls_error_text(srv), "wrong key"));
	ASSERT(says(mtls_error_text(cli), "bad_record_mac"));
	ASSERT_EQ(-EPERM, mtls_error(srv));
	ASSERT_EQ(-EPERM, mtls_write(cli, "x", 1));
	PASS();
}

TEST unknown_identity_is_refused_on_both_sides(void)
{
	ASSERT_EQ(0, pair(key, "hv-stranger", key, ID));
	ASSERT_FALSE(mtls_handshake_done(srv));
	ASSERT(says(mtls_error_text(srv), "unknown identity"));
	ASSERT(says(mtls_error_text(cli), "unknown_psk_identity"));
	ASSERT_FALSE(strstr(mtls_error_text(srv), "hv-stranger"));
	PASS();
}

TEST truncated_handshake_is_named(void)
{
	uint8_t buf[4096];
	size_t n;

	ASSERT_EQ(0, mtls_init_client(&cli, key, sizeof(key), ID));
	ASSERT_EQ(0, mtls_init_server(&srv, key, sizeof(key), ID));
	wire_move(cli, srv, &c2s);
	n = mtls_take_ciphertext(srv, buf, sizeof(buf));
	ASSERT(n > 10);
	mtls_put_ciphertext(cli, buf, n / 2);
	mtls_put_eof(cli);
	ASSERT(says(mtls_error_text(cli), "closed during the handshake (truncated)"));
	ASSERT_EQ(-ECONNRESET, mtls_error(cli));
	PASS();
}

TEST stream_cut_without_close_notify_is_named(void)
{
	char buf[8];

	ASSERT_EQ(0, pair(key, ID, key, ID));
	mtls_put_eof(srv);
	ASSERT_EQ(-ECONNRESET, mtls_read(srv, buf, sizeof(buf)));
	ASSERT(says(mtls_error_text(srv), "without close_notify"));
	PASS();
}

TEST close_notify_ends_the_stream_cleanly(void)
{
	char buf[8];

	ASSERT_EQ(0, pair(key, ID, key, ID));
	mtls_close(cli);
	wire_pump(cli, srv, &c2s, &s2c);
	ASSERT_EQ(0, mtls_read(srv, buf, sizeof(buf)));
	ASSERT(mtls_peer_closed(srv));
	ASSERT_EQ(0, mtls_error(srv));
	PASS();
}

/* One record from the client, taken off the wire instead of delivered. */
static size_t client_record(const char *text, uint8_t *rec, size_t max)
{
	if (mtls_write(cli, text, strlen(text)) != (int)strlen(text))
		return 0;
	return mtls_take_ciphertext(cli, rec, max);
}

TEST flipped_ciphertext_byte_is_refused(void)
{
	uint8_t rec[256];
	char buf[64];
	size_t n;

	ASSERT_EQ(0, pair(key, ID, key, ID));
	n = client_record(MARKER, rec, sizeof(rec));
	ASSERT(n > 20);
	rec[n / 2] ^= 0x10;
	mtls_put_ciphertext(srv, rec, n);
	ASSERT_EQ(-EPERM, mtls_read(srv, buf, sizeof(buf)));
	ASSERT(says(mtls_error_text(srv), "record failed authentication"));
	PASS();
}

TEST replayed_record_is_refused(void)
{
	uint8_t rec[256];
	char buf[64];
	size_t n;

	ASSERT_EQ(0, pair(key, ID, key, ID));
	n = client_record("pay once", rec, sizeof(rec));
	ASSERT(n > 0);
	mtls_put_ciphertext(srv, rec, n);
	ASSERT_EQ(8, mtls_read(srv, buf, sizeof(buf)));
	mtls_put_ciphertext(srv, rec, n);
	ASSERT_EQ(-EPERM, mtls_read(srv, buf, sizeof(buf)));
	ASSERT(says(mtls_error_text(srv), "replayed"));
	PASS();
}

/* A recorded client handshake played to a fresh server: its random differs. */
TEST replayed_client_flight_is_refused(void)
{
	ASSERT_EQ(0, pair(key, ID, key, ID));
	ASSERT(mtls_handshake_done(srv));
	ASSERT_EQ(0, mtls_init_server(&srv2, key, sizeof(key), ID));
	ASSERT_EQ(c2s.len, mtls_put_ciphertext(srv2, c2s.buf, c2s.len));
	ASSERT_FALSE(mtls_handshake_done(srv2));
	ASSERT_EQ(-EPERM, mtls_error(srv2));
	ASSERT(says(mtls_error_text(srv2), "replayed"));
	PASS();
}

TEST bad_keys_and_identities_are_refused_at_init(void)
{
	uint8_t big[65] = { 0 };

	ASSERT_EQ(-EINVAL, mtls_init_client(&cli, key, 15, ID));
	ASSERT_EQ(-EINVAL, mtls_init_client(&cli, big, sizeof(big), ID));
	ASSERT_EQ(-EINVAL, mtls_init_server(&srv, key, sizeof(key), ""));
	ASSERT_EQ(-EINVAL, mtls_init_server(&srv, key, sizeof(key), "two words"));
	ASSERT_EQ(NULL, cli);
	ASSERT_EQ(0, mtls_init_client(&cli, big, 64, ID));
	PASS();
}

TEST no_session_without_entropy(void)
{
	tls_host_fail_entropy(true);
	ASSERT_EQ(-EIO, mtls_init_client(&cli, key, sizeof(key), ID));
	ASSERT_EQ(NULL, cli);
	PASS();
}

SUITE(tls)
{
	SET_SETUP(setup, NULL);
	SET_TEARDOWN(teardown, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(matching_keys_handshake_and_carry_data_both_ways);
		RUN_TEST(a_megabyte_crosses_in_order);
		RUN_TEST(wrong_key_is_refused_on_both_sides);
		RUN_TEST(unknown_identity_is_refused_on_both_sides);
		RUN_TEST(truncated_handshake_is_named);
		RUN_TEST(stream_cut_without_close_notify_is_named);
		RUN_TEST(close_notify_ends_the_stream_cleanly);
		RUN_TEST(flipped_ciphertext_byte_is_refused);
		RUN_TEST(replayed_record_is_refused);
		RUN_TEST(replayed_client_flight_is_refused);
		RUN_TEST(bad_keys_and_identities_are_refused_at_init);
		RUN_TEST(no_session_without_entropy);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(tls);
	});
	GREATEST_MAIN_END();
}
