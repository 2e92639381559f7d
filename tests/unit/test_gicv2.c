/* Unit tests for the GICv2 variant of gic/ with the virtualization extension:
 * the banked distributor (SGI/PPI banking, GICD_ITARGETSR and SPI targeting,
 * GICD_SGIR with each TargetListFilter, GICD_[CS]PENDSGIR), the GICC CPU
 * interface (priorities, preemption, IAR CPUID of SGIs, groups and AckCtl, the
 * Group 1 aliases, FIQEn, EOI and DIR with EOImode), the GICH list registers and
 * the GICV virtual CPU interface (priority order, EOI, ELRSR/EISR/MISR, every
 * maintenance condition on PPI 25, HW = 1 deactivation, EOICount), the outputs,
 * events and statistics. */
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

/* ---- offsets and fields ------------------------------------------------------------------- */
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
#define GICD_IPRIORITYR(i) (0x400 + (i))
#define GICD_ITARGETSR(i) (0x800 + (i))
#define GICD_ICFGR(n) (0xc00 + 4 * (n))
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR(i) (0xf10 + (i))
#define GICD_SPENDSGIR(i) (0xf20 + (i))
#define GICD_PIDR2 0xfe8
#define SGIR(filter, targets, id) (((uint32_t)(filter) << 24) | ((uint32_t)(targets) << 16) | (id))

#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR 0x1c
#define GICC_AIAR 0x20
#define GICC_AEOIR 0x24
#define GICC_AHPPIR 0x28
#define GICC_APR0 0xd0
#define GICC_NSAPR0 0xe0
#define GICC_IIDR 0xfc
#define GICC_DIR 0x1000
#define CTLR_EN0 (1u << 0)
#define CTLR_EN1 (1u << 1)
#define CTLR_ACKCTL (1u << 2)
#define CTLR_FIQEN (1u << 3)
#define CTLR_CBPR (1u << 4)
#define CTLR_EOIMODE (1u << 9)

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
#define HCR_EN (1u << 0)
#define HCR_UIE (1u << 1)
#define HCR_LRENPIE (1u << 2)
#define HCR_NPIE (1u << 3)
#define HCR_VGRP0EIE (1u << 4)
#define HCR_VGRP0DIE (1u << 5)
#define HCR_VGRP1EIE (1u << 6)
#define HCR_VGRP1DIE (1u << 7)
#define HCR_EOICOUNT(h) (((h) >> 27) & 0x1f)
#define MISR_EOI (1u << 0)
#define MISR_U (1u << 1)
#define MISR_LRENP (1u << 2)
#define MISR_NP (1u << 3)
#define MISR_VGRP0E (1u << 4)
#define MISR_VGRP0D (1u << 5)
#define MISR_VGRP1E (1u << 6)
#define MISR_VGRP1D (1u << 7)
#define VMCR_GRP0EN (1u << 0)
#define VMCR_GRP1EN (1u << 1)
#define VMCR_ACKCTL (1u << 2)
#define VMCR_FIQEN (1u << 3)
#define VMCR_CBPR (1u << 4)
#define VMCR_VEM (1u << 9)
#define VMCR_ABP(b) ((uint32_t)(b) << 18)
#define VMCR_BP(b) ((uint32_t)(b) << 21)
#define VMCR_PRIMASK(p) ((uint32_t)((p) >> 3) << 27)   /* from an 8-bit priority */
/* GICH_LR<n> */
#define LR_VID(v) ((uint32_t)(v))
#define LR_PID(p) ((uint32_t)(p) << 10)
#define LR_CPUID(c) ((uint32_t)(c) << 10)
#define LR_EOI (1u << 19)
#define LR_PRIO(p) ((uint32_t)((p) >> 3) << 23)        /* from an 8-bit priority */
#define LR_PENDING (1u << 28)
#define LR_ACTIVE (2u << 28)
#define LR_STATE(lr) (((lr) >> 28) & 3)
#define LR_GRP1 (1u << 30)
#define LR_HW (1u << 31)

#define SPURIOUS 1023
#define GRP1_PENDING 1022
#define PPI_MAINT 25

/* ---- fixture ----------------------------------------------------------------------------- */
struct fix {
    struct gic *g;
    struct event_bus bus;
    bool irq[GIC_MAX_PES][2];             /* [pe][fiq] */
    bool virq[GIC_MAX_PES][2];
    unsigned irq_calls, virq_calls;
    unsigned events[8];
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
}

