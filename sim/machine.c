#include "sim/machine.h"
#include "sim/dmatest.h"
#include "sim/psci.h"
#include "sim/semihosting.h"
#include "sim/virtio_blk.h"
#include "sim/virtio_console.h"
#include "sim/virtio_mmio.h"
#include "sim/virtio_rng.h"
#include "smmu/smmu.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void on_semihosting(void *opaque, struct pe *pe) { semihosting_call(opaque, pe); }

/* The GIC's frames and outputs. The GICv2 frames and the banked part of its
 * distributor are those of the PE that accesses them: the one running now. */
static unsigned cur_index(const struct machine *m) { return m->cur ? m->cur->index : 0; }

/* The MMIO ops of a GIC frame whose accesses are those of the running PE. */
#define GIC_PE_FRAME(name, read_fn, write_fn, rule)                                                \
    static uint64_t name##_read(void *o, uint64_t off, unsigned size)                             \
    {                                                                                              \
        struct machine *m = o;                                                                     \
        return read_fn(m->gic, cur_index(m), off, size);                                           \
    }                                                                                              \
    static void name##_write(void *o, uint64_t off, uint64_t v, unsigned size)                    \
    {                                                                                              \
        struct machine *m = o;                                                                     \
        write_fn(m->gic, cur_index(m), off, v, size);                                              \
    }                                                                                              \
    static const struct mmio_ops name##_ops = { .read = name##_read, .write = name##_write, .size_rule = (rule) };

/* The GICv3 frames' access sizes (gic_dist_size_ok): the others are RAZ/WI, as QEMU 7.2's. */
static enum mmio_size_rule gicd_size_rule(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return gic_dist_size_ok(m->gic, off, size) ? MMIO_SIZE_OK : MMIO_SIZE_RAZ_WI;
}
GIC_PE_FRAME(gicd, gic_dist_read_pe, gic_dist_write_pe, gicd_size_rule)
GIC_PE_FRAME(gicc, gic_cpu_read, gic_cpu_write, NULL)
GIC_PE_FRAME(gich, gic_hyp_read, gic_hyp_write, NULL)
GIC_PE_FRAME(gicv, gic_vcpu_read, gic_vcpu_write, NULL)

/* The redistributors are told apart by address: no PE needed. */
static uint64_t gicr_read(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return gic_redist_read(m->gic, off, size);
}
static void gicr_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct machine *m = o;
    gic_redist_write(m->gic, off, v, size);
}
static enum mmio_size_rule gicr_size_rule(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return gic_redist_size_ok(m->gic, off, size) ? MMIO_SIZE_OK : MMIO_SIZE_RAZ_WI;
}
static const struct mmio_ops gicr_ops = { .read = gicr_read, .write = gicr_write, .size_rule = gicr_size_rule };

/* The ITS. A CPU's write to GITS_TRANSLATER carries DeviceID 0, as QEMU's requester ID of a
 * CPU access (on hardware what a CPU write carries is IMPLEMENTATION DEFINED). */
static uint64_t its_read(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return gic_its_read(m->gic, off, size);
}
static void its_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct machine *m = o;
    gic_its_write(m->gic, off, v, size, 0);
}
static const struct mmio_ops its_ops = { .read = its_read, .write = its_write };

/* PE i starts or stops waiting in WFI; either way no wake-up cause is noted yet. */
static void set_in_wfi(struct machine *m, unsigned i, bool waiting)
{
    m->in_wfi[i] = waiting;
    m->wait[i] = PE_WAIT_WFI;
    m->wake_not_before[i] = 0;
}

/* Whether PE i, waiting, has a reason to wake: for WFI and a CPU_SUSPEND
 * standby, any pending interrupt, masked or not (AArch64.WaitForInterrupt);
 * for a power-down state the physical IRQ or FIQ the GIC drives (the PE's
 * PSTATE and HCR_EL2, which make virtual interrupts, were lost with its context). */
static bool wake_pending(const struct machine *m, unsigned i)
{
    const struct pe *pe = &m->pes[i];
    if (m->wait[i] == PE_WAIT_POWERDOWN)
        return pe->irq_line || pe->fiq_line;
    return pe_interrupt_pending(pe);
}

/* PE i stops waiting, at its clock: from a power-down state it restarts at its
 * resume entry point (machine_pe_powerdown). */
static void wake_pe(struct machine *m, unsigned i)
{
    bool powerdown = m->in_wfi[i] && m->wait[i] == PE_WAIT_POWERDOWN;
    set_in_wfi(m, i, false);
    if (powerdown) {
        struct pe_resume r = m->resume[i];
        machine_pe_on(m, &m->pes[i], r.entry, r.el, r.context_id, m->pes[i].cycles);
    }
}

/* An interrupt line of PE pe rises while another PE runs: if pe waits in WFI,
 * it must not wake before the time the cause happened (its clock may lag: it
 * slept to the end of the last round, and the running PE is further on). */
static void note_wake_cause(struct machine *m, unsigned pe)
{
    if (!m->in_wfi[pe] || !m->cur || m->cur == &m->pes[pe])
        return;
    uint64_t now = m->cur->cycles;
    if (!m->wake_not_before[pe] || now < m->wake_not_before[pe])
        m->wake_not_before[pe] = now;
}

static void gic_set_irq(void *opaque, unsigned pe, bool fiq, bool level)
{
    struct machine *m = opaque;
    if (pe >= m->n_pes)
        return;
    if (level)
        note_wake_cause(m, pe);
    pe_set_irq_line(&m->pes[pe], fiq ? 2 : 1, level);
}

static void gic_set_virq(void *opaque, unsigned pe, bool fiq, bool level)
{
    struct machine *m = opaque;
    if (pe >= m->n_pes)
        return;
    if (level)
        note_wake_cause(m, pe);
    pe_set_virq_line(&m->pes[pe], fiq, level);
}

/* Broadcasts to the Inner Shareable domain (every PE but the sender). */
static void broadcast_tlbi(void *opaque, struct pe *from, const struct tlbi_request *rq)
{
    struct machine *m = opaque;
    for (unsigned i = 0; i < m->n_pes; i++)
        if (&m->pes[i] != from)
            pe_mmu_remote_tlbi(&m->pes[i], rq);
}

