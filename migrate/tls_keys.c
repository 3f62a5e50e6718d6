/*
 * The migration's TLS settings (tls_keys.h). One copy of the key lives
 * here; replacing it wipes the old bytes first.
 */
#include <string.h>

#include "migrate/tls_keys.h"

static struct tls_keys keys = { .enabled = true, .identity = TLS_KEYS_DEFAULT_IDENTITY };

const struct tls_keys *tls_keys_get(void)
{
	return &keys;
}

void tls_keys_load(const struct config *c)
{
	memset(&keys, 0, sizeof(keys));
	keys.enabled = c->migrate_tls;
	memcpy(keys.psk, c->migrate_psk, c->migrate_psk_len);
	keys.psk_len = c->migrate_psk_len;
	memcpy(keys.identity, c->migrate_psk_identity, sizeof(keys.identity));
	if (!keys.identity[0])
		memcpy(keys.identity, TLS_KEYS_DEFAULT_IDENTITY, sizeof(TLS_KEYS_DEFAULT_IDENTITY));
}

int tls_keys_set_psk_hex(const char *hex)
{
	uint8_t key[PSK_MAX_BYTES];
	size_t len;

	if (psk_parse_hex(hex, key, &len))
		return -EINVAL;
	memset(keys.psk, 0, sizeof(keys.psk));
	memcpy(keys.psk, key, len);
	keys.psk_len = len;
	memset(key, 0, sizeof(key));
	return 0;
}

int tls_keys_set_identity(const char *id)
{
	if (!psk_identity_ok(id))
		return -EINVAL;
	memset(keys.identity, 0, sizeof(keys.identity));
	memcpy(keys.identity, id, strlen(id) + 1);
	return 0;
}

void tls_keys_set_enabled(bool on)
{
	keys.enabled = on;
}

bool tls_keys_ready(void)
{
	return !keys.enabled || (keys.psk_len && keys.identity[0]);
}