static struct fix *fix_new(unsigned pes, unsigned lrs)
{
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    event_subscribe(&f->bus, 1u << EV_GIC, on_event, f);
    struct gic_config cfg = { .version = GIC_V2, .num_pes = pes, .num_lrs = lrs };
    struct gic_outputs out = { set_irq, set_virq, f };
    char err[128];
    f->g = gic_create(&cfg, &out, &f->bus, err, sizeof err);
    if (!f->g)
        fail_msg("gic_create: %s", err);
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

#define DR(pe, off) ((uint32_t)gic_dist_read_pe(f->g, pe, off, 4))
#define DW(pe, off, v) gic_dist_write_pe(f->g, pe, off, v, 4)
#define DR8(pe, off) ((uint32_t)gic_dist_read_pe(f->g, pe, off, 1))
#define DW8(pe, off, v) gic_dist_write_pe(f->g, pe, off, v, 1)
#define CR(pe, off) ((uint32_t)gic_cpu_read(f->g, pe, off, 4))
#define CW(pe, off, v) gic_cpu_write(f->g, pe, off, v, 4)
#define HR(pe, off) ((uint32_t)gic_hyp_read(f->g, pe, off, 4))
#define HW(pe, off, v) gic_hyp_write(f->g, pe, off, v, 4)
#define VR(pe, off) ((uint32_t)gic_vcpu_read(f->g, pe, off, 4))
#define VW(pe, off, v) gic_vcpu_write(f->g, pe, off, v, 4)

/* A driver's setup: the distributor and PE pe's interface enabled for both groups, the
 * priority mask open. */
static void enable_pe(struct fix *f, unsigned pe, uint32_t ctlr)
{
    DW(pe, GICD_CTLR, 3);
    CW(pe, GICC_CTLR, ctlr);
    CW(pe, GICC_PMR, 0xff);
}

/* Enable interrupt n (as seen from PE pe) with a priority. */
static void irq_setup(struct fix *f, unsigned pe, unsigned n, uint8_t prio)
{
    DW8(pe, GICD_IPRIORITYR(n), prio);
    DW(pe, GICD_ISENABLER(n / 32), 1u << (n % 32));
}

static bool dist_bit(struct fix *f, unsigned pe, uint64_t base, unsigned n)
{
    return (DR(pe, base + 4 * (n / 32)) >> (n % 32)) & 1;
}

/* ---- creation, no system registers --------------------------------------------------------- */

static void test_create(void **state)
{
    (void)state;
    char err[128] = "";
    struct gic_config cfg = { .version = GIC_V2, .num_pes = 2 };
    struct gic *g = gic_create(&cfg, NULL, NULL, err, sizeof err);
    assert_non_null(g);
    /* no system register interface: ICC_PMR_EL1, ICC_IAR1_EL1, ICC_SRE_EL1, ICH_HCR_EL2 */
    assert_false(gic_sysreg_exists(g, 3, 0, 4, 6, 0));
    assert_false(gic_sysreg_exists(g, 3, 0, 12, 12, 0));
    assert_false(gic_sysreg_exists(g, 3, 0, 12, 12, 5));
    assert_false(gic_sysreg_exists(g, 3, 4, 12, 11, 0));
    /* no redistributors */
    assert_int_equal(gic_redist_read(g, 0x0008, 4), 0);
    assert_int_equal(gic_redist_read(g, 0x10100, 4), 0);
    /* defaults: 4 LRs */
    assert_int_equal(gic_hyp_read(g, 0, GICH_VTR, 4) & 0x3f, 3);
    /* PE out of range: RAZ/WI */
    assert_int_equal(gic_cpu_read(g, 2, GICC_IIDR, 4), 0);
    gic_destroy(g);

    /* the LR priority field has 5 bits: other virtual priority widths are refused */
    struct gic_config bad = { .version = GIC_V2, .num_pes = 1, .vpri_bits = 6 };
    assert_null(gic_create(&bad, NULL, NULL, err, sizeof err));
    assert_true(err[0] != 0);
    struct gic_config bad2 = { .version = GIC_V2, .num_pes = 9 };
    assert_null(gic_create(&bad2, NULL, NULL, err, sizeof err));
    struct gic_config bad3 = { .version = GIC_V2, .num_pes = 1, .pri_bits = 9 };
    assert_null(gic_create(&bad3, NULL, NULL, err, sizeof err));
    struct gic_config bad4 = { .version = GIC_V3, .num_pes = 1, .pri_bits = 8 };
    assert_null(gic_create(&bad4, NULL, NULL, err, sizeof err));

    /* the GICv2 frames do not exist on a GICv3 */
    struct gic_config v3 = { .version = GIC_V3, .num_pes = 1 };
    g = gic_create(&v3, NULL, NULL, err, sizeof err);
    assert_non_null(g);
    assert_int_equal(gic_cpu_read(g, 0, GICC_IIDR, 4), 0);
    assert_int_equal(gic_hyp_read(g, 0, GICH_VTR, 4), 0);
    assert_int_equal(gic_vcpu_read(g, 0, GICC_IIDR, 4), 0);
    assert_true(gic_sysreg_exists(g, 3, 0, 4, 6, 0));
    gic_destroy(g);
}

/* ---- distributor ---------------------------------------------------------------------------- */

static void test_dist_id(void **state)
{
    struct fix *f = *state;
    /* ITLinesNumber = 8 (288 INTIDs), CPUNumber = 3, SecurityExtn = 0 */
    assert_int_equal(DR(0, GICD_TYPER), (3u << 5) | 8);
    assert_int_equal(DR(0, GICD_IIDR), 0x43b);
    assert_int_equal(DR(0, GICD_PIDR2) >> 4 & 0xf, 2);   /* ArchRev */
    assert_int_equal(DR(0, 0xfd0), 0x04);
    assert_int_equal(DR(0, 0xff0), 0x0d);
    assert_int_equal(DR(0, 0xffc), 0xb1);
    /* GICD_CTLR: EnableGrp0, EnableGrp1 */
    assert_int_equal(DR(0, GICD_CTLR), 0);
    DW(0, GICD_CTLR, 0xffffffff);
    assert_int_equal(DR(0, GICD_CTLR), 3);
    assert_int_equal(DR(2, GICD_CTLR), 3);                /* not banked */
    gic_dist_write(f->g, GICD_CTLR, 1, 4);
    assert_int_equal(gic_dist_read(f->g, GICD_CTLR, 4), 1);
    /* reserved offsets and write-only GICD_SGIR: RAZ/WI; beyond 4 KiB: RAZ */
    DW(0, 0x00c, 0xffffffff);
    DW(0, 0x040, 0xffffffff);
    DW(0, 0xd00, 0xffffffff);
    assert_int_equal(DR(0, 0x00c), 0);
    assert_int_equal(DR(0, 0x040), 0);
    assert_int_equal(DR(0, 0xd00), 0);
    assert_int_equal(DR(0, GICD_SGIR), 0);
    assert_int_equal(gic_dist_read_pe(f->g, 0, 0x1004, 4), 0);
    /* read-only registers ignore writes */
    DW(0, GICD_TYPER, 0);
    assert_int_equal(DR(0, GICD_TYPER), (3u << 5) | 8);
}

static void test_dist_banking(void **state)
{
    struct fix *f = *state;
    /* SGIs are always enabled; ICENABLER0 cannot disable them */
    for (unsigned pe = 0; pe < 4; pe++)
        assert_int_equal(DR(pe, GICD_ISENABLER(0)), 0xffff);
    DW(1, GICD_ICENABLER(0), 0xffffffff);
    assert_int_equal(DR(1, GICD_ISENABLER(0)), 0xffff);
    /* PPI enables, groups, priorities, configuration: per PE */
    DW(1, GICD_ISENABLER(0), 1u << 27);
    assert_int_equal(DR(1, GICD_ISENABLER(0)), 0xffff | 1u << 27);
    assert_int_equal(DR(0, GICD_ISENABLER(0)), 0xffff);
    assert_int_equal(DR(1, GICD_ICENABLER(0)), 0xffff | 1u << 27);
    DW(1, GICD_ICENABLER(0), 1u << 27);
    assert_int_equal(DR(1, GICD_ISENABLER(0)), 0xffff);
    DW(2, GICD_IGROUPR(0), 0xffff0000);
    assert_int_equal(DR(2, GICD_IGROUPR(0)), 0xffff0000);
    assert_int_equal(DR(3, GICD_IGROUPR(0)), 0);
    DW8(3, GICD_IPRIORITYR(30), 0xa7);                    /* 5 bits implemented */
    assert_int_equal(DR8(3, GICD_IPRIORITYR(30)), 0xa0);
    assert_int_equal(DR8(0, GICD_IPRIORITYR(30)), 0);
    assert_int_equal(DR(3, GICD_IPRIORITYR(28)), 0xa0u << 16);
    /* SGIs are edge-triggered (read-only), PPIs configurable per PE */
    assert_int_equal(DR(0, GICD_ICFGR(0)), 0xaaaaaaaa);
    DW(0, GICD_ICFGR(0), 0);
    assert_int_equal(DR(0, GICD_ICFGR(0)), 0xaaaaaaaa);
    DW(2, GICD_ICFGR(1), 2u << 2 * 11);                  /* PPI 27 edge */
    assert_int_equal(DR(2, GICD_ICFGR(1)), 2u << 2 * 11);
    assert_int_equal(DR(1, GICD_ICFGR(1)), 0);
    /* SPI registers are shared */
    DW(0, GICD_ISENABLER(1), 1u << 8);
    assert_int_equal(DR(3, GICD_ISENABLER(1)), 1u << 8);
    DW8(2, GICD_IPRIORITYR(40), 0x30);
    assert_int_equal(DR8(1, GICD_IPRIORITYR(40)), 0x30);
    DW(1, GICD_ICFGR(2), 0xffffffff);
    assert_int_equal(DR(0, GICD_ICFGR(2)), 0xaaaaaaaa);
    /* pending and active: PPIs per PE */
    gic_set_ppi(f->g, 2, 27, true);
    assert_true(dist_bit(f, 2, GICD_ISPENDR(0), 27));
    assert_false(dist_bit(f, 1, GICD_ISPENDR(0), 27));
    DW(3, GICD_ISACTIVER(0), 1u << 20);
    assert_int_equal(DR(3, GICD_ISACTIVER(0)), 1u << 20);
    assert_int_equal(DR(0, GICD_ISACTIVER(0)), 0);
    DW(3, GICD_ICACTIVER(0), 1u << 20);
    assert_int_equal(DR(3, GICD_ISACTIVER(0)), 0);
    /* SGI pending bits of ISPENDR0/ICPENDR0 are read-only */
    DW(0, GICD_ISPENDR(0), 0xffff);
    assert_int_equal(DR(0, GICD_ISPENDR(0)) & 0xffff, 0);
    /* SPI pending */
    DW(0, GICD_ISPENDR(2), 1u << 3);
    assert_true(dist_bit(f, 1, GICD_ISPENDR(0), 67));
    DW(2, GICD_ICPENDR(2), 1u << 3);
    assert_false(dist_bit(f, 0, GICD_ISPENDR(0), 67));
}

static void test_itargetsr(void **state)
{
    struct fix *f = *state;
    /* SGI/PPI targets: read-only, the reading PE's bit */
    for (unsigned pe = 0; pe < 4; pe++) {
        uint32_t b = 1u << pe;
        for (unsigned w = 0; w < 8; w++)
            assert_int_equal(DR(pe, GICD_ITARGETSR(4 * w)), b | b << 8 | b << 16 | b << 24);
    }
    DW(1, GICD_ITARGETSR(16), 0x0f0f0f0f);
    assert_int_equal(DR(1, GICD_ITARGETSR(16)), 0x02020202);
    /* SPI targets: byte and word writes, bits of absent PEs RAZ/WI */
    assert_int_equal(DR8(0, GICD_ITARGETSR(40)), 0);
    DW8(0, GICD_ITARGETSR(40), 0xf4);
    assert_int_equal(DR8(3, GICD_ITARGETSR(40)), 0x04);
    DW(0, GICD_ITARGETSR(44), 0x08040201);
    assert_int_equal(DR8(2, GICD_ITARGETSR(46)), 0x04);
    assert_int_equal(DR(0, GICD_ITARGETSR(44)), 0x08040201);

    /* SPI 40 to PE 2 only */
    for (unsigned pe = 0; pe < 4; pe++)
        enable_pe(f, pe, CTLR_EN0);
    irq_setup(f, 0, 40, 0x80);
    gic_set_spi(f->g, 40, true);
    assert_true(f->irq[2][0]);
    assert_false(f->irq[0][0] || f->irq[1][0] || f->irq[3][0]);
    assert_int_equal(CR(0, GICC_HPPIR), SPURIOUS);
    assert_int_equal(CR(2, GICC_HPPIR), 40);
    /* retarget to PEs 1 and 3: both are signalled, the first IAR takes it */
    DW8(0, GICD_ITARGETSR(40), 0x0a);
    assert_false(f->irq[2][0]);
    assert_true(f->irq[1][0] && f->irq[3][0]);
    gic_set_spi(f->g, 40, false);                          /* edge-like: the latch is gone */
    DW(0, GICD_ICFGR(2), 2u << 2 * 8);                     /* SPI 40 edge-triggered */
    gic_set_spi(f->g, 40, true);
    assert_int_equal(CR(3, GICC_IAR), 40);
    assert_false(f->irq[1][0]);
    assert_int_equal(CR(1, GICC_IAR), SPURIOUS);
    CW(3, GICC_EOIR, 40);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 40));
    /* no target: pending but signalled nowhere */
    DW8(0, GICD_ITARGETSR(41), 0);
    irq_setup(f, 0, 41, 0x10);
    gic_set_spi(f->g, 41, true);
    assert_true(dist_bit(f, 0, GICD_ISPENDR(0), 41));
    for (unsigned pe = 0; pe < 4; pe++)
        assert_false(f->irq[pe][0]);
}

