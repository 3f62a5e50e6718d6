/*
 * A migration connection: one lwIP raw-API pcb and, unless TLS is off
 * (`migrate set tls off` on both sides), a TLS session in front of it
 * (migrate/tls.h). The sender and receiver write and read plaintext; the
 * channel moves ciphertext between the session and TCP, so the stream
 * format never sees TLS. Without TLS the bytes go straight through.
 *
 * The peer is authenticated by the handshake before the first plaintext
 * byte is delivered: nothing of a stream is decoded from a peer without
 * the key.
 *
 * Byte counts are of the wire (ciphertext with TLS): what TCP carried
 * is what the status and the bandwidth estimate report.
 * Main-loop context, like all lwIP use here.
 */
#ifndef MIGRATE_CHANNEL_H
#define MIGRATE_CHANNEL_H

#include "lib/types.h"
#include "lwip/tcp.h"
#include "migrate/fault.h"

struct mtls;

/* Plaintext from the peer, in order (called from lwIP's receive callback). */
typedef void (*mchan_deliver_fn)(const uint8_t *buf, size_t len);

/* Ciphertext taken from the session but not yet accepted by TCP. */
#define MCHAN_CARRY_BYTES 4096
/* What MIGRATE_FAULT_RECORD keeps of a connection: its handshake and the stream's start. */
#define MCHAN_RECORD_BYTES (32 * 1024)

struct mchan {
	struct tcp_pcb *pcb;     /* NULL once dropped, or freed by lwIP after an error */
	struct mtls *tls;        /* NULL: plaintext */
	mchan_deliver_fn deliver;
	bool connected;          /* TCP is up */
	bool lost;               /* reset, refused or timed out (lwIP's error callback) */
	bool peer_closed;        /* the peer's FIN */
	uint64_t wire_out;       /* bytes handed to TCP */
	uint64_t wire_acked;     /* of which the peer acknowledged */
	uint64_t wire_in;        /* bytes received */
	uint64_t last_ns;        /* last byte acknowledged or received */
	uint64_t plain_out, plain_in; /* plaintext written and delivered */
	uint64_t tls_cycles;     /* spent in the session: handshake, encryption, decryption */
	uint8_t first_in[2];     /* the peer's first bytes, for mchan_peer_hint */
	/* test hooks (mchan_arm_fault), taken by the connection at its start */
	uint64_t flip_at;        /* 1 + wire offset of a byte to flip, once */
	uint64_t cut_at;         /* 1 + wire bytes to send before closing */
	bool recording;          /* copy what is sent (the first MCHAN_RECORD_BYTES) */
	bool replaying;          /* send the last recording, nothing else */
	size_t replay_off;
	uint8_t carry[MCHAN_CARRY_BYTES];
	size_t carry_len, carry_off;
};

/*
 * Connect to addr:port (host byte order) as the TLS client when tls
 * (key from migrate/tls_keys.h), else in plaintext. Returns 0, or
 * -ENOMEM / -EIO / -EINVAL (no usable key) with ch left unused.
 */
int mchan_connect(struct mchan *ch, uint32_t addr, uint16_t port, bool tls,
		  mchan_deliver_fn deliver);

/* Take over an accepted pcb, as the TLS server when tls. Returns 0 or a negative errno (pcb untouched). */
int mchan_accept(struct mchan *ch, struct tcp_pcb *pcb, bool tls, mchan_deliver_fn deliver);

/* Whether plaintext can flow: connected, and the handshake done with TLS. */
bool mchan_ready(const struct mchan *ch);

/*
 * Queue up to n bytes of plaintext; returns how many were taken (0 while
 * the buffers are full or the handshake runs), or TRANSFER_FAILED.
 */
size_t mchan_write(struct mchan *ch, const uint8_t *buf, size_t n);

/* Move queued ciphertext to TCP and let lwIP send it. Call after writing, and from polls. */
void mchan_flush(struct mchan *ch);

/* Everything written went out and was acknowledged by the peer's TCP. */
bool mchan_drained(const struct mchan *ch);

/* The TLS failure in words (handshake or record), or NULL when there is none. */
const char *mchan_error(const struct mchan *ch);

/* Why a plaintext peer's bytes make no sense (it speaks TLS), or NULL. */
const char *mchan_peer_hint(const struct mchan *ch);

/* The cipher suite in use: its IANA name, "none (tls off)", or "" mid-handshake. */
const char *mchan_cipher(const struct mchan *ch);

/* For tests: a fault for the next mchan_connect (offset for CORRUPT and TRUNCATE). */
void mchan_arm_fault(enum migrate_fault f, uint64_t offset);

/*
 * End the connection: graceful sends TLS's close_notify and closes TCP,
 * else it is reset. Frees the TLS session (wiping its keys). Idempotent.
 */
void mchan_close(struct mchan *ch, bool graceful);

#endif
