/* Unit tests of the GICv3 LPIs and the ITS (gic/gicv3_lpi.c, gic/gicv3_its.c): the LPI
 * tables in a fake memory, the command queue (MAPD, MAPC, MAPTI, MAPI, INT, CLEAR, DISCARD,
 * INV, INVALL, MOVI, MOVALL, SYNC), flat and two-level table walks, GITS_TRANSLATER, command
 * errors (ignored) and external aborts (stall, Retry), acknowledgement of LPIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gic/gic.h"
#include "sim/dma.h"
#include "sim/events.h"

#define ICC_IAR1 3, 0, 12, 12, 0
#define ICC_EOIR1 3, 0, 12, 12, 1
#define ICC_HPPIR1 3, 0, 12, 12, 2
#define ICC_PMR 3, 0, 4, 6, 0
#define ICC_IGRPEN1 3, 0, 12, 12, 7

/* Fake RAM: 4 MiB at 0x40000000. */
#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x400000ull
#define PROP 0x40010000ull                /* LPI Configuration table (64 KiB aligned) */
#define PEND0 0x40020000ull               /* Pending tables, 64 KiB each */
#define CMDQ 0x40100000ull                /* command queue, 4 KiB */
#define DEVT 0x40110000ull                /* device table */
#define COLT 0x40120000ull                /* collection table */
#define ITT 0x40130000ull
#define L2PAGE 0x40140000ull
#define ITS_BASE_OFF 0

#define GITS_CTLR 0x0000
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER(n) (0x0100 + 8 * (n))
#define GITS_TRANSLATER 0x10040

struct fix {
    struct gic *g;
    struct event_bus bus;
    uint8_t *ram;
    bool irq[GIC_MAX_PES];
    unsigned cmds;                        /* commands queued so far */
    unsigned its_events, its_errors, raised;
    unsigned last_error;
    uint64_t abort_pa;                    /* accesses to this 4 KiB page fail (0: none) */
};

static int mem_read(void *o, uint64_t pa, void *buf, size_t len)
{
    struct fix *f = o;
    if (pa < RAM_BASE || pa + len > RAM_BASE + RAM_SIZE)
        return -1;
    if (f->abort_pa && (pa & ~0xfffull) == f->abort_pa)
        return -1;
    memcpy(buf, f->ram + (pa - RAM_BASE), len);
    return 0;
}

static int mem_write(void *o, uint64_t pa, const void *buf, size_t len)
{
    struct fix *f = o;
    if (pa < RAM_BASE || pa + len > RAM_BASE + RAM_SIZE)
        return -1;
    if (f->abort_pa && (pa & ~0xfffull) == f->abort_pa)
        return -1;
    memcpy(f->ram + (pa - RAM_BASE), buf, len);
    return 0;
}

static void set_irq(void *opaque, unsigned pe, bool fiq, bool level)
{
    struct fix *f = opaque;
    if (!fiq)
        f->irq[pe] = level;
}

static void on_event(void *opaque, const struct event *ev)
{
    struct fix *f = opaque;
    if (ev->u.gic.kind == GIC_EV_ITS_CMD) {
        f->its_events++;
        if (ev->u.gic.lr) {
            f->its_errors++;
            f->last_error = ev->u.gic.lr;
        }
    } else if (ev->u.gic.kind == GIC_EV_RAISED && ev->u.gic.intid >= 8192) {
        f->raised++;
    }
}

static uint64_t ram64(struct fix *f, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, f->ram + (pa - RAM_BASE), 8);
    return v;
}

static void ram_w64(struct fix *f, uint64_t pa, uint64_t v)
{
    memcpy(f->ram + (pa - RAM_BASE), &v, 8);
}

static uint64_t rd_(struct fix *f, unsigned pe, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
    struct gic_sysreg_access a = { .pe = pe, .el = 2, .op0 = op0, .op1 = op1, .crn = crn, .crm = crm, .op2 = op2 };
    return gic_sysreg_read(f->g, &a);
}

static void wr_(struct fix *f, unsigned pe, uint64_t v, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                unsigned op2)
{
    struct gic_sysreg_access a = { .pe = pe, .el = 2, .op0 = op0, .op1 = op1, .crn = crn, .crm = crm, .op2 = op2 };
    gic_sysreg_write(f->g, &a, v);
}
#define RD(pe, reg) rd_(f, pe, reg)
#define WR(pe, reg, v) wr_(f, pe, v, reg)

/* LPI n's configuration byte: priority, enabled. */
static void lpi_config(struct fix *f, unsigned n, uint8_t prio, bool enable)
{
    f->ram[PROP - RAM_BASE + (n - 8192)] = (uint8_t)((prio & 0xfc) | 2 | (enable ? 1 : 0));
}

