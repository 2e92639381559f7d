/* The interrupt controller: a GICv3 (distributor, one redistributor per PE,
 * the system-register CPU interface, and the virtualization extension: ICH_*
 * list registers and the ICV_* virtual CPU interface), or a GICv2 (banked
 * distributor, memory-mapped GICC CPU interface, and the virtualization
 * extension: the GICH hypervisor interface and the GICV virtual CPU interface).
 * A pure model: it knows nothing of Unicorn or of the PE; the machine maps its
 * MMIO frames, the PE forwards system register accesses, and the model drives
 * each PE's interrupt outputs through callbacks.
 * Names follow the Arm GIC architecture specifications (IHI 0069 for the GICv3,
 * IHI 0048B for the GICv2). */
#ifndef AVSIM_GIC_GIC_H
#define AVSIM_GIC_GIC_H
#include <stdbool.h>
#include <stdint.h>

struct event_bus;
struct phys_mem;

#define GIC_MAX_PES 8
#define GIC_NUM_SPIS 256                  /* INTIDs 32..287, as QEMU's virt board */
#define GIC_NUM_IRQS (32 + GIC_NUM_SPIS)
#define GIC_SPECIAL_NONE 1023             /* no pending interrupt (IAR) */
#define GIC_MAINTENANCE_PPI 25            /* the virtual interface's maintenance interrupt */

enum gic_version { GIC_V2 = 2, GIC_V3 = 3 };

struct gic_config {
    enum gic_version version;
    unsigned num_pes;                     /* 1..GIC_MAX_PES */
    unsigned num_lrs;                     /* list registers per PE: 1..16 (default 4) */
    unsigned vpri_bits;                   /* virtual priority bits: 5 (ICH_VTR_EL2.PRIbits+1) */
    unsigned pri_bits;                    /* physical priority bits (0 = 5): the GICv3 model has 5;
                                           * a GICv2 5..8 (QEMU's GICv2 implements 8) */
    const uint64_t *clock[GIC_MAX_PES];   /* each PE's simulated time (CPU cycles), stamped on the
                                           * events about that PE; a NULL entry stamps 0 */
    bool its;                             /* GICv3: physical LPIs and an ITS (QEMU virt's its=on) */
};

/* The outputs towards the PEs: physical IRQ/FIQ (to be routed by the PE per
 * HCR_EL2/SCR rules) and the virtual IRQ/FIQ from the virtual CPU interface. */
struct gic_outputs {
    void (*set_irq)(void *opaque, unsigned pe, bool fiq, bool level);
    void (*set_virq)(void *opaque, unsigned pe, bool fiq, bool level);
    void *opaque;
};

struct gic;

struct gic *gic_create(const struct gic_config *cfg, const struct gic_outputs *out, struct event_bus *events,
                       char *err, unsigned errlen);
void gic_destroy(struct gic *g);
/* The memory the redistributors' LPI tables and the ITS's tables and command queue are read
 * from and written to (sim/dma.h). Without it those accesses fail: LPIs read as disabled and
 * the ITS stalls on its first command. */
void gic_attach_memory(struct gic *g, const struct phys_mem *mem);

/* ---- interrupt lines (a device is handed an "interrupt line value") ------------------ */
/* SPIs (INTID 32..287), level-sensitive or edge per GICD_ICFGR. */
void gic_set_spi(struct gic *g, unsigned intid, bool level);
/* PPIs (INTID 16..31) of one PE, e.g. the generic timers (issue 5). */
void gic_set_ppi(struct gic *g, unsigned pe, unsigned intid, bool level);

/* A value that devices hold to drive one input of the GIC. */
struct gic_line {
    struct gic *gic;
    unsigned intid;
    int pe;                               /* PPIs: the PE; SPIs: -1 */
};
static inline void gic_line_set(const struct gic_line *l, bool level)
{
    if (!l->gic)
        return;
    if (l->pe >= 0)
        gic_set_ppi(l->gic, (unsigned)l->pe, l->intid, level);
    else
        gic_set_spi(l->gic, l->intid, level);
}

/* ---- MMIO frames (offsets within each frame; size 1, 2, 4 or 8 bytes) -------------- */
/* GICv3: distributor (64 KiB) and redistributors (128 KiB per PE: RD_base then SGI_base). */
uint64_t gic_dist_read(struct gic *g, uint64_t off, unsigned size);
void gic_dist_write(struct gic *g, uint64_t off, uint64_t val, unsigned size);
uint64_t gic_redist_read(struct gic *g, uint64_t off, unsigned size);   /* off from the first RD */
void gic_redist_write(struct gic *g, uint64_t off, uint64_t val, unsigned size);
/* The distributor as PE pe accesses it. A GICv2 distributor banks the registers of INTIDs
 * 0..31 (and GICD_ITARGETSR0..7, GICD_SGIR's source, GICD_[CS]PENDSGIR) by the accessing
 * PE, so the machine passes it; gic_dist_read/write are the accesses of PE 0. A GICv3
 * GICD is not banked: pe is ignored. On a GICv2, gic_redist_read/write are RAZ/WI. */
