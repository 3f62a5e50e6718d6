/*
 * Unit tests for net/virtqueue.c, against a fake device that works on the
 * shared memory the way a virtio device does: it takes chains from the
 * available ring, walks their descriptors, and writes used elements. The
 * device is also made to misbehave: ids out of range or not outstanding,
 * completions twice, lengths too long, used idx running ahead, a
 * scribbled descriptor table; and the 16-bit indexes are run past 65536.
 */
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "net/virtqueue.h"

#define MEM_BYTES 8192
#define DMA_BASE 0x40000000ULL

static _Alignas(4096) uint8_t mem[MEM_BYTES];
static struct vq vq;

/* The device's view: its own avail index, the used idx it has written. */
struct fdev {
	uint16_t last_avail;
	uint16_t used_idx;
};

/* One chain the device took from the available ring. */
struct chain {
	uint16_t head;
	unsigned n;
	uint64_t addr[VQ_SIZE_MAX];
	uint32_t len[VQ_SIZE_MAX];
	bool writes[VQ_SIZE_MAX];
	uint32_t writable;
};

static struct fdev dev;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % bound);
}

static int setup(uint16_t size)
{
	memset(&dev, 0, sizeof(dev));
	return vq_init(&vq, size, mem, DMA_BASE, sizeof(mem));
}

/* Take the next available chain; false when there is none or it is malformed. */
static bool dev_pop(struct chain *c)
{
	uint16_t d;

	if (vq.avail->idx == dev.last_avail)
		return false;
	c->head = vq.avail->ring[dev.last_avail % vq.size];
	dev.last_avail++;
	c->n = 0;
	c->writable = 0;
	d = c->head;
	for (;;) {
		const struct virtq_desc *desc;

		if (d >= vq.size || c->n >= vq.size)
			return false;
		desc = &vq.desc[d];
		c->addr[c->n] = desc->addr;
		c->len[c->n] = desc->len;
		c->writes[c->n] = desc->flags & VIRTQ_DESC_F_WRITE;
		if (c->writes[c->n])
			c->writable += desc->len;
		c->n++;
		if (!(desc->flags & VIRTQ_DESC_F_NEXT))
			return true;
		d = desc->next;
	}
}

/* Write a used element and expose it. */
static void dev_push(uint32_t id, uint32_t len)
{
	vq.used->ring[dev.used_idx % vq.size].id = id;
	vq.used->ring[dev.used_idx % vq.size].len = len;
	dev.used_idx++;
	vq.used->idx = dev.used_idx;
}

static int add_one(uint64_t addr, uint32_t len, bool writes, void *cookie)
{
	struct vq_buf b = { .addr = addr, .len = len, .device_writes = writes };

	return vq_add(&vq, &b, 1, cookie);
}

TEST layout_alignment(void)
{
	struct vq_layout l;
	unsigned size;

	ASSERT_EQ(6670, vq_layout(256, &l));
	ASSERT_EQ(0, l.desc_off);
	ASSERT_EQ(4096, l.avail_off);
	ASSERT_EQ(4616, l.used_off);
	ASSERT_EQ(38, vq_layout(1, &l));
	ASSERT_EQ(24, l.used_off);
	for (size = 1; size <= VIRTQ_MAX_SIZE; size <<= 1) {
		vq_layout((uint16_t)size, &l);
		ASSERT_EQ(0, l.avail_off % VIRTQ_AVAIL_ALIGN);
		ASSERT_EQ(0, l.used_off % VIRTQ_USED_ALIGN);
		ASSERT(l.avail_off >= 16 * size);
		ASSERT(l.used_off >= l.avail_off + 6 + 2 * size);
		ASSERT_EQ(l.used_off + 6 + 8 * size, l.bytes);
		ASSERT_EQ(VQ_BYTES(size), l.bytes);
	}
	PASS();
}