static bool pend_bit(struct fix *f, unsigned pe, unsigned n)
{
    return (f->ram[PEND0 + pe * 0x10000 - RAM_BASE + n / 8] >> (n % 8)) & 1;
}

static void enable_lpis(struct fix *f, unsigned pe, bool ptz)
{
    uint64_t rd = (uint64_t)pe << 17;
    gic_redist_write(f->g, rd + 0x70, PROP | 15, 8);   /* IDbits 15: 16 bits */
    gic_redist_write(f->g, rd + 0x78, (PEND0 + pe * 0x10000) | (ptz ? 1ull << 62 : 0), 8);
    gic_redist_write(f->g, rd + 0x0, 1, 4);
}

static struct fix *fix_new(unsigned pes)
{
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->ram = calloc(1, RAM_SIZE);
    assert_non_null(f->ram);
    event_subscribe(&f->bus, 1u << EV_GIC, on_event, f);
    struct gic_config cfg = { .version = GIC_V3, .num_pes = pes, .num_lrs = 4, .vpri_bits = 5, .its = true };
    struct gic_outputs out = { set_irq, NULL, f };
    char err[128];
    f->g = gic_create(&cfg, &out, &f->bus, err, sizeof err);
    if (!f->g)
        fail_msg("gic_create: %s", err);
    struct phys_mem mem = { mem_read, mem_write, f };
    gic_attach_memory(f->g, &mem);
    gic_dist_write(f->g, 0, 2, 4);        /* GICD_CTLR.EnableGrp1 */
    for (unsigned pe = 0; pe < pes; pe++) {
        WR(pe, ICC_PMR, 0xff);
        WR(pe, ICC_IGRPEN1, 1);
        enable_lpis(f, pe, true);
    }
    return f;
}

static int setup(void **state)
{
    *state = fix_new(4);
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    gic_destroy(f->g);
    free(f->ram);
    free(f);
    return 0;
}

/* ---- the ITS's command queue --------------------------------------------------------------- */

static void its_setup_tables(struct fix *f, bool indirect)
{
    /* GITS_BASER0 (devices) and 1 (collections): 4 KiB pages, one page each. */
    gic_its_write(f->g, GITS_BASER(0), (1ull << 63) | (indirect ? 1ull << 62 : 0) | DEVT, 8, 0);
    gic_its_write(f->g, GITS_BASER(1), (1ull << 63) | COLT, 8, 0);
    gic_its_write(f->g, GITS_CBASER, (1ull << 63) | CMDQ, 8, 0);   /* one 4 KiB page */
    gic_its_write(f->g, GITS_CTLR, 1, 4, 0);
}

/* Queue one command and run the queue. */
static void cmd(struct fix *f, uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
    uint64_t pa = CMDQ + (f->cmds % 128) * 32;
    ram_w64(f, pa, d0);
    ram_w64(f, pa + 8, d1);
    ram_w64(f, pa + 16, d2);
    ram_w64(f, pa + 24, d3);
    f->cmds++;
    gic_its_write(f->g, GITS_CWRITER, (f->cmds % 128) * 32, 8, 0);
}

static void mapd(struct fix *f, uint32_t dev, unsigned size, uint64_t itt, bool valid)
{
    cmd(f, 0x08 | (uint64_t)dev << 32, size, itt | (valid ? 1ull << 63 : 0), 0);
}
static void mapc(struct fix *f, uint32_t icid, unsigned pe, bool valid)
{
    cmd(f, 0x09, 0, icid | (uint64_t)pe << 16 | (valid ? 1ull << 63 : 0), 0);
}
static void mapti(struct fix *f, uint32_t dev, uint32_t ev, uint32_t lpi, uint32_t icid)
{
    cmd(f, 0x0a | (uint64_t)dev << 32, ev | (uint64_t)lpi << 32, icid, 0);
}
static void ev_cmd(struct fix *f, unsigned op, uint32_t dev, uint32_t ev)
{
    cmd(f, op | (uint64_t)dev << 32, ev, 0, 0);
}
#define INT 0x03
#define CLEAR 0x04
#define INV 0x0c
#define DISCARD 0x0f

static unsigned ack(struct fix *f, unsigned pe)
{
    unsigned n = (unsigned)RD(pe, ICC_IAR1);
    if (n != 1023)
        WR(pe, ICC_EOIR1, n);
    return n;
}

