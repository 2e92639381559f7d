/* Unit tests for gic/ (GICv3): distributor and redistributor registers, level
 * and edge inputs, priorities and preemption (PMR, binary point, running
 * priority), EOI/DIR in both EOI modes, SGI generation by affinity, the
 * physical and virtual outputs, the list registers through ICV_*, maintenance
 * interrupts, EOIcount, hardware-linked LRs, traps and events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gic/gic.h"
#include "sim/events.h"

/* ---- encodings (op0, op1, CRn, CRm, op2) ------------------------------------------------- */
#define ICC_PMR 3, 0, 4, 6, 0
#define ICC_IAR0 3, 0, 12, 8, 0
#define ICC_EOIR0 3, 0, 12, 8, 1
#define ICC_HPPIR0 3, 0, 12, 8, 2
#define ICC_BPR0 3, 0, 12, 8, 3
#define ICC_AP0R0 3, 0, 12, 8, 4
#define ICC_AP1R0 3, 0, 12, 9, 0
#define ICC_AP1R1 3, 0, 12, 9, 1
#define ICC_DIR 3, 0, 12, 11, 1
#define ICC_RPR 3, 0, 12, 11, 3
#define ICC_SGI1R 3, 0, 12, 11, 5
#define ICC_ASGI1R 3, 0, 12, 11, 6
#define ICC_SGI0R 3, 0, 12, 11, 7
#define ICC_IAR1 3, 0, 12, 12, 0
#define ICC_EOIR1 3, 0, 12, 12, 1
#define ICC_HPPIR1 3, 0, 12, 12, 2
#define ICC_BPR1 3, 0, 12, 12, 3
#define ICC_CTLR 3, 0, 12, 12, 4
#define ICC_SRE_EL1 3, 0, 12, 12, 5
#define ICC_IGRPEN0 3, 0, 12, 12, 6
#define ICC_IGRPEN1 3, 0, 12, 12, 7
#define ICC_SRE_EL2 3, 4, 12, 9, 5
#define ICH_AP1R0 3, 4, 12, 9, 0
#define ICH_HCR 3, 4, 12, 11, 0
#define ICH_VTR 3, 4, 12, 11, 1
#define ICH_MISR 3, 4, 12, 11, 2
#define ICH_EISR 3, 4, 12, 11, 3
#define ICH_ELRSR 3, 4, 12, 11, 5
#define ICH_VMCR 3, 4, 12, 11, 7
#define ICH_LR(n) 3, 4, 12, 12 + (n) / 8, (n) % 8

/* register fields used below */
#define HCR_EN (1ull << 0)
#define HCR_UIE (1ull << 1)
#define HCR_LRENPIE (1ull << 2)
#define HCR_NPIE (1ull << 3)
#define HCR_VGRP0EIE (1ull << 4)
#define HCR_VGRP0DIE (1ull << 5)
#define HCR_VGRP1EIE (1ull << 6)
#define HCR_VGRP1DIE (1ull << 7)
#define HCR_TC (1ull << 10)
#define HCR_TALL0 (1ull << 11)
#define HCR_TALL1 (1ull << 12)
#define HCR_TDIR (1ull << 14)
#define HCR_EOICOUNT(h) (((h) >> 27) & 0x1f)
#define VMCR_VENG0 (1ull << 0)
#define VMCR_VENG1 (1ull << 1)
#define VMCR_VEOIM (1ull << 9)
#define VMCR_VPMR(p) ((uint64_t)(p) << 24)
#define LR_PENDING (1ull << 62)
#define LR_ACTIVE (2ull << 62)
#define LR_STATE(lr) ((lr) >> 62)
#define LR_GROUP1 (1ull << 60)
#define LR_HW (1ull << 61)
#define LR_EOI (1ull << 41)
#define LR_PRIO(p) ((uint64_t)(p) << 48)
#define LR_PINTID(p) ((uint64_t)(p) << 32)

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
#define GICD_IPRIORITYR(i) (0x0400 + (i))
#define GICD_ICFGR(n) (0x0c00 + 4 * (n))
#define GICD_IROUTER(i) (0x6000 + 8 * (i))
#define GICD_PIDR2 0xffe8
#define RD(pe) ((uint64_t)(pe) << 17)
#define SGI(pe) (RD(pe) + 0x10000)
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8

/* ---- fixture ----------------------------------------------------------------------------- */
struct fix {
    struct gic *g;
    struct event_bus bus;
    bool irq[GIC_MAX_PES][2];             /* [pe][fiq] */
    bool virq[GIC_MAX_PES][2];
    unsigned irq_calls, virq_calls;
    unsigned events[8];                   /* by GIC_EV_* kind */
    struct event last;
};

static void set_irq(void *opaque, unsigned pe, bool fiq, bool level)
{
    struct fix *f = opaque;
    assert_true(f->irq[pe][fiq] != level);   /* only changes are reported */
    f->irq[pe][fiq] = level;
    f->irq_calls++;
}

static void set_virq(void *opaque, unsigned pe, bool fiq, bool level)
{
    struct fix *f = opaque;
    assert_true(f->virq[pe][fiq] != level);
    f->virq[pe][fiq] = level;
    f->virq_calls++;
}

static void on_event(void *opaque, const struct event *ev)
{
    struct fix *f = opaque;
    assert_int_equal(ev->type, EV_GIC);
    f->events[ev->u.gic.kind]++;
    f->last = *ev;
}

static struct fix *fix_new(unsigned pes, unsigned lrs)
{
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    event_subscribe(&f->bus, 1u << EV_GIC, on_event, f);
    struct gic_config cfg = { .version = GIC_V3, .num_pes = pes, .num_lrs = lrs, .vpri_bits = 5 };
    struct gic_outputs out = { set_irq, set_virq, f };
    char err[128];
    f->g = gic_create(&cfg, &out, &f->bus, err, sizeof err);
    if (!f->g)
        fail_msg("gic_create: %s", err);
    /* Interrupts reset to Group 0 (as on QEMU's virt); like a driver, put them all
     * in Group 1, which most tests use. */
    for (unsigned w = 1; w <= 8; w++)
        gic_dist_write(f->g, 0x80 + 4 * w, 0xffffffff, 4);
    for (unsigned pe = 0; pe < pes; pe++)
        gic_redist_write(f->g, ((uint64_t)pe << 17) + 0x10000 + 0x80, 0xffffffff, 4);
    return f;
}

static int setup(void **state)
{
    *state = fix_new(4, 4);
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    gic_destroy(f->g);
    free(f);
    return 0;
}

static struct gic_sysreg_access acc(unsigned pe, unsigned el, bool vi, bool vf, unsigned op0, unsigned op1,
                                    unsigned crn, unsigned crm, unsigned op2)
{
    return (struct gic_sysreg_access){ .pe = pe, .el = el, .virtual_irq = vi, .virtual_fiq = vf,
                                       .op0 = op0, .op1 = op1, .crn = crn, .crm = crm, .op2 = op2 };
}

static uint64_t rd_(struct fix *f, unsigned pe, unsigned el, bool vi, bool vf, unsigned op0, unsigned op1,
                    unsigned crn, unsigned crm, unsigned op2)
{
    struct gic_sysreg_access a = acc(pe, el, vi, vf, op0, op1, crn, crm, op2);
    assert_true(gic_sysreg_exists(f->g, op0, op1, crn, crm, op2));
    return gic_sysreg_read(f->g, &a);
}

static void wr_(struct fix *f, unsigned pe, unsigned el, bool vi, bool vf, uint64_t v, unsigned op0,
                unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
    struct gic_sysreg_access a = acc(pe, el, vi, vf, op0, op1, crn, crm, op2);
    assert_true(gic_sysreg_exists(f->g, op0, op1, crn, crm, op2));
    gic_sysreg_write(f->g, &a, v);
}