TEST init_checks_arguments(void)
{
	unsigned size;

	ASSERT_EQ(-EINVAL, vq_init(&vq, 0, mem, DMA_BASE, sizeof(mem)));
	ASSERT_EQ(-EINVAL, vq_init(&vq, 3, mem, DMA_BASE, sizeof(mem)));
	ASSERT_EQ(-EINVAL, vq_init(&vq, 512, mem, DMA_BASE, sizeof(mem)));
	ASSERT_EQ(-EINVAL, vq_init(&vq, 8, mem + 8, DMA_BASE + 8, sizeof(mem) - 8));
	ASSERT_EQ(-EINVAL, vq_init(&vq, 8, mem, DMA_BASE + 2, sizeof(mem)));
	ASSERT_EQ(-EINVAL, vq_init(&vq, 256, mem, DMA_BASE, 6669));
	ASSERT_EQ(-EINVAL, vq_init(&vq, 8, NULL, DMA_BASE, sizeof(mem)));
	ASSERT_EQ(0, vq_init(&vq, 256, mem, DMA_BASE, 6670));
	for (size = 1; size <= VQ_SIZE_MAX; size <<= 1) {
		memset(mem, 0xee, sizeof(mem));
		ASSERT_EQ(0, setup((uint16_t)size));
		ASSERT_EQ(size, vq_num_free(&vq));
		ASSERT_EQ(0, vq_outstanding(&vq));
		ASSERT_EQ(0, vq.avail->idx);
		ASSERT_EQ(0, vq.used->idx);
		ASSERT_EQ(DMA_BASE, vq.desc_dma);
		ASSERT_EQ(DMA_BASE + ((uint8_t *)vq.avail - mem), vq.avail_dma);
		ASSERT_EQ(DMA_BASE + ((const volatile uint8_t *)vq.used - mem), vq.used_dma);
	}
	PASS();
}

/* The interrupt advice lives in avail->flags, where the device reads it (2.6.7). */
TEST interrupt_advice_in_avail_flags(void)
{
	ASSERT_EQ(0, setup(8));
	ASSERT_EQ(0, vq.avail->flags);
	vq_set_interrupts(&vq, false);
	ASSERT_EQ(VIRTQ_AVAIL_F_NO_INTERRUPT, vq.avail->flags);
	vq_set_interrupts(&vq, true);
	ASSERT_EQ(0, vq.avail->flags);
	PASS();
}

TEST add_publish_and_kick(void)
{
	struct chain c;
	int head;

	ASSERT_EQ(0, setup(8));
	ASSERT_FALSE(vq_kick_needed(&vq));
	head = add_one(0x1000, 2060, true, (void *)0x11);
	ASSERT(head >= 0 && head < 8);
	ASSERT_EQ(0x1000, vq.desc[head].addr);
	ASSERT_EQ(2060, vq.desc[head].len);
	ASSERT_EQ(VIRTQ_DESC_F_WRITE, vq.desc[head].flags);
	ASSERT_EQ(head, vq.avail->ring[0]);
	/* nothing is visible to the device before publishing */
	ASSERT_EQ(0, vq.avail->idx);
	ASSERT_FALSE(dev_pop(&c));
	ASSERT_FALSE(vq_kick_needed(&vq));
	vq_publish(&vq);
	ASSERT_EQ(1, vq.avail->idx);
	ASSERT(vq_kick_needed(&vq));
	ASSERT_FALSE(vq_kick_needed(&vq)); /* once per publication */
	ASSERT(dev_pop(&c));
	ASSERT_EQ(head, c.head);
	ASSERT_EQ(1, c.n);
	ASSERT_EQ(7, vq_num_free(&vq));
	ASSERT_EQ(1, vq_outstanding(&vq));
	PASS();
}

