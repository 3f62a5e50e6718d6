/*
 * Legacy descriptor rings for e1000-family NICs ([8254x] chapter 3,
 * [82574] 7.1.8). Pure logic: register access goes through ops.
 *
 * Receive: the device owns descriptors from RDH up to, not including,
 * RDT. One descriptor always stays with the driver, so RDT == RDH means
 * "no buffers" and never "all buffers" ([8254x] figure 3-2). The driver
 * harvests from `next`; descriptors it consumed are reset and returned by
 * moving RDT to next - 1 in a single write.
 *
 * Transmit: the driver fills slots at `tail` and moves TDT; the device
 * sets DD in each descriptor it has sent (RS is always set), and the
 * driver frees slots from `clean` in order. One slot stays empty so a
 * full ring is not mistaken for an empty one.
 */
#include <string.h>

#include "net/e1000_ring.h"

/*
 * Descriptors must be complete in memory before the tail write that
 * hands them over, and read only after DD was seen. On x86 ordinary
 * stores are not reordered with the later uncached MMIO store, nor loads
 * with loads, so these only have to stop the compiler.
 */
static inline void ring_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void ring_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline uint32_t ring_inc(uint32_t i, uint32_t count)
{
	return i + 1 == count ? 0 : i + 1;
}

static inline uint32_t ring_dec(uint32_t i, uint32_t count)
{
	return i == 0 ? count - 1 : i - 1;
}

static void reg_write(const struct e1000_reg_ops *ops, uint32_t reg, uint32_t val)
{
	ops->write32(ops->ctx, reg, val);
}

static bool ring_geometry_ok(const struct e1000_reg_ops *ops, const void *desc,
			     uint64_t desc_dma, const void *buf, uint32_t count)
{
	if (!ops || !ops->read32 || !ops->write32 || !desc || !buf)
		return false;
	if (desc_dma & (E1000_DESC_SIZE - 1))
		return false;
	return count >= E1000_RING_ALIGN_DESCS && count <= E1000_RING_MAX_DESCS &&
	       count % E1000_RING_ALIGN_DESCS == 0;
}

/* RCTL.BSIZE/BSEX sizes, [8254x] 3.2.2 */
static bool rx_buf_size_ok(uint32_t size)
{
	return size >= 256 && size <= 16384 && (size & (size - 1)) == 0;
}

static void rx_desc_reset(struct e1000_rx_ring *r, uint32_t i)
{
	volatile struct e1000_rx_desc *d = &r->desc[i];

	d->addr = r->buf_dma + (uint64_t)i * r->buf_size;
	d->length = 0;
	d->csum = 0;
	d->errors = 0;
	d->special = 0;
	d->status = 0;
}

int e1000_rx_init(struct e1000_rx_ring *r, const struct e1000_reg_ops *ops,
		  void *desc, uint64_t desc_dma, void *buf, uint64_t buf_dma,
		  uint32_t count, uint32_t buf_size, struct e1000_ring_stats *stats)
{
	uint32_t i;

	if (!r || !stats || !ring_geometry_ok(ops, desc, desc_dma, buf, count) ||
	    !rx_buf_size_ok(buf_size))
		return -EINVAL;
	r->desc = desc;
	r->buf = buf;
	r->buf_dma = buf_dma;
	r->buf_size = buf_size;
	r->count = count;
	r->next = 0;
	r->tail = count - 1;
	r->discarding = false;
	r->ops = ops;
	r->stats = stats;
	for (i = 0; i < count; i++)
		rx_desc_reset(r, i);
	ring_wmb();
	/* [8254x] 14.4: base, length, head and tail before RCTL.EN */
	reg_write(ops, E1000_RDBAL, (uint32_t)desc_dma);
	reg_write(ops, E1000_RDBAH, (uint32_t)(desc_dma >> 32));
	reg_write(ops, E1000_RDLEN, count * E1000_DESC_SIZE);
	reg_write(ops, E1000_RDH, 0);
	reg_write(ops, E1000_RDT, r->tail);
	return 0;
}