static void broadcast_ic(void *opaque, struct pe *from, uint64_t pa, bool all)
{
    struct machine *m = opaque;
    for (unsigned i = 0; i < m->n_pes; i++)
        if (&m->pes[i] != from)
            pe_remote_ic_invalidate(&m->pes[i], pa, all);
}

static void send_event(void *opaque, struct pe *from)
{
    struct machine *m = opaque;
    for (unsigned i = 0; i < m->n_pes; i++)
        if (&m->pes[i] != from)
            pe_send_event(&m->pes[i]);
}
static void on_firmware(void *opaque, struct pe *pe) { psci_call(opaque, pe); }

static int phys_kind(void *opaque, uint64_t pa)
{
    const struct machine *m = opaque;
    if (pa >= VIRT_RAM_BASE && pa - VIRT_RAM_BASE < m->cfg.ram_size)
        return 1;
    for (int i = 0; i < m->n_regions; i++)
        if (pa >= m->regions[i].base && pa - m->regions[i].base < m->regions[i].size)
            return 2;
    return 0;
}

/* A PE's PMU, and a device handed an irq_line (sim/irq_line.h), drive a GIC input. */
static void drive_gic_line(void *opaque, bool level)
{
    gic_line_set(opaque, level);
}

static const struct pe_platform_ops platform_ops = {
    .semihosting = on_semihosting,
    .firmware_call = on_firmware,
    .phys_kind = phys_kind,
    .broadcast_tlbi = broadcast_tlbi,
    .broadcast_ic = broadcast_ic,
    .send_event = send_event,
};

void machine_request_exit(struct machine *m, int code)
{
    m->exit_requested = true;
    m->exit_code = code;
    pe_request_stop(m->cur);
}

void machine_request_reset(struct machine *m)
{
    m->reset_requested = true;
    pe_request_stop(m->cur);
}

uint64_t machine_now(const struct machine *m) { return m->cur ? m->cur->cycles : m->round_start; }

/* Aff3.Aff2.Aff1.Aff0 of an MPIDR value, the other bits dropped. */
static uint64_t mpidr_affinity(uint64_t mpidr) { return (mpidr & 0xffffffULL) | ((mpidr >> 32) & 0xff) << 24; }

struct pe *machine_pe_by_mpidr(struct machine *m, uint64_t mpidr)
{
    for (unsigned i = 0; i < m->n_pes; i++)
        if (mpidr_affinity(m->pes[i].mpidr) == mpidr_affinity(mpidr))
            return &m->pes[i];
    return NULL;
}

void machine_pe_on(struct machine *m, struct pe *pe, uint64_t entry, unsigned start_el, uint64_t context_id,
                   uint64_t now)
{
    unsigned i = pe->index;
    m->power[i] = PE_POWER_ON;
    set_in_wfi(m, i, false);
    /* Its clock starts when it is powered on; the time it was off counts as idle. */
    if (now > pe->cycles) {
        pe->idle_cycles += now - pe->cycles;
        pe->cycles = now;
    }
    /* Code it translated before it was powered off may have changed since:
     * its decoded blocks and all of Unicorn's translations go. */
    if (pe->insns)
        pe_remote_ic_invalidate(pe, 0, true);
    pe_reset(pe, entry, start_el);
    pe_set_cntfrq(pe, m->cfg.counter_hz);
    pe_set_x(pe, 0, context_id);
}

void machine_pe_off(struct machine *m, struct pe *pe)
{
    m->power[pe->index] = PE_POWER_OFF;
    pe_request_stop(pe);
}

bool machine_pe_standby(struct machine *m, struct pe *pe)
{
    unsigned i = pe->index;
    if (pe_interrupt_pending(pe))
        return false;
    set_in_wfi(m, i, true);
    m->wait[i] = PE_WAIT_STANDBY;
    pe_request_stop(pe);
    return true;
}

bool machine_pe_powerdown(struct machine *m, struct pe *pe, uint64_t entry, unsigned start_el, uint64_t context_id)
{
    unsigned i = pe->index;
    set_in_wfi(m, i, true);
    m->wait[i] = PE_WAIT_POWERDOWN;
    if (wake_pending(m, i)) {
        set_in_wfi(m, i, false);
        return false;
    }
    m->resume[i] = (struct pe_resume){ .entry = entry, .context_id = context_id, .el = start_el };
    pe_request_stop(pe);
    return true;
}

static int add_region(struct machine *m, const char *name, uint64_t base, uint64_t size,
                      const struct mmio_ops *ops, void *opaque, const char *why_not)
{
    if (m->n_regions == MACHINE_MAX_REGIONS)
        return -1;
    m->regions[m->n_regions++] = (struct mmio_region){ .name = name, .base = base, .size = size,
                                                       .ops = ops, .opaque = opaque, .why_not = why_not,
                                                       .m = m };
    return 0;
}

/* Whether the piece (pa, size) of a PE's access must not reach the region's device: a
 * piece of an unaligned access to Device memory (the PE's Alignment fault), or of an
 * access of a size the device does not take (RAZ/WI, or the PE's External abort). */
static bool region_drops(struct mmio_region *r, uint64_t off, unsigned size, bool is_write)
{
    struct pe_mmio_access a;
    if (pe_mmio_access(r->m->cur, r->base + off, size, is_write, &a))
        return true;
    if (!r->ops->size_rule || a.pa < r->base)
        return false;
    switch (r->ops->size_rule(r->opaque, a.pa - r->base, a.size)) {
    case MMIO_SIZE_OK:
        return false;
    case MMIO_SIZE_ABORT:
        pe_mmio_external_abort(r->m->cur, &a, is_write);
        return true;
    case MMIO_SIZE_RAZ_WI:
    default:
        return true;
    }
}

static uint64_t region_read(uc_engine *uc, uint64_t off, unsigned size, void *opaque)
{
    struct mmio_region *r = opaque;
    if (r->why_not) {
        pe_fatal(r->m->cur, "read of %s at 0x%llx: %s", r->name, (unsigned long long)(r->base + off),
                 r->why_not);
        return 0;
    }
    if (region_drops(r, off, size, false))
        return 0;
    return r->ops->read(r->opaque, off, size);
}

static void region_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *opaque)
{
    struct mmio_region *r = opaque;
    if (r->why_not) {
        pe_fatal(r->m->cur, "write of %s at 0x%llx: %s", r->name, (unsigned long long)(r->base + off),
                 r->why_not);
        return;
    }
    if (region_drops(r, off, size, true))
        return;
    r->ops->write(r->opaque, off, value, size);
}

