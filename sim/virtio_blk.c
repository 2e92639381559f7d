/* virtio-blk (virtio 1.1, 5.2 "Block Device") on a host file. */
#define _GNU_SOURCE               /* F_OFD_SETLK */
#include "sim/virtio_blk.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* struct virtio_blk_config (5.2.4): its size in 1.1, and the fields set. */
enum { CFG_CAPACITY = 0, CFG_SEG_MAX = 12, CFG_BLK_SIZE = 20, CFG_LEN = 60 };

struct virtio_blk {
    struct virtio_dev dev;
    int fd;
    bool read_only;
    char *path;
    uint64_t capacity;        /* in 512-byte sectors */
    uint64_t host_errors;     /* writes and flushes the host refused (the guest got IOERR) */
    int first_errno;          /* ... the first one's errno */
    uint8_t id[VIRTIO_BLK_ID_BYTES];
    uint8_t config[CFG_LEN];
};

static struct virtio_blk *blk_of(struct virtio_dev *d) { return (struct virtio_blk *)d; }

static int pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;            /* an error, or the file shrank under avsim */
        buf += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static int pwrite_full(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EIO;         /* no progress and no reason given */
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

/* A write or flush the host refused (a full disk, a file size limit, an I/O
 * error): the guest gets IOERR and the run reports it at its end (blk_sync),
 * since data the guest meant to keep did not reach the image. */
static void host_error(struct virtio_blk *b)
{
    if (!b->host_errors++)
        b->first_errno = errno ? errno : EIO;
}

/* The data part of an IN or OUT request: whole sectors (5.2.6.1: "The length
 * of data MUST be a multiple of 512 bytes for VIRTIO_BLK_T_IN and
 * VIRTIO_BLK_T_OUT requests"), inside the capacity (5.2.6.1: "A driver MUST
 * NOT submit a request which would cause a read or write beyond capacity"),
 * at most VIRTIO_BLK_MAX_XFER. Otherwise the request fails with IOERR. */
static bool xfer_ok(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
    return len % VIRTIO_BLK_SECTOR == 0 && len <= VIRTIO_BLK_MAX_XFER && sector <= b->capacity &&
           len / VIRTIO_BLK_SECTOR <= b->capacity - sector;
}

/* VIRTIO_BLK_T_IN: the sectors from the file into the device-writable part.
 * Each handler returns a VIRTIO_BLK_S_* status, or -1 for a DMA fault; *done
 * is the number of bytes written at the start of the device-writable part. */
static int blk_in(struct virtio_blk *b, const struct virtio_chain *c, uint64_t sector, uint64_t len, uint64_t *done)
{
    if (!xfer_ok(b, sector, len))
        return VIRTIO_BLK_S_IOERR;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return VIRTIO_BLK_S_IOERR;
    int st = VIRTIO_BLK_S_OK;
    if (pread_full(b->fd, buf, len, sector * VIRTIO_BLK_SECTOR))
        st = VIRTIO_BLK_S_IOERR;
    else if (virtio_chain_write(c, 0, buf, len))
        st = -1;
    free(buf);
    if (st == VIRTIO_BLK_S_OK) {
        *done = len;
        b->dev.stats.bytes_read += len;
    }
    return st;
}

/* VIRTIO_BLK_T_OUT: the device-readable data after the header into the file.
 * 5.2.6.2: "A device MUST set the status byte to VIRTIO_BLK_S_IOERR for a
 * write request if the VIRTIO_BLK_F_RO feature if offered, and MUST NOT write
 * any data." All the data is read from the guest first, so a DMA fault
 * leaves the file untouched; then it reaches the file at once. */
static int blk_out(struct virtio_blk *b, const struct virtio_chain *c, uint64_t sector, uint64_t len)
{
    if (b->read_only || !xfer_ok(b, sector, len))
        return VIRTIO_BLK_S_IOERR;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return VIRTIO_BLK_S_IOERR;
    int st = VIRTIO_BLK_S_OK;
    if (virtio_chain_read(c, 16, buf, len))
        st = -1;
    else if (pwrite_full(b->fd, buf, len, sector * VIRTIO_BLK_SECTOR)) {
        host_error(b);
        st = VIRTIO_BLK_S_IOERR;
    }
    free(buf);
    if (st == VIRTIO_BLK_S_OK)
        b->dev.stats.bytes_written += len;
    return st;
}

/* VIRTIO_BLK_T_FLUSH (5.2.6: "A flush request ... the device MUST NOT
 * complete it until the write cache is flushed"): what avsim wrote is in the
 * host's page cache; fdatasync pushes it to the medium. A read-only image
 * has nothing to flush. */
static int blk_flush(struct virtio_blk *b)
{
    if (b->read_only)
        return VIRTIO_BLK_S_OK;
    if (fdatasync(b->fd) == 0)
        return VIRTIO_BLK_S_OK;
    host_error(b);
    return VIRTIO_BLK_S_IOERR;
}

/* VIRTIO_BLK_T_GET_ID: the 20-byte device ID string (5.2.6: "not
 * NUL-terminated if it is exactly 20 bytes"): the image's file name. */
static int blk_get_id(struct virtio_blk *b, const struct virtio_chain *c, uint64_t len, uint64_t *done)
{
    uint64_t n = len < VIRTIO_BLK_ID_BYTES ? len : VIRTIO_BLK_ID_BYTES;
    if (virtio_chain_write(c, 0, b->id, n))
        return -1;
    *done = n;
    return VIRTIO_BLK_S_OK;
}

/* One request (5.2.6): struct virtio_blk_req { le32 type; le32 reserved;
 * le64 sector; u8 data[]; u8 status; }, the header at the start of the
 * device-readable part, the status byte the last of the device-writable
 * part, the data between (device-readable for OUT, device-writable for IN and
 * GET_ID). A chain without a header or without room for the status cannot be
 * answered: the device needs a reset (avsim's choice). */
static int64_t blk_process(struct virtio_dev *d, unsigned q, const struct virtio_chain *c)
{
    struct virtio_blk *b = blk_of(d);
    uint8_t hdr[16];
    (void)q;
    if (c->readable < sizeof hdr || c->writable < 1 || virtio_chain_read(c, 0, hdr, sizeof hdr))
        return VIRTIO_DEV_BROKEN;
    uint32_t type = virtio_le32(hdr);
    uint64_t sector = virtio_le64(hdr + 8);
    uint64_t in_len = c->writable - 1, done = 0;
    int st;
    switch (type) {
    case VIRTIO_BLK_T_IN: st = blk_in(b, c, sector, in_len, &done); break;
    case VIRTIO_BLK_T_OUT: st = blk_out(b, c, sector, c->readable - sizeof hdr); break;
    case VIRTIO_BLK_T_FLUSH: st = blk_flush(b); break;
    case VIRTIO_BLK_T_GET_ID: st = blk_get_id(b, c, in_len, &done); break;
    default: st = VIRTIO_BLK_S_UNSUPP; break;
    }
    if (st < 0)
        return VIRTIO_DEV_BROKEN;
    if (st != VIRTIO_BLK_S_OK)
        d->stats.errors++;
    uint8_t status = (uint8_t)st;
    if (virtio_chain_write(c, in_len, &status, 1))
        return VIRTIO_DEV_BROKEN;
    /* The used length counts the bytes written from the start of the
     * device-writable part (2.6.8.1): through the status byte when the data
     * filled everything before it, else only the data (an underestimate,
     * which 2.6.8 allows). */
    return done == in_len ? (int64_t)c->writable : (int64_t)done;
}

static int blk_sync(struct virtio_dev *d, char *err, size_t errlen)
{
    struct virtio_blk *b = blk_of(d);
    if (b->host_errors) {
        snprintf(err, errlen, "disk image '%s': %llu write%s failed (the guest got IOERR), the first: %s", b->path,
                 (unsigned long long)b->host_errors, b->host_errors == 1 ? "" : "s", strerror(b->first_errno));
        b->host_errors = 0;               /* said once (sync runs at the end and at destroy) */
        return -1;
    }
    if (b->read_only || fsync(b->fd) == 0)
        return 0;
    snprintf(err, errlen, "disk image '%s': fsync failed: %s", b->path, strerror(errno));
    return -1;
}

/* fsync, then close (which drops the lock). A failure cannot be returned
 * from here: it is reported on stderr (virtio_mmio_sync reports it first on
 * an orderly exit). */
static void blk_destroy(struct virtio_dev *d)
{
    struct virtio_blk *b = blk_of(d);
    char err[512];
    if (blk_sync(d, err, sizeof err))
        fprintf(stderr, "avsim: %s\n", err);
    close(b->fd);
    free(b->path);
    free(b);
}

static const struct virtio_dev_ops blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .process = blk_process,
    .sync = blk_sync,
    .destroy = blk_destroy,
};

