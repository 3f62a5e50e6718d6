/*
 * Console output FIFO. Pure: see outq.h.
 */
#include "lib/outq.h"

void outq_init(struct outq *q, char *buf, size_t size)
{
	*q = (struct outq){ .buf = buf, .size = size };
}

size_t outq_space(const struct outq *q)
{
	return q->size - q->len;
}

size_t outq_put(struct outq *q, const char *s, size_t n)
{
	size_t i, put = MIN(n, outq_space(q));

	for (i = 0; i < put; i++)
		q->buf[(q->head + q->len + i) % q->size] = s[i];
	q->len += put;
	return put;
}

bool outq_put_all(struct outq *q, const char *s, size_t n)
{
	if (n > outq_space(q)) {
		q->dropped_bytes += n;
		q->dropped_writes++;
		return false;
	}
	outq_put(q, s, n);
	return true;
}

size_t outq_take(struct outq *q, char *dst, size_t max)
{
	size_t i, take = MIN(max, q->len);

	for (i = 0; i < take; i++)
		dst[i] = q->buf[(q->head + i) % q->size];
	q->head = (q->head + take) % q->size;
	q->len -= take;
	return take;
}

size_t outq_line(const struct outq *q)
{
	size_t i;

	for (i = 0; i < q->len; i++)
		if (q->buf[(q->head + i) % q->size] == '\n')
			return i + 1;
	return 0;
}