static bool trap_(struct fix *f, unsigned el, bool vi, bool vf, bool is_read, unsigned op0, unsigned op1,
                  unsigned crn, unsigned crm, unsigned op2)
{
    struct gic_sysreg_access a = acc(0, el, vi, vf, op0, op1, crn, crm, op2);
    return gic_sysreg_trap_to_el2(f->g, &a, is_read);
}

/* physical accesses (EL2), and EL1 accesses under IMO/FMO (the ICV view) */
#define RDP(pe, reg) rd_(f, pe, 2, false, false, reg)
#define WRP(pe, reg, v) wr_(f, pe, 2, false, false, v, reg)
#define RDV(pe, reg) rd_(f, pe, 1, true, true, reg)
#define WRV(pe, reg, v) wr_(f, pe, 1, true, true, v, reg)

static uint32_t d32(struct fix *f, uint64_t off) { return (uint32_t)gic_dist_read(f->g, off, 4); }
static void wd32(struct fix *f, uint64_t off, uint32_t v) { gic_dist_write(f->g, off, v, 4); }
static uint32_t r32(struct fix *f, uint64_t off) { return (uint32_t)gic_redist_read(f->g, off, 4); }
static void wr32(struct fix *f, uint64_t off, uint32_t v) { gic_redist_write(f->g, off, v, 4); }

/* Distributor and PE enabled for both groups, PMR open, an SPI configured. */
static void enable_all(struct fix *f, unsigned pes)
{
    wd32(f, GICD_CTLR, 3);
    for (unsigned pe = 0; pe < pes; pe++) {
        WRP(pe, ICC_PMR, 0xff);
        WRP(pe, ICC_IGRPEN0, 1);
        WRP(pe, ICC_IGRPEN1, 1);
    }
}

static void spi_setup(struct fix *f, unsigned intid, uint8_t prio, bool group1, unsigned pe)
{
    gic_dist_write(f->g, GICD_IPRIORITYR(intid), prio, 1);
    uint32_t grp = d32(f, GICD_IGROUPR(intid / 32));
    grp = group1 ? grp | 1u << (intid % 32) : grp & ~(1u << (intid % 32));
    wd32(f, GICD_IGROUPR(intid / 32), grp);
    gic_dist_write(f->g, GICD_IROUTER(intid), pe, 8);
    wd32(f, GICD_ISENABLER(intid / 32), 1u << (intid % 32));
}

static bool spi_bit(struct fix *f, uint64_t base, unsigned intid)
{
    return (d32(f, base + 4 * (intid / 32)) >> (intid % 32)) & 1;
}

/* ---- distributor ---------------------------------------------------------------------------- */

static void test_dist_id(void **state)
{
    struct fix *f = *state;
    uint32_t typer = d32(f, GICD_TYPER);
    assert_int_equal(typer & 0x1f, 8);              /* ITLinesNumber: 288 INTIDs */
    assert_int_equal((typer >> 5) & 7, 3);          /* CPUNumber: 4 PEs */
    assert_int_equal((typer >> 19) & 0x1f, 9);      /* IDbits: 10 bits */
    assert_int_equal((typer >> 17) & 1, 0);         /* no LPIs */
    assert_int_equal((typer >> 16) & 1, 0);         /* no MBIS */
    assert_int_equal((typer >> 24) & 1, 1);         /* A3V */
    assert_int_equal((typer >> 10) & 1, 0);         /* SecurityExtn: one Security state */
    assert_int_equal(d32(f, GICD_IIDR), 0x0100143b);
    assert_int_equal((d32(f, GICD_PIDR2) >> 4) & 0xf, 3);
    /* ARE and DS read as one; the group enables are the only writable bits. */
    assert_int_equal(d32(f, GICD_CTLR), 0x50);
    wd32(f, GICD_CTLR, 0xffffffff);
    assert_int_equal(d32(f, GICD_CTLR), 0x53);
    /* reserved space and out-of-frame offsets read as zero */
    assert_int_equal(d32(f, 0x0040), 0);
    assert_int_equal(gic_dist_read(f->g, 0x10000, 4), 0);
}

static void test_dist_enable_pend_active(void **state)
{
    struct fix *f = *state;
    wd32(f, GICD_ISENABLER(1), 1u << 8);            /* INTID 40 */
    assert_int_equal(d32(f, GICD_ISENABLER(1)), 1u << 8);
    assert_int_equal(d32(f, GICD_ICENABLER(1)), 1u << 8);
    wd32(f, GICD_ISENABLER(1), 1u << 9);
    assert_int_equal(d32(f, GICD_ISENABLER(1)), 3u << 8);
    wd32(f, GICD_ICENABLER(1), 1u << 8);
    assert_int_equal(d32(f, GICD_ISENABLER(1)), 1u << 9);

    wd32(f, GICD_ISPENDR(2), 0x5);                  /* INTIDs 64, 66 */
    assert_int_equal(d32(f, GICD_ICPENDR(2)), 0x5);
    wd32(f, GICD_ICPENDR(2), 0x1);
    assert_int_equal(d32(f, GICD_ISPENDR(2)), 0x4);
    assert_int_equal(gic_get_stats(f->g)->raised[64], 1);
    assert_int_equal(gic_get_stats(f->g)->raised[66], 1);

    wd32(f, GICD_ISACTIVER(8), 0x80000000u);        /* INTID 287 */
    assert_int_equal(d32(f, GICD_ICACTIVER(8)), 0x80000000u);
    wd32(f, GICD_ICACTIVER(8), 0x80000000u);
    assert_int_equal(d32(f, GICD_ISACTIVER(8)), 0);

    /* The SGI/PPI words are RAZ/WI in the distributor (affinity routing). */
    wd32(f, GICD_ISENABLER(0), 0xffffffff);
    assert_int_equal(d32(f, GICD_ISENABLER(0)), 0);
    assert_int_equal(r32(f, SGI(0) + 0x100), 0);
    /* Words past the last SPI are RAZ/WI. */
    wd32(f, GICD_ISENABLER(9), 0xffffffff);
    assert_int_equal(d32(f, GICD_ISENABLER(9)), 0);
    /* Groups: IGROUPR is read/write (the fixture put everything in Group 1). */
    assert_int_equal(d32(f, GICD_IGROUPR(1)), 0xffffffff);
    wd32(f, GICD_IGROUPR(1), 0x0000ffff);
    assert_int_equal(d32(f, GICD_IGROUPR(1)), 0x0000ffff);
}