/* Opens and checks the image: a regular file or a block device (O_NONBLOCK
 * so that a FIFO named by mistake cannot hang the open), at least one
 * sector, locked for this run. */
static int open_image(const char *path, bool read_only, uint64_t *size, char *err, size_t errlen)
{
    int fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == EISDIR)
            snprintf(err, errlen, "disk image '%s' is a directory", path);
        else if (!read_only && (e == EACCES || e == EPERM || e == EROFS || e == ETXTBSY))
            snprintf(err, errlen, "disk image '%s' cannot be opened for writing: %s (',ro' attaches it read-only)",
                     path, strerror(e));
        else
            snprintf(err, errlen, "disk image '%s': %s", path, strerror(e));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "disk image '%s': %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "disk image '%s' is a directory", path);
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        snprintf(err, errlen, "disk image '%s' is neither a regular file nor a block device", path);
        goto fail;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        snprintf(err, errlen, "disk image '%s': %s", path, strerror(errno));
        goto fail;
    }
    /* An open file description lock on the whole file: it conflicts with any
     * lock another open of the file holds, in this process or another. */
    struct flock fl = { .l_type = read_only ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        if (errno == EAGAIN || errno == EACCES)
            snprintf(err, errlen,
                     "disk image '%s' is in use: another program (another avsim run, QEMU?) holds a lock on it, "
                     "and two runs must not share one image%s",
                     path, read_only ? "" : " (read-only runs can share one: ',ro')");
        else
            snprintf(err, errlen, "disk image '%s' cannot be locked: %s", path, strerror(errno));
        goto fail;
    }
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        snprintf(err, errlen, "disk image '%s': %s", path, strerror(errno));
        goto fail;
    }
    if ((uint64_t)end < VIRTIO_BLK_SECTOR) {
        snprintf(err, errlen, "disk image '%s' is smaller than one 512-byte sector (%lld bytes)", path, (long long)end);
        goto fail;
    }
    *size = (uint64_t)end;
    return fd;
