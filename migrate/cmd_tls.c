/*
 * `migrate set tls|psk|psk-identity` (cmd_tls.h). A reply never holds the
 * key or the identity, not even quoted in an error: the console answers
 * only whether each is set. The console also keeps these lines out of
 * its history (kernel/console.c).
 */
#include <string.h>

#include "lib/psk.h"
#include "migrate/cmd_tls.h"
#include "migrate/tls_keys.h"

bool migrate_tls_set(struct reply *r, const char *key, const char *val)
{
	if (!strcmp(key, "tls")) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			reply_error(r, "tls must be on or off");
		else
			tls_keys_set_enabled(!strcmp(val, "on"));
	} else if (!strcmp(key, "psk")) {
		if (tls_keys_set_psk_hex(val))
			reply_error(r, "psk must be %d-%d hex digits (value not shown; key unchanged)",
				    2 * PSK_MIN_BYTES, 2 * PSK_MAX_BYTES);
	} else if (!strcmp(key, "psk-identity")) {
		if (tls_keys_set_identity(val))
			reply_error(r, "psk-identity must be 1-%d of letters, digits, '.', '_', "
				       "'-', '@', ':' (value not shown; unchanged)", PSK_IDENTITY_MAX);
	} else {
		return false;
	}
	return true;
}

void migrate_tls_settings(struct reply *r)
{
	const struct tls_keys *k = tls_keys_get();

	reply_bool(r, "tls", k->enabled);
	reply_bool(r, "psk_set", k->psk_len != 0);
	reply_bool(r, "psk_identity_set", k->identity[0] != '\0');
	reply_bool(r, "tls_ready", tls_keys_ready());
}