TEST no_notify_flag(void)
{
	ASSERT_EQ(0, setup(4));
	vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	ASSERT(add_one(0x1000, 64, false, NULL) >= 0);
	vq_publish(&vq);
	ASSERT(vq_kick_needed(&vq)); /* plain mode notifies regardless */
	vq.honor_no_notify = true;
	ASSERT(add_one(0x2000, 64, false, NULL) >= 0);
	vq_publish(&vq);
	ASSERT_FALSE(vq_kick_needed(&vq));
	vq.used->flags = 0;
	ASSERT(add_one(0x3000, 64, false, NULL) >= 0);
	vq_publish(&vq);
	ASSERT(vq_kick_needed(&vq));
	PASS();
}

TEST chains_round_trip(void)
{
	struct vq_buf b[3] = {
		{ .addr = 0x1000, .len = 12 },
		{ .addr = 0x2000, .len = 100 },
		{ .addr = 0x3000, .len = 500, .device_writes = true },
	};
	struct vq_used_buf u;
	struct chain c;
	int head;

	ASSERT_EQ(0, setup(8));
	head = vq_add(&vq, b, 3, (void *)0x77);
	ASSERT(head >= 0);
	ASSERT_EQ(5, vq_num_free(&vq));
	vq_publish(&vq);
	ASSERT(dev_pop(&c));
	ASSERT_EQ(3, c.n);
	ASSERT_EQ(0x1000, c.addr[0]);
	ASSERT_EQ(0x2000, c.addr[1]);
	ASSERT_EQ(0x3000, c.addr[2]);
	ASSERT_FALSE(c.writes[0] || c.writes[1]);
	ASSERT(c.writes[2]);
	ASSERT_EQ(500, c.writable);
	ASSERT_EQ(VQ_EMPTY, vq_get_used(&vq, &u));
	dev_push(c.head, 500);
	ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
	ASSERT_EQ((void *)0x77, u.cookie);
	ASSERT_EQ(head, u.head);
	ASSERT_EQ(500, u.len);
	ASSERT_EQ(8, vq_num_free(&vq));
	ASSERT_EQ(0, vq_outstanding(&vq));
	ASSERT_EQ(VQ_EMPTY, vq_get_used(&vq, &u));
	PASS();
}

TEST bad_chains_rejected(void)
{
	struct vq_buf b[3] = {
		{ .addr = 0x1000, .len = 100, .device_writes = true },
		{ .addr = 0x2000, .len = 100 },
		{ .addr = 0x3000, .len = 0xfffffff0u },
	};

	ASSERT_EQ(0, setup(8));
	ASSERT_EQ(-EINVAL, vq_add(&vq, b, 0, NULL));
	ASSERT_EQ(-EINVAL, vq_add(&vq, b, 2, NULL)); /* readable after writable */
	b[0].device_writes = false;
	ASSERT_EQ(-EINVAL, vq_add(&vq, b, 3, NULL)); /* over 4 GiB */
	b[1].len = 0;
	ASSERT_EQ(-EINVAL, vq_add(&vq, b, 2, NULL));
	ASSERT_EQ(-ENOSPC, vq_add(&vq, b, 9, NULL));
	ASSERT_EQ(8, vq_num_free(&vq));
	ASSERT_EQ(0, vq.avail_idx);
	PASS();
}

TEST exhaustion_and_refill(void)
{
	struct vq_used_buf u;
	struct chain c;
	bool seen[16] = { false };
	int i, head;

	ASSERT_EQ(0, setup(16));
	for (i = 0; i < 16; i++) {
		head = add_one(0x1000u * (unsigned)i, 64, true, (void *)(uintptr_t)(i + 1));
		ASSERT(head >= 0 && head < 16);
		ASSERT_FALSE(seen[head]);
		seen[head] = true;
	}
	ASSERT_EQ(-ENOSPC, add_one(0, 64, true, NULL));
	vq_publish(&vq);
	ASSERT_EQ(0, vq_num_free(&vq));
	/* the device finishes them in reverse order */
	for (i = 0; i < 16; i++)
		ASSERT(dev_pop(&c));
	for (i = 15; i >= 0; i--)
		dev_push(vq.avail->ring[i], 10);
	for (i = 15; i >= 0; i--) {
		ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
		ASSERT_EQ((void *)(uintptr_t)(i + 1), u.cookie);
	}
	ASSERT_EQ(16, vq_num_free(&vq));
	head = vq_add(&vq, (struct vq_buf[]){ { 1, 1, false }, { 2, 1, true } }, 2, NULL);
	ASSERT(head >= 0);
	ASSERT_EQ(14, vq_num_free(&vq));
	PASS();
}

