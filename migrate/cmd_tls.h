/*
 * The TLS part of the "migrate" command (migrate/cmd_migrate.c hooks it
 * in): `migrate set tls on|off`, `migrate set psk HEX`,
 * `migrate set psk-identity NAME`, and the TLS lines of the settings.
 */
#ifndef MIGRATE_CMD_TLS_H
#define MIGRATE_CMD_TLS_H

#include "lib/reply.h"
#include "lib/types.h"

/* Apply `migrate set KEY VAL` when KEY is a TLS setting (then true); false otherwise. */
bool migrate_tls_set(struct reply *r, const char *key, const char *val);

/* Add the TLS settings to an open settings object: never the key, never the identity. */
void migrate_tls_settings(struct reply *r);

#endif
