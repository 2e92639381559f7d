/* GICv2 helpers for the guest tests (gicv2_*.c): the QEMU virt layout with
 * gic-version=2 and virtualization=on (one PE), register offsets and field
 * encodings from the GIC architecture specification v2 (IHI 0048B), MMIO
 * accessors and small setup helpers.
 *
 * Frames (each 4 KiB register page; the CPU interfaces have GICC_DIR /
 * GICV_DIR in a second page at +0x1000):
 *   GICD 0x08000000  distributor
 *   GICC 0x08010000  physical CPU interface (banked: each PE sees its own)
 *   GICH 0x08030000  virtual interface control (this PE's view)
 *   GICV 0x08040000  virtual CPU interface (this PE's view)
 *
 * The virt board's GIC has no Security Extensions (GICD_TYPER.SecurityExtn
 * = 0): every access behaves like a Secure access to a GIC that has them.
 * Group 0 interrupts are signalled as IRQ while GICC_CTLR.FIQEn = 0, and
 * GICC_IAR only acknowledges Group 1 interrupts when GICC_CTLR.AckCtl = 1
 * (otherwise it returns 1022 for them). The tests therefore use Group 0
 * throughout, physically (GICD_IGROUPR = 0, the reset value) and virtually
 * (GICH_LR.Grp1 = 0, GICH_VMCR.VMGrp0En), as an OS that is not aware of
 * groups (Linux on a GIC without Security Extensions) does.
 *
 * Setup order used by the tests: gicv2_dist_enable() (GICD_CTLR),
 * gicv2_cpuif_enable() (GICC_PMR, BPR, CTLR), then gicv2_irq_setup() for
 * each interrupt. */
#ifndef AVSIM_GUEST_GICV2_H
#define AVSIM_GUEST_GICV2_H
#include "rt/rt.h"

/* ---- machine ------------------------------------------------------------------- */
#define GICD_BASE 0x08000000UL
#define GICC_BASE 0x08010000UL
#define GICH_BASE 0x08030000UL
#define GICV_BASE 0x08040000UL
#define UART_BASE 0x09000000UL
#define UART_INTID 33          /* PL011: SPI 1, level-sensitive */
#define MAINT_INTID 25         /* virtual interface maintenance PPI */
#define INTID_SPURIOUS 1023
#define INTID_GROUP1_HIDDEN 1022  /* IAR when the highest pending is Group 1 and AckCtl = 0 */

/* ---- distributor (GICD_*, offsets from GICD_BASE) ------------------------------ */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR(n) (0x080 + 4 * (n))
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ISPENDR(n) (0x200 + 4 * (n))
#define GICD_ICPENDR(n) (0x280 + 4 * (n))
#define GICD_ISACTIVER(n) (0x300 + 4 * (n))
#define GICD_ICACTIVER(n) (0x380 + 4 * (n))
#define GICD_IPRIORITYR(intid) (0x400 + (intid))   /* byte-accessible */
#define GICD_ITARGETSR(intid) (0x800 + (intid))    /* byte-accessible */
#define GICD_ICFGR(n) (0xc00 + 4 * (n))
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR(intid) (0xf10 + (intid))
#define GICD_SPENDSGIR(intid) (0xf20 + (intid))
#define GICD_PIDR2 0xfe8

#define GICD_CTLR_ENGRP0 (1u << 0)
#define GICD_CTLR_ENGRP1 (1u << 1)
#define GICD_TYPER_ITLINES(t) ((t) & 0x1f)              /* 32 * (N + 1) INTIDs */
#define GICD_TYPER_CPUNUM(t) (((t) >> 5) & 7)           /* CPU interfaces - 1 */
#define GICD_TYPER_SECEXTN(t) (((t) >> 10) & 1)
#define GICD_TYPER_LSPI(t) (((t) >> 11) & 0x1f)
#define PIDR2_ARCHREV(p) (((p) >> 4) & 0xf)
/* GICD_SGIR: TargetListFilter [25:24], CPUTargetList [23:16], NSATT [15], SGIINTID [3:0] */
#define SGIR_FILTER_LIST 0u
#define SGIR_FILTER_OTHERS 1u
#define SGIR_FILTER_SELF 2u
#define SGIR(filter, targets, intid) (((uint32_t)(filter) << 24) | ((uint32_t)(targets) << 16) | (uint32_t)(intid))

/* ---- CPU interface (GICC_* from GICC_BASE; GICV_* has the same layout from GICV_BASE) -- */
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_RPR 0x014
#define GICC_HPPIR 0x018
#define GICC_ABPR 0x01c
#define GICC_AIAR 0x020
#define GICC_AEOIR 0x024
#define GICC_AHPPIR 0x028
#define GICC_APR0 0x0d0
#define GICC_IIDR 0x0fc
#define GICC_DIR 0x1000