/*
 * Judge one completed descriptor. A frame without EOP spans several
 * descriptors (it was larger than a buffer): it is dropped whole,
 * counted once, up to and including the descriptor that carries EOP.
 * Error bits mean something only with EOP ([8254x] 3.2.3.2).
 */
static bool rx_accept(struct e1000_rx_ring *r, uint8_t status, uint8_t errors, uint16_t len)
{
	if (r->discarding) {
		if (status & E1000_RXD_STAT_EOP)
			r->discarding = false;
		return false;
	}
	if (!(status & E1000_RXD_STAT_EOP)) {
		r->discarding = true;
		r->stats->rx_no_eop++;
		return false;
	}
	if (errors) {
		r->stats->rx_errors++;
		return false;
	}
	if (len < E1000_RX_MIN_LEN || len > r->buf_size) {
		r->stats->rx_bad_len++;
		return false;
	}
	return true;
}

int e1000_rx_harvest(struct e1000_rx_ring *r, e1000_rx_fn fn, void *ctx, int budget)
{
	int delivered = 0;

	/* desc[tail] was never handed to the device: its DD is stale. */
	while (delivered < budget && r->next != r->tail) {
		volatile struct e1000_rx_desc *d = &r->desc[r->next];
		uint32_t slot = r->next;
		uint8_t status, errors;
		uint16_t len;

		status = d->status;
		if (!(status & E1000_RXD_STAT_DD))
			break;
		ring_rmb();
		len = d->length;
		errors = d->errors;
		r->next = ring_inc(r->next, r->count);
		if (!rx_accept(r, status, errors, len))
			continue;
		r->stats->rx_frames++;
		r->stats->rx_bytes += len;
		delivered++;
		if (fn)
			fn(ctx, r->buf + (size_t)slot * r->buf_size, len);
	}
	return delivered;
}

uint32_t e1000_rx_refill(struct e1000_rx_ring *r)
{
	uint32_t new_tail = ring_dec(r->next, r->count);
	uint32_t i, n = (new_tail + r->count - r->tail) % r->count;

	/* a sixteenth of the ring per RDT write: one trip to the device per burst, not per frame */
	if (n < MAX(1u, r->count / E1000_RX_REFILL_DIV))
		return 0;
	for (i = r->tail; i != new_tail; i = ring_inc(i, r->count))
		rx_desc_reset(r, i);
	ring_wmb();
	r->tail = new_tail;
	reg_write(r->ops, E1000_RDT, new_tail);
	return n;
}

static void tx_desc_reset(struct e1000_tx_ring *r, uint32_t i)
{
	volatile struct e1000_tx_desc *d = &r->desc[i];

	d->addr = r->buf_dma + (uint64_t)i * r->buf_size;
	d->length = 0;
	d->cso = 0;
	d->cmd = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
}

int e1000_tx_init(struct e1000_tx_ring *r, const struct e1000_reg_ops *ops,
		  void *desc, uint64_t desc_dma, void *buf, uint64_t buf_dma,
		  uint32_t count, uint32_t buf_size, struct e1000_ring_stats *stats)
{
	uint32_t i;

	if (!r || !stats || !ring_geometry_ok(ops, desc, desc_dma, buf, count) ||
	    buf_size < E1000_TX_MIN_FRAME || buf_size > 16384)
		return -EINVAL;
	r->desc = desc;
	r->buf = buf;
	r->buf_dma = buf_dma;
	r->buf_size = buf_size;
	r->count = count;
	r->tail = 0;
	r->kicked = 0;
	r->clean = 0;
	r->ops = ops;
	r->stats = stats;
	r->cookie = NULL;
	r->done = NULL;
	r->done_ctx = NULL;
	for (i = 0; i < count; i++)
		tx_desc_reset(r, i);
	ring_wmb();
	/* [8254x] 14.5: base, length, head and tail before TCTL.EN */
	reg_write(ops, E1000_TDBAL, (uint32_t)desc_dma);
	reg_write(ops, E1000_TDBAH, (uint32_t)(desc_dma >> 32));
	reg_write(ops, E1000_TDLEN, count * E1000_DESC_SIZE);
	reg_write(ops, E1000_TDH, 0);
	reg_write(ops, E1000_TDT, 0);
	return 0;
}

