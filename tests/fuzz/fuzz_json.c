/*
 * libFuzzer target for the JSON writer.
 *
 * The input is a program of writer calls (strings, numbers, nesting,
 * stray closes) run twice: into a large buffer and into one of a size
 * taken from the input, allocated exactly so ASan sees any write past
 * it. Every finished document must validate; the small run must equal
 * the large one when it fits and fail when it does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "tests/fuzz/json_check.h"

#define BIG_CAP 65536

struct prog {
	const uint8_t *p;
	size_t n;
};

static int prog_byte(struct prog *pr)
{
	if (!pr->n)
		return -1;
	pr->n--;
	return *pr->p++;
}

static uint64_t prog_u64(struct prog *pr)
{
	uint64_t v = 0;
	int i, b;

	for (i = 0; i < 8 && (b = prog_byte(pr)) >= 0; i++)
		v = v << 8 | (uint64_t)b;
	return v;
}

/* Up to 63 bytes from the input: raw for values, NUL-free for keys. */
static size_t prog_bytes(struct prog *pr, char *out, bool key)
{
	int len = prog_byte(pr), b;
	size_t n = 0;

	out[0] = '\0';
	if (len < 0)
		return 0;
	len &= 63;
	while (len-- > 0 && (b = prog_byte(pr)) >= 0)
		if (!key || b)
			out[n++] = (char)b;
	out[n] = '\0';
	return n;
}

/* Run the program; is_obj[] tracks open containers to pick keys right. */
static const char *run(const uint8_t *data, size_t size, char *buf, size_t cap,
		       struct json *j)
{
	struct prog pr = { data, size };
	bool is_obj[64];
	char key[64], val[64];
	int depth = 0, op;
	size_t n;

	json_init(j, buf, cap);
	while ((op = prog_byte(&pr)) >= 0) {
		const char *k = NULL;

		if (depth > 0 && is_obj[depth - 1]) {
			prog_bytes(&pr, key, true);
			k = key;
		}
		switch (op % 11) {
		case 0:
		case 1:
			if (op % 11 == 0)
				json_obj_begin(j, k);
			else
				json_arr_begin(j, k);
			if (depth < 64)
				is_obj[depth++] = op % 11 == 0;
			break;
		case 2:
		case 3: /* close whatever is open; at depth 0 a stray close */
			if (depth > 0 && is_obj[depth - 1])
				json_obj_end(j);
			else
				json_arr_end(j);
			if (depth > 0)
				depth--;
			break;
		case 4:
			n = prog_bytes(&pr, val, false);
			json_strn(j, k, val, n);
			break;
		case 5:
			prog_bytes(&pr, val, true);
			json_str(j, k, (op & 0x80) ? NULL : val);
			break;
		case 6:
			json_u64(j, k, prog_u64(&pr));
			break;
		case 7:
			json_i64(j, k, (int64_t)prog_u64(&pr));
			break;
		case 8:
			json_bool(j, k, op & 0x40);
			break;
		case 9:
			json_null(j, k);
			break;
		default:
			while (depth > 0) {
				if (is_obj[--depth])
					json_obj_end(j);
				else
					json_arr_end(j);
			}
			break;
		}
	}
	return json_finish(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[BIG_CAP];
	struct json jb, js;
	const char *full, *small;
	size_t cap, len;
	char *buf;

	if (size < 2)
		return 0;
	cap = ((size_t)data[0] << 8 | data[1]) % 4096;
	full = run(data + 2, size - 2, big, sizeof(big), &jb);
	if (full) {
		len = strlen(full);
		if (len != jb.len || !json_check(full, len))
			abort();
	}
	buf = malloc(cap ? cap : 1);
	if (!buf)
		return 0;
	small = run(data + 2, size - 2, cap ? buf : NULL, cap, &js);
	if (small && (!full || strcmp(small, full) != 0))
		abort();
	if (!small && full && cap > strlen(full))
		abort();
	free(buf);
	return 0;
}
