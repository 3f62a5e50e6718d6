/*
 * libFuzzer target: the driver side of a split virtqueue against a hostile
 * device. The input is a script: the driver adds chains of any shape,
 * publishes and asks whether to notify, and takes used elements; the
 * device writes any bytes anywhere in the shared rings, used elements
 * with any id and length, and any used idx.
 *
 * The rings sit in a block of exactly their size, so the sanitizers catch
 * any access outside it. After every step a model of the driver checks:
 * every chain comes back at most once, with its own cookie and a length
 * within its writable bytes; a bad element changes nothing; descriptors
 * are never handed out twice; free + in-use descriptors = queue size; no
 * more used elements are taken than avail entries were published.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/virtqueue.h"
#include "tests/fuzz/fuzz_check.h"

struct input {
	const uint8_t *p;
	size_t n;
};

/* The driver as the test sees it: which heads are out, with what. */
struct model {
	bool out[VQ_SIZE_MAX];        /* head outstanding */
	bool desc_busy[VQ_SIZE_MAX];  /* descriptor part of an outstanding chain */
	uint16_t chain[VQ_SIZE_MAX][8]; /* its descriptors (chains of up to 8) */
	unsigned n[VQ_SIZE_MAX];
	uint32_t writable[VQ_SIZE_MAX];
	uintptr_t cookie[VQ_SIZE_MAX];
	unsigned busy;
	uint64_t next_cookie;
};

static struct vq vq;
static struct model m;

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- && in->n) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

static void driver_add(struct input *in)
{
	struct vq_buf b[8];
	unsigned n = 1 + (unsigned)take(in, 1) % 8, i;
	uint16_t d;
	int h;

	for (i = 0; i < n; i++) {
		uint8_t shape = (uint8_t)take(in, 1);

		b[i].addr = take(in, 2) << 12;
		b[i].len = shape & 0x80 ? (uint32_t)take(in, 4) : shape & 0x3f;
		b[i].device_writes = shape & 0x40;
	}
	h = vq_add(&vq, b, n, (void *)(uintptr_t)++m.next_cookie);
	if (h < 0) {
		CHECK(h == -EINVAL || h == -ENOSPC);
		CHECK(h != -ENOSPC || n > vq_num_free(&vq));
		return;
	}
	CHECK(h < vq.size && !m.out[h]);
	m.out[h] = true;
	m.n[h] = n;
	m.cookie[h] = (uintptr_t)m.next_cookie;
	m.writable[h] = 0;
	for (i = 0, d = (uint16_t)h; i < n; i++, d = vq.next[d]) {
		CHECK(d < vq.size && !m.desc_busy[d]);
		m.desc_busy[d] = true;
		m.chain[h][i] = d;
		m.busy++;
		if (b[i].device_writes)
			m.writable[h] += b[i].len;
	}
}

static void driver_take(void)
{
	struct vq_used_buf u;
	uint16_t before = vq_num_free(&vq);
	unsigned i;

	switch (vq_get_used(&vq, &u)) {
	case VQ_EMPTY:
	case VQ_BROKEN:
	case VQ_BAD_ID:
		CHECK(vq_num_free(&vq) == before);
		break;
	case VQ_OK:
		CHECK(u.len <= m.writable[u.head]);
		/* fall through */
	case VQ_BAD_LEN:
		CHECK(u.head < vq.size && m.out[u.head]);
		CHECK((uintptr_t)u.cookie == m.cookie[u.head]);
		m.out[u.head] = false;
		for (i = 0; i < m.n[u.head]; i++)
			m.desc_busy[m.chain[u.head][i]] = false;
		m.busy -= m.n[u.head];
		CHECK(vq_num_free(&vq) == before + m.n[u.head]);
		break;
	default:
		CHECK(0);
	}
}

/* The device writes bytes anywhere in the rings. */
static void device_scribble(struct input *in, uint8_t *mem, size_t bytes)
{
	size_t off = (size_t)take(in, 2) % bytes;
	unsigned n = 1 + (unsigned)take(in, 1) % 16;

	while (n-- && off < bytes)
		mem[off++] = (uint8_t)take(in, 1);
}

static void device_use(struct input *in)
{
	uint16_t idx = vq.used->idx;
	uint8_t how = (uint8_t)take(in, 1);
	uint32_t id;

	if (how & 1) /* an id it was given */
		id = vq.avail->ring[(uint16_t)take(in, 2) % vq.size];
	else
		id = (uint32_t)take(in, 4);
	vq.used->ring[idx % vq.size].id = id;
	vq.used->ring[idx % vq.size].len = how & 2 ? (uint32_t)take(in, 4) : (uint32_t)take(in, 1);
	vq.used->idx = (uint16_t)(idx + (how & 4 ? take(in, 2) : 1));
}

static void check_invariants(void)
{
	unsigned out = 0, i;

	for (i = 0; i < vq.size; i++)
		out += m.out[i];
	CHECK(vq_outstanding(&vq) == out);
	CHECK(vq_num_free(&vq) + m.busy == vq.size);
	/* never consumes used elements the device had no avail entries for */
	CHECK((uint16_t)(vq.pub_idx - vq.last_used) <= out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct vq_layout l;
	uint16_t qsize = (uint16_t)(1u << (take(&in, 1) % 9));
	void *mem;

	vq_layout(qsize, &l);
	if (posix_memalign(&mem, 16, l.bytes))
		return 0;
	memset(&m, 0, sizeof(m));
	CHECK(vq_init(&vq, qsize, mem, 0x1000, l.bytes) == 0);
	vq.honor_no_notify = take(&in, 1) & 1;
	while (in.n) {
		switch (take(&in, 1) % 6) {
		case 0:
			driver_add(&in);
			break;
		case 1:
			vq_publish(&vq);
			(void)vq_kick_needed(&vq);
			break;
		case 2:
			driver_take();
			break;
		case 3:
			device_scribble(&in, mem, l.bytes);
			break;
		default:
			device_use(&in);
			break;
		}
		check_invariants();
	}
	free(mem);
	return 0;
}
