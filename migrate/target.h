/*
 * Where a guest migrates to: "A.B.C.D[:PORT]" as `migrate NAME HOST[:PORT]`
 * takes it. Pure.
 */
#ifndef MIGRATE_TARGET_H
#define MIGRATE_TARGET_H

#include "lib/types.h"

#define MIGRATE_PORT_DEFAULT 4444 /* the port QEMU's documentation uses for tcp: migration */

/*
 * Parse s into addr (host byte order) and port (MIGRATE_PORT_DEFAULT when
 * absent). Returns 0, or -EINVAL with a message in err.
 */
int migrate_target_parse(const char *s, uint32_t *addr, uint16_t *port, char *err, size_t errlen);

/* Parse a port number 1-65535. Returns 0 or -EINVAL. */
int migrate_port_parse(const char *s, uint16_t *port);

#endif
