/*
 * TLS 1.2 PSK sessions as byte pipes (see tls.h for why a pipe). mbedTLS
 * reads and writes through two callbacks (its "BIO"); here they move
 * bytes between mbedTLS and two in-memory FIFOs (lib/outq), which the
 * session's user fills from and drains to TCP.
 *
 * The key and identity live in the session (wiped by mtls_free) and in
 * mbedTLS's copies, which it wipes itself; nothing here logs them.
 */
#include <string.h>

#include "lib/outq.h"
#include "migrate/tls.h"
#include "migrate/tls_error.h"
#include "migrate/tls_platform.h"

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/ssl.h"

#define MTLS_PSK_MIN 16
#define MTLS_PSK_MAX 64
#define MTLS_ID_MAX 64
/* Each FIFO holds more than one largest record (16 KiB plus expansion). */
#define MTLS_FIFO_BYTES (24 * 1024)

struct mtls {
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_entropy_context entropy;
	struct outq in, out;   /* ciphertext from and to the peer */
	bool eof;              /* the peer's side is closed */
	bool done;             /* handshake finished */
	bool closed;           /* the peer sent close_notify */
	bool close_pending;    /* mtls_close found no room for the alert yet */
	struct mtls_failure fail;
	int err;               /* 0 or negative errno */
	char errtext[120];
	uint8_t psk[MTLS_PSK_MAX];
	size_t psk_len;
	char id[MTLS_ID_MAX + 1];
	size_t id_len;
	char in_buf[MTLS_FIFO_BYTES], out_buf[MTLS_FIFO_BYTES];
};

/* The two suites of net/tls_config.h, preferred first. */
static const int suites[] = {
	MBEDTLS_TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
	0,
};

static const unsigned char drbg_label[] = "hv migration tls";

/* ---- the BIO: mbedTLS's view of the FIFOs */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct mtls *t = ctx;
	size_t n = outq_put(&t->out, (const char *)buf, len);

	return n ? (int)n : MBEDTLS_ERR_SSL_WANT_WRITE;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct mtls *t = ctx;
	size_t n = outq_take(&t->in, (char *)buf, len);

	if (n)
		return (int)n;
	return t->eof ? 0 : MBEDTLS_ERR_SSL_WANT_READ; /* 0 is end of stream to mbedTLS */
}

/* ---- errors */

static int fail(struct mtls *t, int code)
{
	if (t->err)
		return t->err;
	t->fail.code = code;
	t->fail.handshake = !t->done;
	/* the alert's description is the record's second byte (RFC 5246 7.2) */
	t->fail.alert = code == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ? t->ssl.in_msg[1] : -1;
	t->err = mtls_errno(code);
	mtls_describe(&t->fail, t->errtext, sizeof(t->errtext));
	return t->err;
}

static bool is_retry(int ret)
{
	return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/* Run the handshake as far as the bytes at hand allow. */
static void advance(struct mtls *t)
{
	int ret;

	if (t->err || t->done)
		return;
	ret = mbedtls_ssl_handshake(&t->ssl);
	if (ret == 0)
		t->done = true;
	else if (!is_retry(ret))
		fail(t, ret);
}

/* ---- set-up */

/* The server's check of the client's identity: ours or refused. */
static int psk_lookup(void *ctx, mbedtls_ssl_context *ssl, const unsigned char *id, size_t len)
{
	struct mtls *t = ctx;

	if (len != t->id_len || memcmp(id, t->id, len)) {
		t->fail.unknown_id = true;
		return -1; /* mbedTLS answers unknown_psk_identity */
	}
	return mbedtls_ssl_set_hs_psk(ssl, t->psk, t->psk_len);
}

static bool identity_ok(const char *id, size_t *len)
{
	size_t i;

	for (i = 0; id && id[i]; i++)
		if (i >= MTLS_ID_MAX || id[i] < 0x21 || id[i] > 0x7e)
			return false;
	*len = i;
	return i > 0;
}

static int conf_setup(struct mtls *t, int endpoint)
{
	mbedtls_ssl_config *c = &t->conf;
	int ret;

	ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, drbg_label,
				    sizeof(drbg_label) - 1);
	if (ret)
		return ret;
	ret = mbedtls_ssl_config_defaults(c, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret)
		return ret;
	mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(c, suites);
	if (endpoint == MBEDTLS_SSL_IS_SERVER) {
		mbedtls_ssl_conf_psk_cb(c, psk_lookup, t);
		return 0;
	}
	return mbedtls_ssl_conf_psk(c, t->psk, t->psk_len, (const unsigned char *)t->id,
				    t->id_len);
}

static int session_setup(struct mtls *t, int endpoint)
{
	int ret = conf_setup(t, endpoint);

	if (!ret)
		ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
	if (ret)
		return ret;
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
	advance(t); /* the client's hello goes out now */
	return t->err ? t->fail.code : 0;
}

