/* libFuzzer target: the virtio-mmio transport (sim/virtio_mmio.c: registers,
 * feature negotiation, status, queue setup, descriptor chains with indirect
 * tables, the used ring) and the device behind it, over a fake DMA port onto
 * 64 KiB of memory (accesses beyond it fail, as a DMA fault would). The first
 * byte picks the device: virtio-rng, virtio-blk (over a 64 KiB memfd) or
 * virtio-console (output dropped). Then a program of operations:
 *   0 OFF(2) VALUE(4)     a register write (32-bit; 8/16-bit in the config space)
 *   1 OFF(2)              a register read
 *   2 ADDR(2) LEN(1) ...  memory bytes (descriptor tables, rings, buffers)
 *   3                     a system reset */
#include "fuzz_common.h"
#include "sim/virtio_blk.h"
#include "sim/virtio_console.h"
#include "sim/virtio_mmio.h"
#include "sim/virtio_rng.h"

static struct fuzz_mem mem;
static struct fuzz_file disk;

static int dma_access(void *opaque, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write)
{
    return is_write ? fuzz_mem_write(opaque, addr, buf, len) : fuzz_mem_read(opaque, addr, buf, len);
}

static void irq_set(void *opaque, bool level) {}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&mem, 0, sizeof mem);
    struct fuzz_in in = { data, size };
    struct virtio_dev *dev;
    char err[256];
    switch (fuzz_take(&in, 1) % 3) {
    case 0:
        dev = virtio_rng_create(1);
        break;
    case 1: {
        static uint8_t zeros[FUZZ_MEM_SIZE];
        const char *path = fuzz_file_set(&disk, zeros, sizeof zeros);
        dev = virtio_blk_create(path, false, err, sizeof err);
        if (!dev) {
            fprintf(stderr, "virtio_blk_create: %s\n", err);
            abort();
        }
        break;
    }
    default:
        dev = virtio_console_create(NULL, -1);
        break;
    }
    if (!dev)
        abort();
    struct dma_port dma = { dma_access, &mem, 0 };
    struct virtio_mmio *t = virtio_mmio_create(dev, dma, (struct irq_line){ irq_set, NULL });
    while (in.n) {
        switch (fuzz_take(&in, 1) % 4) {
        case 0: {
            uint64_t off = fuzz_take(&in, 2) % VIRTIO_MMIO_SIZE;
            uint64_t v = fuzz_take(&in, 4);
            unsigned sz = off >= VIRTIO_MMIO_CONFIG ? 1u << (off & 3) % 3 : 4;
            virtio_mmio_write(t, off & ~(uint64_t)(sz - 1), v, sz);
            break;
        }
        case 1: {
            uint64_t off = fuzz_take(&in, 2) % VIRTIO_MMIO_SIZE;
            unsigned sz = off >= VIRTIO_MMIO_CONFIG ? 1u << (off & 3) % 3 : 4;
            (void)virtio_mmio_read(t, off & ~(uint64_t)(sz - 1), sz);
            break;
        }
        case 2:
            fuzz_mem_fill(&mem, &in);
            break;
        case 3:
            virtio_mmio_reset(t);
            break;
        }
    }
    (void)virtio_mmio_stats(t);
    virtio_mmio_destroy(t);
    return 0;
}