static void test_itargetsr_uniprocessor(void **state)
{
    (void)state;
    struct fix *f = fix_new(1, 4);
    assert_int_equal(DR(0, GICD_TYPER), 8);
    assert_int_equal(DR(0, GICD_ITARGETSR(0)), 0);         /* RAZ/WI on a uniprocessor GIC */
    DW(0, GICD_ITARGETSR(32), 0xffffffff);
    assert_int_equal(DR(0, GICD_ITARGETSR(32)), 0);
    enable_pe(f, 0, CTLR_EN0);
    irq_setup(f, 0, 33, 0x80);                             /* every SPI goes to PE 0 */
    gic_set_spi(f->g, 33, true);
    assert_true(f->irq[0][0]);
    assert_int_equal(CR(0, GICC_IAR), 33);
    gic_destroy(f->g);
    free(f);
}

static uint8_t sgi_sources(struct fix *f, unsigned pe, unsigned sgi)
{
    return (uint8_t)DR8(pe, GICD_SPENDSGIR(sgi));
}

static void test_sgir_filters(void **state)
{
    struct fix *f = *state;
    /* filter 0: the target list (absent PEs ignored) */
    DW(0, GICD_SGIR, SGIR(0, 0xf6, 3));
    assert_int_equal(DR(1, GICD_ISPENDR(0)) & 0xffff, 1u << 3);
    assert_int_equal(DR(2, GICD_ISPENDR(0)) & 0xffff, 1u << 3);
    assert_int_equal(DR(0, GICD_ISPENDR(0)) & 0xffff, 0);
    assert_int_equal(DR(3, GICD_ISPENDR(0)) & 0xffff, 0);
    assert_int_equal(sgi_sources(f, 1, 3), 0x01);
    assert_int_equal(DR(2, GICD_SPENDSGIR(0)), 0x01u << 24);   /* SGI 3 in byte 3 */
    assert_int_equal(DR(2, GICD_CPENDSGIR(0)), 0x01u << 24);
    /* filter 1: every PE but the sender */
    DW(2, GICD_SGIR, SGIR(1, 0, 7));
    assert_int_equal(sgi_sources(f, 0, 7), 1u << 2);
    assert_int_equal(sgi_sources(f, 1, 7), 1u << 2);
    assert_int_equal(sgi_sources(f, 3, 7), 1u << 2);
    assert_int_equal(sgi_sources(f, 2, 7), 0);
    /* filter 2: the sender only (the target list is ignored) */
    DW(3, GICD_SGIR, SGIR(2, 0x01, 9));
    assert_int_equal(sgi_sources(f, 3, 9), 1u << 3);
    assert_int_equal(sgi_sources(f, 0, 9), 0);
    /* filter 3: reserved, nothing */
    DW(0, GICD_SGIR, SGIR(3, 0x0f, 11));
    for (unsigned pe = 0; pe < 4; pe++)
        assert_int_equal(sgi_sources(f, pe, 11), 0);
    /* a second source accumulates */
    DW(3, GICD_SGIR, SGIR(0, 0x02, 3));
    assert_int_equal(sgi_sources(f, 1, 3), 0x09);
    /* narrow writes to GICD_SGIR do nothing */
    gic_dist_write_pe(f->g, 0, GICD_SGIR, SGIR(0, 0x01, 12), 1);
    assert_int_equal(sgi_sources(f, 0, 12), 0);
}

static void test_spendsgir_cpendsgir(void **state)
{
    struct fix *f = *state;
    /* SPENDSGIR sets sources of the accessing PE's SGIs (absent PEs' bits WI) */
    DW8(1, GICD_SPENDSGIR(5), 0xf5);
    assert_int_equal(sgi_sources(f, 1, 5), 0x05);
    assert_true(dist_bit(f, 1, GICD_ISPENDR(0), 5));
    assert_int_equal(sgi_sources(f, 0, 5), 0);
    DW(1, GICD_SPENDSGIR(4), 0x02000000);                 /* word write: SGI 7 from PE 1 */
    assert_int_equal(sgi_sources(f, 1, 7), 0x02);
    /* CPENDSGIR clears sources; the SGI stays pending while one remains */
    DW8(1, GICD_CPENDSGIR(5), 0x01);
    assert_int_equal(sgi_sources(f, 1, 5), 0x04);
    assert_true(dist_bit(f, 1, GICD_ISPENDR(0), 5));
    DW8(1, GICD_CPENDSGIR(5), 0x04);
    assert_false(dist_bit(f, 1, GICD_ISPENDR(0), 5));
    /* ICPENDR0 cannot clear an SGI */
    DW(1, GICD_ICPENDR(0), 0xffffffff);
    assert_true(dist_bit(f, 1, GICD_ISPENDR(0), 7));
}

/* ---- the CPU interface ------------------------------------------------------------------------ */

static void test_sgi_iar_cpuid(void **state)
{
    struct fix *f = *state;
    enable_pe(f, 1, CTLR_EN0);
    DW8(1, GICD_IPRIORITYR(5), 0x40);
    DW(2, GICD_SGIR, SGIR(0, 0x02, 5));
    DW(0, GICD_SGIR, SGIR(0, 0x02, 5));
    assert_true(f->irq[1][0]);
    assert_int_equal(CR(1, GICC_HPPIR), 5);                /* source 0 reported first */
    /* the lowest source first; the SGI stays pending from the other */
    assert_int_equal(CR(1, GICC_IAR), 5 | 0 << 10);
    assert_int_equal(sgi_sources(f, 1, 5), 1u << 2);
    assert_true(dist_bit(f, 1, GICD_ISPENDR(0), 5));
    assert_true(dist_bit(f, 1, GICD_ISACTIVER(0), 5));
    assert_false(f->irq[1][0]);                            /* active: not signalled again */
    assert_int_equal(CR(1, GICC_HPPIR), SPURIOUS);
    CW(1, GICC_EOIR, 5 | 0 << 10);
    assert_true(f->irq[1][0]);
    assert_int_equal(CR(1, GICC_HPPIR), 5 | 2 << 10);
    assert_int_equal(CR(1, GICC_IAR), 5 | 2 << 10);
    assert_false(dist_bit(f, 1, GICD_ISPENDR(0), 5));
    CW(1, GICC_EOIR, 5 | 2 << 10);
    assert_false(dist_bit(f, 1, GICD_ISACTIVER(0), 5));
    assert_int_equal(CR(1, GICC_IAR), SPURIOUS);
    assert_false(f->irq[1][0]);
}

