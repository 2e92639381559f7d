/* The block workload of issue 17's I/O virtualization examples: the same in
 * every mode (emulated, paravirtual, passthrough, the bare device), so that
 * their costs compare. The guest writes BLK_WL_BYTES (1 MiB) to its disk in
 * BLK_WL_REQ (4 KiB) requests, each filled by blk_wl_fill, then reads it all
 * back in requests of the same size and checks the checksum of what it read
 * against that of what it wrote (FNV-1a, 64-bit). */
#ifndef AVSIM_GUEST_BLK_WORKLOAD_H
#define AVSIM_GUEST_BLK_WORKLOAD_H
#include <stdint.h>

#define BLK_WL_BYTES (1024u * 1024u)
#define BLK_WL_REQ 4096u
#define BLK_WL_REQUESTS (BLK_WL_BYTES / BLK_WL_REQ)   /* 256 each way */
#define BLK_WL_FNV_INIT 0xcbf29ce484222325ULL

/* Request i's contents: a pattern that differs from request to request and
 * from word to word (a stale or misplaced block shows in the checksum). */
static inline void blk_wl_fill(uint64_t *buf, unsigned i)
{
    for (unsigned w = 0; w < BLK_WL_REQ / 8; w++)
        buf[w] = (0x9e3779b97f4a7c15ULL * (i * (BLK_WL_REQ / 8) + w + 1)) ^ ((uint64_t)i << 48);
}

/* FNV-1a over len bytes, continuing from h. */
static inline uint64_t blk_wl_fnv(uint64_t h, const void *p, unsigned len)
{
    const uint8_t *b = p;
    for (unsigned k = 0; k < len; k++) {
        h ^= b[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#endif
