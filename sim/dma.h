/* How devices and the SMMU reach memory. A DMA-capable device is handed a
 * dma_port by the machine: its accesses go through the SMMU with the device's
 * StreamID, or straight to physical memory when the machine has no SMMU. The
 * SMMU itself (its table walks, STE/CD fetches, queues and the data of the
 * transactions it lets through) is handed a phys_mem. A device never knows
 * which it has. */
#ifndef AVSIM_SIM_DMA_H
#define AVSIM_SIM_DMA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DMA_NO_SSID UINT32_MAX    /* a transaction without a SubstreamID (no PASID) */

/* Physical memory as a bus master sees it. Each returns 0, or -1 when part of
 * [pa, pa + len) is not backed by RAM (the transaction takes an external
 * abort; nothing is transferred). A write that reaches a page holding
 * translated guest code drops that code, as a CPU store would. */
struct phys_mem {
    int (*read)(void *opaque, uint64_t pa, void *buf, size_t len);
    int (*write)(void *opaque, uint64_t pa, const void *buf, size_t len);
    void *opaque;
};

static inline int phys_read(const struct phys_mem *p, uint64_t pa, void *buf, size_t len)
{
    return p->read(p->opaque, pa, buf, len);
}
static inline int phys_write(const struct phys_mem *p, uint64_t pa, const void *buf, size_t len)
{
    return p->write(p->opaque, pa, buf, len);
}

/* A device's DMA port. access() moves len bytes between buf and the device's
 * address space at addr (an IOVA under the SMMU, a PA without one); sid and
 * ssid are the transaction's StreamID and SubstreamID (DMA_NO_SSID: none).
 * Returns 0, or -1 when the transaction was terminated (a translation fault,
 * an abort STE, an external abort): then the bytes up to the faulting page
 * may have been transferred and the rest were not; the SMMU has recorded what
 * its configuration asks for. */
struct dma_port {
    int (*access)(void *opaque, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write);
    void *opaque;
    uint32_t sid;             /* the device's StreamID */
};

static inline int dma_read(const struct dma_port *p, uint64_t addr, void *buf, size_t len)
{
    return p->access(p->opaque, p->sid, DMA_NO_SSID, addr, buf, len, false);
}
static inline int dma_write(const struct dma_port *p, uint64_t addr, const void *buf, size_t len)
{
    return p->access(p->opaque, p->sid, DMA_NO_SSID, addr, (void *)buf, len, true);
}

#endif