fail:
    close(fd);
    return -1;
}

struct virtio_dev *virtio_blk_create(const char *path, bool read_only, char *err, size_t errlen)
{
    uint64_t size;
    if (!path || !*path) {
        snprintf(err, errlen, "no disk image named");
        return NULL;
    }
    int fd = open_image(path, read_only, &size, err, errlen);
    if (fd < 0)
        return NULL;
    struct virtio_blk *b = calloc(1, sizeof *b);
    char *p = strdup(path);
    if (!b || !p) {
        snprintf(err, errlen, "disk image '%s': out of memory", path);
        free(b);
        free(p);
        close(fd);
        return NULL;
    }
    b->fd = fd;
    b->read_only = read_only;
    b->path = p;
    b->capacity = size / VIRTIO_BLK_SECTOR;
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    size_t idlen = strlen(base);
    memcpy(b->id, base, idlen < sizeof b->id ? idlen : sizeof b->id);   /* NUL-padded (calloc) */

    /* 5.2.4 "Device configuration layout". seg_max: a chain of direct
     * descriptors fits a full queue with the header and the status. */
    virtio_put_le64(b->config + CFG_CAPACITY, b->capacity);
    virtio_put_le32(b->config + CFG_SEG_MAX, VIRTIO_QUEUE_NUM_MAX - 2);
    virtio_put_le32(b->config + CFG_BLK_SIZE, VIRTIO_BLK_SECTOR);
    b->dev = (struct virtio_dev){
        .ops = &blk_ops,
        .features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
                    VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | (read_only ? VIRTIO_BIT(VIRTIO_BLK_F_RO) : 0),
        .config = b->config,
        .config_len = CFG_LEN,
    };
    return &b->dev;
}

uint64_t virtio_blk_capacity(const struct virtio_dev *d)
{
    return d->ops == &blk_ops ? ((const struct virtio_blk *)d)->capacity : 0;
}