static void test_dist_priority_bytes(void **state)
{
    struct fix *f = *state;
    gic_dist_write(f->g, GICD_IPRIORITYR(33), 0xff, 1);
    gic_dist_write(f->g, GICD_IPRIORITYR(34), 0x47, 1);
    assert_int_equal(gic_dist_read(f->g, GICD_IPRIORITYR(33), 1), 0xff);  /* all 8 bits kept, as QEMU */
    assert_int_equal(gic_dist_read(f->g, GICD_IPRIORITYR(34), 1), 0x47);
    assert_int_equal(d32(f, GICD_IPRIORITYR(32)), 0x0047ff00);
    wd32(f, GICD_IPRIORITYR(36), 0x10203040);
    assert_int_equal(gic_dist_read(f->g, GICD_IPRIORITYR(38), 1), 0x20);
    /* GICv3 access sizes (as QEMU 7.2): halfword accesses, byte accesses to word
     * registers and 64-bit accesses to 32-bit registers are RAZ/WI. */
    assert_int_equal(gic_dist_read(f->g, GICD_IPRIORITYR(38), 2), 0);
    gic_dist_write(f->g, GICD_IPRIORITYR(38), 0x5555, 2);
    assert_int_equal(gic_dist_read(f->g, GICD_IPRIORITYR(36), 8), 0);
    gic_dist_write(f->g, GICD_IPRIORITYR(36), 0x5555555555555555ull, 8);
    assert_int_equal(d32(f, GICD_IPRIORITYR(36)), 0x10203040);
    assert_int_equal(d32(f, GICD_IPRIORITYR(40)), 0);
    wd32(f, GICD_ISENABLER(1), 0x80000001);
    assert_int_equal(gic_dist_read(f->g, GICD_ISENABLER(1), 1), 0);
    assert_int_equal(gic_dist_read(f->g, GICD_ISENABLER(1) + 3, 1), 0);
    gic_dist_write(f->g, GICD_ICENABLER(1), 0xff, 1);
    assert_int_equal(d32(f, GICD_ISENABLER(1)), 0x80000001);
    wd32(f, GICD_ICENABLER(1), 0xffffffff);
    assert_int_equal(gic_dist_read(f->g, GICD_CTLR, 8), 0);
    /* INTIDs 0..31 are the redistributor's */
    gic_dist_write(f->g, GICD_IPRIORITYR(5), 0x80, 1);
    assert_int_equal(gic_dist_read(f->g, GICD_IPRIORITYR(5), 1), 0);
    /* the redistributor's bank, byte access through SGI_base */
    gic_redist_write(f->g, SGI(1) + 0x400 + 27, 0x90, 1);
    assert_int_equal(gic_redist_read(f->g, SGI(1) + 0x400 + 27, 1), 0x90);
    assert_int_equal(gic_redist_read(f->g, SGI(0) + 0x400 + 27, 1), 0);
}

static void test_dist_icfgr_irouter(void **state)
{
    struct fix *f = *state;
    /* ICFGR2 covers INTIDs 32..47: Int_config[1] of 33 is bit 3. */
    assert_int_equal(d32(f, GICD_ICFGR(2)), 0);
    wd32(f, GICD_ICFGR(2), 0x8 | 0x1);
    assert_int_equal(d32(f, GICD_ICFGR(2)), 0x8);
    /* SGI/PPI configuration is not in the distributor */
    wd32(f, GICD_ICFGR(1), 0xffffffff);
    assert_int_equal(d32(f, GICD_ICFGR(1)), 0);

    gic_dist_write(f->g, GICD_IROUTER(40), 0xff12345678ull | 0xffff00000000ull | (1ull << 31), 8);
    assert_int_equal(gic_dist_read(f->g, GICD_IROUTER(40), 8), 0xff80345678ull);   /* Aff3, IRM, Aff2..Aff0 kept */
    gic_dist_write(f->g, GICD_IROUTER(41), 0x00000203, 4);
    gic_dist_write(f->g, GICD_IROUTER(41) + 4, 0x4, 4);
    assert_int_equal(gic_dist_read(f->g, GICD_IROUTER(41), 8), 0x400000203ull);
    assert_int_equal(gic_dist_read(f->g, GICD_IROUTER(41) + 4, 4), 0x4);
    assert_int_equal(gic_dist_read(f->g, GICD_IROUTER(20), 8), 0);    /* no IROUTER below 32 */
}

/* ---- redistributor -------------------------------------------------------------------------- */

static void test_redist_typer_waker(void **state)
{
    struct fix *f = *state;
    for (unsigned pe = 0; pe < 4; pe++) {
        uint64_t t = gic_redist_read(f->g, RD(pe) + GICR_TYPER, 8);
        assert_int_equal(t >> 32, pe);                  /* Affinity_Value: Aff0 = PE */
        assert_int_equal((t >> 8) & 0xffff, pe);        /* Processor_Number */
        assert_int_equal((t >> 4) & 1, pe == 3);        /* Last */
        assert_int_equal(t & 1, 0);                     /* no physical LPIs */
        assert_int_equal((uint32_t)t, r32(f, RD(pe) + GICR_TYPER));
        assert_int_equal(t >> 32, r32(f, RD(pe) + GICR_TYPER + 4));
    }
    assert_int_equal((r32(f, RD(2) + GICR_PIDR2) >> 4) & 0xf, 3);
    assert_int_equal(r32(f, RD(0) + 0x4), 0x0100143b);      /* GICR_IIDR */
    assert_int_equal(r32(f, RD(0) + 0x0), 0);               /* GICR_CTLR: no LPIs, RWP = 0 */

    /* WAKER: asleep at reset; clearing ProcessorSleep wakes the children. */
    assert_int_equal(r32(f, RD(1) + GICR_WAKER), 0x6);
    wr32(f, RD(1) + GICR_WAKER, 0);
    assert_int_equal(r32(f, RD(1) + GICR_WAKER), 0);
    assert_int_equal(r32(f, RD(0) + GICR_WAKER), 0x6);     /* per PE */
    wr32(f, RD(1) + GICR_WAKER, 0x2);
    assert_int_equal(r32(f, RD(1) + GICR_WAKER), 0x6);

    /* beyond the last redistributor: RAZ/WI */
    assert_int_equal(gic_redist_read(f->g, RD(4) + GICR_TYPER, 8), 0);
    gic_redist_write(f->g, SGI(4) + 0x100, 1, 4);
}

static void test_redist_sgi_base(void **state)
{
    struct fix *f = *state;
    wr32(f, SGI(2) + 0x100, 0x80000001u);              /* ISENABLER0: SGI 0, PPI 31 */
    assert_int_equal(r32(f, SGI(2) + 0x100), 0x80000001u);
    assert_int_equal(r32(f, SGI(1) + 0x100), 0);
    wr32(f, SGI(2) + 0x180, 1);
    assert_int_equal(r32(f, SGI(2) + 0x180), 0x80000000u);
    wr32(f, SGI(2) + 0x200, 1u << 20);                 /* ISPENDR0 */
    assert_int_equal(r32(f, SGI(2) + 0x200), 1u << 20);
    wr32(f, SGI(2) + 0x280, 1u << 20);
    assert_int_equal(r32(f, SGI(2) + 0x200), 0);
    wr32(f, SGI(2) + 0x300, 1u << 3);                  /* ISACTIVER0 */
    assert_int_equal(r32(f, SGI(2) + 0x380), 1u << 3);
    /* ICFGR0: SGIs are edge-triggered, read-only */
    assert_int_equal(r32(f, SGI(0) + 0xc00), 0xaaaaaaaau);
    wr32(f, SGI(0) + 0xc00, 0);
    assert_int_equal(r32(f, SGI(0) + 0xc00), 0xaaaaaaaau);
    /* ICFGR1: PPIs level at reset, configurable */
    assert_int_equal(r32(f, SGI(0) + 0xc04), 0);
    wr32(f, SGI(0) + 0xc04, 0x2u << 18);               /* PPI 25 edge */
    assert_int_equal(r32(f, SGI(0) + 0xc04), 0x2u << 18);
    /* IGROUPR0 writable, IGRPMODR0 RAZ/WI */
    wr32(f, SGI(0) + 0x080, 0xfffffffe);
    assert_int_equal(r32(f, SGI(0) + 0x080), 0xfffffffe);
    wr32(f, SGI(0) + 0xd00, 0xffffffff);
    assert_int_equal(r32(f, SGI(0) + 0xd00), 0);
}

/* ---- inputs ------------------------------------------------------------------------------- */