static void test_gicc_registers(void **state)
{
    struct fix *f = *state;
    assert_int_equal(CR(0, GICC_IIDR), 0x0002043b);
    /* GICC_CTLR: bypass disables and reserved bits RAZ/WI */
    CW(0, GICC_CTLR, 0xffffffff);
    assert_int_equal(CR(0, GICC_CTLR), 0x21f);
    CW(0, GICC_CTLR, 0);
    /* PMR: 5 bits */
    CW(0, GICC_PMR, 0xff);
    assert_int_equal(CR(0, GICC_PMR), 0xf8);
    /* BPR at least 2, ABPR at least 3 */
    assert_int_equal(CR(0, GICC_BPR), 2);
    assert_int_equal(CR(0, GICC_ABPR), 3);
    CW(0, GICC_BPR, 0);
    CW(0, GICC_ABPR, 1);
    assert_int_equal(CR(0, GICC_BPR), 2);
    assert_int_equal(CR(0, GICC_ABPR), 3);
    CW(0, GICC_BPR, 5);
    CW(0, GICC_ABPR, 6);
    assert_int_equal(CR(0, GICC_BPR), 5);
    assert_int_equal(CR(0, GICC_ABPR), 6);
    assert_int_equal(CR(1, GICC_BPR), 2);                   /* per PE */
    /* idle */
    assert_int_equal(CR(0, GICC_RPR), 0xff);
    assert_int_equal(CR(0, GICC_IAR), SPURIOUS);
    assert_int_equal(CR(0, GICC_AIAR), SPURIOUS);
    /* APR0, NSAPR0 read/write, and set the running priority */
    CW(0, GICC_APR0, 1u << 4);
    assert_int_equal(CR(0, GICC_APR0), 1u << 4);
    assert_int_equal(CR(0, GICC_RPR), 0x20);
    CW(0, GICC_NSAPR0, 1u << 2);
    assert_int_equal(CR(0, GICC_NSAPR0), 1u << 2);
    assert_int_equal(CR(0, GICC_RPR), 0x10);
    /* reserved offsets, write-only registers, narrow accesses, beyond 8 KiB: RAZ/WI */
    CW(0, 0x40, 0xffffffff);
    assert_int_equal(CR(0, 0x40), 0);
    assert_int_equal(CR(0, GICC_EOIR), 0);
    assert_int_equal(CR(0, GICC_DIR), 0);
    assert_int_equal(gic_cpu_read(f->g, 0, GICC_PMR, 1), 0);
    gic_cpu_write(f->g, 0, GICC_PMR, 0, 1);
    assert_int_equal(CR(0, GICC_PMR), 0xf8);
    assert_int_equal(gic_cpu_read(f->g, 0, 0x2000, 4), 0);
}

static void test_priority_pmr_preemption(void **state)
{
    struct fix *f = *state;
    enable_pe(f, 0, CTLR_EN0);
    irq_setup(f, 0, 40, 0x80);
    irq_setup(f, 0, 41, 0x40);
    irq_setup(f, 0, 42, 0xa0);
    irq_setup(f, 0, 43, 0x44);                             /* stored as 0x40 (5 bits) */
    DW(0, GICD_ITARGETSR(40), 0x01010101);
    /* PMR masks at and below its value */
    CW(0, GICC_PMR, 0x80);
    gic_set_spi(f->g, 40, true);
    assert_false(f->irq[0][0]);
    assert_int_equal(CR(0, GICC_IAR), SPURIOUS);
    assert_int_equal(CR(0, GICC_HPPIR), 40);               /* HPPIR ignores the mask */
    CW(0, GICC_PMR, 0xff);
    assert_true(f->irq[0][0]);
    assert_int_equal(CR(0, GICC_IAR), 40);
    assert_int_equal(CR(0, GICC_RPR), 0x80);
    assert_int_equal(CR(0, GICC_APR0), 1u << (0x80 >> 3));
    assert_false(f->irq[0][0]);
    /* higher priority preempts, lower does not */
    gic_set_spi(f->g, 42, true);
    assert_false(f->irq[0][0]);
    gic_set_spi(f->g, 41, true);
    assert_true(f->irq[0][0]);
    assert_int_equal(CR(0, GICC_IAR), 41);
    assert_int_equal(CR(0, GICC_RPR), 0x40);
    gic_set_spi(f->g, 41, false);
    /* 43 (0x40) cannot preempt 0x40 */
    gic_set_spi(f->g, 43, true);
    assert_false(f->irq[0][0]);
    CW(0, GICC_EOIR, 41);
    assert_int_equal(CR(0, GICC_RPR), 0x80);
    assert_true(f->irq[0][0]);                             /* 43 preempts 40 now */
    assert_int_equal(CR(0, GICC_IAR), 43);
    CW(0, GICC_EOIR, 43);
    /* back to 0x80, then idle; the lowest priority one, its level still high, last */
    CW(0, GICC_EOIR, 40);
    assert_int_equal(CR(0, GICC_RPR), 0xff);
    gic_set_spi(f->g, 40, false);
    gic_set_spi(f->g, 43, false);
    assert_int_equal(CR(0, GICC_IAR), 42);
    assert_int_equal(CR(0, GICC_RPR), 0xa0);
    CW(0, GICC_EOIR, 42);
    assert_true(f->irq[0][0]);                             /* level-sensitive: pending again */
    gic_set_spi(f->g, 42, false);
    assert_false(f->irq[0][0]);
    assert_int_equal(CR(0, GICC_IAR), SPURIOUS);
    assert_int_equal(f->events[GIC_EV_ACK], 4);
    assert_int_equal(gic_get_stats(f->g)->acknowledged[42], 1);
}

static void test_binary_point_group_priority(void **state)
{
    struct fix *f = *state;
    enable_pe(f, 0, CTLR_EN0);
    irq_setup(f, 0, 40, 0x50);
    irq_setup(f, 0, 41, 0x48);
    DW(0, GICD_ITARGETSR(40), 0x0101);
    CW(0, GICC_BPR, 4);                                    /* group priority [7:5] */
    gic_set_spi(f->g, 40, true);
    assert_int_equal(CR(0, GICC_IAR), 40);
    assert_int_equal(CR(0, GICC_RPR), 0x40);               /* 0x50 & 0xe0 */
    gic_set_spi(f->g, 41, true);
    assert_false(f->irq[0][0]);                            /* 0x48 is in the same group */
    CW(0, GICC_BPR, 2);
    assert_false(f->irq[0][0]);                            /* 0x48 >= running 0x40 */
    CW(0, GICC_EOIR, 40);
    assert_true(f->irq[0][0]);
}

static void test_eoimode_dir(void **state)
{
    struct fix *f = *state;
    enable_pe(f, 0, CTLR_EN0 | CTLR_EOIMODE);
    irq_setup(f, 0, 20, 0x80);
    DW(0, GICD_ICFGR(1), 2u << 2 * 4);                     /* PPI 20 edge */
    gic_set_ppi(f->g, 0, 20, true);
    assert_int_equal(CR(0, GICC_IAR), 20);
    /* EOIR only drops the priority */
    CW(0, GICC_EOIR, 20);
    assert_int_equal(CR(0, GICC_RPR), 0xff);
    assert_true(dist_bit(f, 0, GICD_ISACTIVER(0), 20));
    /* DIR deactivates */
    CW(0, GICC_DIR, 20);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 20));
    /* EOImode = 0: DIR is ignored, EOIR deactivates */
    CW(0, GICC_CTLR, CTLR_EN0);
    gic_set_ppi(f->g, 0, 20, false);
    gic_set_ppi(f->g, 0, 20, true);
    assert_int_equal(CR(0, GICC_IAR), 20);
    CW(0, GICC_DIR, 20);
    assert_true(dist_bit(f, 0, GICD_ISACTIVER(0), 20));
    CW(0, GICC_EOIR, 20);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 20));
    /* EOI with nothing active, and of special INTIDs: ignored */
    CW(0, GICC_EOIR, 1023);
    CW(0, GICC_EOIR, 20);
    assert_int_equal(f->events[GIC_EV_EOI], 2);
}