/* ---- bus masters: RAM as DMA sees it, the SMMU, the virtio-mmio transports,
 *      the DMA test device (issue 16) -------------------------------------------- */

static bool ram_holds(const struct machine *m, uint64_t pa, size_t len)
{
    return pa >= VIRT_RAM_BASE && len <= m->cfg.ram_size && pa - VIRT_RAM_BASE <= m->cfg.ram_size - len;
}

/* A bus master's read (sim/dma.h phys_mem): RAM only; anything else (a
 * device, unassigned space) takes an external abort and nothing moves. */
static int bus_read(void *opaque, uint64_t pa, void *buf, size_t len)
{
    struct machine *m = opaque;
    if (!ram_holds(m, pa, len))
        return -1;
    memcpy(buf, m->ram + (pa - VIRT_RAM_BASE), len);
    return 0;
}

/* A bus master's write: RAM only, as bus_read. The translated code of the
 * pages it reaches is dropped on every PE (a DMA write into code, a disk
 * block read into a page that held a program: the PEs must run the new
 * bytes). pe_may_hold_code_pa skips the pages a PE holds no code of, which
 * are nearly all of those a device writes. */
static int bus_write(void *opaque, uint64_t pa, const void *buf, size_t len)
{
    struct machine *m = opaque;
    if (!ram_holds(m, pa, len))
        return -1;
    memcpy(m->ram + (pa - VIRT_RAM_BASE), buf, len);
    if (!len)
        return 0;
    for (uint64_t page = pa & ~0xfffULL, last = (pa + len - 1) & ~0xfffULL;; page += 0x1000) {
        for (unsigned i = 0; i < m->n_pes; i++)
            if (pe_may_hold_code_pa(&m->pes[i], page)) {
                pe_drop_code_pa(&m->pes[i], page, false);
                m->dma_code_drops++;
            }
        if (page == last)
            break;
    }
    return 0;
}

/* A device's DMA port without an SMMU (--smmu=off): addresses are physical. */
static int direct_dma(void *opaque, uint32_t sid, uint32_t ssid, uint64_t addr, void *buf, size_t len, bool is_write)
{
    (void)sid;
    (void)ssid;
    return is_write ? bus_write(opaque, addr, buf, len) : bus_read(opaque, addr, buf, len);
}

/* The DMA port of the device with StreamID sid: through the SMMU, or direct. */
static struct dma_port dma_port_for(struct machine *m, uint32_t sid)
{
    if (m->smmu)
        return smmu_dma_port(m->smmu, sid);
    return (struct dma_port){ .access = direct_dma, .opaque = m, .sid = sid };
}

/* SPI spi as an irq_line value, through the gic_line l. */
static struct irq_line spi_line(struct machine *m, struct gic_line *l, unsigned spi)
{
    *l = (struct gic_line){ .gic = m->gic, .intid = 32 + spi, .pe = -1 };
    return (struct irq_line){ .set = drive_gic_line, .opaque = l };
}

/* The SMMU's events happen at the running PE's time (its access started the work). */
static void smmu_when(void *opaque, unsigned *pe, uint64_t *cycles)
{
    struct machine *m = opaque;
    *pe = cur_index(m);
    *cycles = machine_now(m);
}

static uint64_t smmu_region_read(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return smmu_mmio_read(m->smmu, off, size);
}
static void smmu_region_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct machine *m = o;
    smmu_mmio_write(m->smmu, off, v, size);
}
static enum mmio_size_rule smmu_region_size_rule(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    switch (smmu_mmio_access(m->smmu, off, size)) {
    case SMMU_ACCESS_OK:
        return MMIO_SIZE_OK;
    case SMMU_ACCESS_ABORT:
        return MMIO_SIZE_ABORT;
    default:
        return MMIO_SIZE_RAZ_WI;
    }
}
static const struct mmio_ops smmu_region_ops = { .read = smmu_region_read, .write = smmu_region_write,
                                                 .size_rule = smmu_region_size_rule };

/* The 32 transports are one region: transport off / 0x200 decodes the access. */
static uint64_t virtio_region_read(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return virtio_mmio_read(m->virtio[off / VIRT_MMIO_STRIDE], off % VIRT_MMIO_STRIDE, size);
}
static void virtio_region_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct machine *m = o;
    virtio_mmio_write(m->virtio[off / VIRT_MMIO_STRIDE], off % VIRT_MMIO_STRIDE, v, size);
}
static const struct mmio_ops virtio_region_ops = { .read = virtio_region_read, .write = virtio_region_write };

static uint64_t dmatest_region_read(void *o, uint64_t off, unsigned size)
{
    struct machine *m = o;
    return dmatest_read(m->dmatest, off, size);
}
static void dmatest_region_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct machine *m = o;
    dmatest_write(m->dmatest, off, v, size);
}
static const struct mmio_ops dmatest_region_ops = { .read = dmatest_region_read, .write = dmatest_region_write };

/* The virtio device of the command line's n-th --drive, --virtio-rng or --virtio-console. */
static struct virtio_dev *create_virtio_dev(const struct machine_virtio *v, char *err, size_t errlen)
{
    struct virtio_dev *d = NULL;
    char why[300] = "";
    switch (v->kind) {
    case MACHINE_VIRTIO_BLK:
        d = virtio_blk_create(v->path, v->read_only, why, sizeof why);
        if (!d)
            snprintf(err, errlen, "--drive=%s: %s", v->path, why);
        return d;
    case MACHINE_VIRTIO_RNG:
        d = virtio_rng_create(v->seed);
        break;
    case MACHINE_VIRTIO_CONSOLE:
        d = virtio_console_create(stdout, v->input ? STDIN_FILENO : -1);
        break;
    }
    if (!d)
        snprintf(err, errlen, "cannot create the %s device (out of memory)",
                 v->kind == MACHINE_VIRTIO_RNG ? "virtio-rng" : "virtio-console");
    return d;
}

/* The SMMU (unless --smmu=off), the 32 virtio-mmio transports with the
 * command line's devices, and the DMA test device (--dma-test-device), as
 * MMIO regions; every device reaches memory through its dma_port. */