/* GICC_CTLR / GICV_CTLR, layout of a GIC without Security Extensions (or of
 * the Secure copy). Bit 9 controls the EOI mode of every access here; IHI
 * 0048B calls it EOImodeS in that figure, Linux calls it EOImodeNS (its
 * position in the Non-secure copy). Bit 10 only matters with Security
 * Extensions (Non-secure accesses). */
#define GICC_CTLR_ENGRP0 (1u << 0)
#define GICC_CTLR_ENGRP1 (1u << 1)
#define GICC_CTLR_ACKCTL (1u << 2)
#define GICC_CTLR_FIQEN (1u << 3)
#define GICC_CTLR_CBPR (1u << 4)
#define GICC_CTLR_EOIMODE (1u << 9)
/* GICC_IAR: InterruptID [9:0], CPUID [12:10] (source CPU of an SGI) */
#define IAR_INTID(v) ((v) & 0x3ff)
#define IAR_CPUID(v) (((v) >> 10) & 7)
/* GICC_IIDR: ProductID [31:20], ArchitectureVersion [19:16], Revision [15:12], Implementer [11:0] */
#define IIDR_ARCH(v) (((v) >> 16) & 0xf)

/* ---- virtual interface control (GICH_*, offsets from GICH_BASE) ---------------- */
#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_MISR 0x010
#define GICH_EISR0 0x020
#define GICH_EISR1 0x024
#define GICH_ELRSR0 0x030
#define GICH_ELRSR1 0x034
#define GICH_APR 0x0f0
#define GICH_LR(n) (0x100 + 4 * (n))

/* GICH_HCR */
#define GICH_HCR_EN (1u << 0)
#define GICH_HCR_UIE (1u << 1)
#define GICH_HCR_LRENPIE (1u << 2)
#define GICH_HCR_NPIE (1u << 3)
#define GICH_HCR_VGRP0EIE (1u << 4)
#define GICH_HCR_VGRP0DIE (1u << 5)
#define GICH_HCR_VGRP1EIE (1u << 6)
#define GICH_HCR_VGRP1DIE (1u << 7)
#define GICH_HCR_EOICOUNT(h) (((h) >> 27) & 0x1f)
#define GICH_HCR_EOICOUNT_ONE (1u << 27)
/* GICH_VTR: ListRegs [5:0] (LRs - 1), PREbits [28:26], PRIbits [31:29] (bits - 1) */
#define GICH_VTR_LISTREGS(v) ((v) & 0x3f)
#define GICH_VTR_PREBITS(v) (((v) >> 26) & 7)
#define GICH_VTR_PRIBITS(v) (((v) >> 29) & 7)
/* GICH_VMCR: the guest's GICV_CTLR bits [9:0] and GICV_PMR/BPR/ABPR */
#define GICH_VMCR_VMGRP0EN (1u << 0)
#define GICH_VMCR_VMGRP1EN (1u << 1)
#define GICH_VMCR_VMACKCTL (1u << 2)
#define GICH_VMCR_VMFIQEN (1u << 3)
#define GICH_VMCR_VMCBPR (1u << 4)
#define GICH_VMCR_VEM (1u << 9)
#define GICH_VMCR_VMABP(b) ((uint32_t)(b) << 18)
#define GICH_VMCR_VMBP(b) ((uint32_t)(b) << 21)
#define GICH_VMCR_VMPRIMASK(p) ((uint32_t)((p) >> 3) << 27)  /* p: an 8-bit priority */
#define VMCR_PRIMASK(v) (((v) >> 27) << 3)
#define VMCR_BP(v) (((v) >> 21) & 7)
#define VMCR_ABP(v) (((v) >> 18) & 7)
/* GICH_MISR */
#define GICH_MISR_EOI (1u << 0)
#define GICH_MISR_U (1u << 1)
#define GICH_MISR_LRENP (1u << 2)
#define GICH_MISR_NP (1u << 3)
#define GICH_MISR_VGRP0E (1u << 4)
#define GICH_MISR_VGRP0D (1u << 5)
#define GICH_MISR_VGRP1E (1u << 6)
#define GICH_MISR_VGRP1D (1u << 7)

/* GICH_LR<n>: VirtualID [9:0], PhysicalID [19:10] (HW = 1: the physical
 * INTID; HW = 0: bit 19 = EOI, bits [12:10] = CPUID of an SGI), Priority
 * [27:23] (the top 5 bits of an 8-bit priority), State [29:28], Grp1 [30],
 * HW [31]. */