static void test_groups_ackctl_aliases_fiq(void **state)
{
    struct fix *f = *state;
    DW(0, GICD_IGROUPR(1), 1u << 8);                       /* SPI 40: Group 1 */
    irq_setup(f, 0, 40, 0x80);
    irq_setup(f, 0, 41, 0x90);                             /* SPI 41: Group 0 */
    DW(0, GICD_ITARGETSR(40), 0x0101);
    enable_pe(f, 0, CTLR_EN0 | CTLR_EN1);
    gic_set_spi(f->g, 40, true);
    /* Group 1 on IRQ */
    assert_true(f->irq[0][0]);
    assert_false(f->irq[0][1]);
    /* AckCtl = 0: GICC_IAR/HPPIR see 1022 and acknowledge nothing; the aliases see it */
    assert_int_equal(CR(0, GICC_HPPIR), GRP1_PENDING);
    assert_int_equal(CR(0, GICC_IAR), GRP1_PENDING);
    assert_true(dist_bit(f, 0, GICD_ISPENDR(0), 40));
    assert_int_equal(CR(0, GICC_AHPPIR), 40);
    assert_int_equal(CR(0, GICC_AIAR), 40);
    assert_int_equal(CR(0, GICC_NSAPR0), 1u << 16);         /* Group 1 active priorities */
    assert_int_equal(CR(0, GICC_APR0), 0);
    /* GICC_AEOIR does not end a Group 0 interrupt */
    CW(0, GICC_AEOIR, 41);
    assert_int_equal(CR(0, GICC_RPR), 0x80);
    CW(0, GICC_AEOIR, 40);
    assert_int_equal(CR(0, GICC_RPR), 0xff);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 40));
    /* a Group 0 interrupt is invisible to the aliases */
    gic_set_spi(f->g, 40, false);
    gic_set_spi(f->g, 41, true);
    assert_int_equal(CR(0, GICC_AHPPIR), SPURIOUS);
    assert_int_equal(CR(0, GICC_AIAR), SPURIOUS);
    assert_int_equal(CR(0, GICC_HPPIR), 41);
    /* FIQEn: Group 0 on FIQ */
    assert_true(f->irq[0][0]);
    CW(0, GICC_CTLR, CTLR_EN0 | CTLR_EN1 | CTLR_FIQEN);
    assert_false(f->irq[0][0]);
    assert_true(f->irq[0][1]);
    assert_int_equal(CR(0, GICC_IAR), 41);
    CW(0, GICC_EOIR, 41);
    gic_set_spi(f->g, 41, false);
    /* AckCtl = 1: GICC_IAR acknowledges Group 1 too (still on IRQ with FIQEn) */
    CW(0, GICC_CTLR, CTLR_EN0 | CTLR_EN1 | CTLR_FIQEN | CTLR_ACKCTL);
    gic_set_spi(f->g, 40, true);
    assert_true(f->irq[0][0]);
    assert_false(f->irq[0][1]);
    assert_int_equal(CR(0, GICC_HPPIR), 40);
    assert_int_equal(CR(0, GICC_IAR), 40);
    CW(0, GICC_EOIR, 40);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 40));
    /* Group 1 disabled at the CPU interface, then at the distributor */
    CW(0, GICC_CTLR, CTLR_EN0);
    assert_false(f->irq[0][0]);
    CW(0, GICC_CTLR, CTLR_EN0 | CTLR_EN1);
    assert_true(f->irq[0][0]);
    DW(0, GICD_CTLR, 1);
    assert_false(f->irq[0][0]);
}

static void test_cbpr(void **state)
{
    struct fix *f = *state;
    DW(0, GICD_IGROUPR(1), 3u << 8);                       /* SPIs 40, 41: Group 1 */
    irq_setup(f, 0, 40, 0x50);
    irq_setup(f, 0, 41, 0x48);
    DW(0, GICD_ITARGETSR(40), 0x0101);
    enable_pe(f, 0, CTLR_EN1 | CTLR_ACKCTL);
    CW(0, GICC_ABPR, 3);                                   /* Group 1: ABPR - 1 = 2, [7:3] */
    CW(0, GICC_BPR, 4);                                    /* [7:5] */
    gic_set_spi(f->g, 40, true);
    assert_int_equal(CR(0, GICC_IAR), 40);
    assert_int_equal(CR(0, GICC_RPR), 0x50);
    gic_set_spi(f->g, 41, true);
    assert_true(f->irq[0][0]);                             /* 0x48 preempts 0x50 */
    CW(0, GICC_EOIR, 40);
    gic_set_spi(f->g, 41, false);
    /* CBPR: Group 1 uses GICC_BPR: 0x50 -> 0x40, and 0x48 no longer preempts */
    CW(0, GICC_CTLR, CTLR_EN1 | CTLR_ACKCTL | CTLR_CBPR);
    assert_int_equal(CR(0, GICC_IAR), 40);
    assert_int_equal(CR(0, GICC_RPR), 0x40);
    gic_set_spi(f->g, 41, true);
    assert_false(f->irq[0][0]);
}

/* QEMU's GICv2 implements 8 bits of priority: PMR 0xff, BPR down to 0, 128 preemption levels
 * in GICC_APR0..3 / GICC_NSAPR0..3. */
static void test_eight_priority_bits(void **state)
{
    (void)state;
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    struct gic_config cfg = { .version = GIC_V2, .num_pes = 2, .pri_bits = 8 };
    struct gic_outputs out = { set_irq, set_virq, f };
    f->g = gic_create(&cfg, &out, NULL, NULL, 0);
    assert_non_null(f->g);
    assert_int_equal(CR(0, GICC_BPR), 0);
    assert_int_equal(CR(0, GICC_ABPR), 1);
    CW(0, GICC_ABPR, 0);
    assert_int_equal(CR(0, GICC_ABPR), 1);
    enable_pe(f, 0, CTLR_EN0 | CTLR_EN1 | CTLR_ACKCTL);
    assert_int_equal(CR(0, GICC_PMR), 0xff);
    DW8(0, GICD_IPRIORITYR(40), 0xff);
    assert_int_equal(DR8(0, GICD_IPRIORITYR(40)), 0xff);
    irq_setup(f, 0, 40, 0x83);                             /* group priority 0x82 */
    irq_setup(f, 0, 41, 0x81);                             /* 0x80: preempts 0x82 */
    irq_setup(f, 0, 42, 0x82);                             /* 0x82: does not */
    DW(0, GICD_ITARGETSR(40), 0x010101);
    DW(0, GICD_IGROUPR(1), 1u << 9);                       /* 41: Group 1 */
    gic_set_spi(f->g, 40, true);
    assert_int_equal(CR(0, GICC_IAR), 40);
    assert_int_equal(CR(0, GICC_RPR), 0x82);
    assert_int_equal(CR(0, GICC_APR0), 0);
    assert_int_equal(CR(0, GICC_APR0 + 8), 1u << 1);       /* level 65 */
    gic_set_spi(f->g, 42, true);
    assert_false(f->irq[0][0]);
    gic_set_spi(f->g, 41, true);
    assert_true(f->irq[0][0]);
    assert_int_equal(CR(0, GICC_IAR), 41);
    assert_int_equal(CR(0, GICC_NSAPR0 + 8), 1u << 0);     /* Group 1 (ABPR 1: [7:1]), level 64 */
    assert_int_equal(CR(0, GICC_RPR), 0x80);
    gic_set_spi(f->g, 41, false);
    CW(0, GICC_EOIR, 41);
    assert_int_equal(CR(0, GICC_RPR), 0x82);
    CW(0, GICC_EOIR, 40);
    assert_int_equal(CR(0, GICC_RPR), 0xff);
    /* APR words write and set the running priority; the GICv2 virtual side keeps 5 bits */
    CW(0, GICC_APR0 + 12, 1u << 31);
    assert_int_equal(CR(0, GICC_RPR), 0xfe);
    assert_int_equal(HR(0, GICH_VTR) >> 29, 4);
    VW(0, GICC_PMR, 0xff);
    assert_int_equal(VR(0, GICC_PMR), 0xf8);
    gic_destroy(f->g);
    free(f);
}

/* ---- GICH / GICV ------------------------------------------------------------------------------- */

