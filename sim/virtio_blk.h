/* virtio-blk (virtio 1.1, 5.2 "Block Device") backed by a host file or block
 * device. One request queue; VIRTIO_BLK_T_IN, OUT, FLUSH (fdatasync) and
 * GET_ID; any other type completes with VIRTIO_BLK_S_UNSUPP. Features:
 * VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_BLK_SIZE (512), VIRTIO_BLK_F_FLUSH,
 * VIRTIO_BLK_F_RO when read-only (with the transport's VERSION_1,
 * ACCESS_PLATFORM and RING_INDIRECT_DESC).
 *
 * Data safety: a write reaches the file with pwrite before the request
 * completes (avsim keeps no cache); FLUSH is fdatasync; destroying the device
 * fsyncs and closes the file. The image is locked with an open file
 * description lock (fcntl F_OFD_SETLK on the whole file: a write lock, or a
 * read lock when read-only), so a second avsim (or QEMU, whose locks conflict
 * with a whole-file write lock) cannot use it at the same time.
 * The capacity is the file's size in whole 512-byte sectors: the bytes of a
 * partial last sector are never read or written. */
#ifndef AVSIM_SIM_VIRTIO_BLK_H
#define AVSIM_SIM_VIRTIO_BLK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/virtio_mmio.h"

#define VIRTIO_ID_BLOCK 2

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

/* Request types and status values (5.2.6). */
enum { VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4, VIRTIO_BLK_T_GET_ID = 8 };
enum { VIRTIO_BLK_S_OK = 0, VIRTIO_BLK_S_IOERR = 1, VIRTIO_BLK_S_UNSUPP = 2 };
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR   512u
/* The largest data part of an IN or OUT request avsim serves (larger ones
 * complete with IOERR, nothing transferred): the whole of an OUT request's
 * data is read from the guest before any byte reaches the file, so a DMA
 * fault never leaves a request half written. Linux's requests are far smaller
 * (max_sectors_kb: 1280 KiB by default). */
#define VIRTIO_BLK_MAX_XFER (64u << 20)

/* Opens path (O_RDWR, or O_RDONLY with read_only) and locks it. NULL with a
 * message in err when the file is missing, unreadable, unwritable, a
 * directory, not a regular file or block device, smaller than one sector, or
 * locked by another program. */
struct virtio_dev *virtio_blk_create(const char *path, bool read_only, char *err, size_t errlen);
/* The image's capacity in 512-byte sectors. */
uint64_t virtio_blk_capacity(const struct virtio_dev *d);

#endif
