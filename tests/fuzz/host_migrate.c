/*
 * Host stand-ins for the lwIP side of live migration (migrate/sender.c,
 * receiver.c, migrate.c), so that fuzz_commands reaches the real
 * migrate/cmd_migrate.c. Like host_core.c they abort when the command
 * passes on what its own validation should have refused: a port of 0, a
 * setting outside its range, an empty guest name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/migrate.h"
#include "migrate/receiver.h"
#include "migrate/sender.h"

static struct precopy_params params;
static bool params_set;
static struct msend_status send_status;
static struct mrecv_status recv_status;

struct precopy_params *migrate_params(void)
{
	if (!params_set) {
		precopy_params_default(&params);
		params_set = true;
	}
	return &params;
}

const char *migrate_entropy_source(void)
{
	return "host";
}

int migrate_send_start(const char *name, uint32_t addr, uint16_t port,
		       const struct precopy_params *p, char *err, size_t errlen)
{
	(void)addr;
	if (!name[0] || port == 0 || p->downtime_limit_ms == 0 ||
	    p->downtime_limit_ms > PRECOPY_DOWNTIME_MAX_MS ||
	    p->max_bandwidth_mibps > PRECOPY_BANDWIDTH_MAX_MIBPS || p->max_rounds > PRECOPY_ROUNDS_MAX)
		abort();
	/* the host build runs no guests: the real sender refuses the same way */
	snprintf(err, errlen, "no guest named '%s'", name);
	return -EINVAL;
}

int migrate_send_cancel(void)
{
	return -EINVAL;
}

void migrate_send_fault(enum migrate_fault f, uint64_t offset)
{
	if (f > MIGRATE_FAULT_REPLAY)
		abort();
	(void)offset;
}

void migrate_send_withhold_commit(void)
{
}

const struct msend_status *migrate_send_status(void)
{
	return &send_status;
}

int migrate_recv_listen(uint16_t port, char *err, size_t errlen)
{
	if (port == 0)
		abort();
	snprintf(err, errlen, "no network stack in the host build");
	return -ENOMEM;
}

int migrate_recv_cancel(void)
{
	return -EINVAL;
}

const struct mrecv_status *migrate_recv_status(void)
{
	return &recv_status;
}

const char *migrate_recv_phase_name(enum mrecv_phase p)
{
	return p == 0 ? "off" : "?";
}