static void test_spi_level(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    spi_setup(f, 33, 0x80, true, 0);
    gic_set_spi(f->g, 33, true);
    assert_true(spi_bit(f, GICD_ISPENDR(0), 33));
    assert_true(f->irq[0][0]);
    /* ICPENDR cannot clear a pending level that is still asserted */
    wd32(f, GICD_ICPENDR(1), 1u << 1);
    assert_true(spi_bit(f, GICD_ISPENDR(0), 33));
    gic_set_spi(f->g, 33, false);
    assert_false(spi_bit(f, GICD_ISPENDR(0), 33));
    assert_false(f->irq[0][0]);
    /* acknowledged while high: active and pending */
    gic_set_spi(f->g, 33, true);
    assert_int_equal(RDP(0, ICC_IAR1), 33);
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 33));
    assert_true(spi_bit(f, GICD_ISPENDR(0), 33));
    gic_set_spi(f->g, 33, false);
    assert_false(spi_bit(f, GICD_ISPENDR(0), 33));
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 33));
    /* ISPENDR on a level interrupt latches until cleared */
    wd32(f, GICD_ISPENDR(1), 1u << 1);
    assert_true(spi_bit(f, GICD_ISPENDR(0), 33));
    wd32(f, GICD_ICPENDR(1), 1u << 1);
    assert_false(spi_bit(f, GICD_ISPENDR(0), 33));
    assert_int_equal(gic_get_stats(f->g)->raised[33], 3);
}

static void test_spi_edge(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    spi_setup(f, 34, 0x80, true, 0);
    wd32(f, GICD_ICFGR(2), 0x2u << 4);                  /* INTID 34: edge */
    gic_set_spi(f->g, 34, true);
    gic_set_spi(f->g, 34, false);
    assert_true(spi_bit(f, GICD_ISPENDR(0), 34));       /* latched */
    gic_set_spi(f->g, 34, true);                         /* a second edge while pending */
    assert_int_equal(gic_get_stats(f->g)->raised[34], 1);
    assert_int_equal(RDP(0, ICC_IAR1), 34);
    assert_false(spi_bit(f, GICD_ISPENDR(0), 34));      /* the line is high, but edge */
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 34));
    gic_set_spi(f->g, 34, false);
    gic_set_spi(f->g, 34, true);                         /* edge while active: pending and active */
    assert_true(spi_bit(f, GICD_ISPENDR(0), 34));
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE); /* not while active at that priority */
    WRP(0, ICC_EOIR1, 34);
    assert_int_equal(RDP(0, ICC_IAR1), 34);
}

/* ---- priorities and acknowledge ---------------------------------------------------------- */

static void test_priority_order_pmr(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    spi_setup(f, 40, 0x80, true, 0);
    spi_setup(f, 41, 0x40, true, 0);
    spi_setup(f, 42, 0x40, true, 0);
    wd32(f, GICD_ISPENDR(1), 7u << 8);
    assert_int_equal(RDP(0, ICC_HPPIR1), 41);            /* highest priority, lowest INTID */
    assert_int_equal(RDP(0, ICC_HPPIR0), GIC_SPECIAL_NONE);
    WRP(0, ICC_PMR, 0x40);                               /* masks priority 0x40 and below */
    assert_int_equal(RDP(0, ICC_PMR), 0x40);
    assert_false(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);
    assert_int_equal(RDP(0, ICC_HPPIR1), 41);            /* HPPIR ignores the mask */
    WRP(0, ICC_PMR, 0x48);
    assert_true(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_IAR1), 41);
    assert_int_equal(RDP(0, ICC_RPR), 0x40);
    assert_false(f->irq[0][0]);                          /* 42 has the same priority */
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);
    WRP(0, ICC_EOIR1, 41);
    assert_int_equal(RDP(0, ICC_RPR), 0xff);
    assert_int_equal(RDP(0, ICC_IAR1), 42);
    WRP(0, ICC_EOIR1, 42);
    WRP(0, ICC_PMR, 0xff);
    assert_int_equal(RDP(0, ICC_IAR1), 40);
    WRP(0, ICC_EOIR1, 40);
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);
    assert_int_equal(gic_get_stats(f->g)->acknowledged[41], 1);
    /* a disabled group is not signalled */
    WRP(0, ICC_IGRPEN1, 0);
    wd32(f, GICD_ISPENDR(1), 1u << 8);
    assert_false(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_HPPIR1), GIC_SPECIAL_NONE);
    WRP(0, ICC_IGRPEN1, 1);
    assert_true(f->irq[0][0]);
    wd32(f, GICD_CTLR, 1);                               /* EnableGrp1 off in the distributor */
    assert_false(f->irq[0][0]);
}

static void test_preemption_bpr(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    assert_int_equal(RDP(0, ICC_BPR0), 2);               /* minimum binary points for 5 bits */
    assert_int_equal(RDP(0, ICC_BPR1), 3);
    WRP(0, ICC_BPR1, 0);
    assert_int_equal(RDP(0, ICC_BPR1), 3);
    spi_setup(f, 50, 0x50, true, 0);
    spi_setup(f, 51, 0x48, true, 0);
    /* BPR1 = 6: group priority bits [7:6]; 0x50 runs at 0x40, and 0x48 (group priority 0x40)
     * cannot preempt it. */
    WRP(0, ICC_BPR1, 6);
    wd32(f, GICD_ISPENDR(1), 1u << 18);
    assert_int_equal(RDP(0, ICC_IAR1), 50);
    assert_int_equal(RDP(0, ICC_RPR), 0x40);
    assert_int_equal(RDP(0, ICC_AP1R0), 1u << 8);
    wd32(f, GICD_ISPENDR(1), 1u << 19);
    assert_false(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);
    WRP(0, ICC_EOIR1, 50);
    assert_int_equal(RDP(0, ICC_IAR1), 51);
    WRP(0, ICC_EOIR1, 51);
    /* BPR1 = 3: all 5 bits are group priority; 0x48 preempts 0x50. */
    WRP(0, ICC_BPR1, 3);
    wd32(f, GICD_ISPENDR(1), 1u << 18);
    assert_int_equal(RDP(0, ICC_IAR1), 50);
    assert_int_equal(RDP(0, ICC_RPR), 0x50);
    wd32(f, GICD_ISPENDR(1), 1u << 19);
    assert_true(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_IAR1), 51);
    assert_int_equal(RDP(0, ICC_RPR), 0x48);
    assert_int_equal(RDP(0, ICC_AP1R0), (1u << 10) | (1u << 9));
    WRP(0, ICC_EOIR1, 51);                               /* nested: drops 0x48 first */
    assert_int_equal(RDP(0, ICC_RPR), 0x50);
    WRP(0, ICC_EOIR1, 50);
    assert_int_equal(RDP(0, ICC_RPR), 0xff);
    /* CBPR: BPR1 reads BPR0 + 1 and ignores writes */
    WRP(0, ICC_CTLR, 1);
    WRP(0, ICC_BPR0, 4);
    assert_int_equal(RDP(0, ICC_BPR1), 5);
    WRP(0, ICC_BPR1, 7);
    assert_int_equal(RDP(0, ICC_BPR1), 5);
    /* the running priority comes from the active priority registers */
    WRP(0, ICC_AP0R0, 1u << 4);
    assert_int_equal(RDP(0, ICC_RPR), 0x20);
}

static void test_group0_fiq(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    spi_setup(f, 60, 0x20, false, 0);
    wd32(f, GICD_ISPENDR(1), 1u << 28);
    assert_true(f->irq[0][1]);                           /* FIQ */
    assert_false(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_HPPIR0), 60);
    assert_int_equal(RDP(0, ICC_HPPIR1), GIC_SPECIAL_NONE);
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);
    assert_int_equal(RDP(0, ICC_IAR0), 60);
    assert_false(f->irq[0][1]);
    assert_int_equal(RDP(0, ICC_AP0R0), 1u << 4);
    WRP(0, ICC_EOIR1, 60);                               /* wrong group: ignored */
    assert_int_equal(RDP(0, ICC_AP0R0), 1u << 4);
    WRP(0, ICC_EOIR0, 60);
    assert_int_equal(RDP(0, ICC_AP0R0), 0);
    assert_false(spi_bit(f, GICD_ISACTIVER(0), 60));
}