static int create_io(struct machine *m, char *err, size_t errlen)
{
    m->phys = (struct phys_mem){ .read = bus_read, .write = bus_write, .opaque = m };
    gic_attach_memory(m->gic, &m->phys);  /* the LPI and ITS tables */
    if (!m->cfg.no_smmu) {
        /* The model's defaults (SIDSIZE 16, OAS 40 bits: the PE's PA size), with
         * 20-bit SubstreamIDs (SSIDSIZE as on Arm's MMU-600): the guest tests use
         * them and 2-level CD tables. QEMU 7.2's SMMUv3 has none (SSIDSIZE 0);
         * Linux 6.1 gives platform devices without pasid-num-bits none either way. */
        struct smmu_config sc;
        smmu_config_defaults(&sc);
        sc.ssid_bits = 20;
        struct smmu_bus sb = { .mem = m->phys, .events = &m->events, .when = smmu_when, .when_opaque = m };
        for (unsigned i = 0; i < SMMU_IRQ_COUNT; i++)
            sb.irq[i] = spi_line(m, &m->smmu_lines[i], VIRT_SMMU_SPI + i);
        char why[300] = "";
        m->smmu = smmu_create(&sc, &sb, why, sizeof why);
        if (!m->smmu) {
            snprintf(err, errlen, "cannot create the SMMU: %s", why);
            return -1;
        }
        add_region(m, "the SMMUv3", VIRT_SMMU_BASE, VIRT_SMMU_SIZE, &smmu_region_ops, m, NULL);
    }
    /* Device n of the command line sits on transport 31 - n (QEMU's bus
     * order); transport i has StreamID i and SPI 16 + i. The others are empty
     * (DeviceID 0). On a failure, machine_destroy frees what was made. */
    for (unsigned n = 0; n < m->cfg.n_virtio; n++) {
        unsigned i = machine_virtio_transport(n);
        struct virtio_dev *d = create_virtio_dev(&m->cfg.virtio[n], err, errlen);
        if (!d)
            return -1;
        if (m->cfg.virtio[n].kind == MACHINE_VIRTIO_CONSOLE && m->cfg.virtio[n].input)
            m->hvc_input = d;
        m->virtio[i] = virtio_mmio_create(d, dma_port_for(m, i), spi_line(m, &m->virtio_lines[i], VIRT_MMIO_SPI + i));
        if (!m->virtio[i]) {
            virtio_dev_destroy(d);
            snprintf(err, errlen, "cannot create virtio-mmio transport %u (out of memory)", i);
            return -1;
        }
    }
    for (unsigned i = 0; i < VIRT_MMIO_COUNT; i++)
        if (!m->virtio[i] && !(m->virtio[i] = virtio_mmio_create(NULL, dma_port_for(m, i),
                                                                 spi_line(m, &m->virtio_lines[i], VIRT_MMIO_SPI + i)))) {
            snprintf(err, errlen, "cannot create virtio-mmio transport %u (out of memory)", i);
            return -1;
        }
    add_region(m, "the virtio-mmio transports", VIRT_MMIO_BASE, VIRT_MMIO_SIZE, &virtio_region_ops, m, NULL);
    if (m->cfg.dma_test) {
        /* Its transactions carry the StreamID in its own register (sim/dmatest.h), VIRT_DMATEST_SID after reset. */
        m->dmatest = dmatest_create(dma_port_for(m, VIRT_DMATEST_SID), spi_line(m, &m->dmatest_line, VIRT_DMATEST_SPI));
        if (!m->dmatest) {
            snprintf(err, errlen, "cannot create the DMA test device (out of memory)");
            return -1;
        }
        add_region(m, "the DMA test device", VIRT_DMATEST_BASE, VIRT_DMATEST_SIZE, &dmatest_region_ops, m, NULL);
    }
    return 0;
}

static void reset_io(struct machine *m)
{
    if (m->smmu)
        smmu_reset(m->smmu);
    for (unsigned i = 0; i < VIRT_MMIO_COUNT; i++)
        if (m->virtio[i])
            virtio_mmio_reset(m->virtio[i]);
    if (m->dmatest)
        dmatest_reset(m->dmatest);
}

/* Devices first (a virtio-blk flushes its file), then the SMMU they DMA through. */
static void destroy_io(struct machine *m)
{
    for (unsigned i = 0; i < VIRT_MMIO_COUNT; i++)
        if (m->virtio[i]) {
            virtio_mmio_destroy(m->virtio[i]);
            m->virtio[i] = NULL;
        }
    if (m->dmatest) {
        dmatest_destroy(m->dmatest);
        m->dmatest = NULL;
    }
    if (m->smmu) {
        smmu_destroy(m->smmu);
        m->smmu = NULL;
    }
}

/* Every PE's Unicorn instance maps the same host RAM and the same devices. */
static int map_memory(struct machine *m, struct pe *pe, char *err, size_t errlen)
{
    uc_err e = uc_mem_map_ptr(pe->uc, VIRT_RAM_BASE, m->cfg.ram_size, UC_PROT_ALL, m->ram);
    if (e != UC_ERR_OK) {
        snprintf(err, errlen, "cannot map RAM: %s", uc_strerror(e));
        return -1;
    }
    if (pe_note_ram(pe, VIRT_RAM_BASE, m->cfg.ram_size, m->ram) != 0) {
        snprintf(err, errlen, "cannot add the unassigned-access hook");
        return -1;
    }
    for (int i = 0; i < m->n_regions; i++) {
        struct mmio_region *r = &m->regions[i];
        e = uc_mmio_map(pe->uc, r->base, r->size, region_read, r, region_write, r);
        if (e != UC_ERR_OK) {
            snprintf(err, errlen, "cannot map %s: %s", r->name, uc_strerror(e));
            return -1;
        }
    }
    return 0;
}