static void test_registers(void **state)
{
    struct fix *f = *state;
    uint64_t typer = gic_its_read(f->g, GITS_TYPER, 8);
    assert_int_equal(typer & 1, 1);                       /* Physical */
    assert_int_equal((typer >> 4) & 0xf, 7);              /* 8-byte ITEs */
    assert_int_equal((typer >> 8) & 0x1f, 15);            /* 16 EventID bits */
    assert_int_equal((typer >> 13) & 0x1f, 15);           /* 16 DeviceID bits */
    assert_int_equal((typer >> 32) & 0xf, 15);            /* 16 ICID bits */
    assert_int_equal((typer >> 36) & 1, 1);               /* CIL */
    assert_int_equal(gic_its_read(f->g, GITS_CTLR, 4), 0x80000000u);   /* Quiescent, disabled */
    /* BASER Type and Entry_Size are read-only; BASER2..7 RAZ/WI. */
    gic_its_write(f->g, GITS_BASER(0), ~0ull, 8, 0);
    uint64_t b0 = gic_its_read(f->g, GITS_BASER(0), 8);
    assert_int_equal((b0 >> 56) & 7, 1);
    assert_int_equal((b0 >> 48) & 0x1f, 7);
    assert_int_equal((b0 >> 8) & 3, 2);                   /* Page_Size 0b11 reads as 64 KiB */
    gic_its_write(f->g, GITS_BASER(2), ~0ull, 8, 0);
    assert_int_equal(gic_its_read(f->g, GITS_BASER(2), 8), 0);
    /* GICD_TYPER: LPIS, IDbits 15; GICR_TYPER.PLPIS; GICR_CTLR.CES. */
    uint32_t dt = (uint32_t)gic_dist_read(f->g, 4, 4);
    assert_int_equal((dt >> 17) & 1, 1);
    assert_int_equal((dt >> 19) & 0x1f, 15);
    assert_int_equal(gic_redist_read(f->g, 0x8, 8) & 1, 1);
    assert_int_equal(gic_redist_read(f->g, 0x0, 4), 3);   /* EnableLPIs, CES */
}

static void test_int_delivers_lpi(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, false);
    lpi_config(f, 8195, 0x40, true);
    gic_redist_write(f->g, (3ull << 17) + 0, 0, 4);       /* re-enable PE 3's LPIs: reads the config */
    enable_lpis(f, 3, true);
    mapd(f, 2, 7, ITT, true);                             /* 8 EventID bits */
    mapc(f, 3, 3, true);
    mapti(f, 2, 20, 8195, 3);
    assert_int_equal(f->its_errors, 0);
    /* the table formats: DTE, CTE, ITE */
    assert_int_equal(ram64(f, DEVT + 2 * 8), 1 | 7 << 1 | ITT);
    assert_int_equal(ram64(f, COLT + 3 * 8), 1 | 3 << 1);
    assert_int_equal(ram64(f, ITT + 20 * 8), 1 | 3ull << 16 | 8195ull << 32);
    ev_cmd(f, INT, 2, 20);
    assert_true(f->irq[3]);
    assert_false(f->irq[0]);
    assert_true(pend_bit(f, 3, 8195));                    /* written through */
    assert_int_equal(RD(3, ICC_HPPIR1), 8195);
    assert_int_equal(RD(3, ICC_IAR1), 8195);              /* no active state: pending cleared */
    assert_false(pend_bit(f, 3, 8195));
    assert_false(f->irq[3]);
    WR(3, ICC_EOIR1, 8195);
    assert_int_equal(RD(3, ICC_IAR1), 1023);
    assert_int_equal(gic_get_stats(f->g)->lpi_acknowledged, 1);
    /* GITS_TRANSLATER: DeviceID given by the bus */
    gic_its_write(f->g, GITS_TRANSLATER, 20, 4, 2);
    assert_int_equal(ack(f, 3), 8195);
    gic_its_write(f->g, GITS_TRANSLATER, 20, 4, 0);       /* device 0 is not mapped: nothing */
    assert_false(f->irq[3]);
}

