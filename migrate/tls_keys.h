/*
 * The migration's TLS settings in force: on or off, the pre-shared key
 * and its identity. Loaded from hv.cfg at boot (migrate.tls, migrate.psk,
 * migrate.psk-identity), changed by `migrate set`; the sender and
 * receiver read them when a transfer starts (migrate/channel.c; see
 * docs/migration-stream.md, "Transport security"). Pure.
 *
 * The key is secret: nothing here logs it, and callers must not show it
 * (the console says only whether one is set).
 */
#ifndef MIGRATE_TLS_KEYS_H
#define MIGRATE_TLS_KEYS_H

#include "kernel/config.h"
#include "lib/psk.h"
#include "lib/types.h"

struct tls_keys {
	bool enabled; /* default on: a transfer without a key will be refused */
	uint8_t psk[PSK_MAX_BYTES];
	size_t psk_len; /* 0: no key */
	char identity[PSK_IDENTITY_MAX + 1];
};

/* The identity used when hv.cfg names none. */
#define TLS_KEYS_DEFAULT_IDENTITY "hv-migration"

/* Why a transfer cannot start without a key, and what to do about it. */
#define TLS_KEYS_MISSING                                                            \
	"no migration key: give both hypervisors the same one with 'migrate set psk HEX' " \
	"(32-128 hex digits; hv.cfg migrate.psk), or 'migrate set tls off' on both"

/* The settings in force. */
const struct tls_keys *tls_keys_get(void);

/* Take the settings from a parsed hv.cfg (boot). */
void tls_keys_load(const struct config *c);

/* Set the key from hex (lib/psk.h); -EINVAL leaves the old key in place. */
int tls_keys_set_psk_hex(const char *hex);

/* Set the identity; -EINVAL leaves the old one in place. */
int tls_keys_set_identity(const char *id);

void tls_keys_set_enabled(bool on);

/* Whether a transfer can start: TLS off, or on with a key and an identity. */
bool tls_keys_ready(void);

#endif
