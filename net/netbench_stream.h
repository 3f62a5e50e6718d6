/*
 * The netbench test stream in bulk: filling and checking whole buffers of
 * it, a word at a time. Pure (host unit tests). Byte i of the stream is
 * netbench_byte(i) (net/netbench.h).
 */
#ifndef NET_NETBENCH_STREAM_H
#define NET_NETBENCH_STREAM_H

#include "lib/types.h"

/* Write stream bytes [off, off + len) to buf. */
void netbench_fill(uint64_t off, uint8_t *buf, size_t len);

/* How many of buf's len bytes differ from stream bytes [off, off + len). */
uint64_t netbench_check(uint64_t off, const uint8_t *buf, size_t len);

#endif
