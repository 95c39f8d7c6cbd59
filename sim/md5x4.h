/* MD5 of four short messages at once, one per lane of a vector (RFC 1321).
 *
 * A producer hashes every one of its partition keys (up to 10^7) to route it to a shard: one
 * MD5 block each. The rounds are the same for every message, so four go through them side by
 * side in 128-bit vectors (GCC's vector extension: SSE2 on x86-64, NEON on arm64), for about a
 * third of the instructions of four MD5Transform calls. */
#ifndef SIM_MD5X4_H
#define SIM_MD5X4_H

#include <stddef.h>
#include <stdint.h>

/* The longest message that fits MD5's one 64-byte block with its padding. */
#define SIM_MD5X4_MAX_LEN 55

/* digest[i] = MD5(msg[i], len[i]) for i < 4; every len[i] <= SIM_MD5X4_MAX_LEN. */
void sim_md5x4(const char *const msg[4], const size_t len[4], uint8_t digest[4][16]);

#endif
