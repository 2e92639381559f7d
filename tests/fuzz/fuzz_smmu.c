/* libFuzzer target: the SMMUv3's register file, command queue, STE and CD
 * decoding and table walks (smmu/), over a fake physical memory of 64 KiB
 * (sim/dma.h phys_mem; accesses beyond it fail as unassigned memory). The
 * input is a program of operations:
 *   0 OFF(3) VALUE(8)     a 32-bit register write (size 8 when OFF bit 0 is set)
 *   1 OFF(3)              a register read
 *   2 ADDR(2) LEN(1) ...  memory bytes (queues, stream and CD tables, page tables)
 *   3 SID(2) SSID(1) ADDR(8) LEN(2) W(1)   a DMA transaction of a device
 * so a guest's register and table contents, in any order, reach every decoder. */
#include "fuzz_common.h"
#include "smmu/smmu.h"

static struct fuzz_mem mem;
static unsigned pulses;

static void irq_set(void *opaque, bool level) { pulses += level; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&mem, 0, sizeof mem);
    struct smmu_config cfg;
    smmu_config_defaults(&cfg);
    struct fuzz_in in = { data, size };
    /* The first byte: SubstreamID bits (0..8) and which stages exist. */
    uint8_t shape = (uint8_t)fuzz_take(&in, 1);
    cfg.ssid_bits = (shape & 15) % 9;
    cfg.no_stage1 = shape & 0x10 && !(shape & 0x20);
    cfg.no_stage2 = shape & 0x20 && !(shape & 0x10);
    struct smmu_bus bus = { .mem = { fuzz_mem_read, fuzz_mem_write, &mem } };
    for (int i = 0; i < SMMU_IRQ_COUNT; i++)
        bus.irq[i] = (struct irq_line){ irq_set, NULL };
    char err[256];
    struct smmu *s = smmu_create(&cfg, &bus, err, sizeof err);
    if (!s) {
        fprintf(stderr, "smmu_create: %s\n", err);
        abort();
    }
    uint8_t buf[4096];
    while (in.n) {
        switch (fuzz_take(&in, 1) % 4) {
        case 0: {
            uint64_t off = fuzz_take(&in, 3) % SMMU_MMIO_SIZE, v = fuzz_take(&in, 8);
            smmu_mmio_write(s, off & 1 ? off & ~7ULL : off & ~3ULL, v, off & 1 ? 8 : 4);
            break;
        }
        case 1: {
            uint64_t off = fuzz_take(&in, 3) % SMMU_MMIO_SIZE;
            (void)smmu_mmio_read(s, off & 1 ? off & ~7ULL : off & ~3ULL, off & 1 ? 8 : 4);
            break;
        }
        case 2:
            fuzz_mem_fill(&mem, &in);
            break;
        case 3: {
            uint32_t sid = (uint32_t)fuzz_take(&in, 2);
            uint8_t ssid = (uint8_t)fuzz_take(&in, 1);
            uint64_t addr = fuzz_take(&in, 8);
            size_t len = (size_t)(fuzz_take(&in, 2) % sizeof buf) + 1;
            bool w = fuzz_take(&in, 1) & 1;
            memset(buf, 0x5a, len);
            (void)smmu_dma(s, sid, ssid == 0xff ? DMA_NO_SSID : ssid, addr, buf, len, w);
            break;
        }
        }
    }
    (void)smmu_get_stats(s);
    unsigned n;
    (void)smmu_get_sid_stats(s, &n);
    smmu_destroy(s);
    return 0;
}