static void test_inv_and_priority(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, false);
    mapd(f, 1, 3, ITT, true);
    mapc(f, 0, 0, true);
    mapti(f, 1, 0, 8200, 0);
    mapti(f, 1, 1, 8201, 0);
    /* configured in memory after EnableLPIs: not seen until an invalidation */
    lpi_config(f, 8200, 0x80, true);
    lpi_config(f, 8201, 0x40, true);
    ev_cmd(f, INT, 1, 0);
    ev_cmd(f, INT, 1, 1);
    assert_false(f->irq[0]);                              /* cached configuration: disabled */
    ev_cmd(f, INV, 1, 0);
    assert_true(f->irq[0]);
    assert_int_equal(RD(0, ICC_HPPIR1), 8200);
    cmd(f, 0x0d, 0, 0, 0);                                /* INVALL collection 0 */
    assert_int_equal(RD(0, ICC_HPPIR1), 8201);            /* 0x40 beats 0x80 */
    /* a priority change takes effect after INV */
    lpi_config(f, 8201, 0xc0, true);
    assert_int_equal(RD(0, ICC_HPPIR1), 8201);
    ev_cmd(f, INV, 1, 1);
    assert_int_equal(RD(0, ICC_HPPIR1), 8200);
    /* PMR masks by priority */
    WR(0, ICC_PMR, 0x80);
    assert_int_equal(RD(0, ICC_IAR1), 1023);
    WR(0, ICC_PMR, 0xff);
    assert_int_equal(ack(f, 0), 8200);
    assert_int_equal(ack(f, 0), 8201);
    assert_int_equal(ack(f, 0), 1023);
}

static void test_clear_discard(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, false);
    lpi_config(f, 8192, 0x10, true);
    gic_redist_write(f->g, 0, 0, 4);
    enable_lpis(f, 0, true);
    mapd(f, 5, 1, ITT, true);
    mapc(f, 9, 0, true);
    mapti(f, 5, 3, 8192, 9);
    ev_cmd(f, INT, 5, 3);
    assert_true(f->irq[0]);
    ev_cmd(f, CLEAR, 5, 3);
    assert_false(f->irq[0]);
    ev_cmd(f, INT, 5, 3);
    ev_cmd(f, DISCARD, 5, 3);                             /* clears and unmaps */
    assert_false(f->irq[0]);
    assert_int_equal(ram64(f, ITT + 3 * 8), 0);
    unsigned e = f->its_errors;
    ev_cmd(f, INT, 5, 3);                                 /* unmapped interrupt: ignored */
    assert_int_equal(f->its_errors, e + 1);
    assert_int_equal(f->last_error, 0x010307);
    assert_false(f->irq[0]);
    /* MAPI: pINTID = EventID */
    cmd(f, 0x0b | 5ull << 32, 1, 9, 0);
    assert_int_equal(f->last_error, 0x010b06);            /* MAPI's pINTID = EventID 1: not an LPI */
}

static void test_errors_ignored(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, false);
    mapd(f, 2, 16, ITT, true);                            /* Size 16 > 15: ITTSIZE_OOR */
    assert_int_equal(f->last_error, 0x010802);
    mapd(f, 600, 1, ITT, true);                           /* beyond a 4 KiB flat table (512 DTEs) */
    assert_int_equal(f->last_error, 0x010801);
    mapc(f, 1, 7, true);                                  /* PE 7 does not exist */
    assert_int_equal(f->last_error, 0x010902);
    mapti(f, 3, 0, 8192, 0);                              /* device 3 unmapped */
    assert_int_equal(f->last_error, 0x010a04);
    mapd(f, 3, 1, ITT, true);
    mapti(f, 3, 4, 8192, 0);                              /* EventID 4 >= 2^2 */
    assert_int_equal(f->last_error, 0x010a05);
    mapti(f, 3, 0, 100, 0);                               /* not an LPI */
    assert_int_equal(f->last_error, 0x010a06);
    cmd(f, 0x0d, 0, 1, 0);                                /* INVALL of an unmapped collection */
    assert_int_equal(f->last_error, 0x010d09);
    cmd(f, 0x2a, 0, 0, 0);                                /* a GICv4 command: ignored */
    /* the queue kept going: CREADR = CWRITER, not stalled */
    assert_int_equal(gic_its_read(f->g, GITS_CREADR, 8), (f->cmds % 128) * 32);
    assert_int_equal(gic_get_stats(f->g)->its_commands, f->cmds);
}

static void test_stall_and_retry(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, false);
    mapc(f, 0, 0, true);
    f->abort_pa = DEVT;                                   /* the device table aborts */
    mapd(f, 1, 1, ITT, true);                             /* stalls */
    uint64_t creadr = gic_its_read(f->g, GITS_CREADR, 8);
    assert_int_equal(creadr, 32 | 1);                     /* at the MAPD, Stalled */
    mapc(f, 1, 1, true);                                  /* queued behind it: not run */
    assert_int_equal(gic_its_read(f->g, GITS_CREADR, 8), 32 | 1);
    assert_int_equal(ram64(f, COLT + 8), 0);
    f->abort_pa = 0;
    gic_its_write(f->g, GITS_CWRITER, (f->cmds % 128) * 32 | 1, 8, 0);   /* Retry */
    assert_int_equal(gic_its_read(f->g, GITS_CREADR, 8), (f->cmds % 128) * 32);
    assert_int_equal(ram64(f, DEVT + 8), 1 | 1 << 1 | ITT);
    assert_int_equal(ram64(f, COLT + 8), 1 | 1 << 1);
}