/* The machine as a trace header describes it (JSON). */
static void machine_describe(const struct machine *m, char *buf, size_t len)
{
    char tlb[200];
    tlb_config_format(&m->cfg.tlb, tlb, sizeof tlb);
    char image[256];
    size_t j = 0;
    for (const char *p = m->cfg.image; *p && j + 2 < sizeof image; p++) {   /* JSON-escape the path */
        if (*p == '"' || *p == '\\')
            image[j++] = '\\';
        image[j++] = (unsigned char)*p < 0x20 ? '?' : *p;
    }
    image[j] = 0;
    char pes[32] = "";          /* one PE: no field, as before traces named PEs */
    if (m->n_pes > 1)
        snprintf(pes, sizeof pes, ", \"pes\": %u", m->n_pes);
    /* The SMMU and its TLB (the machine's configuration: smmu_config_defaults), for tlbsim's --smmu-tlb default. */
    char smmu[300] = ", \"smmu\": \"off\"";
    if (m->smmu) {
        char spec[200];
        tlb_config_format(&smmu_default_tlb, spec, sizeof spec);
        snprintf(smmu, sizeof smmu, ", \"smmu\": \"smmuv3\", \"smmu_tlb\": \"%s\"", spec);
    }
    snprintf(buf, len,
             "{\"machine\": \"virt\", \"cpu\": \"%s\", \"clock_hz\": %llu, \"counter_hz\": %llu, "
             "\"gic\": \"%s\", \"gic_lrs\": %u, \"ram\": %llu, \"tlb\": \"%s\", \"l2_hit_cycles\": %u, "
             "\"walk_access_cycles\": %u%s%s, \"image\": \"%s\"}",
             m->pes[0].model->name, (unsigned long long)m->pes[0].model->clock_hz, (unsigned long long)m->cfg.counter_hz,
             m->cfg.gic == GIC_V2 ? "v2" : "v3", m->cfg.gic_lrs ? m->cfg.gic_lrs : 4,
             (unsigned long long)m->cfg.ram_size, tlb, m->cfg.tlb.l2_hit_cycles, m->cfg.tlb.walk_access_cycles,
             pes, smmu, image);
}

const struct cpu_model *machine_cpu(const struct machine_config *cfg)
{
    return cfg->cpu ? cfg->cpu : &cpu_model_cortex_a57;
}

void machine_boot_config(const struct machine_config *cfg, struct boot_config *bc)
{
    *bc = (struct boot_config){ .cpu_compatible = machine_cpu(cfg)->fdt_compatible,
                                .ram_base = VIRT_RAM_BASE, .ram_size = cfg->ram_size,
                                .num_pes = cfg->smp ? cfg->smp : 1, .gic = cfg->gic,
                                .start_el = cfg->start_el == 1 ? 1 : 2, .initrd_file = cfg->initrd,
                                .bootargs = cfg->append, .dtb_file = cfg->dtb,
                                .smmu = !cfg->no_smmu, .dma_test = cfg->dma_test };
}

/* Puts the image, initrd and device tree in RAM and starts the boot PE
 * (machine_init and PSCI SYSTEM_RESET); the other PEs stay off until PSCI
 * CPU_ON, as on QEMU's virt board with PSCI. */
static void machine_load_and_start(struct machine *m)
{
    image_load(&m->image, m->ram, VIRT_RAM_BASE);
    boot_load(&m->boot, m->ram, VIRT_RAM_BASE);
    for (unsigned i = 0; i < m->n_pes; i++) {
        m->power[i] = i == 0 ? PE_POWER_ON : PE_POWER_OFF;
        set_in_wfi(m, i, false);
        m->pes[i].el2_implemented = m->cfg.start_el != 1;
    }
    struct pe *pe = &m->pes[0];
    pe_reset(pe, m->image.entry, m->cfg.start_el == 1 ? 1 : 2);
    if (m->boot.linux_args)               /* booting.rst: x0 = the device tree, x1-x3 = 0 */
        pe_set_x(pe, 0, m->boot.dtb_pa);
    pe_set_cntfrq(pe, m->cfg.counter_hz);
}