static void test_eoi_modes(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    spi_setup(f, 70, 0x80, true, 0);
    /* EOImode = 0: EOIR drops the priority and deactivates */
    wd32(f, GICD_ISPENDR(2), 1u << 6);
    assert_int_equal(RDP(0, ICC_IAR1), 70);
    WRP(0, ICC_EOIR1, 70);
    assert_false(spi_bit(f, GICD_ISACTIVER(0), 70));
    assert_int_equal(RDP(0, ICC_RPR), 0xff);
    /* DIR is ignored with EOImode = 0 */
    wd32(f, GICD_ISACTIVER(2), 1u << 6);
    WRP(0, ICC_DIR, 70);
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 70));
    wd32(f, GICD_ICACTIVER(2), 1u << 6);
    /* EOImode = 1: EOIR drops only; DIR deactivates */
    WRP(0, ICC_CTLR, 2);
    assert_int_equal(RDP(0, ICC_CTLR) & 2, 2);
    wd32(f, GICD_ISPENDR(2), 1u << 6);
    assert_int_equal(RDP(0, ICC_IAR1), 70);
    WRP(0, ICC_EOIR1, 70);
    assert_int_equal(RDP(0, ICC_RPR), 0xff);
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 70));
    wd32(f, GICD_ISPENDR(2), 1u << 6);
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);  /* still active */
    WRP(0, ICC_DIR, 70);
    assert_false(spi_bit(f, GICD_ISACTIVER(0), 70));
    assert_int_equal(RDP(0, ICC_IAR1), 70);
    assert_int_equal(f->events[GIC_EV_ACK], 3);
    assert_int_equal(f->events[GIC_EV_EOI], 2);
    assert_int_equal(f->events[GIC_EV_DEACTIVATE], 2);
}

static void test_cpuif_constants(void **state)
{
    struct fix *f = *state;
    uint64_t ctlr = RDP(0, ICC_CTLR);
    assert_int_equal((ctlr >> 8) & 7, 4);                /* PRIbits: 5 bits */
    assert_int_equal((ctlr >> 11) & 7, 1);               /* IDbits: 24 (QEMU 7.2's) */
    assert_int_equal((ctlr >> 14) & 1, 0);               /* SEIS */
    assert_int_equal((ctlr >> 15) & 1, 1);               /* A3V */
    assert_int_equal(RDP(0, ICC_SRE_EL1), 7);
    assert_int_equal(RDP(0, ICC_SRE_EL2), 0xf);
    WRP(0, ICC_SRE_EL1, 0);
    assert_int_equal(RDP(0, ICC_SRE_EL1), 7);
    WRP(0, ICC_PMR, 0x47);
    assert_int_equal(RDP(0, ICC_PMR), 0x40);
    uint64_t vtr = RDP(0, ICH_VTR);
    assert_int_equal(vtr & 0x1f, 3);                     /* ListRegs: 4 */
    assert_int_equal((vtr >> 29) & 7, 4);                /* PRIbits */
    assert_int_equal((vtr >> 26) & 7, 4);                /* PREbits */
    assert_int_equal((vtr >> 22) & 1, 0);                /* SEIS */
    assert_int_equal((vtr >> 21) & 1, 1);                /* A3V */
    assert_int_equal((vtr >> 20) & 1, 1);                /* nV4 */
    /* encodings that exist in this configuration */
    assert_true(gic_sysreg_exists(f->g, ICH_LR(3)));
    assert_false(gic_sysreg_exists(f->g, ICH_LR(4)));
    assert_false(gic_sysreg_exists(f->g, ICH_LR(15)));
    assert_true(gic_sysreg_exists(f->g, ICC_AP1R0));
    assert_false(gic_sysreg_exists(f->g, ICC_AP1R1));    /* 5 bits: one AP register */
    assert_false(gic_sysreg_exists(f->g, 3, 0, 12, 10, 0));
    assert_false(gic_sysreg_exists(f->g, 2, 0, 12, 12, 0));
}