uint32_t e1000_tx_pending(const struct e1000_tx_ring *r)
{
	return r->tail >= r->clean ? r->tail - r->clean : r->tail + r->count - r->clean;
}

uint32_t e1000_tx_free(const struct e1000_tx_ring *r)
{
	return r->count - 1 - e1000_tx_pending(r);
}

void e1000_tx_use_refs(struct e1000_tx_ring *r, void **cookies, e1000_tx_done_fn done, void *ctx)
{
	uint32_t i;

	r->cookie = cookies;
	r->done = done;
	r->done_ctx = ctx;
	for (i = 0; cookies && i < r->count; i++)
		cookies[i] = NULL;
}

/* The slot at clean leaves the ring: give a frame sent in place back. */
static void tx_finish(struct e1000_tx_ring *r)
{
	void *c = r->cookie ? r->cookie[r->clean] : NULL;

	if (c) {
		r->cookie[r->clean] = NULL;
		r->done(r->done_ctx, c);
	}
	r->clean = ring_inc(r->clean, r->count);
}

uint32_t e1000_tx_reap(struct e1000_tx_ring *r)
{
	uint32_t n = 0;

	while (r->clean != r->tail && (r->desc[r->clean].status & E1000_TXD_STAT_DD)) {
		tx_finish(r);
		n++;
	}
	r->stats->tx_done += n;
	return n;
}

void e1000_tx_release(struct e1000_tx_ring *r)
{
	while (r->clean != r->tail)
		tx_finish(r);
	r->kicked = r->tail;
}

/* Whether a slot is free now, reaping (and first kicking) when the ring looks full. */
static bool tx_slot_free(struct e1000_tx_ring *r)
{
	if (e1000_tx_free(r))
		return true;
	e1000_tx_kick(r); /* a full ring of frames the device was never given drains no more */
	if (e1000_tx_reap(r))
		return true;
	r->stats->tx_full++;
	return false;
}

/* Fill the descriptor at tail for wire bytes at dma, hand it over in batches. */
static void tx_post(struct e1000_tx_ring *r, uint64_t dma, size_t wire, size_t len)
{
	volatile struct e1000_tx_desc *d = &r->desc[r->tail];

	d->addr = dma;
	d->length = (uint16_t)wire;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	r->tail = ring_inc(r->tail, r->count);
	r->stats->tx_frames++;
	r->stats->tx_bytes += len;
	if ((r->tail + r->count - r->kicked) % r->count >= E1000_TX_KICK_BATCH)
		e1000_tx_kick(r);
}

int e1000_tx_queue(struct e1000_tx_ring *r, const void *frame, size_t len)
{
	size_t max = MIN(r->buf_size, (uint32_t)E1000_TX_MAX_LEN);
	uint8_t *slot;
	size_t wire;

	if (!frame || len == 0 || len > max) {
		r->stats->tx_bad_len++;
		return -EINVAL;
	}
	if (!tx_slot_free(r))
		return -ENOSPC;
	slot = r->buf + (size_t)r->tail * r->buf_size;
	memcpy(slot, frame, len);
	wire = MAX(len, (size_t)E1000_TX_MIN_FRAME);
	if (wire > len)
		memset(slot + len, 0, wire - len);
	tx_post(r, r->buf_dma + (uint64_t)r->tail * r->buf_size, wire, len);
	return 0;
}

int e1000_tx_queue_ref(struct e1000_tx_ring *r, uint64_t dma, size_t len, void *cookie)
{
	if (!r->cookie)
		return -EOPNOTSUPP;
	if (!cookie || len < E1000_TX_MIN_FRAME || len > E1000_TX_MAX_LEN) {
		r->stats->tx_bad_len++;
		return -EINVAL;
	}
	if (!tx_slot_free(r))
		return -ENOSPC;
	r->cookie[r->tail] = cookie;
	tx_post(r, dma, len, len);
	return 0;
}

void e1000_tx_kick(struct e1000_tx_ring *r)
{
	if (r->kicked == r->tail)
		return;
	ring_wmb(); /* the descriptors before the tail that hands them over */
	r->kicked = r->tail;
	reg_write(r->ops, E1000_TDT, r->tail);
}