static int mtls_init(struct mtls **out, const uint8_t *psk, size_t psk_len, const char *identity,
		     int endpoint)
{
	struct mtls *t;
	size_t id_len = 0;
	int ret;

	*out = NULL;
	if (!psk || psk_len < MTLS_PSK_MIN || psk_len > MTLS_PSK_MAX ||
	    !identity_ok(identity, &id_len))
		return -EINVAL;
	tls_platform_init();
	t = mbedtls_calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_entropy_init(&t->entropy);
	outq_init(&t->in, t->in_buf, sizeof(t->in_buf));
	outq_init(&t->out, t->out_buf, sizeof(t->out_buf));
	memcpy(t->psk, psk, psk_len);
	t->psk_len = psk_len;
	memcpy(t->id, identity, id_len + 1);
	t->id_len = id_len;
	ret = session_setup(t, endpoint);
	if (ret) {
		ret = mtls_errno(ret);
		mtls_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

int mtls_init_client(struct mtls **out, const uint8_t *psk, size_t psk_len, const char *identity)
{
	return mtls_init(out, psk, psk_len, identity, MBEDTLS_SSL_IS_CLIENT);
}

int mtls_init_server(struct mtls **out, const uint8_t *psk, size_t psk_len, const char *identity)
{
	return mtls_init(out, psk, psk_len, identity, MBEDTLS_SSL_IS_SERVER);
}

/* ---- the pipe */

size_t mtls_put_ciphertext(struct mtls *t, const void *buf, size_t len)
{
	size_t n = t->eof ? 0 : outq_put(&t->in, buf, len);

	advance(t);
	return n;
}

size_t mtls_ciphertext_room(const struct mtls *t)
{
	return t->eof ? 0 : outq_space(&t->in);
}

void mtls_put_eof(struct mtls *t)
{
	t->eof = true;
	advance(t);
}

size_t mtls_take_ciphertext(struct mtls *t, void *buf, size_t max)
{
	size_t n = outq_take(&t->out, buf, max);

	/* room in the FIFO may let a stalled flight or alert out */
	if (n) {
		advance(t);
		if (t->close_pending)
			mtls_close(t);
	}
	return n;
}

size_t mtls_ciphertext_pending(const struct mtls *t)
{
	return t->out.len;
}

/*
 * Never lets mbedtls_ssl_write see a full FIFO: after WANT_WRITE it
 * must be called again with the same data, which a byte pipe cannot
 * promise. So a chunk is cut to what fits as one whole record.
 */
int mtls_write(struct mtls *t, const void *buf, size_t len)
{
	size_t room = outq_space(&t->out);
	int ret, exp, max;

	advance(t);
	if (t->err || !t->done)
		return t->err;
	exp = mbedtls_ssl_get_record_expansion(&t->ssl);
	max = mbedtls_ssl_get_max_out_record_payload(&t->ssl);
	if (exp < 0 || max < 0)
		return fail(t, exp < 0 ? exp : max);
	if (t->ssl.out_left || room <= (size_t)exp)
		return 0;
	len = MIN(len, MIN(room - (size_t)exp, (size_t)max));
	if (!len)
		return 0;
	ret = mbedtls_ssl_write(&t->ssl, buf, len);
	if (ret >= 0)
		return ret;
	return is_retry(ret) ? 0 : fail(t, ret);
}

int mtls_read(struct mtls *t, void *buf, size_t len)
{
	int ret;

	advance(t);
	if (t->err || !t->done || t->closed)
		return t->err;
	ret = mbedtls_ssl_read(&t->ssl, buf, len);
	if (ret > 0)
		return ret;
	if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
		t->closed = true;
		return 0;
	}
	if (ret == 0) /* end of stream without close_notify */
		ret = MBEDTLS_ERR_SSL_CONN_EOF;
	return is_retry(ret) ? 0 : fail(t, ret);
}

/* Like mtls_write, waits until the whole alert record fits. */
void mtls_close(struct mtls *t)
{
	int exp, ret;

	if (t->err || !t->done)
		return;
	exp = mbedtls_ssl_get_record_expansion(&t->ssl);
	t->close_pending = exp < 0 || outq_space(&t->out) < (size_t)exp + 2;
	if (t->close_pending)
		return;
	ret = mbedtls_ssl_close_notify(&t->ssl);
	if (ret && !is_retry(ret))
		fail(t, ret);
}

/* ---- state */

bool mtls_handshake_done(const struct mtls *t)
{
	return t->done && !t->err;
}

bool mtls_peer_closed(const struct mtls *t)
{
	return t->closed;
}

int mtls_error(const struct mtls *t)
{
	return t->err;
}

const char *mtls_error_text(const struct mtls *t)
{
	return t->err ? t->errtext : "";
}

const char *mtls_cipher_suite(const struct mtls *t)
{
	return t->done ? mbedtls_ssl_get_ciphersuite(&t->ssl) : "";
}

void mtls_free(struct mtls *t)
{
	if (!t)
		return;
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	mbedtls_platform_zeroize(t, sizeof(*t)); /* the key, and plaintext in the FIFOs' wake */
	mbedtls_free(t);
}
