/* GICv3 helpers for the guest tests (gic_*.c): the QEMU virt layout with
 * gic-version=3 and one PE, register offsets and field encodings from the
 * GIC architecture specification (IHI 0069), MMIO accessors, the system
 * register names (generic S3_... encodings, so that no assembler support for
 * the GIC names is needed), list register builders and small setup helpers.
 *
 * Setup order used by the tests: gic_redist_wake() (GICR_WAKER handshake),
 * gic_dist_enable() (GICD_CTLR), gic_cpuif_enable() (ICC_SRE_EL2, PMR, BPR1,
 * CTLR, IGRPEN1), then gic_irq_setup() for each interrupt. Every interrupt
 * the tests use is Group 1 (GICD_CTLR.DS=1 without EL3: Group 0 would be
 * signalled as FIQ). */
#ifndef AVSIM_GUEST_GIC_H
#define AVSIM_GUEST_GIC_H
#include "rt/rt.h"

/* ---- machine ------------------------------------------------------------------- */
#define GICD_BASE 0x08000000UL
#define GICR_RD_BASE 0x080A0000UL              /* redistributor of PE 0: RD_base */
#define GICR_SGI_BASE (GICR_RD_BASE + 0x10000) /* ... and its SGI_base frame */
#define UART_BASE 0x09000000UL
#define UART_INTID 33                          /* PL011: SPI 1, level-sensitive */
#define MAINT_INTID 25                         /* virtual interface maintenance PPI */
#define INTID_SPURIOUS 1023

/* ---- distributor (GICD_*, offsets from GICD_BASE) ------------------------------ */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR(n) (0x0080 + 4 * (n))
#define GICD_ISENABLER(n) (0x0100 + 4 * (n))
#define GICD_ICENABLER(n) (0x0180 + 4 * (n))
#define GICD_ISPENDR(n) (0x0200 + 4 * (n))
#define GICD_ICPENDR(n) (0x0280 + 4 * (n))
#define GICD_ISACTIVER(n) (0x0300 + 4 * (n))
#define GICD_ICACTIVER(n) (0x0380 + 4 * (n))
#define GICD_IPRIORITYR(intid) (0x0400 + (intid))  /* byte-accessible */
#define GICD_ICFGR(n) (0x0c00 + 4 * (n))
#define GICD_IGRPMODR(n) (0x0d00 + 4 * (n))
#define GICD_IROUTER(intid) (0x6000 + 8 * (intid)) /* 64-bit, intid >= 32 */
#define GICD_PIDR2 0xffe8

#define GICD_CTLR_ENGRP0 (1u << 0)   /* with DS=1 */
#define GICD_CTLR_ENGRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GICD_CTLR_RWP (1u << 31)

#define GICD_TYPER_ITLINES(t) ((t) & 0x1f)
#define GICD_TYPER_CPUNUM(t) (((t) >> 5) & 7)
#define GICD_TYPER_SECEXTN(t) (((t) >> 10) & 1)
#define PIDR2_ARCHREV(p) (((p) >> 4) & 0xf)

/* ---- redistributor (GICR_*) ----------------------------------------------------- */
/* RD_base frame */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008  /* 64-bit */
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_WAKER_PS (1u << 1)   /* ProcessorSleep */
#define GICR_WAKER_CA (1u << 2)   /* ChildrenAsleep */
#define GICR_TYPER_LAST(t) (((t) >> 4) & 1)
#define GICR_TYPER_PROCNUM(t) (((t) >> 8) & 0xffff)
#define GICR_TYPER_AFF(t) ((t) >> 32)
/* SGI_base frame: SGIs and PPIs (INTIDs 0..31) */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280
#define GICR_ISACTIVER0 0x0300
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR(intid) (0x0400 + (intid))
#define GICR_ICFGR0 0x0c00
#define GICR_ICFGR1 0x0c04
#define GICR_IGRPMODR0 0x0d00

/* ---- LPIs and the ITS (offsets from RD_base and from the ITS's base) ------------ */
#define GICD_TYPER_LPIS (1u << 17)
#define GICR_TYPER_PLPIS 1u
#define GICR_CTLR_ENABLE_LPIS 1u
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GITS_CTLR 0x0000
#define GITS_IIDR 0x0004
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER(n) (0x0100 + 8 * (n))
#define GITS_TRANSLATER 0x10040

