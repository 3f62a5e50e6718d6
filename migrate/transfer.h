/*
 * The lwIP raw-API plumbing the migration's two ends share: opening a
 * connection, writing as much of a buffer as lwIP takes, and letting go
 * of a pcb. Context: the main loop (lwIP is single-threaded here).
 */
#ifndef MIGRATE_TRANSFER_H
#define MIGRATE_TRANSFER_H

#include "lib/types.h"
#include "lwip/tcp.h"

#define TRANSFER_NS_PER_S 1000000000ULL
/* No byte acknowledged or received for this long: the peer is gone. */
#define TRANSFER_STALL_NS (30 * TRANSFER_NS_PER_S)
/* After the end record the destination checks the digest and builds the guest (slow under Bochs). */
#define TRANSFER_ANSWER_NS (120 * TRANSFER_NS_PER_S)
/*
 * From the acceptance to the commit: how long the destination waits for
 * the source's commit, and the source for its acknowledgement, before
 * giving up (the destination drops its copy, the source keeps its paused).
 */
#define TRANSFER_COMMIT_NS (30 * TRANSFER_NS_PER_S)
/* How long a refusal may take to reach the peer before the connection is reset. */
#define TRANSFER_LINGER_NS (5 * TRANSFER_NS_PER_S)
#define TRANSFER_FAILED ((size_t)-1)

/*
 * A new pcb connecting to addr:port (host byte order) with the given
 * callbacks (arg NULL). Returns 0 and sets *out, or -ENOMEM / -EIO.
 */
int transfer_connect(struct tcp_pcb **out, uint32_t addr, uint16_t port,
		     tcp_connected_fn connected, tcp_sent_fn sent, tcp_recv_fn recv,
		     tcp_err_fn err);

/*
 * Queue up to n bytes of buf (copied) and return how many lwIP took (0
 * when its send buffer is full), or TRANSFER_FAILED.
 */
size_t transfer_write(struct tcp_pcb *pcb, const uint8_t *buf, size_t n);

/* No more callbacks for pcb: it is about to be closed or aborted. */
void transfer_detach(struct tcp_pcb *pcb);

/* A short name for a negative errno ("timed out", ...). */
const char *transfer_errname(int err);

#endif