uint64_t gic_dist_read_pe(struct gic *g, unsigned pe, uint64_t off, unsigned size);
void gic_dist_write_pe(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size);
/* Whether the distributor / the redistributors take an aligned access of size bytes at
 * off (as the instruction makes it: the machine's bus splits wider ones into 32-bit pieces).
 * A GICv3 takes 32-bit accesses, byte accesses to IPRIORITYR and 64-bit ones to its 64-bit
 * registers: other sizes are RAZ/WI (gicv3.c). A GICv2 distributor takes every size. */
bool gic_dist_size_ok(const struct gic *g, uint64_t off, unsigned size);
bool gic_redist_size_ok(const struct gic *g, uint64_t off, unsigned size);

/* The ITS (cfg.its; QEMU virt: 0x08080000): its 64 KiB control frame then its 64 KiB
 * translation frame, offsets from the first. A write to GITS_TRANSLATER is an MSI of the
 * device devid (a CPU's write carries DeviceID 0, as on QEMU). RAZ/WI without an ITS. */
uint64_t gic_its_read(struct gic *g, uint64_t off, unsigned size);
void gic_its_write(struct gic *g, uint64_t off, uint64_t val, unsigned size, uint32_t devid);
/* An MSI: EventID eventid from DeviceID devid, as a write to GITS_TRANSLATER. */
void gic_its_translate(struct gic *g, uint32_t devid, uint32_t eventid);

/* GICv2 (QEMU virt: GICD 0x08000000, GICC 0x08010000, GICH 0x08030000, GICV 0x08040000).
 * Each call is the access of PE pe: GICC and GICV (8 KiB, GICC_DIR/GICV_DIR at 0x1000) are
 * that PE's CPU interface and virtual CPU interface, GICH (0x200 bytes used) is the PE's own
 * view of its virtual interface control. 32-bit accesses only: other sizes are RAZ/WI, as
 * are reserved offsets and all three frames on a GICv3. */
uint64_t gic_cpu_read(struct gic *g, unsigned pe, uint64_t off, unsigned size);
void gic_cpu_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size);
uint64_t gic_hyp_read(struct gic *g, unsigned pe, uint64_t off, unsigned size);
void gic_hyp_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size);
uint64_t gic_vcpu_read(struct gic *g, unsigned pe, uint64_t off, unsigned size);
void gic_vcpu_write(struct gic *g, unsigned pe, uint64_t off, uint64_t val, unsigned size);

/* ---- the system register CPU interface (GICv3) ---------------------------------------- */
/* Which register: the encoding (op0, op1, CRn, CRm, op2) of an ICC_*, ICV_* or ICH_* register. */
struct gic_sysreg_access {
    unsigned pe;
    unsigned el;                          /* the PE's current EL */
    bool virtual_irq;                     /* EL1/EL0 access with HCR_EL2.IMO set (ICV for group 1) */
    bool virtual_fiq;                     /* ... with HCR_EL2.FMO set (ICV for group 0) */
    unsigned op0, op1, crn, crm, op2;
};

/* Does the GIC implement this encoding? (ICC_*, ICH_*; never on a GICv2, which has no
 * system register interface: the PE makes those accesses UNDEFINED.) */
bool gic_sysreg_exists(const struct gic *g, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                       unsigned op2);
/* EL2 traps of EL1 accesses that ICH_HCR_EL2 controls (TC, TALL0, TALL1, TDIR),
 * for an access that would reach the virtual interface. */
bool gic_sysreg_trap_to_el2(const struct gic *g, const struct gic_sysreg_access *a, bool is_read);
uint64_t gic_sysreg_read(struct gic *g, const struct gic_sysreg_access *a);
void gic_sysreg_write(struct gic *g, const struct gic_sysreg_access *a, uint64_t val);

/* ---- statistics ------------------------------------------------------------------------ */
struct gic_stats {
    uint64_t raised[GIC_NUM_IRQS];        /* became pending */
    uint64_t acknowledged[GIC_NUM_IRQS];  /* IAR returned it */
    uint64_t virtual_acknowledged;        /* ICV_IAR (GICV_IAR/AIAR) returned a virtual INTID */
    uint64_t maintenance;                 /* maintenance interrupt assertions */
    uint64_t lr_writes;
    uint64_t lpi_raised;                  /* LPIs (INTIDs >= 8192) that became pending, all PEs */
    uint64_t lpi_acknowledged;            /* ... that IAR returned */
    uint64_t its_commands;                /* ITS commands processed */
    uint64_t its_errors;                  /* ... of which were ignored or stalled the queue */
};
const struct gic_stats *gic_get_stats(const struct gic *g);

#endif