/* ---- PL011 (offsets from UART_BASE) --------------------------------------------- */
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IMSC 0x038
#define UART_RIS 0x03c
#define UART_MIS 0x040
#define UART_ICR 0x044
#define UART_INT_TX (1u << 5)

/* ---- MMIO ----------------------------------------------------------------------- */
static inline uint32_t mmio_r32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; __asm__ volatile("dsb sy" ::: "memory"); }
static inline uint8_t mmio_r8(uint64_t a) { return *(volatile uint8_t *)a; }
static inline void mmio_w8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; __asm__ volatile("dsb sy" ::: "memory"); }
static inline uint64_t mmio_r64(uint64_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_w64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; __asm__ volatile("dsb sy" ::: "memory"); }

#define gicd_r32(off) mmio_r32(GICD_BASE + (off))
#define gicd_w32(off, v) mmio_w32(GICD_BASE + (off), (v))
#define gicr_r32(off) mmio_r32(GICR_RD_BASE + (off))
#define gicr_w32(off, v) mmio_w32(GICR_RD_BASE + (off), (v))
#define gics_r32(off) mmio_r32(GICR_SGI_BASE + (off))
#define gics_w32(off, v) mmio_w32(GICR_SGI_BASE + (off), (v))
#define uart_r32(off) mmio_r32(UART_BASE + (off))
#define uart_w32(off, v) mmio_w32(UART_BASE + (off), (v))

/* ---- system registers (generic encodings) --------------------------------------- */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR0_EL1 S3_0_C12_C8_0
#define ICC_AP1R0_EL1 S3_0_C12_C9_0
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define ICC_RPR_EL1 S3_0_C12_C11_3
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_HPPIR1_EL1 S3_0_C12_C12_2
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN0_EL1 S3_0_C12_C12_6
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_MISR_EL2 S3_4_C12_C11_2
#define ICH_EISR_EL2 S3_4_C12_C11_3
#define ICH_ELRSR_EL2 S3_4_C12_C11_5
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICH_LR0_EL2 S3_4_C12_C12_0
#define ICH_LR1_EL2 S3_4_C12_C12_1
#define ICH_LR2_EL2 S3_4_C12_C12_2
#define ICH_LR3_EL2 S3_4_C12_C12_3

/* READ_SYSREG/WRITE_SYSREG stringify their argument: expand the name first. */
#define GIC_RD(r) READ_SYSREG(r)
#define GIC_WR(r, v) WRITE_SYSREG(r, v)

/* ICC_SRE_ELx */
#define ICC_SRE_SRE (1u << 0)
#define ICC_SRE_DFB (1u << 1)
#define ICC_SRE_DIB (1u << 2)
#define ICC_SRE_ENABLE (1u << 3)
/* ICC_CTLR_EL1 */
#define ICC_CTLR_CBPR (1u << 0)
#define ICC_CTLR_EOIMODE (1u << 1)
#define ICC_CTLR_PRIBITS(c) (((c) >> 8) & 7)
#define ICC_CTLR_IDBITS(c) (((c) >> 11) & 7)
/* ICC_SGI1R_EL1 */
#define SGI1R(intid, targetlist) (((uint64_t)(intid) << 24) | (uint64_t)(targetlist))

/* ICH_HCR_EL2 */
#define ICH_HCR_EN (1u << 0)
#define ICH_HCR_UIE (1u << 1)
#define ICH_HCR_LRENPIE (1u << 2)
#define ICH_HCR_NPIE (1u << 3)
#define ICH_HCR_VGRP0EIE (1u << 4)
#define ICH_HCR_VGRP0DIE (1u << 5)
#define ICH_HCR_VGRP1EIE (1u << 6)
#define ICH_HCR_VGRP1DIE (1u << 7)
#define ICH_HCR_TC (1u << 10)
#define ICH_HCR_TALL0 (1u << 11)
#define ICH_HCR_TALL1 (1u << 12)
#define ICH_HCR_TDIR (1u << 14)
#define ICH_HCR_EOICOUNT(h) (((h) >> 27) & 0x1f)
/* ICH_MISR_EL2 */
#define ICH_MISR_EOI (1u << 0)
#define ICH_MISR_U (1u << 1)
#define ICH_MISR_LRENP (1u << 2)
#define ICH_MISR_NP (1u << 3)
#define ICH_MISR_VGRP0E (1u << 4)
#define ICH_MISR_VGRP0D (1u << 5)
#define ICH_MISR_VGRP1E (1u << 6)
#define ICH_MISR_VGRP1D (1u << 7)
/* ICH_VTR_EL2 */
#define ICH_VTR_LISTREGS(v) ((v) & 0x1f)
#define ICH_VTR_TDS(v) (((v) >> 19) & 1)
#define ICH_VTR_PREBITS(v) (((v) >> 26) & 7)
#define ICH_VTR_PRIBITS(v) (((v) >> 29) & 7)
/* ICH_VMCR_EL2 */
#define ICH_VMCR_VENG0 (1u << 0)
#define ICH_VMCR_VENG1 (1u << 1)
#define ICH_VMCR_VEOIM (1u << 9)
#define ICH_VMCR_VBPR1(b) ((uint64_t)(b) << 18)
#define ICH_VMCR_VPMR(p) ((uint64_t)(p) << 24)