TEST hostile_ids(void)
{
	struct vq_buf b[2] = { { .addr = 0x1000, .len = 10 }, { .addr = 0x2000, .len = 10 } };
	struct vq_used_buf u;
	struct chain c;
	int head, other, i;

	ASSERT_EQ(0, setup(8));
	head = vq_add(&vq, b, 2, (void *)0x5);
	ASSERT(head >= 0);
	other = vq.next[head]; /* second descriptor of the chain: not a head */
	for (i = 0; i < 5; i++)
		ASSERT(add_one(0x3000, 10, true, NULL) >= 0);
	vq_publish(&vq);
	ASSERT(dev_pop(&c));

	dev_push(8, 0);
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	ASSERT_EQ(NULL, u.cookie);
	dev_push(0xffffffffu, 0);
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	dev_push(0x10000u + (unsigned)head, 0); /* aliases head in 16 bits */
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	dev_push((uint32_t)other, 0);
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	dev_push(vq.free_head, 0); /* a free descriptor */
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	ASSERT_EQ(5, vq.bad_id);
	ASSERT_EQ(1, vq_num_free(&vq));
	ASSERT_EQ(6, vq_outstanding(&vq));
	/* five elements used up five of the six made available */
	dev_push((uint32_t)head, 0);
	ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
	ASSERT_EQ((void *)0x5, u.cookie);
	dev_push((uint32_t)head, 0);
	ASSERT_EQ(VQ_BROKEN, vq_get_used(&vq, &u));
	ASSERT_EQ(3, vq_num_free(&vq));
	PASS();
}

TEST hostile_id_equal_to_the_largest_size(void)
{
	struct vq_used_buf u;
	struct chain c;

	ASSERT_EQ(0, setup(VQ_SIZE_MAX));
	ASSERT(add_one(0x3000, 10, true, NULL) >= 0); /* device-writable: write_len set */
	vq_publish(&vq);
	ASSERT(dev_pop(&c));
	dev_push(VQ_SIZE_MAX, 0); /* one past the last descriptor */
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	ASSERT_EQ(1, vq.bad_id);
	ASSERT_EQ(1, vq_outstanding(&vq));
	PASS();
}

TEST hostile_duplicate_and_length(void)
{
	struct vq_used_buf u;
	struct chain c;
	int h1, h2;

	ASSERT_EQ(0, setup(8));
	h1 = add_one(0x1000, 100, true, (void *)1);
	h2 = add_one(0x2000, 100, false, (void *)2);
	ASSERT(add_one(0x3000, 100, true, (void *)4) >= 0);
	vq_publish(&vq);
	ASSERT(dev_pop(&c) && dev_pop(&c));
	dev_push((uint32_t)h1, 100);
	ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
	dev_push((uint32_t)h1, 100); /* the same chain again */
	ASSERT_EQ(VQ_BAD_ID, vq_get_used(&vq, &u));
	/* a readable-only chain with a length: still handed back to recycle */
	dev_push((uint32_t)h2, 1);
	ASSERT_EQ(VQ_BAD_LEN, vq_get_used(&vq, &u));
	ASSERT_EQ((void *)2, u.cookie);
	ASSERT_EQ(7, vq_num_free(&vq));
	h1 = add_one(0x1000, 100, true, (void *)3);
	vq_publish(&vq);
	dev_push((uint32_t)h1, 101);
	ASSERT_EQ(VQ_BAD_LEN, vq_get_used(&vq, &u));
	ASSERT_EQ((void *)3, u.cookie);
	ASSERT_EQ(101, u.len);
	ASSERT_EQ(2, vq.bad_len);
	ASSERT_EQ(1, vq.bad_id);
	ASSERT_EQ(7, vq_num_free(&vq));
	PASS();
}