static void test_create_errors(void **state)
{
    (void)state;
    char err[128] = "";
    struct gic_outputs out = { 0 };
    struct gic_config bad[] = {
        { .version = (enum gic_version)4, .num_pes = 1 },   /* (GIC_V2 exists: test_gicv2.c) */
        { .version = GIC_V3, .num_pes = 0 },
        { .version = GIC_V3, .num_pes = 9 },
        { .version = GIC_V3, .num_pes = 1, .num_lrs = 17 },
        { .version = GIC_V3, .num_pes = 1, .vpri_bits = 8 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        assert_null(gic_create(&bad[i], &out, NULL, err, sizeof err));
        assert_true(err[0] != 0);
    }
    /* defaults: 4 LRs, 5 bits; no outputs and no event bus are fine */
    struct gic_config ok = { .version = GIC_V3, .num_pes = 1 };
    struct gic *g = gic_create(&ok, NULL, NULL, err, sizeof err);
    assert_non_null(g);
    struct gic_sysreg_access a = acc(0, 2, false, false, ICH_VTR);
    assert_int_equal(gic_sysreg_read(g, &a) & 0x1f, 3);
    gic_set_spi(g, 32, true);
    gic_destroy(g);
    /* 16 LRs and 7 bits: LR15 and four AP registers exist */
    struct gic_config big = { .version = GIC_V3, .num_pes = 1, .num_lrs = 16, .vpri_bits = 7 };
    g = gic_create(&big, NULL, NULL, err, sizeof err);
    assert_non_null(g);
    assert_true(gic_sysreg_exists(g, ICH_LR(15)));
    assert_true(gic_sysreg_exists(g, 3, 4, 12, 9, 3));
    gic_destroy(g);
}

/* ---- SGIs ---------------------------------------------------------------------------------- */

static uint32_t sgi_pending(struct fix *f, unsigned pe)
{
    return r32(f, SGI(pe) + 0x200) & 0xffff;
}

static void test_sgi_affinity(void **state)
{
    struct fix *f = *state;
    enable_all(f, 4);
    /* SGI 5 to Aff1 = 0, TargetList {1, 3} */
    WRP(0, ICC_SGI1R, (5ull << 24) | 0xa);
    assert_int_equal(sgi_pending(f, 0), 0);
    assert_int_equal(sgi_pending(f, 1), 1u << 5);
    assert_int_equal(sgi_pending(f, 2), 0);
    assert_int_equal(sgi_pending(f, 3), 1u << 5);
    /* another cluster (Aff1 = 1), or RS = 1: nobody */
    WRP(0, ICC_SGI1R, (6ull << 24) | (1ull << 16) | 0xf);
    WRP(0, ICC_SGI1R, (6ull << 24) | (1ull << 44) | 0xf);
    WRP(0, ICC_SGI1R, (6ull << 24) | (1ull << 48) | 0xf);
    for (unsigned pe = 0; pe < 4; pe++)
        assert_int_equal(sgi_pending(f, pe) & (1u << 6), 0);
    /* IRM = 1: everyone but self */
    WRP(2, ICC_SGI1R, (7ull << 24) | (1ull << 40));
    for (unsigned pe = 0; pe < 4; pe++)
        assert_int_equal((sgi_pending(f, pe) >> 7) & 1, pe != 2);
    /* SGI0R only reaches Group 0 SGIs */
    WRP(0, ICC_SGI0R, (8ull << 24) | 0x2);
    assert_int_equal((sgi_pending(f, 1) >> 8) & 1, 0);
    wr32(f, SGI(1) + 0x080, ~(1u << 8));
    WRP(0, ICC_SGI0R, (8ull << 24) | 0x2);
    assert_int_equal((sgi_pending(f, 1) >> 8) & 1, 1);
    WRP(0, ICC_ASGI1R, (9ull << 24) | 0x2);              /* DS = 1: as SGI0R */
    assert_int_equal((sgi_pending(f, 1) >> 9) & 1, 0);
    /* delivery: PE 1 takes SGI 5 once it is enabled */
    wr32(f, SGI(1) + 0x100, 1u << 5);
    assert_true(f->irq[1][0]);
    assert_false(f->irq[0][0]);
    assert_int_equal(RDP(1, ICC_IAR1), 5);
    assert_false(f->irq[1][0]);
    assert_int_equal(gic_get_stats(f->g)->raised[5], 2);
}

static void test_spi_routing(void **state)
{
    struct fix *f = *state;
    enable_all(f, 4);
    spi_setup(f, 100, 0x80, true, 2);
    gic_set_spi(f->g, 100, true);
    assert_true(f->irq[2][0]);
    assert_false(f->irq[0][0]);
    assert_int_equal(RDP(0, ICC_IAR1), GIC_SPECIAL_NONE);
    gic_dist_write(f->g, GICD_IROUTER(100), 1ull << 31, 8);  /* 1 of N */
    for (unsigned pe = 0; pe < 4; pe++)
        assert_true(f->irq[pe][0]);
    assert_int_equal(RDP(3, ICC_IAR1), 100);
    for (unsigned pe = 0; pe < 4; pe++)
        assert_false(f->irq[pe][0]);
    /* PPIs are per PE; a device drives one through a line value */
    wr32(f, SGI(1) + 0x100, 1u << 27);
    struct gic_line timer = { f->g, 27, 1 };
    gic_line_set(&timer, true);
    assert_true(f->irq[1][0]);
    assert_int_equal(RDP(1, ICC_IAR1), 27);
    assert_int_equal(r32(f, SGI(0) + 0x300), 0);
    assert_int_equal(r32(f, SGI(1) + 0x300), 1u << 27);
}

static void test_output_changes_only(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    spi_setup(f, 33, 0x80, true, 0);
    spi_setup(f, 34, 0x70, true, 0);
    unsigned calls = f->irq_calls;
    gic_set_spi(f->g, 33, true);
    gic_set_spi(f->g, 34, true);                         /* still high: no call */
    assert_int_equal(f->irq_calls, calls + 1);
    gic_set_spi(f->g, 34, false);
    gic_set_spi(f->g, 33, false);
    assert_int_equal(f->irq_calls, calls + 2);
    assert_false(f->irq[0][0]);
}

/* ---- the virtual interface ------------------------------------------------------------------ */

/* ICH_HCR_EL2.En, both virtual groups enabled, VPMR open. */
static void vsetup(struct fix *f, uint64_t hcr_extra)
{
    enable_all(f, 1);
    WRP(0, ICH_VMCR, VMCR_VENG0 | VMCR_VENG1 | VMCR_VPMR(0xf8));
    WRP(0, ICH_HCR, HCR_EN | hcr_extra);
}

static uint64_t lr_g1(unsigned vintid, uint8_t prio)
{
    return LR_PENDING | LR_GROUP1 | LR_PRIO(prio) | vintid;
}

/* A Group 1 virtual interrupt of higher priority preempts an active Group 0
 * one: its EOI drops its own priority (the highest active across both
 * groups), not Group 0's, and deactivates it. */
static void test_virtual_priority_drop_across_groups(void **state)
{
    struct fix *f = *state;
    vsetup(f, 0);
    WRP(0, ICH_LR(0), (lr_g1(40, 0x80) & ~LR_GROUP1));   /* Group 0, priority 0x80 */
    assert_int_equal(RDV(0, ICC_IAR0), 40);
    WRP(0, ICH_LR(1), lr_g1(41, 0x20));                    /* Group 1, priority 0x20 preempts */
    assert_int_equal(RDV(0, ICC_IAR1), 41);
    WRV(0, ICC_EOIR1, 41);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(1))), 0);      /* 41 deactivated */
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(0))), 2);      /* 40 still active */
    assert_int_equal(RDV(0, ICC_RPR), 0x80);                /* running priority back to 40's */
}

static void test_virtual_three_lrs(void **state)
{
    struct fix *f = *state;
    vsetup(f, 0);
    assert_int_equal(RDP(0, ICH_ELRSR), 0xf);
    WRP(0, ICH_LR(0), lr_g1(100, 0x80));
    WRP(0, ICH_LR(1), lr_g1(101, 0x40));
    WRP(0, ICH_LR(2), lr_g1(102, 0xa0));
    assert_int_equal(gic_get_stats(f->g)->lr_writes, 3);
    assert_int_equal(f->events[GIC_EV_LR_WRITE], 3);
    assert_int_equal(RDP(0, ICH_ELRSR), 0x8);
    assert_true(f->virq[0][0]);
    assert_false(f->virq[0][1]);
    assert_int_equal(f->events[GIC_EV_VIRQ_SIGNALLED], 1);
    assert_int_equal(RDV(0, ICC_HPPIR1), 101);
    assert_int_equal(RDV(0, ICC_IAR1), 101);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(1))), 2);   /* active */
    assert_int_equal(RDV(0, ICC_RPR), 0x40);
    assert_int_equal(RDP(0, ICH_AP1R0), 1u << 8);
    assert_int_equal(RDV(0, ICC_AP1R0), 1u << 8);
    assert_false(f->virq[0][0]);                          /* nothing preempts 0x40 */
    assert_int_equal(RDV(0, ICC_IAR1), GIC_SPECIAL_NONE);
    WRV(0, ICC_EOIR1, 101);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(1))), 0);
    assert_int_equal(RDP(0, ICH_ELRSR), 0xa);
    assert_int_equal(RDP(0, ICH_EISR), 0);
    assert_true(f->virq[0][0]);
    assert_int_equal(RDV(0, ICC_IAR1), 100);
    /* 102 (0xa0) does not preempt 100 (0x80) */
    assert_int_equal(RDV(0, ICC_IAR1), GIC_SPECIAL_NONE);
    WRV(0, ICC_EOIR1, 100);
    assert_int_equal(RDV(0, ICC_IAR1), 102);
    WRV(0, ICC_EOIR1, 102);
    assert_int_equal(RDP(0, ICH_ELRSR), 0xf);
    assert_int_equal(RDV(0, ICC_IAR1), GIC_SPECIAL_NONE);
    assert_int_equal(RDV(0, ICC_RPR), 0xff);
    assert_int_equal(gic_get_stats(f->g)->virtual_acknowledged, 3);
    /* the physical interface was not touched */
    assert_int_equal(RDP(0, ICC_RPR), 0xff);
    assert_int_equal(HCR_EOICOUNT(RDP(0, ICH_HCR)), 0);
}