/* ICH_LR<n>_EL2 */
#define LR_VINTID(x) ((uint64_t)(x) & 0xffffffffUL)
#define LR_PINTID(x) (((uint64_t)(x) & 0x1fff) << 32)
#define LR_EOI (1UL << 41)                 /* pINTID[9] when HW=0 */
#define LR_PRIO(p) ((uint64_t)((p) & 0xff) << 48)
#define LR_GROUP1 (1UL << 60)
#define LR_HW (1UL << 61)
#define LR_STATE_PENDING (1UL << 62)
#define LR_STATE_ACTIVE (2UL << 62)
#define LR_STATE_PA (3UL << 62)
#define LR_STATE(lr) ((unsigned)((lr) >> 62))
#define LR_GET_VINTID(lr) ((unsigned)((lr) & 0xffffffffUL))
/* A Group 1 virtual interrupt in the pending state. */
#define LR_G1_PENDING(vintid, prio) (LR_STATE_PENDING | LR_GROUP1 | LR_PRIO(prio) | LR_VINTID(vintid))

static const char *const lr_state_name[4] = { "invalid", "pending", "active", "pending+active" };

static inline uint64_t ich_lr_read(unsigned n)
{
    switch (n) {
    case 0: return GIC_RD(ICH_LR0_EL2);
    case 1: return GIC_RD(ICH_LR1_EL2);
    case 2: return GIC_RD(ICH_LR2_EL2);
    default: return GIC_RD(ICH_LR3_EL2);
    }
}

static inline void ich_lr_write(unsigned n, uint64_t v)
{
    switch (n) {
    case 0: GIC_WR(ICH_LR0_EL2, v); break;
    case 1: GIC_WR(ICH_LR1_EL2, v); break;
    case 2: GIC_WR(ICH_LR2_EL2, v); break;
    default: GIC_WR(ICH_LR3_EL2, v); break;
    }
    ISB();
}

/* ---- per-interrupt helpers (SGIs/PPIs in the redistributor, SPIs in the distributor) -- */
static inline uint64_t gic_bank_reg(unsigned intid, unsigned gicr_off, unsigned gicd_off_n0)
{
    if (intid < 32)
        return GICR_SGI_BASE + gicr_off;
    return GICD_BASE + gicd_off_n0 + 4 * (intid / 32);
}
static inline void gic_set_enable(unsigned intid, int on)
{
    mmio_w32(on ? gic_bank_reg(intid, GICR_ISENABLER0, GICD_ISENABLER(0))
                : gic_bank_reg(intid, GICR_ICENABLER0, GICD_ICENABLER(0)),
             1u << (intid % 32));
}
static inline void gic_set_pending(unsigned intid, int on)
{
    mmio_w32(on ? gic_bank_reg(intid, GICR_ISPENDR0, GICD_ISPENDR(0))
                : gic_bank_reg(intid, GICR_ICPENDR0, GICD_ICPENDR(0)),
             1u << (intid % 32));
}
static inline void gic_set_active(unsigned intid, int on)
{
    mmio_w32(on ? gic_bank_reg(intid, GICR_ISACTIVER0, GICD_ISACTIVER(0))
                : gic_bank_reg(intid, GICR_ICACTIVER0, GICD_ICACTIVER(0)),
             1u << (intid % 32));
}
static inline int gic_is_pending(unsigned intid)
{
    return (mmio_r32(gic_bank_reg(intid, GICR_ISPENDR0, GICD_ISPENDR(0))) >> (intid % 32)) & 1;
}
static inline int gic_is_active(unsigned intid)
{
    return (mmio_r32(gic_bank_reg(intid, GICR_ISACTIVER0, GICD_ISACTIVER(0))) >> (intid % 32)) & 1;
}
static inline void gic_set_priority(unsigned intid, uint8_t prio)
{
    mmio_w8(intid < 32 ? GICR_SGI_BASE + GICR_IPRIORITYR(intid) : GICD_BASE + GICD_IPRIORITYR(intid), prio);
}