TEST hostile_used_idx(void)
{
	struct vq_used_buf u;
	int h;

	ASSERT_EQ(0, setup(8));
	h = add_one(0x1000, 100, true, (void *)1);
	/* completed before it was published */
	dev_push((uint32_t)h, 10);
	ASSERT_EQ(VQ_BROKEN, vq_get_used(&vq, &u));
	vq_publish(&vq);
	ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
	/* idx jumps far ahead */
	vq.used->idx = (uint16_t)(dev.used_idx + 0x8000);
	ASSERT_EQ(VQ_BROKEN, vq_get_used(&vq, &u));
	ASSERT_EQ(VQ_BROKEN, vq_get_used(&vq, &u)); /* stays put: nothing consumed */
	ASSERT_EQ(3, vq.broken);
	ASSERT_EQ(8, vq_num_free(&vq));
	/* and backwards */
	vq.used->idx = (uint16_t)(dev.used_idx - 1);
	ASSERT_EQ(VQ_BROKEN, vq_get_used(&vq, &u));
	vq.used->idx = dev.used_idx;
	ASSERT_EQ(VQ_EMPTY, vq_get_used(&vq, &u));
	PASS();
}

TEST scribbled_descriptors_do_not_matter(void)
{
	struct vq_used_buf u;
	bool seen[8] = { false };
	int heads[8], i;

	ASSERT_EQ(0, setup(8));
	for (i = 0; i < 4; i++)
		heads[i] = vq_add(&vq, (struct vq_buf[]){ { 0x1000, 8, false }, { 0x2000, 8, true } },
				  2, (void *)(uintptr_t)(i + 1));
	vq_publish(&vq);
	memset(vq.desc, 0xff, 8 * sizeof(struct virtq_desc));
	for (i = 0; i < 4; i++) {
		dev_push((uint32_t)heads[i], 8);
		ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
	}
	ASSERT_EQ(8, vq_num_free(&vq));
	for (i = 0; i < 8; i++) {
		int h = add_one(0x1000, 8, true, NULL);

		ASSERT(h >= 0 && h < 8);
		ASSERT_FALSE(seen[h]);
		seen[h] = true;
		ASSERT_EQ(0, vq.desc[h].flags & VIRTQ_DESC_F_NEXT);
	}
	PASS();
}

/*
 * Many operations with random chain shapes, batched publication and
 * out-of-order completion, until target chains came back (past the 16-bit
 * index wrap). The device's view and the completions are checked against
 * what the driver added.
 */
static enum greatest_test_res run_long(uint16_t size, unsigned target)
{
	static struct chain inflight[VQ_SIZE_MAX];
	static uintptr_t expect_cookie[VQ_SIZE_MAX];
	static unsigned expect_n[VQ_SIZE_MAX];
	unsigned n_inflight = 0, done = 0, added = 0, descs_out = 0, op;
	struct vq_used_buf u;