static void test_virtual_masks(void **state)
{
    struct fix *f = *state;
    vsetup(f, 0);
    WRP(0, ICH_LR(0), lr_g1(200, 0x60));
    assert_true(f->virq[0][0]);
    WRV(0, ICC_PMR, 0x60);                               /* ICV_PMR is VPMR */
    assert_int_equal((RDP(0, ICH_VMCR) >> 24) & 0xff, 0x60);
    assert_false(f->virq[0][0]);
    assert_int_equal(RDV(0, ICC_IAR1), GIC_SPECIAL_NONE);
    WRV(0, ICC_PMR, 0xff);
    assert_int_equal(RDV(0, ICC_PMR), 0xf8);
    assert_true(f->virq[0][0]);
    WRV(0, ICC_IGRPEN1, 0);                              /* ICV_IGRPEN1 is VENG1 */
    assert_int_equal(RDP(0, ICH_VMCR) & VMCR_VENG1, 0);
    assert_false(f->virq[0][0]);
    assert_int_equal(RDV(0, ICC_HPPIR1), GIC_SPECIAL_NONE);
    WRV(0, ICC_IGRPEN1, 1);
    assert_true(f->virq[0][0]);
    WRP(0, ICH_HCR, 0);                                   /* En = 0 */
    assert_false(f->virq[0][0]);
    WRP(0, ICH_HCR, HCR_EN);
    /* a Group 0 LR is a virtual FIQ, acknowledged through ICV_IAR0 */
    WRP(0, ICH_LR(1), LR_PENDING | LR_PRIO(0x20) | 201);
    assert_true(f->virq[0][1]);
    assert_int_equal(RDV(0, ICC_IAR1), GIC_SPECIAL_NONE);
    assert_int_equal(RDV(0, ICC_IAR0), 201);
    WRV(0, ICC_EOIR0, 201);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(1))), 0);
    /* ICV_CTLR and ICV_BPR views of VMCR */
    WRV(0, ICC_CTLR, 2);
    assert_true(RDP(0, ICH_VMCR) & VMCR_VEOIM);
    assert_int_equal((RDV(0, ICC_CTLR) >> 8) & 7, 4);
    WRV(0, ICC_BPR1, 0);
    assert_int_equal(RDV(0, ICC_BPR1), 3);
    WRV(0, ICC_BPR0, 5);
    assert_int_equal(RDV(0, ICC_BPR0), 5);
    assert_int_equal((RDP(0, ICH_VMCR) >> 21) & 7, 5);
    /* the LR priority keeps only the implemented bits */
    WRP(0, ICH_LR(2), lr_g1(202, 0x47));
    assert_int_equal((RDP(0, ICH_LR(2)) >> 48) & 0xff, 0x40);
    /* at EL2 the same encodings reach the physical interface (PMR 0xff: 5 bits kept) */
    assert_int_equal(RDP(0, ICC_PMR), 0xf8);
}

static void test_virtual_eoi_maintenance(void **state)
{
    struct fix *f = *state;
    vsetup(f, 0);
    wr32(f, SGI(0) + 0x100, 1u << GIC_MAINTENANCE_PPI);
    WRP(0, ICH_LR(0), lr_g1(300, 0x80) | LR_EOI);
    assert_int_equal(RDP(0, ICH_ELRSR), 0xe);
    assert_int_equal(RDV(0, ICC_IAR1), 300);
    assert_int_equal(RDP(0, ICH_MISR), 0);
    WRV(0, ICC_EOIR1, 300);
    /* invalid with EOI = 1: in EISR, not empty, maintenance asserted */
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(0))), 0);
    assert_int_equal(RDP(0, ICH_EISR), 1);
    assert_int_equal(RDP(0, ICH_ELRSR), 0xe);
    assert_int_equal(RDP(0, ICH_MISR), 1);               /* EOI */
    assert_int_equal(r32(f, SGI(0) + 0x200), 1u << 25);
    assert_true(f->irq[0][0]);
    assert_int_equal(gic_get_stats(f->g)->maintenance, 1);
    assert_int_equal(f->events[GIC_EV_MAINTENANCE], 1);
    /* the hypervisor takes it and clears the LR: the level drops */
    assert_int_equal(RDP(0, ICC_IAR1), 25);
    WRP(0, ICH_LR(0), 0);
    assert_int_equal(RDP(0, ICH_MISR), 0);
    assert_int_equal(r32(f, SGI(0) + 0x200), 0);
    WRP(0, ICC_EOIR1, 25);
    assert_false(f->irq[0][0]);
    /* with HW = 1 the EOI bit is pINTID[9] and asks for nothing */
    WRP(0, ICH_LR(0), LR_HW | LR_EOI | 0);
    assert_int_equal(RDP(0, ICH_EISR), 0);
    assert_int_equal(RDP(0, ICH_ELRSR), 0xf);
}

/* Each maintenance condition alone raises PPI 25; En = 0 keeps it low. */
static void test_maintenance_conditions(void **state)
{
    struct fix *f = *state;
    enable_all(f, 1);
    static const struct {
        uint64_t hcr, vmcr;
        uint64_t lr0, lr1;
        uint32_t misr;
    } cases[] = {
        { HCR_UIE, 0, 0, 0, 1u << 1 },                                          /* U: no valid LR */
        { HCR_UIE, 0, LR_PENDING | 1, 0, 1u << 1 },                              /* U: one valid LR */
        { HCR_UIE, 0, LR_PENDING | 1, LR_ACTIVE | 2, 0 },                        /* two: no U */
        { HCR_LRENPIE | (1ull << 27), 0, 0, 0, 1u << 2 },                        /* LRENP: EOIcount */
        { HCR_LRENPIE, 0, 0, 0, 0 },
        { HCR_NPIE, 0, LR_ACTIVE | 1, 0, 1u << 3 },                              /* NP: none pending */
        { HCR_NPIE, 0, LR_PENDING | 1, 0, 0 },
        { HCR_NPIE, 0, LR_PENDING | LR_ACTIVE | 1, 0, 1u << 3 },                 /* pending+active isn't */
        { HCR_VGRP0EIE, VMCR_VENG0, 0, 0, 1u << 4 },
        { HCR_VGRP0EIE, 0, 0, 0, 0 },
        { HCR_VGRP0DIE, 0, 0, 0, 1u << 5 },
        { HCR_VGRP1EIE, VMCR_VENG1, 0, 0, 1u << 6 },
        { HCR_VGRP1DIE, 0, 0, 0, 1u << 7 },
        { HCR_VGRP1DIE, VMCR_VENG1, 0, 0, 0 },
        { 0, 0, LR_EOI | 1, 0, 1u << 0 },                                        /* EOI */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        WRP(0, ICH_LR(0), cases[i].lr0);
        WRP(0, ICH_LR(1), cases[i].lr1);
        WRP(0, ICH_VMCR, cases[i].vmcr | VMCR_VPMR(0xf8));
        WRP(0, ICH_HCR, cases[i].hcr);                   /* En = 0 */
        if (RDP(0, ICH_MISR) != cases[i].misr)
            fail_msg("case %zu: MISR 0x%llx, expected 0x%x", i, (unsigned long long)RDP(0, ICH_MISR),
                     cases[i].misr);
        assert_int_equal(r32(f, SGI(0) + 0x200) & (1u << 25), 0);
        WRP(0, ICH_HCR, cases[i].hcr | HCR_EN);
        if (((r32(f, SGI(0) + 0x200) >> 25) & 1) != (cases[i].misr != 0))
            fail_msg("case %zu: PPI 25 pending is wrong", i);
    }
}

static void test_virtual_hw_deactivates_physical(void **state)
{
    struct fix *f = *state;
    vsetup(f, 0);
    WRP(0, ICC_CTLR, 2);                                  /* EOImode = 1 at EL2 */
    spi_setup(f, 48, 0x80, true, 0);
    gic_set_spi(f->g, 48, true);
    /* the hypervisor takes the physical interrupt, drops its priority, and hands it on */
    assert_int_equal(RDP(0, ICC_IAR1), 48);
    WRP(0, ICC_EOIR1, 48);
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 48));
    gic_set_spi(f->g, 48, false);
    WRP(0, ICH_LR(0), lr_g1(27, 0x80) | LR_HW | LR_PINTID(48));
    assert_int_equal(RDV(0, ICC_IAR1), 27);
    WRV(0, ICC_EOIR1, 27);                                /* VEOIM = 0: deactivates, and 48 */
    assert_false(spi_bit(f, GICD_ISACTIVER(0), 48));
    assert_int_equal(RDP(0, ICH_ELRSR), 0xf);
    assert_int_equal(RDP(0, ICH_EISR), 0);
    /* VEOIM = 1: EOIR drops, ICV_DIR deactivates (and the physical interrupt) */
    WRP(0, ICH_VMCR, RDP(0, ICH_VMCR) | VMCR_VEOIM);
    wd32(f, GICD_ISACTIVER(1), 1u << 16);
    WRP(0, ICH_LR(0), lr_g1(27, 0x80) | LR_HW | LR_PINTID(48));
    assert_int_equal(RDV(0, ICC_IAR1), 27);
    WRV(0, ICC_EOIR1, 27);
    assert_int_equal(RDV(0, ICC_RPR), 0xff);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(0))), 2);
    assert_true(spi_bit(f, GICD_ISACTIVER(0), 48));
    WRV(0, ICC_DIR, 27);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(0))), 0);
    assert_false(spi_bit(f, GICD_ISACTIVER(0), 48));
}

