/* Shared helpers of the libFuzzer harnesses (tests/fuzz/README in the main
 * README's "Fuzzing" part). Parsers that take a file path are handed a memfd
 * through /proc/self/fd/N: the input never touches the disk and the parser's
 * own file handling (fopen, ftell, fread) is exercised as in a run. */
#ifndef AVSIM_TESTS_FUZZ_COMMON_H
#define AVSIM_TESTS_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct fuzz_file {
    int fd;
    char path[64];
};

/* Replaces the file's contents with data[0..size); returns its path. */
static inline const char *fuzz_file_set(struct fuzz_file *f, const uint8_t *data, size_t size)
{
    if (f->fd <= 0) {
        f->fd = memfd_create("avsim-fuzz", 0);
        if (f->fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
    }
    if (ftruncate(f->fd, 0) != 0 || (size && pwrite(f->fd, data, size, 0) != (ssize_t)size)) {
        perror("memfd write");
        abort();
    }
    return f->path;
}

/* A little-endian reader over the fuzzer's bytes (zeros past the end). */
struct fuzz_in {
    const uint8_t *p;
    size_t n;
};
static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        uint8_t b = 0;
        if (in->n) {
            b = *in->p++;
            in->n--;
        }
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

#endif

/* A small physical memory for the device harnesses: MEM_SIZE bytes at PA 0;
 * an access that leaves it fails (an external abort, as unassigned memory). */
#define FUZZ_MEM_SIZE 0x10000u
struct fuzz_mem {
    uint8_t bytes[FUZZ_MEM_SIZE];
};
static inline int fuzz_mem_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    struct fuzz_mem *m = opaque;
    if (pa >= FUZZ_MEM_SIZE || len > FUZZ_MEM_SIZE - pa)
        return -1;
    memcpy(buf, m->bytes + pa, len);
    return 0;
}
static inline int fuzz_mem_write(void *opaque, uint64_t pa, const void *buf, size_t len)
{
    struct fuzz_mem *m = opaque;
    if (pa >= FUZZ_MEM_SIZE || len > FUZZ_MEM_SIZE - pa)
        return -1;
    memcpy(m->bytes + pa, buf, len);
    return 0;
}
/* Op FUZZ_OP_MEM of the device harnesses: ADDR(2) LEN(1) BYTES(LEN) into memory. */
static inline void fuzz_mem_fill(struct fuzz_mem *m, struct fuzz_in *in)
{
    uint64_t addr = fuzz_take(in, 2);
    size_t len = (size_t)fuzz_take(in, 1);
    for (size_t i = 0; i < len && addr + i < FUZZ_MEM_SIZE; i++)
        m->bytes[addr + i] = (uint8_t)fuzz_take(in, 1);
}