int machine_init(struct machine *m, const struct machine_config *cfg, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (image_open(&m->image, cfg->image, VIRT_RAM_BASE, cfg->ram_size, cfg->have_load_addr, cfg->load_addr,
                   err, errlen) != 0)
        return -1;
    if (m->image.is_raw_kernel)
        fprintf(stderr, "avsim: note: %s is neither an ELF file nor an arm64 Image: it runs as a raw kernel "
                "at 0x%llx with x0 = the device tree, as QEMU's -kernel does (--load-addr=ADDR runs a raw "
                "binary at ADDR instead)\n", cfg->image, (unsigned long long)m->image.entry);
    struct boot_config bc;
    machine_boot_config(cfg, &bc);
    if (boot_prepare(&m->boot, &bc, &m->image, err, errlen) != 0)
        return -1;
    m->ram = mmap(NULL, cfg->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                  -1, 0);
    if (m->ram == MAP_FAILED) {
        m->ram = NULL;
        snprintf(err, errlen, "cannot allocate %llu bytes of guest RAM", (unsigned long long)cfg->ram_size);
        return -1;
    }
    /* QEMU's virt: a GICv3 with 5 priority bits, or a GICv2 whose physical
     * CPU interface implements 8 (its virtual one 5). */
    m->n_pes = cfg->smp ? cfg->smp : 1;
    if (m->n_pes > MACHINE_MAX_PES) {
        snprintf(err, errlen, "%u PEs: avsim models 1 to %d", m->n_pes, MACHINE_MAX_PES);
        return -1;
    }
    if (!m->cfg.quantum)
        m->cfg.quantum = MACHINE_DEFAULT_QUANTUM;
    struct gic_config gc = { .version = cfg->gic, .num_pes = m->n_pes,
                             .num_lrs = cfg->gic_lrs ? cfg->gic_lrs : 4, .vpri_bits = 5,
                             .pri_bits = cfg->gic == GIC_V2 ? 8 : 5, .its = cfg->gic == GIC_V3 };
    for (unsigned i = 0; i < m->n_pes; i++)
        gc.clock[i] = &m->pes[i].cycles;      /* a GIC event is stamped with its PE's time */
    struct gic_outputs go = { .set_irq = gic_set_irq, .set_virq = gic_set_virq, .opaque = m };
    m->gic = gic_create(&gc, &go, &m->events, err, (unsigned)errlen);
    if (!m->gic)
        return -1;
    /* The host's stdin is the PL011's input, unless a virtio-console takes it. */
    bool hvc_takes_stdin = false;
    for (unsigned n = 0; n < cfg->n_virtio; n++)
        hvc_takes_stdin |= cfg->virtio[n].kind == MACHINE_VIRTIO_CONSOLE && cfg->virtio[n].input;
    pl011_init(&m->uart, stdout, hvc_takes_stdin ? -1 : STDIN_FILENO);
    m->uart.irq = (struct gic_line){ .gic = m->gic, .intid = VIRT_UART_INTID, .pe = -1 };
    add_region(m, "PL011 UART", VIRT_UART_BASE, VIRT_UART_SIZE, &pl011_ops, &m->uart, NULL);
    add_region(m, "the GIC distributor", VIRT_GICD_BASE, VIRT_GICD_SIZE, &gicd_ops, m, NULL);
    if (cfg->gic == GIC_V3) {
        add_region(m, "the GICv3 ITS", VIRT_GIC_ITS_BASE, VIRT_GIC_ITS_SIZE, &its_ops, m, NULL);
        add_region(m, "the GICv3 redistributors", VIRT_GICR_BASE, VIRT_GICR_SIZE, &gicr_ops, m, NULL);
    } else {
        add_region(m, "the GICv2 CPU interface", VIRT_GICV2_CPU_BASE, VIRT_GICV2_FRAME, &gicc_ops, m, NULL);
        add_region(m, "the GICv2 hypervisor interface", VIRT_GICV2_HYP_BASE, VIRT_GICV2_FRAME, &gich_ops, m,
                   NULL);
        add_region(m, "the GICv2 virtual CPU interface", VIRT_GICV2_VCPU_BASE, VIRT_GICV2_FRAME, &gicv_ops,
                   m, NULL);
    }
    add_region(m, "the PL031 RTC", VIRT_RTC_BASE, VIRT_DEV_PAGE, NULL, NULL, "the RTC is not modelled");
    add_region(m, "fw_cfg", VIRT_FWCFG_BASE, VIRT_DEV_PAGE, NULL, NULL, "fw_cfg is not modelled");
    add_region(m, "the PL061 GPIO", VIRT_GPIO_BASE, VIRT_DEV_PAGE, NULL, NULL, "the GPIO is not modelled");
    if (create_io(m, err, errlen) != 0)
        return -1;

    if (!m->cfg.counter_hz)
        m->cfg.counter_hz = VIRT_COUNTER_HZ;
    for (unsigned i = 0; i < m->n_pes; i++) {
        struct pe *pe = &m->pes[i];
        if (pe_create(pe, i, machine_cpu(&m->cfg), &m->cfg.tlb, &m->events, &platform_ops, m, err, errlen) != 0)
            return -1;
        if (map_memory(m, pe, err, errlen) != 0)
            return -1;
        pe_attach_gic(pe, cfg->gic == GIC_V3 ? m->gic : NULL);
        /* Each PE's timers are events in its own queue, due in its own clock. */
        gtimer_init(&m->timers[i], pe->timeq, &pe->cycles, pe->model->clock_hz, m->cfg.counter_hz, m->gic, i);
        pe->timer = &m->timers[i];
        /* The PMU's overflow interrupt: PPI 7 (INTID 23) of this PE, as on QEMU's virt board. */
        m->pmu_lines[i] = (struct gic_line){ .gic = m->gic, .intid = 16 + PMU_PPI, .pe = (int)i };
        pe_attach_pmu_irq(pe, drive_gic_line, &m->pmu_lines[i]);
    }
    /* The UART's events run in PE 0's clock (the boot PE, which PSCI never starts later). */
    pl011_attach_time(&m->uart, m->pes[0].timeq, &m->pes[0].cycles, m->pes[0].model->clock_hz);
    if (m->hvc_input)
        virtio_console_attach_time(m->hvc_input, m->pes[0].timeq, &m->pes[0].cycles, m->pes[0].model->clock_hz);
    m->pes[0].insn_limit = cfg->max_insns;
    m->cur = &m->pes[0];
    stats_subscribe(&m->stats, &m->events, m, cfg->stats_file != NULL);
    if (cfg->trace_exceptions)
        exception_tracer_subscribe(&m->tracer, &m->events, cfg->trace_exceptions,
                                   m->pes[0].model->clock_hz);
    m->tracer.show_pe = m->n_pes > 1;
    if (cfg->trace_file) {
        char desc[1024];
        machine_describe(m, desc, sizeof desc);
        if (trace_recorder_start(&m->recorder, &m->events, cfg->trace_file, cfg->trace_classes, desc, err,
                                 errlen) != 0)
            return -1;
    }
    machine_load_and_start(m);
    return 0;
}

/* PSCI SYSTEM_RESET: as QEMU does, the image's segments, the initrd and the
 * device tree are loaded again and the first PE restarts at the entry point;
 * the rest of RAM keeps its contents. */
static void machine_reset(struct machine *m)
{
    m->reset_requested = false;
    m->resets++;
    uc_ctl(m->pes[0].uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));   /* the others restart with CPU_ON */
    for (unsigned i = 0; i < m->n_pes; i++)
        gtimer_reset(&m->timers[i]);
    pl011_reset(&m->uart);
    reset_io(m);
    machine_load_and_start(m);
}

#define RUN_ON (-1)

static int report_fatal(struct machine *m, struct pe *pe)
{
    if (m->n_pes > 1 && m->cfg.max_insns && pe->insns >= pe->insn_limit)
        snprintf(pe->fatal, sizeof pe->fatal, "the instruction limit (%llu) was reached",
                 (unsigned long long)m->cfg.max_insns);
    if (m->n_pes > 1)
        fprintf(stderr, "avsim: PE %u: %s\n", pe->index, pe->fatal);
    else
        fprintf(stderr, "avsim: %s\n", pe->fatal);
    return 3;
}

/* A debugger's step: the PE alone executes one instruction, even out of its
 * turn or past the end of it (its clock runs ahead: it runs less later). A PE
 * in WFI sleeps first, its clock alone jumping to its next event, until an
 * interrupt is pending; the step then stops at the vector. A PE that is off,
 * or in WFI with no event of its own to come, does not move. Returns RUN_ON,
 * or the run's exit status. */