static void test_eoicount(void **state)
{
    struct fix *f = *state;
    vsetup(f, HCR_LRENPIE);
    WRP(0, ICH_LR(0), lr_g1(400, 0x80));
    assert_int_equal(RDV(0, ICC_IAR1), 400);
    /* the hypervisor evicts the active LR (it keeps it in memory) */
    WRP(0, ICH_LR(0), 0);
    WRV(0, ICC_EOIR1, 400);
    assert_int_equal(HCR_EOICOUNT(RDP(0, ICH_HCR)), 1);
    assert_int_equal(RDP(0, ICH_MISR), 1u << 2);          /* LRENP */
    assert_int_equal(RDV(0, ICC_RPR), 0xff);
    assert_int_equal(r32(f, SGI(0) + 0x200) & (1u << 25), 1u << 25);
    /* an EOI with nothing active changes nothing */
    WRV(0, ICC_EOIR1, 400);
    assert_int_equal(HCR_EOICOUNT(RDP(0, ICH_HCR)), 1);
    /* DIR of an INTID in no LR (VEOIM = 1) counts too */
    WRV(0, ICC_CTLR, 2);
    WRV(0, ICC_DIR, 401);
    assert_int_equal(HCR_EOICOUNT(RDP(0, ICH_HCR)), 2);
    /* the hypervisor clears EOIcount: maintenance stops */
    WRP(0, ICH_HCR, HCR_EN | HCR_LRENPIE);
    assert_int_equal(RDP(0, ICH_MISR), 0);
    assert_int_equal(r32(f, SGI(0) + 0x200) & (1u << 25), 0);
}

static void test_traps(void **state)
{
    struct fix *f = *state;
    /* nothing set: no trap */
    assert_false(trap_(f, 1, true, true, true, ICC_IAR1));
    assert_false(trap_(f, 1, false, false, false, ICC_SGI1R));
    /* SGI writes from EL1 trap under IMO or FMO */
    assert_true(trap_(f, 1, true, false, false, ICC_SGI1R));
    assert_true(trap_(f, 1, false, true, false, ICC_SGI0R));
    assert_true(trap_(f, 1, true, false, false, ICC_ASGI1R));
    WRP(0, ICH_HCR, HCR_TALL1);
    assert_true(trap_(f, 1, true, false, true, ICC_IAR1));
    assert_true(trap_(f, 1, false, false, true, ICC_IAR1));  /* ICC_* too */
    assert_true(trap_(f, 1, true, false, false, ICC_EOIR1));
    assert_true(trap_(f, 1, true, false, true, ICC_IGRPEN1));
    assert_true(trap_(f, 1, true, false, true, ICC_AP1R0));
    assert_false(trap_(f, 1, true, true, true, ICC_IAR0));
    assert_false(trap_(f, 1, true, true, true, ICC_PMR));
    assert_false(trap_(f, 2, true, false, true, ICC_IAR1)); /* EL2 is never trapped */
    assert_false(trap_(f, 1, true, false, true, ICC_SRE_EL1));
    WRP(0, ICH_HCR, HCR_TALL0);
    assert_true(trap_(f, 1, false, true, true, ICC_IAR0));
    assert_true(trap_(f, 1, false, true, true, ICC_BPR0));
    assert_false(trap_(f, 1, true, true, true, ICC_IAR1));
    WRP(0, ICH_HCR, HCR_TC);
    assert_true(trap_(f, 1, true, false, true, ICC_PMR));
    assert_true(trap_(f, 1, true, false, true, ICC_RPR));
    assert_true(trap_(f, 1, true, false, true, ICC_CTLR));
    assert_true(trap_(f, 1, true, false, false, ICC_DIR));
    assert_true(trap_(f, 1, false, false, false, ICC_SGI1R));
    assert_false(trap_(f, 1, true, false, true, ICC_IAR1));
    WRP(0, ICH_HCR, HCR_TDIR);
    assert_true(trap_(f, 1, true, false, false, ICC_DIR));
    assert_false(trap_(f, 1, true, false, true, ICC_PMR));
}

static void test_special_vintid_and_events(void **state)
{
    struct fix *f = *state;
    vsetup(f, 0);
    memset(f->events, 0, sizeof f->events);
    WRP(0, ICH_LR(3), lr_g1(500, 0x10));
    assert_int_equal(f->last.u.gic.kind, GIC_EV_VIRQ_SIGNALLED);
    assert_int_equal(f->last.u.gic.intid, 500);
    assert_int_equal(f->last.u.gic.lr, 3);
    assert_true(f->last.u.gic.is_virtual);
    assert_int_equal(RDV(0, ICC_IAR1), 500);
    assert_int_equal(f->last.u.gic.kind, GIC_EV_ACK);
    WRV(0, ICC_EOIR1, 500);
    assert_int_equal(f->events[GIC_EV_EOI], 1);
    assert_int_equal(f->events[GIC_EV_DEACTIVATE], 1);
    /* A special vINTID in an LR is returned, the LR goes pending -> invalid */
    WRP(0, ICH_LR(0), lr_g1(1022, 0x10));
    assert_int_equal(RDV(0, ICC_IAR1), 1022);
    assert_int_equal(LR_STATE(RDP(0, ICH_LR(0))), 0);
    assert_int_equal(RDV(0, ICC_RPR), 0xff);
    /* a physical SPI raises RAISED against its target PE */
    enable_all(f, 4);
    spi_setup(f, 90, 0x80, true, 1);
    gic_set_spi(f->g, 90, true);
    assert_int_equal(f->last.u.gic.kind, GIC_EV_RAISED);
    assert_int_equal(f->last.u.gic.intid, 90);
    assert_int_equal(f->last.u.gic.pe, 1);
    assert_false(f->last.u.gic.is_virtual);
}

/* Reset state as QEMU's virt board shows it: every interrupt in Group 0. */
static void test_reset_groups(void **state)
{
    (void)state;
    struct gic_config cfg = { .version = GIC_V3, .num_pes = 2, .num_lrs = 4, .vpri_bits = 5 };
    char err[128];
    struct gic *g = gic_create(&cfg, NULL, NULL, err, sizeof err);
    assert_non_null(g);
    for (unsigned w = 1; w <= 8; w++)
        assert_int_equal(gic_dist_read(g, 0x80 + 4 * w, 4), 0);
    assert_int_equal(gic_redist_read(g, 0x10000 + 0x80, 4), 0);
    assert_int_equal(gic_redist_read(g, (1u << 17) + 0x10000 + 0x80, 4), 0);
    gic_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dist_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dist_enable_pend_active, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dist_priority_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dist_icfgr_irouter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redist_typer_waker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redist_sgi_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spi_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spi_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_order_pmr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preemption_bpr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group0_fiq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eoi_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cpuif_constants, setup, teardown),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_reset_groups),
        cmocka_unit_test_setup_teardown(test_sgi_affinity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spi_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_changes_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_priority_drop_across_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_three_lrs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_masks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_eoi_maintenance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maintenance_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_hw_deactivates_physical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eoicount, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_vintid_and_events, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