#define LR_VID(x) ((uint32_t)(x) & 0x3ff)
#define LR_PID(x) (((uint32_t)(x) & 0x3ff) << 10)
#define LR_EOI (1u << 19)
#define LR_PRIO(p) ((uint32_t)((p) >> 3) << 23)
#define LR_STATE_PENDING (1u << 28)
#define LR_STATE_ACTIVE (2u << 28)
#define LR_STATE_PA (3u << 28)
#define LR_GRP1 (1u << 30)
#define LR_HW (1u << 31)
#define LR_STATE(lr) (((lr) >> 28) & 3)
#define LR_GET_VID(lr) ((lr) & 0x3ff)
#define LR_GET_PID(lr) (((lr) >> 10) & 0x3ff)
#define LR_GET_PRIO(lr) ((((lr) >> 23) & 0x1f) << 3)
/* A Group 0 virtual interrupt in the pending state. */
#define LR_G0_PENDING(vid, prio) (LR_STATE_PENDING | LR_PRIO(prio) | LR_VID(vid))

static const char *const lr_state_name[4] = { "invalid", "pending", "active", "pending+active" };

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

#define gicd_r32(off) mmio_r32(GICD_BASE + (off))
#define gicd_w32(off, v) mmio_w32(GICD_BASE + (off), (v))
#define gicc_r32(off) mmio_r32(GICC_BASE + (off))
#define gicc_w32(off, v) mmio_w32(GICC_BASE + (off), (v))
#define gich_r32(off) mmio_r32(GICH_BASE + (off))
#define gich_w32(off, v) mmio_w32(GICH_BASE + (off), (v))
#define gicv_r32(off) mmio_r32(GICV_BASE + (off))
#define gicv_w32(off, v) mmio_w32(GICV_BASE + (off), (v))
#define uart_r32(off) mmio_r32(UART_BASE + (off))
#define uart_w32(off, v) mmio_w32(UART_BASE + (off), (v))

/* ---- per-interrupt helpers (banked for INTIDs 0-31) ---------------------------- */
static inline void gicv2_set_enable(unsigned intid, int on)
{
    gicd_w32(on ? GICD_ISENABLER(intid / 32) : GICD_ICENABLER(intid / 32), 1u << (intid % 32));
}
static inline void gicv2_set_pending(unsigned intid, int on)
{
    gicd_w32(on ? GICD_ISPENDR(intid / 32) : GICD_ICPENDR(intid / 32), 1u << (intid % 32));
}
static inline int gicv2_is_pending(unsigned intid)
{
    return (gicd_r32(GICD_ISPENDR(intid / 32)) >> (intid % 32)) & 1;
}
static inline int gicv2_is_active(unsigned intid)
{
    return (gicd_r32(GICD_ISACTIVER(intid / 32)) >> (intid % 32)) & 1;
}
static inline void gicv2_set_priority(unsigned intid, uint8_t prio)
{
    mmio_w8(GICD_BASE + GICD_IPRIORITYR(intid), prio);
}

/* Both groups on in the distributor. */
static inline void gicv2_dist_enable(void)
{
    gicd_w32(GICD_CTLR, GICD_CTLR_ENGRP0 | GICD_CTLR_ENGRP1);
}

/* EL2's physical CPU interface: priority mask, binary point 0, Group 0 on
 * (signalled as IRQ), EOI mode as given. */
static inline void gicv2_cpuif_enable(uint8_t pmr, uint32_t extra_ctlr)
{
    gicc_w32(GICC_PMR, pmr);
    gicc_w32(GICC_BPR, 0);
    gicc_w32(GICC_CTLR, GICC_CTLR_ENGRP0 | extra_ctlr);
}

/* One interrupt: Group 0, priority, level/edge (SPIs; SGIs are always edge,
 * PPIs left as they are), enabled or not. SPIs need no targeting on a
 * uniprocessor GIC (GICD_ITARGETSR is RAZ/WI, every SPI goes to the one PE). */
static inline void gicv2_irq_setup(unsigned intid, uint8_t prio, int edge, int enable)
{
    uint32_t grp = gicd_r32(GICD_IGROUPR(intid / 32));
    gicd_w32(GICD_IGROUPR(intid / 32), grp & ~(1u << (intid % 32)));
    gicv2_set_priority(intid, prio);
    if (intid >= 32) {
        uint64_t cfg = GICD_ICFGR(intid / 16);
        unsigned sh = 2 * (intid % 16) + 1;
        gicd_w32(cfg, (gicd_r32(cfg) & ~(1u << sh)) | ((unsigned)(edge != 0) << sh));
    }
    if (enable)
        gicv2_set_enable(intid, 1);
}

/* An SGI to this PE only (TargetListFilter = 2). */
static inline void gicv2_send_sgi_self(unsigned intid)
{
    gicd_w32(GICD_SGIR, SGIR(SGIR_FILTER_SELF, 0, intid));
    ISB();
}

#endif
