/*
 * Descriptor-ring logic for e1000-family NICs with legacy descriptors:
 * no hardware access except through an ops struct, so the host tests can
 * play the device. The caller provides descriptor memory and buffers
 * (their CPU pointers and the addresses the device uses for DMA).
 *
 * Descriptors are shared with the device and everything it writes into
 * them is treated as untrusted: the driver never follows an address read
 * back from a descriptor and bounds every length by its own buffer size.
 */
#ifndef NET_E1000_RING_H
#define NET_E1000_RING_H

#include "lib/types.h"
#include "net/e1000_regs.h"

/* Legacy receive descriptor, [8254x] 3.2.3 table 3-1 */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

/* Legacy transmit descriptor, [8254x] 3.3.3 table 3-8 */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

_Static_assert(sizeof(struct e1000_rx_desc) == E1000_DESC_SIZE, "RDESC is 16 bytes");
_Static_assert(sizeof(struct e1000_tx_desc) == E1000_DESC_SIZE, "TDESC is 16 bytes");

/* Register access: the MMIO BAR in the image, a fake register file in tests. */
struct e1000_reg_ops {
	uint32_t (*read32)(void *ctx, uint32_t reg);
	void (*write32)(void *ctx, uint32_t reg, uint32_t val);
	void *ctx;
};

/* Counters kept across ring re-initialisation (a reset keeps them). */
struct e1000_ring_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_bad_len;   /* length 0, below the minimum or beyond the buffer */
	uint64_t rx_errors;    /* error bits set by the device */
	uint64_t rx_no_eop;    /* frames spread over several descriptors */
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_done;      /* descriptors the device reported done */
	uint64_t tx_full;      /* frames refused: no free descriptor */
	uint64_t tx_bad_len;   /* frames refused: empty or larger than a slot */
};

/* Received frames shorter than this are dropped (an Ethernet header). */
#define E1000_RX_MIN_LEN 14

struct e1000_rx_ring {
	volatile struct e1000_rx_desc *desc;
	uint8_t *buf;          /* count slots of buf_size bytes */
	uint64_t buf_dma;
	uint32_t buf_size;
	uint32_t count;
	uint32_t next;         /* next descriptor the device completes */
	uint32_t tail;         /* last value written to RDT */
	bool discarding;       /* inside a frame without EOP: drop to its end */
	const struct e1000_reg_ops *ops;
	struct e1000_ring_stats *stats;
};

/* A frame queued by reference was sent (or dropped by a reset): its memory is free again. */
typedef void (*e1000_tx_done_fn)(void *ctx, void *cookie);

struct e1000_tx_ring {
	volatile struct e1000_tx_desc *desc;
	uint8_t *buf;
	uint64_t buf_dma;
	uint32_t buf_size;
	uint32_t count;
	uint32_t tail;         /* next slot to fill */
	uint32_t kicked;       /* last value written to TDT */
	uint32_t clean;        /* oldest slot not yet reported done */
	const struct e1000_reg_ops *ops;
	struct e1000_ring_stats *stats;
	void **cookie;         /* per slot: the caller's handle of a frame sent by reference */
	e1000_tx_done_fn done;
	void *done_ctx;
};

/* Called with each good received frame; frame is valid only during the call. */
typedef void (*e1000_rx_fn)(void *ctx, const void *frame, size_t len);

/*
 * Set up the receive ring: every descriptor gets its buffer, and
 * RDBAL/RDBAH/RDLEN/RDH/RDT are programmed so the device owns all but
 * one descriptor. count: a multiple of 8, at least 8; buf_size: a size
 * RCTL.BSIZE can express (256 to 16384, a power of two); desc_dma
 * 16-byte aligned. Returns 0 or -EINVAL. Call with the receiver off.
 */
int e1000_rx_init(struct e1000_rx_ring *r, const struct e1000_reg_ops *ops,
		  void *desc, uint64_t desc_dma, void *buf, uint64_t buf_dma,
		  uint32_t count, uint32_t buf_size, struct e1000_ring_stats *stats);

/*
 * Collect up to budget completed descriptors, handing each good frame to
 * fn and counting the bad ones. Consumed descriptors stay with the
 * driver until e1000_rx_refill. Returns the number of frames delivered.
 */
int e1000_rx_harvest(struct e1000_rx_ring *r, e1000_rx_fn fn, void *ctx, int budget);

/* Consumed descriptors are returned once count / E1000_RX_REFILL_DIV (at least 1) wait. */
#define E1000_RX_REFILL_DIV 16

/*
 * Give every consumed descriptor back to the device, once enough wait:
 * reset them, then move RDT (one write, after the descriptors are
 * ready). Returns how many were given back (0 while they wait).
 */
uint32_t e1000_rx_refill(struct e1000_rx_ring *r);

/*
 * Set up the transmit ring and program TDBAL/TDBAH/TDLEN/TDH/TDT; same
 * constraints as e1000_rx_init (buf_size at least E1000_TX_MIN_FRAME).
 */
int e1000_tx_init(struct e1000_tx_ring *r, const struct e1000_reg_ops *ops,
		  void *desc, uint64_t desc_dma, void *buf, uint64_t buf_dma,
		  uint32_t count, uint32_t buf_size, struct e1000_ring_stats *stats);

/*
 * Frames queued before TDT moves: one register write (a VM exit under a
 * hypervisor, a trip into the device model under an emulator) then covers
 * a burst instead of every frame.
 */
#define E1000_TX_KICK_BATCH 16

/*
 * Copy frame into the next free slot (padding it to 60 bytes). TDT moves
 * once E1000_TX_KICK_BATCH frames wait, else at e1000_tx_kick. Returns 0,
 * -EINVAL (empty or larger than a slot) or -ENOSPC.
 */
int e1000_tx_queue(struct e1000_tx_ring *r, const void *frame, size_t len);

/* Hand every queued frame to the device: move TDT if it lags. */
void e1000_tx_kick(struct e1000_tx_ring *r);

/*
 * Allow frames sent in place (e1000_tx_queue_ref): cookies has a slot per
 * descriptor, done is called as each such frame is finished with. Call
 * after every e1000_tx_init, which forgets this.
 */
void e1000_tx_use_refs(struct e1000_tx_ring *r, void **cookies, e1000_tx_done_fn done, void *ctx);

/*
 * Queue a frame the device reads where it is, at DMA address dma: no
 * copy. It must stay untouched until done(cookie). len: 60 (no padding
 * here) to E1000_TX_MAX_LEN. Returns 0, -EINVAL or -ENOSPC, and -EOPNOTSUPP
 * without e1000_tx_use_refs.
 */
int e1000_tx_queue_ref(struct e1000_tx_ring *r, uint64_t dma, size_t len, void *cookie);

/* Free the slots the device reported done, oldest first; returns how many. */
uint32_t e1000_tx_reap(struct e1000_tx_ring *r);

/*
 * Before the ring is rebuilt (a reset): done() for every frame by
 * reference still queued, which the device will now never send.
 */
void e1000_tx_release(struct e1000_tx_ring *r);

/* Descriptors queued but not yet reported done. */
uint32_t e1000_tx_pending(const struct e1000_tx_ring *r);

/* Slots a frame could be queued into now. */
uint32_t e1000_tx_free(const struct e1000_tx_ring *r);

#endif
