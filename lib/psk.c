/*
 * Pre-shared key and identity parsing (psk.h). Messages about a bad key
 * are the caller's to write, and must not quote it.
 */
#include <string.h>

#include "lib/fmt.h"
#include "lib/psk.h"

int psk_parse_hex(const char *hex, uint8_t *key, size_t *len)
{
	uint8_t tmp[PSK_MAX_BYTES];
	size_t n = hex ? strlen(hex) : 0, i;

	if (n % 2 || n < 2 * PSK_MIN_BYTES || n > 2 * PSK_MAX_BYTES)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		int hi = fmt_hex_digit(hex[2 * i]), lo = fmt_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			memset(tmp, 0, sizeof(tmp));
			return -EINVAL;
		}
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(key, tmp, n / 2);
	memset(tmp, 0, sizeof(tmp)); /* no stray copy on the stack */
	*len = n / 2;
	return 0;
}

static bool identity_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '@' || c == ':';
}

bool psk_identity_ok(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if (i >= PSK_IDENTITY_MAX || !identity_char(s[i]))
			return false;
	return s && i > 0;
}
