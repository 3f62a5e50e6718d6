/*
 * mbedTLS errors in words. The cases the tests provoke (tests/unit/
 * test_tls.c) are spelled out; anything else is named by its code, which
 * mbedTLS's include/mbedtls/ssl.h and error.h explain.
 *
 * Why a bad record MAC says "wrong key" during the handshake: with PSK
 * the Finished message is the first thing encrypted under keys derived
 * from the key, so a peer holding another key fails exactly there. A
 * replayed capture of a handshake fails there too, because the keys also
 * mix in this session's fresh server random (RFC 5246 8.1, 6.3). After
 * the handshake the same error means a record was altered, replayed or
 * reordered: each record's nonce and MAC cover its implicit sequence
 * number (RFC 5246 6.2.3.3).
 */
#include "lib/fmt.h"
#include "migrate/tls_error.h"

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/ssl.h"

struct alert_name {
	int alert;
	const char *what;
};

/* RFC 5246 7.2 alert descriptions a PSK peer may send us. */
static const struct alert_name alerts[] = {
	{ MBEDTLS_SSL_ALERT_MSG_UNKNOWN_PSK_IDENTITY, "unknown_psk_identity: the peer does not accept our PSK identity" },
	{ MBEDTLS_SSL_ALERT_MSG_BAD_RECORD_MAC, "bad_record_mac: wrong key, or our records were altered" },
	{ MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR, "decrypt_error: wrong key" },
	{ MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE, "handshake_failure: no cipher suite or version in common" },
	{ MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION, "protocol_version: the peer does not speak TLS 1.2" },
	{ MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY, "insufficient_security: no cipher suite in common" },
	{ MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE, "unexpected_message" },
	{ MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR, "decode_error" },
	{ MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER, "illegal_parameter" },
	{ MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR, "internal_error" },
};

static const char *alert_text(int alert)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(alerts); i++)
		if (alerts[i].alert == alert)
			return alerts[i].what;
	return NULL;
}

/* The sentence for code, or NULL when there is none. */
static const char *code_text(const struct mtls_failure *f)
{
	switch (f->code) {
	case MBEDTLS_ERR_SSL_INVALID_MAC:
		return f->handshake ? "handshake failed authentication: wrong key, or a replayed "
				      "or altered handshake (bad record MAC)"
				    : "a record failed authentication: altered, replayed or "
				      "reordered (bad record MAC)";
	case MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY:
		return "the peer's PSK identity is not the configured one (unknown identity)";
	case MBEDTLS_ERR_SSL_CONN_EOF:
		return f->handshake ? "connection closed during the handshake (truncated)"
				    : "connection closed without close_notify (truncated stream)";
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
		return "out of memory";
	case MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN:
		return "no cipher suite in common with the peer";
	case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION:
		return "the peer does not speak TLS 1.2";
	case MBEDTLS_ERR_SSL_INVALID_RECORD:
		return "malformed TLS record (corrupted stream?)";
	case MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE:
	case MBEDTLS_ERR_SSL_UNEXPECTED_RECORD:
		return "unexpected TLS message (corrupted or replayed stream?)";
	case MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED:
	case MBEDTLS_ERR_ENTROPY_SOURCE_FAILED:
	case MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE:
		return "no randomness: the entropy source failed";
	}
	if (f->code <= MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO &&
	    f->code >= MBEDTLS_ERR_SSL_BAD_HS_FINISHED)
		return "malformed handshake message (corrupted stream?)";
	return NULL;
}

void mtls_describe(const struct mtls_failure *f, char *buf, size_t size)
{
	const char *s;

	if (f->code == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
		s = alert_text(f->alert);
		if (s)
			fmt_snprintf(buf, size, "the peer refused: %s", s);
		else
			fmt_snprintf(buf, size, "the peer refused with alert %d", f->alert);
		return;
	}
	if (f->unknown_id)
		s = code_text(&(struct mtls_failure){ .code = MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY });
	else
		s = code_text(f);
	if (s)
		fmt_snprintf(buf, size, "%s", s);
	else
		fmt_snprintf(buf, size, "TLS error -0x%04x", (unsigned)-f->code);
}

int mtls_errno(int code)
{
	switch (code) {
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
		return -ENOMEM;
	case MBEDTLS_ERR_SSL_CONN_EOF:
		return -ECONNRESET;
	case MBEDTLS_ERR_SSL_INVALID_MAC:
	case MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY:
	case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
		return -EPERM;
	case MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED:
	case MBEDTLS_ERR_ENTROPY_SOURCE_FAILED:
	case MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE:
		return -EIO;
	}
	return -EPROTO;
}
