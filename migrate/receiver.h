/*
 * The destination side of a live migration: `migrate incoming [PORT]`
 * listens, takes one connection at a time, and decodes the stream with
 * the strict decoder into staging memory. Only at the end record, once
 * the digest over the staged memory matches the source's, is a guest
 * built from it; it runs once the source's commit (its reply to our
 * acceptance) arrives.
 * Anything else (a refused record, a bad digest, a lost or silent
 * connection, a cancel) throws away everything received, answers with a
 * refusal where the connection still stands, and keeps listening for
 * the next attempt. Stepped from the main loop (migrate_recv_poll).
 */
#ifndef MIGRATE_RECEIVER_H
#define MIGRATE_RECEIVER_H

#include "kernel/guest_spec.h"
#include "lib/types.h"
#include "migrate/stream.h"

enum mrecv_phase {
	MRECV_OFF,
	MRECV_LISTENING, /* waiting for a source */
	MRECV_RECEIVING, /* a stream is coming in */
	MRECV_VERIFYING, /* end record in: the digest over staged memory */
	MRECV_ANSWERING, /* answer sent; accepted: waiting for the source's commit */
};

struct mrecv_status {
	enum mrecv_phase phase;
	uint16_t port;
	char guest[GUEST_NAME_MAX]; /* the stream's guest, once its header is in */
	char host[MSTREAM_HOST_MAX];
	char tls[48];   /* the connection's cipher suite, or "none (tls off)" */
	uint64_t bytes, pages, frames;
	uint64_t delta_pages; /* of pages: those that came as deltas */
	uint32_t attempts, refused, accepted;
	uint64_t build_ms; /* end record to guest built: digest check, RAM copy, state load */
	uint64_t tls_cycles, tls_bytes; /* TLS handshake and decryption, in TSC cycles; plaintext bytes */
	char last[240]; /* what became of the last attempt */
};

/*
 * Listen on port for one guest. Returns 0, or -EBUSY (listening
 * elsewhere) / -ENOMEM / -EPERM (TLS on but no key: tls_keys.h).
 */
int migrate_recv_listen(uint16_t port, char *err, size_t errlen);

/*
 * Stop listening; a stream being received is refused and discarded, but
 * an acceptance already sent is seen through. -EINVAL when not listening.
 */
int migrate_recv_cancel(void);

/* One step from the main loop; true while it has work that should not wait for a tick. */
bool migrate_recv_poll(void);

const struct mrecv_status *migrate_recv_status(void);

/* "off", "listening", ... */
const char *migrate_recv_phase_name(enum mrecv_phase p);

#endif
