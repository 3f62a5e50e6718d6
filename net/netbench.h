/*
 * TCP throughput between two hypervisors, with every byte checked.
 *
 * The client sends a deterministic byte stream (byte i of the stream is
 * netbench_byte(i), splitmix64 of i / 8; a wire format: changing it breaks
 * netbench between hypervisor versions); the server checks each byte as it arrives, and when
 * the client closes its side, answers with a 16-byte verdict (bytes
 * received, bytes wrong: two little-endian uint64) before closing. So the
 * client learns that every byte arrived intact, not only that it was sent.
 */
#ifndef NET_NETBENCH_H
#define NET_NETBENCH_H

#include "lib/types.h"

#define NETBENCH_PORT 5001
#define NETBENCH_MAX_MIB 4096

/* Byte i of the test stream (splitmix64 of i / 8: no 8-byte word repeats). */
uint8_t netbench_byte(uint64_t i);

/* Start (or keep) the listening server on port. Returns 0 or -EBUSY / -ENOMEM. */
int netbench_server_start(uint16_t port);

struct netbench_server_stats {
	bool listening;
	uint16_t port;
	uint32_t sessions;      /* finished sessions */
	uint64_t last_bytes;    /* of the last finished session */
	uint64_t last_errors;
	uint64_t last_ns;
};
void netbench_server_stats(struct netbench_server_stats *s);

struct netbench_result {
	uint64_t bytes_sent;
	uint64_t bytes_verified; /* the server's count of bytes received */
	uint64_t errors;         /* the server's count of wrong bytes */
	uint64_t ns;             /* from connect to the verdict */
	uint64_t kib_per_s;
};

/*
 * Connect to addr:port (host byte order), send mib MiB of the stream,
 * wait for the verdict; keeps the rest of the hypervisor running
 * (mainloop_step). progress, when not NULL, gets the bytes sent so far
 * every MiB. Returns 0, -ECONNREFUSED, -ETIMEDOUT (no progress for 10 s),
 * -EIO (connection reset) or -EPROTO (no or short verdict).
 */
int netbench_client_run(uint32_t addr, uint16_t port, uint32_t mib, struct netbench_result *out,
			void (*progress)(uint64_t sent));

#endif