static void test_gich_registers(void **state)
{
    struct fix *f = *state;
    /* VTR: PRIbits = PREbits = 4 (5 bits), ListRegs = 3 */
    assert_int_equal(HR(0, GICH_VTR), 4u << 29 | 4u << 26 | 3);
    /* HCR: En, UIE, LRENPIE, NPIE, VGrp*IE, EOICount */
    HW(0, GICH_HCR, 0xffffffff);
    assert_int_equal(HR(0, GICH_HCR), 0xf80000ff);
    assert_int_equal(HR(1, GICH_HCR), 0);                  /* banked */
    HW(0, GICH_HCR, 0);
    /* VMCR: reset binary points at their minimum */
    assert_int_equal(HR(0, GICH_VMCR), VMCR_BP(2) | VMCR_ABP(3));
    HW(0, GICH_VMCR, 0xffffffff);
    assert_int_equal(HR(0, GICH_VMCR), 0xf800021f | VMCR_BP(7) | VMCR_ABP(7));
    HW(0, GICH_VMCR, VMCR_GRP1EN | VMCR_VEM | VMCR_PRIMASK(0xa8) | VMCR_BP(0) | VMCR_ABP(5));
    assert_int_equal(HR(0, GICH_VMCR), VMCR_GRP1EN | VMCR_VEM | VMCR_PRIMASK(0xa8) | VMCR_BP(2) | VMCR_ABP(5));
    /* ... which is the virtual CPU interface's state */
    assert_int_equal(VR(0, GICC_CTLR), CTLR_EN1 | CTLR_EOIMODE);
    assert_int_equal(VR(0, GICC_PMR), 0xa8);
    assert_int_equal(VR(0, GICC_BPR), 2);
    assert_int_equal(VR(0, GICC_ABPR), 5);
    VW(0, GICC_CTLR, 0xffffffff);
    VW(0, GICC_PMR, 0xff);
    VW(0, GICC_BPR, 4);
    VW(0, GICC_ABPR, 0);
    assert_int_equal(HR(0, GICH_VMCR), 0xf800021f | VMCR_BP(4) | VMCR_ABP(3));
    assert_int_equal(VR(0, GICC_IIDR), 0x0002043b);
    /* list registers: every field round-trips */
    HW(0, GICH_LR(0), 0xffffffff);
    assert_int_equal(HR(0, GICH_LR(0)), 0xff8fffff);       /* [22:20] reserved */
    uint32_t lr = LR_VID(100) | LR_PID(300) | LR_PRIO(0x58) | LR_ACTIVE | LR_GRP1 | LR_HW;
    HW(0, GICH_LR(3), lr);
    assert_int_equal(HR(0, GICH_LR(3)), lr);
    assert_int_equal(HR(1, GICH_LR(3)), 0);
    /* LR4 does not exist with 4 LRs: RAZ/WI; so do ELRSR1/EISR1 and reserved offsets */
    HW(0, GICH_LR(4), 0xffffffff);
    assert_int_equal(HR(0, GICH_LR(4)), 0);
    HW(0, 0x040, 0xffffffff);
    assert_int_equal(HR(0, 0x040), 0);
    assert_int_equal(HR(0, GICH_ELRSR1), 0);
    assert_int_equal(HR(0, GICH_EISR1), 0);
    /* read-only registers */
    HW(0, GICH_VTR, 0);
    HW(0, GICH_MISR, 0xff);
    assert_int_equal(HR(0, GICH_VTR), 4u << 29 | 4u << 26 | 3);
    /* APR */
    HW(0, GICH_APR, 1u << 9);
    assert_int_equal(HR(0, GICH_APR), 1u << 9);
    assert_int_equal(VR(0, GICC_APR0), 1u << 9);
    assert_int_equal(VR(0, GICC_RPR), 9u << 3);
    VW(0, GICC_APR0, 0);
    assert_int_equal(VR(0, GICC_RPR), 0xff);
    assert_int_equal(gic_get_stats(f->g)->lr_writes, 2);   /* LR4 is not written */
    assert_int_equal(f->events[GIC_EV_LR_WRITE], 2);
}

/* The hypervisor's side: enable the virtual interface of PE pe for Group 0 and 1 (VMAckCtl
 * so that GICV_IAR acknowledges either), priority mask open. */
static void virt_enable(struct fix *f, unsigned pe, uint32_t hcr, uint32_t vmcr)
{
    HW(pe, GICH_VMCR, vmcr | VMCR_PRIMASK(0xf8) | VMCR_BP(2) | VMCR_ABP(3));
    HW(pe, GICH_HCR, HCR_EN | hcr);
}

static void test_virtual_three_lrs(void **state)
{
    struct fix *f = *state;
    virt_enable(f, 0, 0, VMCR_GRP0EN);
    assert_int_equal(HR(0, GICH_ELRSR0), 0xf);
    HW(0, GICH_LR(0), LR_VID(40) | LR_PRIO(0x80) | LR_PENDING);
    HW(0, GICH_LR(1), LR_VID(41) | LR_PRIO(0x40) | LR_PENDING | LR_EOI);
    HW(0, GICH_LR(2), LR_VID(42) | LR_PRIO(0x60) | LR_PENDING);
    assert_int_equal(HR(0, GICH_ELRSR0), 0x8);
    assert_int_equal(HR(0, GICH_EISR0), 0);
    /* Group 0 on vIRQ (VMFIQEn = 0); only the virtual output */
    assert_true(f->virq[0][0]);
    assert_false(f->virq[0][1]);
    assert_false(f->irq[0][0]);
    assert_false(f->virq[1][0]);
    assert_int_equal(VR(0, GICC_HPPIR), 41);
    /* acknowledged in priority order */
    assert_int_equal(VR(0, GICC_IAR), 41);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(1))), 2);
    assert_int_equal(VR(0, GICC_RPR), 0x40);
    assert_int_equal(HR(0, GICH_APR), 1u << 8);
    assert_false(f->virq[0][0]);                           /* nothing preempts 0x40 */
    assert_int_equal(VR(0, GICC_IAR), SPURIOUS);
    assert_int_equal(VR(0, GICC_HPPIR), 42);
    VW(0, GICC_EOIR, 41);
    /* LR1 is invalid with EOI = 1: EOI maintenance, not empty */
    assert_int_equal(LR_STATE(HR(0, GICH_LR(1))), 0);
    assert_int_equal(HR(0, GICH_EISR0), 0x2);
    assert_int_equal(HR(0, GICH_ELRSR0), 0x8);
    assert_int_equal(HR(0, GICH_MISR), MISR_EOI);
    assert_true(dist_bit(f, 0, GICD_ISPENDR(0), PPI_MAINT));
    assert_false(dist_bit(f, 1, GICD_ISPENDR(0), PPI_MAINT));
    assert_true(f->virq[0][0]);
    assert_int_equal(VR(0, GICC_IAR), 42);
    VW(0, GICC_EOIR, 42);
    assert_int_equal(VR(0, GICC_IAR), 40);
    VW(0, GICC_EOIR, 40);
    assert_int_equal(HR(0, GICH_ELRSR0), 0xd);
    assert_false(f->virq[0][0]);
    /* the hypervisor clears LR1: maintenance ends */
    HW(0, GICH_LR(1), 0);
    assert_int_equal(HR(0, GICH_ELRSR0), 0xf);
    assert_int_equal(HR(0, GICH_MISR), 0);
    assert_false(dist_bit(f, 0, GICD_ISPENDR(0), PPI_MAINT));
    assert_int_equal(gic_get_stats(f->g)->virtual_acknowledged, 3);
}