static int step_alone(struct machine *m, struct pe *pe, struct pe *turn)
{
    unsigned i = pe->index;
    int st = RUN_ON;
    uint64_t end = pe->quantum_end;
    pe_set_quantum_end(pe, UINT64_MAX);         /* its turn may be over: the step still runs */
    m->cur = pe;
    while (m->power[i] == PE_POWER_ON) {
        if (m->in_wfi[i] && !wake_pending(m, i)) {
            if (!pe_idle_until(pe, TIMEQ_NEVER))
                break;                          /* nothing of its own can wake it */
            continue;
        }
        wake_pe(m, i);                 /* a debugger's step: the PE wakes where its clock is */
        enum pe_stop s = pe_run(pe);
        if (m->exit_requested) {
            st = m->exit_code;
            break;
        }
        if (m->reset_requested) {
            machine_reset(m);
            break;
        }
        if (s == PE_STOP_FATAL) {
            st = report_fatal(m, pe);
            break;
        }
        if (s != PE_STOP_WFI)
            break;                              /* the step ended (or the PE powered off) */
        set_in_wfi(m, i, true);                 /* the step goes on when it wakes */
    }
    m->cur = turn;
    pe_set_quantum_end(pe, end);
    return st;
}

/* The debugger holds the machine: `stopped` stopped during the turn of `turn`.
 * Steps run here, one PE alone; a continue returns to the turn. Returns RUN_ON
 * (with the debugger's answer in *act), or the run's exit status. */
static int debug_stop(struct machine *m, struct pe *turn, struct pe *stopped, enum machine_debug_action *act)
{
    unsigned resets = m->resets;
    for (;;) {
        struct machine_debug_request rq = m->debugger->stopped(m->debugger->opaque, m, stopped);
        *act = rq.action;
        if (rq.action != MACHINE_DEBUG_RESUME)
            return RUN_ON;
        for (unsigned i = 0; i < m->n_pes; i++)
            pe_debug_resume(&m->pes[i], &m->pes[i] == rq.step);
        if (!rq.step)
            return RUN_ON;
        int st = step_alone(m, rq.step, turn);
        if (st != RUN_ON || resets != m->resets)
            return st;
        stopped = rq.step;
    }
}

/* One PE's turn: runs it until the end of the round (end, in its cycles) or
 * until it stops. Returns RUN_ON, or the run's exit status. */
static int run_turn(struct machine *m, struct pe *pe, uint64_t end, enum machine_debug_action *act)
{
    pe_set_quantum_end(pe, end);
    if (m->cfg.max_insns && m->n_pes > 1) {
        /* --max-insns bounds all PEs together. */
        uint64_t total = 0;
        for (unsigned i = 0; i < m->n_pes; i++)
            total += m->pes[i].insns;
        pe->insn_limit = pe->insns + (total < m->cfg.max_insns ? m->cfg.max_insns - total : 1);
    }
    m->cur = pe;
    for (;;) {
        if (*act == MACHINE_DEBUG_DETACH) {
            for (unsigned i = 0; i < m->n_pes; i++)
                pe_debug_detach(&m->pes[i]);
            m->debugger = NULL;
            *act = MACHINE_DEBUG_RESUME;
        }
        if (*act == MACHINE_DEBUG_KILL) {
            fprintf(stderr, "avsim: the debugger ended the run\n");
            return 3;
        }
        enum pe_stop s = pe_run(pe);
        if (s == PE_STOP_DEBUG && m->debugger) {
            unsigned resets = m->resets;
            int st = debug_stop(m, pe, pe, act);
            if (st != RUN_ON || resets != m->resets)
                return st;              /* an exit, a failure or a reset during a step */
            if (m->power[pe->index] == PE_POWER_OFF || m->in_wfi[pe->index])
                return RUN_ON;          /* a step reached its WFI or CPU_OFF: the turn is over */
            continue;
        }
        if (m->exit_requested)
            return m->exit_code;
        if (m->reset_requested) {
            machine_reset(m);
            return RUN_ON;
        }
        switch (s) {
        case PE_STOP_WFI:
            set_in_wfi(m, pe->index, true);
            return RUN_ON;
        case PE_STOP_FATAL:
            return report_fatal(m, pe);
        default:                    /* the quantum ended, or the PE powered off (PSCI CPU_OFF) */
            return RUN_ON;
        }
    }
}

/* PE pe's turn in the round that ends at end, if it can run (not off, not at
 * the end of the round already, not in WFI with nothing pending). A PE in WFI
 * woken by another PE's interrupt first sleeps on to the moment it was raised.
 * Sets *ran when the PE's clock moved. Returns RUN_ON, or the run's exit status. */
static int try_turn(struct machine *m, struct pe *pe, uint64_t end, enum machine_debug_action *act, bool *ran)
{
    unsigned i = pe->index;
    if (m->power[i] == PE_POWER_OFF || pe->cycles >= end)
        return RUN_ON;
    if (m->in_wfi[i]) {
        if (!wake_pending(m, i))
            return RUN_ON;
        uint64_t cause = m->wake_not_before[i];
        m->cur = pe;
        if (cause > pe->cycles) {
            pe_idle_until(pe, cause);
            *ran = true;
        }
        wake_pe(m, i);                        /* an interrupt (masked or not) wakes WFI */
        if (pe->cycles >= end)
            return RUN_ON;                    /* it runs from there in the next round */
    }
    *ran = true;
    return run_turn(m, pe, end, act);
}

/* Nothing can run: every PE is off or waits in WFI with nothing pending and
 * nothing scheduled. */
/* What PE i waits in, for messages. */
static const char *wait_name(const struct machine *m, unsigned i)
{
    static const char *const names[] = { [PE_WAIT_WFI] = "WFI", [PE_WAIT_STANDBY] = "PSCI CPU_SUSPEND (standby)",
                                         [PE_WAIT_POWERDOWN] = "PSCI CPU_SUSPEND (power-down)" };
    return names[m->wait[i]];
}

static void report_deadlock(const struct machine *m)
{
    const struct pe *pe = &m->pes[0];
    if (m->n_pes == 1) {
        fprintf(stderr, "avsim: the PE waits in %s at EL%u (PC 0x%llx) and nothing can wake it: no "
                "interrupt is pending and no timer or device event is scheduled; stopping\n",
                wait_name(m, 0), pe->el, (unsigned long long)(pe_get_pc((struct pe *)pe) - 4));
        return;
    }
    fprintf(stderr, "avsim: every PE is off or waits in WFI and nothing can wake them: no interrupt is "
            "pending and no timer or device event is scheduled; stopping\n");
    for (unsigned i = 0; i < m->n_pes; i++) {
        pe = &m->pes[i];
        if (m->power[i] == PE_POWER_OFF)
            fprintf(stderr, "avsim:   PE %u (MPIDR 0x%llx): off\n", i, (unsigned long long)pe->mpidr);
        else
            fprintf(stderr, "avsim:   PE %u (MPIDR 0x%llx): %s at EL%u, PC 0x%llx\n", i,
                    (unsigned long long)pe->mpidr, wait_name(m, i), pe->el,
                    (unsigned long long)(pe_get_pc((struct pe *)pe) - 4));
    }
}

