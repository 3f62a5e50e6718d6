/*
 * CRC-32 as IEEE 802.3 and zlib define it (reflected polynomial
 * 0xEDB88320, initial and final XOR with all ones). Pure.
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include "lib/types.h"

/*
 * CRC-32 of n bytes, continuing from crc (0 to start): crc32_update(0,
 * "123456789", 9) is 0xCBF43926, and crc32_update(crc32_update(0, a, n), b, m)
 * equals the CRC of a followed by b.
 */
uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

#endif