static inline void gicd_wait_rwp(void)
{
    while (gicd_r32(GICD_CTLR) & GICD_CTLR_RWP) {
    }
}

/* GICR_WAKER: clear ProcessorSleep, wait for ChildrenAsleep to read 0. */
static inline void gic_redist_wake(void)
{
    gicr_w32(GICR_WAKER, gicr_r32(GICR_WAKER) & ~GICR_WAKER_PS);
    while (gicr_r32(GICR_WAKER) & GICR_WAKER_CA) {
    }
}

/* PE pe's redistributor (128 KiB frames from GICR_RD_BASE): wake it, and make
 * the SGIs/PPIs in `mask` Group 1 with priority prio, enabled. For secondary
 * PEs, which cannot use the PE 0 helpers above. */
static inline void gic_redist_setup_pe(unsigned pe, uint32_t mask, uint8_t prio)
{
    uint64_t rd = GICR_RD_BASE + 0x20000UL * pe, sgi = rd + 0x10000;
    mmio_w32(rd + GICR_WAKER, mmio_r32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
    while (mmio_r32(rd + GICR_WAKER) & GICR_WAKER_CA) {
    }
    mmio_w32(sgi + GICR_IGROUPR0, mmio_r32(sgi + GICR_IGROUPR0) | mask);
    for (unsigned i = 0; i < 32; i++)
        if (mask & (1u << i))
            mmio_w8(sgi + GICR_IPRIORITYR(i), prio);
    mmio_w32(sgi + GICR_ISENABLER0, mask);
}

/* Affinity routing and both groups on (single security state: DS=1). */
static inline void gic_dist_enable(void)
{
    gicd_w32(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENGRP1 | GICD_CTLR_ENGRP0);
    gicd_wait_rwp();
}

/* EL2's physical CPU interface: system registers on (and EL1 access to
 * ICC_SRE_EL1), priority mask, BPR1 at its minimum, EOImode 0, Group 1 on. */
static inline void gic_cpuif_enable(uint8_t pmr)
{
    GIC_WR(ICC_SRE_EL2, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE);
    ISB();
    GIC_WR(ICC_PMR_EL1, pmr);
    GIC_WR(ICC_BPR1_EL1, 0);
    GIC_WR(ICC_CTLR_EL1, 0);
    GIC_WR(ICC_IGRPEN1_EL1, 1);
    ISB();
}

/* One interrupt: Group 1, priority, level/edge (SPIs; SGIs are always edge,
 * PPIs left as they are), routed to PE 0 (SPIs), enabled or not. */
static inline void gic_irq_setup(unsigned intid, uint8_t prio, int edge, int enable)
{
    uint64_t grp = gic_bank_reg(intid, GICR_IGROUPR0, GICD_IGROUPR(0));
    mmio_w32(grp, mmio_r32(grp) | (1u << (intid % 32)));
    gic_set_priority(intid, prio);
    if (intid >= 32) {
        uint64_t cfg = GICD_BASE + GICD_ICFGR(intid / 16);
        unsigned sh = 2 * (intid % 16) + 1;
        mmio_w32(cfg, (mmio_r32(cfg) & ~(1u << sh)) | ((unsigned)(edge != 0) << sh));
        mmio_w64(GICD_BASE + GICD_IROUTER(intid), 0);
    }
    if (enable)
        gic_set_enable(intid, 1);
    if (intid >= 32)
        gicd_wait_rwp();
}

/* A Group 1 SGI to this PE (Aff3.Aff2.Aff1 = 0, TargetList bit 0). */
static inline void gic_send_sgi(unsigned intid)
{
    GIC_WR(ICC_SGI1R_EL1, SGI1R(intid, 1));
    ISB();
}

#endif