/* The earliest event of a PE that is on, but `except` (NULL: none). */
static uint64_t next_event(const struct machine *m, const struct timeq_event *except)
{
    uint64_t next = TIMEQ_NEVER;
    for (unsigned i = 0; i < m->n_pes; i++) {
        uint64_t t = timeq_next_except(m->pes[i].timeq, except);
        if (m->power[i] == PE_POWER_ON && t < next)
            next = t;
    }
    return next;
}

/* The run loop: rounds in which every PE that is on and not waiting runs
 * until its clock reaches the end of the round (round_start + quantum), in
 * index order, so that a run with several PEs is deterministic. A single PE
 * runs without rounds. When no PE can run, time jumps to the next event. */
int machine_run(struct machine *m)
{
    struct timespec t0, t1;
    int status = RUN_ON;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum machine_debug_action act = MACHINE_DEBUG_RESUME;
    if (m->debugger && !pe_in_trampoline(pe_get_pc(&m->pes[0])))
        status = debug_stop(m, &m->pes[0], &m->pes[0], &act);
    else if (m->debugger)
        pe_debug_stop_at_next(&m->pes[0]);      /* the debugger sees the first guest instruction */
    while (status == RUN_ON) {
        uint64_t end = m->n_pes > 1 ? m->round_start + m->cfg.quantum : UINT64_MAX;
        unsigned resets = m->resets;
        bool ran = false;
        int st = RUN_ON;
        for (unsigned i = 0; i < m->n_pes && st == RUN_ON && resets == m->resets; i++)
            st = try_turn(m, &m->pes[i], end, &act, &ran);
        /* A PE that waits in WFI and was woken by a PE after it in the order
         * gets the rest of the round from the moment of the wake-up, and so
         * on until the round wakes nobody else. */
        for (bool again = true; again && st == RUN_ON && resets == m->resets;) {
            again = false;
            for (unsigned i = 0; i < m->n_pes && st == RUN_ON && resets == m->resets; i++) {
                struct pe *pe = &m->pes[i];
                uint64_t cause = m->wake_not_before[i];
                if (m->power[i] == PE_POWER_ON && m->in_wfi[i] && cause && cause < end && pe->cycles < end &&
                    wake_pending(m, i)) {
                    again = true;
                    st = try_turn(m, pe, end, &act, &ran);
                }
            }
        }
        if (st != RUN_ON) {
            status = st;
            break;
        }
        m->rounds++;
        if (resets != m->resets)
            continue;
        if (!ran) {
            /* Every PE is off or waiting: time jumps to the next event. When
             * the only one is the UART's sampling of an input that has
             * nothing yet, avsim waits for the host's input first (not
             * under a debugger, which could not interrupt that wait); if the
             * UART's interrupts are masked, no input can wake a PE (the
             * receiver runs from reset, in programs that never use it too). */
            if (pl011_rx_waiting(&m->uart) && next_event(m, &m->uart.rx_event) == TIMEQ_NEVER) {
                if (!pl011_rx_can_interrupt(&m->uart)) {
                    report_deadlock(m);
                    status = 3;
                    break;
                }
                if (!m->debugger)
                    pl011_wait_input(&m->uart, -1);
            }
            if (!m->debugger && m->hvc_input && virtio_console_rx_waiting(m->hvc_input) &&
                next_event(m, virtio_console_rx_event(m->hvc_input)) == TIMEQ_NEVER)
                virtio_console_wait_input(m->hvc_input, -1);
            uint64_t next = next_event(m, NULL);
            if (next == TIMEQ_NEVER) {
                report_deadlock(m);
                status = 3;
                break;
            }
            for (unsigned i = 0; i < m->n_pes; i++)
                if (m->power[i] == PE_POWER_ON) {
                    m->cur = &m->pes[i];
                    pe_idle_until(&m->pes[i], next);
                }
            if (next > m->round_start)
                m->round_start = next;
            continue;
        }
        if (m->n_pes > 1) {
            /* The PEs waiting in WFI sleep to the end of the round. */
            for (unsigned i = 0; i < m->n_pes; i++)
                if (m->power[i] == PE_POWER_ON && m->in_wfi[i]) {
                    m->cur = &m->pes[i];
                    pe_idle_until(&m->pes[i], end);
                }
            m->round_start = end;
        }
    }
    if (m->debugger && act != MACHINE_DEBUG_KILL)
        m->debugger->exited(m->debugger->opaque, m, status);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->host_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fflush(stdout);
    if (m->cfg.trace_file) {
        char err[300];
        if (trace_recorder_finish(&m->recorder, err, sizeof err) != 0) {
            fprintf(stderr, "avsim: %s\n", err);
            if (status == 0)
                status = 2;
        }
    }
    /* What the disks were written is on the host's disk before avsim says it ended well. */
    for (unsigned i = 0; i < VIRT_MMIO_COUNT; i++) {
        char err[300];
        if (m->virtio[i] && virtio_mmio_sync(m->virtio[i], err, sizeof err) != 0) {
            fprintf(stderr, "avsim: %s\n", err);
            if (status == 0)
                status = 2;
        }
    }
    if (m->cfg.stats_file && stats_write_json(&m->stats, m, m->cfg.stats_file) != 0) {
        fprintf(stderr, "avsim: cannot write statistics to %s\n", m->cfg.stats_file);
        if (status == 0)
            status = 2;
    }
    return status;
}

void machine_destroy(struct machine *m)
{
    char err[300];
    trace_recorder_finish(&m->recorder, err, sizeof err);
    destroy_io(m);
    for (unsigned i = 0; i < m->n_pes; i++)
        pe_destroy(&m->pes[i]);
    if (m->gic)
        gic_destroy(m->gic);
    if (m->ram)
        munmap(m->ram, m->cfg.ram_size);
    image_close(&m->image);
    boot_release(&m->boot);
}