static void test_two_level_tables(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, true);
    /* 4 KiB pages: 512 DTEs per level 2 page; DeviceID 1000 is in level 1 entry 1 */
    mapd(f, 1000, 1, ITT, true);
    assert_int_equal(f->last_error, 0x010801);           /* level 1 entry not valid */
    ram_w64(f, DEVT + 8, (1ull << 63) | L2PAGE);
    mapd(f, 1000, 1, ITT, true);
    assert_int_equal(ram64(f, L2PAGE + (1000 - 512) * 8), 1 | 1 << 1 | ITT);
    mapc(f, 0, 1, true);
    lpi_config(f, 9000, 0, true);
    gic_redist_write(f->g, 1ull << 17, 0, 4);
    enable_lpis(f, 1, true);
    mapti(f, 1000, 1, 9000, 0);
    gic_its_write(f->g, GITS_TRANSLATER, 1, 4, 1000);
    assert_true(f->irq[1]);
    assert_int_equal(ack(f, 1), 9000);
}

static void test_movi_movall(void **state)
{
    struct fix *f = *state;
    its_setup_tables(f, false);
    for (unsigned n = 8192; n < 8200; n++)
        lpi_config(f, n, 0x20, true);
    for (unsigned pe = 0; pe < 4; pe++) {
        gic_redist_write(f->g, (uint64_t)pe << 17, 0, 4);
        enable_lpis(f, pe, true);
    }
    mapd(f, 0, 2, ITT, true);
    mapc(f, 0, 0, true);
    mapc(f, 1, 2, true);
    mapti(f, 0, 0, 8192, 0);
    mapti(f, 0, 1, 8193, 0);
    ev_cmd(f, INT, 0, 0);
    assert_true(f->irq[0]);
    cmd(f, 0x01, 0, 1, 0);                                /* MOVI dev 0 ev 0 -> collection 1 (PE 2) */
    assert_false(f->irq[0]);                              /* the pending LPI moved */
    assert_true(f->irq[2]);
    assert_true(pend_bit(f, 2, 8192));
    assert_false(pend_bit(f, 0, 8192));
    assert_int_equal(ack(f, 2), 8192);
    ev_cmd(f, INT, 0, 0);                                 /* now goes to PE 2 */
    assert_true(f->irq[2]);
    ev_cmd(f, INT, 0, 1);
    assert_true(f->irq[0]);
    cmd(f, 0x0e, 0, 0, 3ull << 16);                       /* MOVALL PE 0 -> PE 3 */
    assert_false(f->irq[0]);
    assert_true(f->irq[3]);
    assert_int_equal(ack(f, 3), 8193);
    assert_int_equal(ack(f, 2), 8192);
    cmd(f, 0x05, 0, 1ull << 16, 0);                       /* SYNC */
    assert_int_equal(gic_its_read(f->g, GITS_CREADR, 8), (f->cmds % 128) * 32);
}

static void test_pending_table_loaded(void **state)
{
    struct fix *f = *state;
    /* LPIs off on PE 1: software writes the tables, then enables with PTZ = 0 */
    gic_redist_write(f->g, 1ull << 17, 0, 4);
    assert_int_equal(gic_redist_read(f->g, 1ull << 17, 4), 2);   /* EnableLPIs cleared (CES) */
    lpi_config(f, 8300, 0x30, true);
    lpi_config(f, 8301, 0x30, false);
    f->ram[PEND0 + 0x10000 - RAM_BASE + 8300 / 8] |= 1 << (8300 % 8);
    f->ram[PEND0 + 0x10000 - RAM_BASE + 8301 / 8] |= 1 << (8301 % 8);
    unsigned raised = f->raised;
    enable_lpis(f, 1, false);
    assert_int_equal(f->raised, raised + 2);
    assert_true(f->irq[1]);
    assert_int_equal(ack(f, 1), 8300);
    assert_int_equal(ack(f, 1), 1023);                    /* 8301 is disabled, stays pending */
    assert_true(pend_bit(f, 1, 8301));
    /* PTZ = 1: the table is taken as zero */
    gic_redist_write(f->g, 1ull << 17, 0, 4);
    raised = f->raised;
    enable_lpis(f, 1, true);
    assert_int_equal(f->raised, raised);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_delivers_lpi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inv_and_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_discard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_and_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_level_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_movi_movall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_table_loaded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
