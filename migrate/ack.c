/*
 * The destination's answer to a migration stream (see ack.h).
 */
#include <string.h>

#include "lib/crc32.h"
#include "lib/fmt.h"
#include "migrate/ack.h"

static const char *const code_names[MACK_CODE_COUNT] = {
	"accepted", "bad-stream", "bad-digest", "no-resources", "busy", "cancelled", "commit",
};

const char *mack_code_name(enum mack_code code)
{
	return (unsigned)code < MACK_CODE_COUNT ? code_names[code] : "unknown";
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

int mack_encode(uint8_t *out, size_t cap, enum mack_code code, const char *msg)
{
	size_t len = msg ? strlen(msg) : 0;

	if ((unsigned)code >= MACK_CODE_COUNT)
		return -EINVAL;
	len = MIN(len, (size_t)MACK_MSG_MAX);
	if (cap < MACK_HEAD + len + MACK_TAIL)
		return -ENOSPC;
	put32(out, MACK_MAGIC);
	put16(out + 4, MACK_VERSION);
	put16(out + 6, (uint16_t)code);
	put16(out + 8, (uint16_t)len);
	if (len)
		memcpy(out + MACK_HEAD, msg, len); /* msg may be NULL (no message) */
	put32(out + MACK_HEAD + len, crc32_update(0, out, MACK_HEAD + len));
	return (int)(MACK_HEAD + len + MACK_TAIL);
}

void mack_parser_init(struct mack_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->need = MACK_HEAD;
}

static enum mack_status fail(struct mack_parser *p, const char *why)
{
	p->status = MACK_ERROR;
	fmt_snprintf(p->msg, sizeof(p->msg), "%s", why);
	return MACK_ERROR;
}

/* The head is in: check it and learn how long the whole answer is. */
static enum mack_status check_head(struct mack_parser *p)
{
	uint16_t len = get16(p->buf + 8);

	if (get32(p->buf) != MACK_MAGIC)
		return fail(p, "not a migration answer (bad magic)");
	if (get16(p->buf + 4) != MACK_VERSION)
		return fail(p, "unknown answer version");
	if (get16(p->buf + 6) >= MACK_CODE_COUNT)
		return fail(p, "unknown answer code");
	if (len > MACK_MSG_MAX)
		return fail(p, "answer message too long");
	p->need = MACK_HEAD + len + MACK_TAIL;
	return MACK_MORE;
}

/* The whole answer is in: check the CRC and take it apart. */
static enum mack_status finish(struct mack_parser *p)
{
	size_t len = p->need - MACK_HEAD - MACK_TAIL;
	size_t i;

	if (get32(p->buf + MACK_HEAD + len) != crc32_update(0, p->buf, MACK_HEAD + len))
		return fail(p, "answer CRC mismatch");
	p->code = (enum mack_code)get16(p->buf + 6);
	for (i = 0; i < len; i++) /* printable only: it ends up on a console */
		p->msg[i] = p->buf[MACK_HEAD + i] >= 0x20 && p->buf[MACK_HEAD + i] < 0x7f
				    ? (char)p->buf[MACK_HEAD + i] : '?';
	p->msg[len] = 0;
	p->status = MACK_DONE;
	return MACK_DONE;
}

enum mack_status mack_feed(struct mack_parser *p, const uint8_t *data, size_t n)
{
	size_t take;

	while (n && p->status == MACK_MORE) {
		take = MIN(n, p->need - p->have);
		memcpy(p->buf + p->have, data, take);
		p->have += take;
		data += take;
		n -= take;
		if (p->have < p->need)
			break;
		if (p->need == MACK_HEAD && check_head(p) == MACK_ERROR)
			return MACK_ERROR;
		if (p->have == p->need)
			finish(p);
	}
	if (n && p->status == MACK_DONE)
		return fail(p, "bytes after the answer");
	return p->status;
}