static void test_virtual_groups_masks(void **state)
{
    struct fix *f = *state;
    /* a Group 1 LR: GICV_IAR needs VMAckCtl, GICV_AIAR takes it */
    virt_enable(f, 0, 0, VMCR_GRP0EN | VMCR_GRP1EN);
    HW(0, GICH_LR(0), LR_VID(50) | LR_PRIO(0x80) | LR_PENDING | LR_GRP1);
    assert_true(f->virq[0][0]);
    assert_int_equal(VR(0, GICC_HPPIR), GRP1_PENDING);
    assert_int_equal(VR(0, GICC_IAR), GRP1_PENDING);
    assert_int_equal(VR(0, GICC_AHPPIR), 50);
    assert_int_equal(VR(0, GICC_AIAR), 50);
    VW(0, GICC_AEOIR, 50);
    assert_int_equal(HR(0, GICH_LR(0)), 0u | LR_VID(50) | LR_PRIO(0x80) | LR_GRP1);
    HW(0, GICH_LR(0), LR_VID(50) | LR_PRIO(0x80) | LR_PENDING | LR_GRP1);
    VW(0, GICC_CTLR, CTLR_EN0 | CTLR_EN1 | CTLR_ACKCTL);
    assert_int_equal(VR(0, GICC_IAR), 50);
    VW(0, GICC_EOIR, 50);
    /* a Group 0 LR is invisible to the aliases; VMFIQEn puts it on vFIQ */
    HW(0, GICH_LR(1), LR_VID(51) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(VR(0, GICC_AIAR), SPURIOUS);
    assert_int_equal(VR(0, GICC_AHPPIR), SPURIOUS);
    assert_true(f->virq[0][0]);
    VW(0, GICC_CTLR, CTLR_EN0 | CTLR_EN1 | CTLR_FIQEN);
    assert_false(f->virq[0][0]);
    assert_true(f->virq[0][1]);
    /* the virtual priority mask, the group enable, GICH_HCR.En */
    VW(0, GICC_PMR, 0x80);
    assert_false(f->virq[0][1]);
    assert_int_equal(VR(0, GICC_IAR), SPURIOUS);
    VW(0, GICC_PMR, 0xf8);
    assert_true(f->virq[0][1]);
    VW(0, GICC_CTLR, CTLR_EN1 | CTLR_FIQEN);
    assert_false(f->virq[0][1]);
    VW(0, GICC_CTLR, CTLR_EN0 | CTLR_FIQEN);
    assert_true(f->virq[0][1]);
    HW(0, GICH_HCR, 0);
    assert_false(f->virq[0][1]);
    assert_int_equal(VR(0, GICC_IAR), SPURIOUS);
    HW(0, GICH_HCR, HCR_EN);
    assert_int_equal(VR(0, GICC_IAR), 51);
    assert_false(f->virq[0][1]);
    assert_int_equal(f->virq_calls, 14);
}

static void test_virtual_preemption_bpr(void **state)
{
    struct fix *f = *state;
    virt_enable(f, 0, 0, VMCR_GRP0EN);
    HW(0, GICH_LR(0), LR_VID(60) | LR_PRIO(0x50) | LR_PENDING);
    assert_int_equal(VR(0, GICC_IAR), 60);
    assert_int_equal(VR(0, GICC_RPR), 0x50);
    HW(0, GICH_LR(1), LR_VID(61) | LR_PRIO(0x48) | LR_PENDING);
    assert_true(f->virq[0][0]);                            /* preempts */
    /* restart with VMBP = 4: 0x50 runs at 0x40, 0x48 is in its group */
    HW(0, GICH_LR(0), 0);
    HW(0, GICH_LR(1), 0);
    HW(0, GICH_APR, 0);
    VW(0, GICC_BPR, 4);
    HW(0, GICH_LR(0), LR_VID(60) | LR_PRIO(0x50) | LR_PENDING);
    assert_int_equal(VR(0, GICC_IAR), 60);
    assert_int_equal(VR(0, GICC_RPR), 0x40);
    HW(0, GICH_LR(1), LR_VID(61) | LR_PRIO(0x48) | LR_PENDING);
    assert_false(f->virq[0][0]);
    VW(0, GICC_EOIR, 60);
    assert_true(f->virq[0][0]);
}

static void test_virtual_eoimode_dir(void **state)
{
    struct fix *f = *state;
    virt_enable(f, 0, 0, VMCR_GRP0EN | VMCR_VEM);
    HW(0, GICH_LR(0), LR_VID(70) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(VR(0, GICC_IAR), 70);
    VW(0, GICC_EOIR, 70);                                  /* priority drop only */
    assert_int_equal(VR(0, GICC_RPR), 0xff);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 2);
    VW(0, GICC_DIR, 70);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 0);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 0);
    /* DIR with VEM = 0 is ignored */
    HW(0, GICH_VMCR, VMCR_GRP0EN | VMCR_PRIMASK(0xf8));
    HW(0, GICH_LR(0), LR_VID(70) | LR_PRIO(0x80) | LR_ACTIVE);
    VW(0, GICC_DIR, 70);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 2);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 0);
}

static void test_maintenance_conditions(void **state)
{
    struct fix *f = *state;
    const unsigned pe = 2;
    /* the maintenance interrupt reaches PE 2's physical interface as PPI 25 */
    enable_pe(f, pe, CTLR_EN0);
    irq_setup(f, pe, PPI_MAINT, 0x10);
    struct {
        uint32_t hcr, vmcr, misr;
    } cases[] = {
        { HCR_UIE, VMCR_GRP0EN, MISR_U },                  /* no valid LR (0 or 1) */
        { HCR_NPIE, VMCR_GRP0EN, MISR_NP },                /* no pending LR */
        { HCR_VGRP0EIE, VMCR_GRP0EN, MISR_VGRP0E },
        { HCR_VGRP0DIE, 0, MISR_VGRP0D },
        { HCR_VGRP1EIE, VMCR_GRP1EN, MISR_VGRP1E },
        { HCR_VGRP1DIE, VMCR_GRP0EN, MISR_VGRP1D },
        { HCR_LRENPIE | (1u << 27), VMCR_GRP0EN, MISR_LRENP },   /* EOICount != 0 */
    };
    uint64_t maint0 = gic_get_stats(f->g)->maintenance;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        HW(pe, GICH_VMCR, cases[i].vmcr);
        HW(pe, GICH_HCR, cases[i].hcr);                    /* En = 0: no maintenance */
        assert_int_equal(HR(pe, GICH_MISR), cases[i].misr);
        assert_false(dist_bit(f, pe, GICD_ISPENDR(0), PPI_MAINT));
        assert_false(f->irq[pe][0]);
        HW(pe, GICH_HCR, cases[i].hcr | HCR_EN);
        assert_int_equal(HR(pe, GICH_MISR), cases[i].misr);
        assert_true(dist_bit(f, pe, GICD_ISPENDR(0), PPI_MAINT));
        assert_false(dist_bit(f, 0, GICD_ISPENDR(0), PPI_MAINT));
        assert_true(f->irq[pe][0]);
        HW(pe, GICH_HCR, HCR_EN);
        assert_int_equal(HR(pe, GICH_MISR), 0);
        assert_false(dist_bit(f, pe, GICD_ISPENDR(0), PPI_MAINT));
        assert_false(f->irq[pe][0]);
    }
    /* the conditions end: U with two valid LRs, NP with a pending LR */
    HW(pe, GICH_LR(0), LR_VID(80) | LR_PRIO(0x80) | LR_PENDING);
    HW(pe, GICH_LR(1), LR_VID(81) | LR_PRIO(0x80) | LR_ACTIVE);
    HW(pe, GICH_HCR, HCR_EN | HCR_UIE | HCR_NPIE);
    assert_int_equal(HR(pe, GICH_MISR), 0);
    HW(pe, GICH_LR(1), 0);
    assert_int_equal(HR(pe, GICH_MISR), MISR_U);
    /* the EOI condition: an invalid LR with EOI = 1 and HW = 0 */
    HW(pe, GICH_HCR, HCR_EN);
    HW(pe, GICH_LR(0), LR_VID(80) | LR_EOI);
    assert_int_equal(HR(pe, GICH_EISR0), 1);
    assert_int_equal(HR(pe, GICH_MISR), MISR_EOI);
    assert_true(f->irq[pe][0]);
    /* the PE takes the maintenance interrupt */
    assert_int_equal(CR(pe, GICC_IAR), PPI_MAINT);
    HW(pe, GICH_LR(0), 0);
    CW(pe, GICC_EOIR, PPI_MAINT);
    assert_false(dist_bit(f, pe, GICD_ISACTIVER(0), PPI_MAINT));
    assert_int_equal(gic_get_stats(f->g)->maintenance - maint0, 9);
    assert_int_equal(f->events[GIC_EV_MAINTENANCE], 9);
}