	ASSERT_EQ(0, setup(size));
	vq.honor_no_notify = true;
	for (op = 0; done < target && op < 20 * target; op++) {
		unsigned k = rnd(4);

		if (k < 2 && vq_num_free(&vq)) {
			struct vq_buf b[4];
			unsigned n = 1 + rnd(MIN(4u, vq_num_free(&vq))), i, nr = rnd(n + 1);
			int h;

			for (i = 0; i < n; i++) {
				b[i].addr = 0x100000ULL * op + i;
				b[i].len = 1 + rnd(3000);
				b[i].device_writes = i >= nr;
			}
			h = vq_add(&vq, b, n, (void *)(uintptr_t)(op + 1));
			ASSERT(h >= 0 && h < size);
			expect_cookie[h] = op + 1;
			expect_n[h] = n;
			descs_out += n;
			added++;
			if (rnd(3) == 0) {
				vq_publish(&vq);
				vq_kick_needed(&vq);
			}
		} else if (k < 2) {
			vq_publish(&vq); /* full: show the device the rest */
		} else if (k == 2) {
			struct chain *c = &inflight[n_inflight];

			if (n_inflight < size && dev_pop(c))
				n_inflight++;
		} else if (n_inflight) {
			unsigned j = rnd(n_inflight);
			struct chain c = inflight[j];

			inflight[j] = inflight[--n_inflight];
			dev_push(c.head, c.writable ? rnd(c.writable + 1) : 0);
			ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
			ASSERT_EQ(c.head, u.head);
			ASSERT_EQ(expect_cookie[c.head], (uintptr_t)u.cookie);
			ASSERT_EQ(expect_n[c.head], c.n);
			descs_out -= c.n;
			done++;
		}
		ASSERT_EQ(size, vq_num_free(&vq) + descs_out);
		ASSERT(vq_outstanding(&vq) == added - done);
	}
	ASSERT_EQ(target, done);
	ASSERT(added > 65536);
	ASSERT(vq.avail_idx == (uint16_t)added);
	ASSERT(vq.last_used == (uint16_t)done);
	ASSERT_EQ(0, vq.bad_id + vq.bad_len + vq.broken);
	PASS();
}

TEST long_run_wraps_size_1(void)
{
	CHECK_CALL(run_long(1, 70000));
	PASS();
}

TEST long_run_wraps_size_8(void)
{
	CHECK_CALL(run_long(8, 100000));
	PASS();
}

TEST long_run_wraps_size_256(void)
{
	CHECK_CALL(run_long(256, 140000));
	PASS();
}

/* Single-buffer traffic exactly as the NIC driver does it, past the wrap. */
TEST steady_rx_wraps(void)
{
	struct vq_used_buf u;
	struct chain c;
	unsigned i, delivered = 0;

	ASSERT_EQ(0, setup(4));
	for (i = 0; i < 4; i++)
		ASSERT(add_one(0x1000 * i, 2060, true, (void *)(uintptr_t)i) >= 0);
	vq_publish(&vq);
	for (i = 0; i < 70000; i++) {
		ASSERT(dev_pop(&c));
		dev_push(c.head, 60 + i % 2000);
		ASSERT_EQ(VQ_OK, vq_get_used(&vq, &u));
		ASSERT_EQ(60 + i % 2000, u.len);
		ASSERT(add_one(0x1000 * (uintptr_t)u.cookie, 2060, true, u.cookie) >= 0);
		vq_publish(&vq);
		ASSERT(vq_kick_needed(&vq));
		delivered++;
	}
	ASSERT_EQ(70000, delivered);
	ASSERT_EQ((uint16_t)(70004), vq.avail->idx);
	ASSERT_EQ((uint16_t)(70000), vq.used->idx);
	ASSERT_EQ(0, vq_num_free(&vq));
	PASS();
}

SUITE(virtqueue)
{
	SHUFFLED_TESTS({
		RUN_TEST(layout_alignment);
		RUN_TEST(init_checks_arguments);
		RUN_TEST(add_publish_and_kick);
		RUN_TEST(interrupt_advice_in_avail_flags);
		RUN_TEST(no_notify_flag);
		RUN_TEST(chains_round_trip);
		RUN_TEST(bad_chains_rejected);
		RUN_TEST(exhaustion_and_refill);
		RUN_TEST(hostile_ids);
		RUN_TEST(hostile_id_equal_to_the_largest_size);
		RUN_TEST(hostile_duplicate_and_length);
		RUN_TEST(hostile_used_idx);
		RUN_TEST(scribbled_descriptors_do_not_matter);
		RUN_TEST(long_run_wraps_size_1);
		RUN_TEST(long_run_wraps_size_8);
		RUN_TEST(long_run_wraps_size_256);
		RUN_TEST(steady_rx_wraps);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(virtqueue);
	});
	GREATEST_MAIN_END();
}
