/*
 * The text forms of a TLS pre-shared key and its identity, as hv.cfg
 * (migrate.psk, migrate.psk-identity) and `migrate set` take them. Pure.
 *
 * A key is hex, 32-128 digits (16-64 bytes), either case: hex rather
 * than a passphrase because TLS-PSK uses the bytes as they are, with no
 * stretching, so a typed phrase would be a weak key; `head -c 32
 * /dev/urandom | xxd -p -c 64` makes a good one. An identity is 1-64 of
 * letters, digits and . _ - @ : (it travels in clear in the handshake).
 */
#ifndef LIB_PSK_H
#define LIB_PSK_H

#include "lib/types.h"

#define PSK_MIN_BYTES 16
#define PSK_MAX_BYTES 64
#define PSK_IDENTITY_MAX 64

/*
 * Decode hex into key (PSK_MAX_BYTES long); *len gets the byte count.
 * Returns 0 or -EINVAL (odd length, a non-hex digit, too short or long),
 * leaving key untouched on failure.
 */
int psk_parse_hex(const char *hex, uint8_t *key, size_t *len);

/* Whether s is an acceptable identity. */
bool psk_identity_ok(const char *s);

#endif
