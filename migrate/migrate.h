/*
 * Live migration as the rest of the hypervisor sees it: one step per
 * main-loop turn for both ends, the settings `migrate set` changes, and
 * progress reports while a migration runs.
 */
#ifndef MIGRATE_MIGRATE_H
#define MIGRATE_MIGRATE_H

#include "lib/types.h"
#include "migrate/precopy.h"

/* One step of the sender and the receiver; true while either has work that should not wait. */
bool migrate_poll(void);

/* The settings the next `migrate NAME HOST` uses. */
struct precopy_params *migrate_params(void);

/* Where the TLS handshakes' randomness comes from: "rdseed", "rdrand" or "tsc-jitter". */
const char *migrate_entropy_source(void);

#endif