static void test_virtual_hw_deactivates_physical(void **state)
{
    struct fix *f = *state;
    /* the hypervisor takes physical SPI 50 with EOImode = 1 and forwards it */
    enable_pe(f, 0, CTLR_EN0 | CTLR_EOIMODE);
    irq_setup(f, 0, 50, 0x80);
    DW8(0, GICD_ITARGETSR(50), 0x01);
    gic_set_spi(f->g, 50, true);
    assert_int_equal(CR(0, GICC_IAR), 50);
    CW(0, GICC_EOIR, 50);
    assert_true(dist_bit(f, 0, GICD_ISACTIVER(0), 50));
    assert_false(f->irq[0][0]);                            /* active: not signalled */
    gic_set_spi(f->g, 50, false);
    virt_enable(f, 0, 0, VMCR_GRP0EN);
    HW(0, GICH_LR(0), LR_VID(30) | LR_PID(50) | LR_PRIO(0x80) | LR_PENDING | LR_HW);
    assert_int_equal(HR(0, GICH_ELRSR0), 0xe);
    assert_int_equal(VR(0, GICC_IAR), 30);                 /* no CPUID with HW = 1 */
    VW(0, GICC_EOIR, 30);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 0);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 50));   /* deactivated through the LR */
    assert_int_equal(HR(0, GICH_ELRSR0), 0xf);             /* HW = 1: no EOI maintenance */
    assert_int_equal(HR(0, GICH_EISR0), 0);
    /* a PPI through the LR with VEM = 1 and GICV_DIR */
    irq_setup(f, 0, 27, 0x80);
    gic_set_ppi(f->g, 0, 27, true);
    assert_int_equal(CR(0, GICC_IAR), 27);
    CW(0, GICC_EOIR, 27);
    gic_set_ppi(f->g, 0, 27, false);
    HW(0, GICH_VMCR, VMCR_GRP0EN | VMCR_VEM | VMCR_PRIMASK(0xf8));
    HW(0, GICH_LR(1), LR_VID(27) | LR_PID(27) | LR_PRIO(0x80) | LR_PENDING | LR_HW);
    assert_int_equal(VR(0, GICC_IAR), 27);
    VW(0, GICC_EOIR, 27);
    assert_true(dist_bit(f, 0, GICD_ISACTIVER(0), 27));
    VW(0, GICC_DIR, 27);
    assert_false(dist_bit(f, 0, GICD_ISACTIVER(0), 27));
}

static void test_eoicount(void **state)
{
    struct fix *f = *state;
    virt_enable(f, 0, HCR_LRENPIE, VMCR_GRP0EN);
    /* an EOI with nothing active is ignored */
    VW(0, GICC_EOIR, 90);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 0);
    /* the hypervisor took the LR back while the guest handled it */
    HW(0, GICH_LR(0), LR_VID(90) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(VR(0, GICC_IAR), 90);
    HW(0, GICH_LR(0), 0);
    assert_false(dist_bit(f, 0, GICD_ISPENDR(0), PPI_MAINT));
    VW(0, GICC_EOIR, 90);
    assert_int_equal(VR(0, GICC_RPR), 0xff);               /* the priority is dropped */
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 1);
    assert_int_equal(HR(0, GICH_MISR), MISR_LRENP);
    assert_true(dist_bit(f, 0, GICD_ISPENDR(0), PPI_MAINT));
    /* with VEM = 1 GICV_DIR counts, GICV_EOIR does not */
    HW(0, GICH_VMCR, VMCR_GRP0EN | VMCR_VEM | VMCR_PRIMASK(0xf8));
    HW(0, GICH_LR(0), LR_VID(91) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(VR(0, GICC_IAR), 91);
    HW(0, GICH_LR(0), 0);
    VW(0, GICC_EOIR, 91);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 1);
    VW(0, GICC_DIR, 91);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 2);
    /* the hypervisor writes it back to 0: LRENP ends */
    HW(0, GICH_HCR, HCR_EN | HCR_LRENPIE);
    assert_int_equal(HR(0, GICH_MISR), 0);
    assert_false(dist_bit(f, 0, GICD_ISPENDR(0), PPI_MAINT));
    /* EOICount wraps at 5 bits */
    HW(0, GICH_HCR, HCR_EN | 31u << 27);
    VW(0, GICC_DIR, 92);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 0);
}

static void test_virtual_sgi_cpuid(void **state)
{
    struct fix *f = *state;
    virt_enable(f, 0, 0, VMCR_GRP0EN);
    /* a virtual SGI 3 from vCPU 2 (HW = 0: CPUID in [12:10]) */
    HW(0, GICH_LR(0), LR_VID(3) | LR_CPUID(2) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(VR(0, GICC_HPPIR), 3 | 2 << 10);
    assert_int_equal(VR(0, GICC_IAR), 3 | 2 << 10);
    /* an EOI naming another source does not match the LR: counted */
    VW(0, GICC_EOIR, 3 | 1 << 10);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 1);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 2);
    HW(0, GICH_APR, 1u << 16);                             /* the hypervisor restores the priority */
    VW(0, GICC_EOIR, 3 | 2 << 10);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 0);
    assert_int_equal(HCR_EOICOUNT(HR(0, GICH_HCR)), 1);
}

static void test_special_vintid_and_events(void **state)
{
    struct fix *f = *state;
    virt_enable(f, 0, 0, VMCR_GRP0EN);
    /* a special vINTID is returned and its LR becomes invalid, nothing is active */
    HW(0, GICH_LR(0), LR_VID(1022) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(VR(0, GICC_IAR), 1022);
    assert_int_equal(LR_STATE(HR(0, GICH_LR(0))), 0);
    assert_int_equal(VR(0, GICC_RPR), 0xff);
    assert_int_equal(gic_get_stats(f->g)->virtual_acknowledged, 0);
    /* events: LR write, vIRQ signalled, ACK, EOI, DEACTIVATE */
    memset(f->events, 0, sizeof f->events);
    HW(0, GICH_LR(1), LR_VID(33) | LR_PRIO(0x80) | LR_PENDING);
    assert_int_equal(f->events[GIC_EV_LR_WRITE], 1);
    assert_int_equal(f->events[GIC_EV_VIRQ_SIGNALLED], 1);
    assert_int_equal(VR(0, GICC_IAR), 33);
    assert_int_equal(f->events[GIC_EV_ACK], 1);
    VW(0, GICC_EOIR, 33);
    assert_int_equal(f->events[GIC_EV_EOI], 1);
    assert_int_equal(f->events[GIC_EV_DEACTIVATE], 1);
    /* physical: RAISED once per pending transition */
    gic_set_spi(f->g, 60, true);
    gic_set_spi(f->g, 60, true);
    assert_int_equal(f->events[GIC_EV_RAISED], 1);
    assert_int_equal(gic_get_stats(f->g)->raised[60], 1);
    DW(0, GICD_SGIR, SGIR(2, 0, 1));
    assert_int_equal(f->events[GIC_EV_RAISED], 2);
    /* narrow and misaligned accesses to GICH/GICV: RAZ/WI */
    gic_hyp_write(f->g, 0, GICH_HCR, 0, 2);
    assert_int_equal(HR(0, GICH_HCR) & HCR_EN, HCR_EN);
    assert_int_equal(gic_vcpu_read(f->g, 0, GICC_IAR + 1, 4), 0);
    assert_int_equal(gic_hyp_read(f->g, 0, 0x200, 4), 0);
}

static void test_output_changes_only(void **state)
{
    struct fix *f = *state;
    enable_pe(f, 0, CTLR_EN0);
    irq_setup(f, 0, 40, 0x80);
    irq_setup(f, 0, 41, 0x70);
    DW(0, GICD_ITARGETSR(40), 0x0101);
    gic_set_spi(f->g, 40, true);
    gic_set_spi(f->g, 41, true);                           /* still asserted: no call */
    assert_int_equal(f->irq_calls, 1);
    assert_int_equal(CR(0, GICC_IAR), 41);
    assert_int_equal(f->irq_calls, 2);                     /* 40 cannot preempt 0x70 */
    CW(0, GICC_EOIR, 41);
    assert_int_equal(f->irq_calls, 3);
    /* the distributor disable drops it */
    DW(0, GICD_CTLR, 0);
    assert_int_equal(f->irq_calls, 4);
    assert_false(f->irq[0][0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test_setup_teardown(test_dist_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dist_banking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_itargetsr, setup, teardown),
        cmocka_unit_test(test_itargetsr_uniprocessor),
        cmocka_unit_test_setup_teardown(test_sgir_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spendsgir_cpendsgir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sgi_iar_cpuid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gicc_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_pmr_preemption, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_point_group_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eoimode_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_groups_ackctl_aliases_fiq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cbpr, setup, teardown),
        cmocka_unit_test(test_eight_priority_bits),
        cmocka_unit_test_setup_teardown(test_gich_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_three_lrs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_groups_masks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_preemption_bpr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_eoimode_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maintenance_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_hw_deactivates_physical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eoicount, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_sgi_cpuid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_vintid_and_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_changes_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
