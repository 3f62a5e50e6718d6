/*
 * A TLS 1.2 session (PSK, net/tls_config.h) as a byte pipe: ciphertext
 * goes in and out through memory, plaintext through mtls_write/mtls_read.
 * The session never touches the network; its user moves the bytes.
 *
 * Why a byte pipe rather than lwIP's altcp_tls: the sender and receiver
 * (migrate/sender.c, receiver.c) are written against lwIP's raw tcp_*
 * API, with their own flow control on tcp_sndbuf and tcp_recved.
 * altcp_tls would mean porting both to the altcp_* API and compiling
 * lwIP's altcp layers (altcp.c, altcp_tcp.c, altcp_tls_mbedtls*.c, which
 * bring their own mbedTLS memory and session-cache glue). The pipe leaves
 * their TCP code as it is: they push received bytes into
 * mtls_put_ciphertext and send what mtls_take_ciphertext returns; and it
 * runs on the host unchanged, so both ends are unit-tested in memory.
 *
 * Errors are sticky: after the first one every call fails, and
 * mtls_error_text says what happened in words (never with the key or
 * the identity). Main-loop context; one session per transfer.
 */
#ifndef MIGRATE_TLS_H
#define MIGRATE_TLS_H

#include "lib/types.h"

struct mtls;

/*
 * A client (the migration source) or server (the destination) with
 * pre-shared key psk (psk_len 16-64 bytes) under name identity (1-64
 * printable characters). The key and identity are copied. The client's
 * first flight is ready for mtls_take_ciphertext at once. Returns 0,
 * -EINVAL for a bad key or identity, -ENOMEM, or -EIO when no randomness
 * could be had.
 */
int mtls_init_client(struct mtls **out, const uint8_t *psk, size_t psk_len, const char *identity);
int mtls_init_server(struct mtls **out, const uint8_t *psk, size_t psk_len, const char *identity);

/* Ciphertext received from the peer; returns how much fit (the rest is the caller's to retry). */
size_t mtls_put_ciphertext(struct mtls *t, const void *buf, size_t len);

/* Bytes mtls_put_ciphertext would take now. */
size_t mtls_ciphertext_room(const struct mtls *t);

/* The peer closed its side of the connection: no more ciphertext will come. */
void mtls_put_eof(struct mtls *t);

/* Ciphertext to send to the peer: up to max bytes into buf; returns how many. */
size_t mtls_take_ciphertext(struct mtls *t, void *buf, size_t max);

/* Bytes mtls_take_ciphertext has ready. */
size_t mtls_ciphertext_pending(const struct mtls *t);

/*
 * Encrypt up to len bytes of plaintext. Returns how many were taken (0
 * before the handshake is done or while the outgoing buffer is full), or
 * a negative errno after an error.
 */
int mtls_write(struct mtls *t, const void *buf, size_t len);

/*
 * Decrypt up to len bytes into buf. Returns how many (0 when none is
 * ready or after the peer's close_notify, see mtls_peer_closed), or a
 * negative errno after an error.
 */
int mtls_read(struct mtls *t, void *buf, size_t len);

/* Queue a close_notify alert (then send what mtls_take_ciphertext gives). */
void mtls_close(struct mtls *t);

bool mtls_handshake_done(const struct mtls *t);
bool mtls_peer_closed(const struct mtls *t);

/* 0, or the negative errno of the first error. */
int mtls_error(const struct mtls *t);

/* What went wrong, in words ("" when nothing did). */
const char *mtls_error_text(const struct mtls *t);

/* The negotiated cipher suite's IANA name, or "" before the handshake is done. */
const char *mtls_cipher_suite(const struct mtls *t);

/* Wipe the key and free the session (NULL is fine). */
void mtls_free(struct mtls *t);

#endif
