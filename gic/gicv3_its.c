/* The GICv3 Interrupt Translation Service: the control frame (GITS_CTLR, IIDR, TYPER,
 * CBASER, CWRITER, CREADR, BASER<n>, the ID registers) and the translation frame
 * (GITS_TRANSLATER), the command queue and the Device, Collection and Interrupt Translation
 * tables in guest memory. Commands run to completion when GITS_CWRITER is written (or the ITS
 * is enabled with commands queued): GITS_CTLR.Quiescent always reads 1 and SYNC has nothing
 * to wait for. Names follow the GIC architecture specification (IHI 0069).
 *
 * The table formats are IMPLEMENTATION DEFINED; avsim's (GITS_TYPER and GITS_BASER<n>
 * advertise the sizes, README.md's GIC section repeats them):
 *   Device Table Entry, 8 bytes (GITS_BASER0, Type 1): bit 0 Valid, [5:1] Size (the
 *     number of EventID bits minus one, as MAPD gives it), [51:8] ITT_addr (256-byte aligned).
 *   Collection Table Entry, 8 bytes (GITS_BASER1, Type 4): bit 0 Valid, [16:1] the target
 *     redistributor's processor number (GITS_TYPER.PTA = 0).
 *   Interrupt Translation Table Entry, 8 bytes (GITS_TYPER.ITT_entry_size = 7): bit 0 Valid,
 *     [31:16] ICID, [63:32] pINTID.
 *   Both tables may be flat or two-level (GITS_BASER<n>.Indirect = 1): a level 1 entry is 8
 *   bytes, bit 63 Valid and [51:12] the address of a level 2 page of Page_Size bytes.
 * The ID spaces: 16 bits of DeviceID, EventID and ICID (as QEMU 7.2); GITS_BASER2..7 are
 * unimplemented (RAZ/WI).
 *
 * Command errors (SEIS = 0, so nothing is reported to the PE): a command whose parameters
 * are wrong (an ID out of range, an unmapped device, event or collection) is ignored and the
 * queue goes on, as QEMU does; an external abort while reading the command or a table
 * stalls the queue (GITS_CREADR.Stalled = 1, GITS_CREADR at that command) until GITS_CWRITER
 * is written with Retry = 1. Each command is published as a GIC_EV_ITS_CMD event with its
 * error encoding (0 = none). An unknown or GICv4 command is an error that is ignored. */
#include <string.h>

#include "gic/gicv3_internal.h"
#include "sim/events.h"

#define GITS_CTLR 0x0000
#define GITS_IIDR 0x0004
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER 0x0100
#define GITS_IDREGS 0xffd0
#define GITS_TRANSLATER 0x10040           /* in the translation frame, 64 KiB on */

#define GITS_CTLR_ENABLED (1u << 0)
#define GITS_CTLR_QUIESCENT (1u << 31)
#define GITS_IIDR_VALUE 0x0000043bu       /* Arm (JEP106 0x43B), as QEMU 7.2 reads */
#define GITS_PIDR0 0x94                   /* the ITS's part number, low byte (as QEMU) */

#define ITS_ID_BITS 16                    /* DeviceID, EventID, ICID */
#define ITS_ENTRY_SIZE 8                  /* DTE, CTE and ITE */

/* GITS_TYPER: Physical [0], ITT_entry_size [7:4] (bytes - 1), IDbits [12:8], Devbits [17:13],
 * PTA [19] = 0 (RDbase is a processor number), HCC [31:24] = 0, CIDbits [35:32], CIL [36]. */
#define GITS_TYPER_VALUE                                                                          \
    (1ull | (uint64_t)(ITS_ENTRY_SIZE - 1) << 4 | (uint64_t)(ITS_ID_BITS - 1) << 8 |              \
     (uint64_t)(ITS_ID_BITS - 1) << 13 | (uint64_t)(ITS_ID_BITS - 1) << 32 | 1ull << 36)

/* GITS_BASER<n>: Valid [63], Indirect [62], InnerCache [61:59], Type [58:56] (RO),
 * OuterCache [55:53], Entry_Size [52:48] (RO), Physical_Address [47:12], Shareability
 * [11:10], Page_Size [9:8], Size [7:0]. */
#define BASER_VALID (1ull << 63)
#define BASER_INDIRECT (1ull << 62)
#define BASER_TYPE_SHIFT 56
#define BASER_RO ((7ull << BASER_TYPE_SHIFT) | (0x1full << 48))
#define BASER_TYPE_DEVICE 1ull
#define BASER_TYPE_COLLECTION 4ull
#define BASER_PAGE_SHIFT 8
#define CBASER_MASK 0xb8effffffffffcffull /* Valid, caches, PA [51:12], Shareability, Size */
#define CWRITER_RETRY 1ull
#define CREADR_STALLED 1ull
#define QUEUE_OFFSET_MASK 0xfffe0ull      /* [19:5] */
#define L1_VALID (1ull << 63)
#define L1_ADDR_MASK 0x000ffffffffff000ull

/* Command numbers and error encodings (IHI 0069, "ITS command error encodings": 0x01 in
 * [23:16], the command in [15:8], the error in [7:0]). */
enum its_cmd {
    CMD_MOVI = 0x01, CMD_INT = 0x03, CMD_CLEAR = 0x04, CMD_SYNC = 0x05, CMD_MAPD = 0x08,
    CMD_MAPC = 0x09, CMD_MAPTI = 0x0a, CMD_MAPI = 0x0b, CMD_INV = 0x0c, CMD_INVALL = 0x0d,
    CMD_MOVALL = 0x0e, CMD_DISCARD = 0x0f,
};
enum its_err {
    ERR_NONE = 0,
    ERR_DEVICE_OOR = 0x01,                /* also MOVALL/SYNC: a processor number out of range */
    ERR_ITTSIZE_OOR = 0x02,               /* also MAPC: the processor number */
    ERR_COLLECTION_OOR = 0x03,
    ERR_UNMAPPED_DEVICE = 0x04,
    ERR_ID_OOR = 0x05,
    ERR_PHYSICALID_OOR = 0x06,
    ERR_UNMAPPED_INTERRUPT = 0x07,
    ERR_UNMAPPED_COLLECTION = 0x09,
    ERR_UNKNOWN_COMMAND = 0xff,
    ERR_STALL = 0x100,                    /* internal: an external abort, stall the queue */
};
#define ERROR_CODE(cmd, e) (0x010000u | (unsigned)(cmd) << 8 | (unsigned)(e))

/* ---- the tables -------------------------------------------------------------------------- */

static unsigned page_size(uint64_t baser)
{
    static const unsigned sizes[4] = { 0x1000, 0x4000, 0x10000, 0x10000 };
    return sizes[(baser >> BASER_PAGE_SHIFT) & 3];
}

static uint64_t baser_pa(uint64_t baser)
{
    uint64_t pa = baser & 0x0000fffffffff000ull;
    if (page_size(baser) == 0x10000)      /* 64 KiB pages: PA [51:48] in bits [15:12] */
        pa = (pa & 0x0000ffffffff0000ull) | (baser & 0xf000ull) << 36;
    return pa;
}

/* Where entry id of the table of GITS_BASER<n> lives: 0, or -1 when id is beyond the table
 * (flat: Size + 1 pages; two-level: a level 1 entry out of range or not valid), or
 * ERR_STALL when a level 1 entry cannot be read. */
static int table_entry(struct gic *g, unsigned n, uint32_t id, uint64_t *pa)
{
    uint64_t baser = g->its.baser[n];
    if (!(baser & BASER_VALID))
        return -1;
    uint64_t psz = page_size(baser), bytes = ((baser & 0xff) + 1) * psz;
    if (!(baser & BASER_INDIRECT)) {
        if ((uint64_t)id * ITS_ENTRY_SIZE >= bytes)
            return -1;
        *pa = baser_pa(baser) + (uint64_t)id * ITS_ENTRY_SIZE;
        return 0;
    }
    uint64_t per_page = psz / ITS_ENTRY_SIZE, l1 = id / per_page;
    if (l1 * 8 >= bytes)
        return -1;
    uint64_t e;
    if (phys_read(&g->mem, baser_pa(baser) + l1 * 8, &e, 8) != 0)
        return ERR_STALL;
    if (!(e & L1_VALID))
        return -1;
    *pa = (e & L1_ADDR_MASK & ~(psz - 1)) + (id % per_page) * ITS_ENTRY_SIZE;
    return 0;
}

static int read_entry(struct gic *g, uint64_t pa, uint64_t *e)
{
    return phys_read(&g->mem, pa, e, 8) != 0 ? ERR_STALL : 0;
}

static int write_entry(struct gic *g, uint64_t pa, uint64_t e)
{
    return phys_write(&g->mem, pa, &e, 8) != 0 ? ERR_STALL : 0;
}

/* A device's DTE: its ITT and how many EventID bits it has (Size + 1). */
struct dte {
    bool valid;
    unsigned eventid_bits;
    uint64_t itt;
};

/* Reads DeviceID's DTE. Returns 0, ERR_DEVICE_OOR, or ERR_STALL; *pa is the entry's address. */
static int get_dte(struct gic *g, uint32_t devid, struct dte *d, uint64_t *pa)
{
    memset(d, 0, sizeof *d);
    int r = table_entry(g, 0, devid, pa);
    if (r)
        return r == ERR_STALL ? ERR_STALL : ERR_DEVICE_OOR;
    uint64_t e;
    if (read_entry(g, *pa, &e))
        return ERR_STALL;
    d->valid = e & 1;
    d->eventid_bits = (unsigned)((e >> 1) & 0x1f) + 1;
    d->itt = e & 0x000fffffffffff00ull;
    return 0;
}

/* ICID's target processor, or -1 if the collection is not mapped. Returns 0,
 * ERR_COLLECTION_OOR or ERR_STALL. */
static int get_cte(struct gic *g, uint32_t icid, int *target, uint64_t *pa)
{
    *target = -1;
    if (icid >= (1u << ITS_ID_BITS))
        return ERR_COLLECTION_OOR;
    int r = table_entry(g, 1, icid, pa);
    if (r)
        return r == ERR_STALL ? ERR_STALL : ERR_COLLECTION_OOR;
    uint64_t e;
    if (read_entry(g, *pa, &e))
        return ERR_STALL;
    if (e & 1)
        *target = (int)((e >> 1) & 0xffff);
    return 0;
}

/* An event's translation: the ITE of (DeviceID, EventID) and its collection's target. */
struct translation {
    struct dte dte;
    uint64_t ite_pa;
    bool ite_valid;
    uint32_t icid, pintid;
    int target;                           /* processor number, -1: collection not mapped */
};

/* Common to INT, CLEAR, DISCARD, INV, MOVI and GITS_TRANSLATER: the device mapped, the
 * EventID in its range, the ITE valid, the collection mapped (an error otherwise). */
static int translate(struct gic *g, uint32_t devid, uint32_t eventid, struct translation *t)
{
    memset(t, 0, sizeof *t);
    t->target = -1;
    if (devid >= (1u << ITS_ID_BITS))
        return ERR_DEVICE_OOR;
    uint64_t pa;
    int r = get_dte(g, devid, &t->dte, &pa);
    if (r == ERR_STALL)
        return r;
    if (r || !t->dte.valid)
        return ERR_UNMAPPED_DEVICE;
    if (eventid >= (1ull << t->dte.eventid_bits))
        return ERR_ID_OOR;
    t->ite_pa = t->dte.itt + (uint64_t)eventid * ITS_ENTRY_SIZE;
    uint64_t e;
    if (read_entry(g, t->ite_pa, &e))
        return ERR_STALL;
    t->ite_valid = e & 1;
    t->icid = (uint32_t)(e >> 16) & 0xffff;
    t->pintid = (uint32_t)(e >> 32);
    if (!t->ite_valid)
        return ERR_UNMAPPED_INTERRUPT;
    r = get_cte(g, t->icid, &t->target, &pa);
    if (r == ERR_STALL)
        return r;
    if (r || t->target < 0 || (unsigned)t->target >= g->cfg.num_pes)
        return ERR_UNMAPPED_COLLECTION;
    return 0;
}

/* ---- commands ------------------------------------------------------------------------------ */

/* The processor number in an RDbase field ([51:16] of a command doubleword, PTA = 0), or -1
 * when no such PE exists. */
static int rdbase_pe(const struct gic *g, uint64_t dw)
{
    uint64_t pe = (dw >> 16) & 0xfffffffffull;
    return pe < g->cfg.num_pes ? (int)pe : -1;
}

static int cmd_mapd(struct gic *g, const uint64_t *c)
{
    uint32_t devid = (uint32_t)(c[0] >> 32);
    unsigned size = (unsigned)(c[1] & 0x1f);
    bool valid = c[2] >> 63;
    if (devid >= (1u << ITS_ID_BITS))
        return ERR_DEVICE_OOR;
    if (valid && size + 1 > ITS_ID_BITS)
        return ERR_ITTSIZE_OOR;
    uint64_t pa;
    int r = table_entry(g, 0, devid, &pa);
    if (r)
        return r == ERR_STALL ? ERR_STALL : ERR_DEVICE_OOR;
    uint64_t e = valid ? 1 | (uint64_t)size << 1 | (c[2] & 0x000fffffffffff00ull) : 0;
    return write_entry(g, pa, e);
}

static int cmd_mapc(struct gic *g, const uint64_t *c)
{
    uint32_t icid = (uint32_t)(c[2] & 0xffff);
    bool valid = c[2] >> 63;
    int pe = rdbase_pe(g, c[2]);
    if (valid && pe < 0)
        return ERR_ITTSIZE_OOR;           /* MAPC's 0x02: the processor number */
    uint64_t pa;
    int r = table_entry(g, 1, icid, &pa);
    if (r)
        return r == ERR_STALL ? ERR_STALL : ERR_COLLECTION_OOR;
    return write_entry(g, pa, valid ? 1 | (uint64_t)pe << 1 : 0);
}

/* MAPTI (pINTID from the command) and MAPI (pINTID = EventID). */
static int cmd_mapti(struct gic *g, const uint64_t *c, bool mapi)
{
    uint32_t devid = (uint32_t)(c[0] >> 32), eventid = (uint32_t)c[1];
    uint32_t pintid = mapi ? eventid : (uint32_t)(c[1] >> 32);
    uint32_t icid = (uint32_t)(c[2] & 0xffff);
    if (devid >= (1u << ITS_ID_BITS))
        return ERR_DEVICE_OOR;
    struct dte d;
    uint64_t pa;
    int r = get_dte(g, devid, &d, &pa);
    if (r == ERR_STALL)
        return r;
    if (r || !d.valid)
        return ERR_UNMAPPED_DEVICE;
    if (eventid >= (1ull << d.eventid_bits))
        return ERR_ID_OOR;
    if (pintid < GIC_LPI_BASE || pintid >= (1u << GIC_LPI_IDBITS))
        return ERR_PHYSICALID_OOR;
    r = table_entry(g, 1, icid, &pa);
    if (r)
        return r == ERR_STALL ? ERR_STALL : ERR_COLLECTION_OOR;
    return write_entry(g, d.itt + (uint64_t)eventid * ITS_ENTRY_SIZE,
                       1 | (uint64_t)icid << 16 | (uint64_t)pintid << 32);
}

/* INT, CLEAR, DISCARD, INV: an event's LPI on its collection's redistributor. */
static int cmd_event(struct gic *g, const uint64_t *c, unsigned cmd)
{
    struct translation t;
    int r = translate(g, (uint32_t)(c[0] >> 32), (uint32_t)c[1], &t);
    if (r)
        return r;
    switch (cmd) {
    case CMD_INT:
        gic_lpi_set_pending(g, (unsigned)t.target, t.pintid, true);
        return 0;
    case CMD_CLEAR:
        gic_lpi_set_pending(g, (unsigned)t.target, t.pintid, false);
        return 0;
    case CMD_INV:
        gic_lpi_inv(g, (unsigned)t.target, t.pintid);
        return 0;
    default:                              /* DISCARD: clear the pending state, unmap the event */
        gic_lpi_set_pending(g, (unsigned)t.target, t.pintid, false);
        return write_entry(g, t.ite_pa, 0);
    }
}

/* MOVI: the event goes to another collection; a pending LPI moves with it. */
static int cmd_movi(struct gic *g, const uint64_t *c)
{
    struct translation t;
    int r = translate(g, (uint32_t)(c[0] >> 32), (uint32_t)c[1], &t);
    if (r)
        return r;
    uint32_t icid = (uint32_t)(c[2] & 0xffff);
    int target;
    uint64_t pa;
    r = get_cte(g, icid, &target, &pa);
    if (r == ERR_STALL)
        return r;
    if (r || target < 0 || (unsigned)target >= g->cfg.num_pes)
        return ERR_UNMAPPED_COLLECTION;
    if (gic_lpi_is_pending(g, (unsigned)t.target, t.pintid) && target != t.target) {
        gic_lpi_set_pending(g, (unsigned)t.target, t.pintid, false);
        gic_lpi_set_pending(g, (unsigned)target, t.pintid, true);
    }
    return write_entry(g, t.ite_pa, 1 | (uint64_t)icid << 16 | (uint64_t)t.pintid << 32);
}

static int cmd_invall(struct gic *g, const uint64_t *c)
{
    int target;
    uint64_t pa;
    int r = get_cte(g, (uint32_t)(c[2] & 0xffff), &target, &pa);
    if (r)
        return r;
    if (target < 0 || (unsigned)target >= g->cfg.num_pes)
        return ERR_UNMAPPED_COLLECTION;
    gic_lpi_invall(g, (unsigned)target);
    return 0;
}

static int cmd_movall(struct gic *g, const uint64_t *c)
{
    int from = rdbase_pe(g, c[2]), to = rdbase_pe(g, c[3]);
    if (from < 0 || to < 0)
        return ERR_DEVICE_OOR;            /* MOVALL's 0x01: a processor number out of range */
    gic_lpi_move_all(g, (unsigned)from, (unsigned)to);
    return 0;
}

static int run_command(struct gic *g, const uint64_t *c)
{
    unsigned cmd = (unsigned)(c[0] & 0xff);
    switch (cmd) {
    case CMD_MAPD:
        return cmd_mapd(g, c);
    case CMD_MAPC:
        return cmd_mapc(g, c);
    case CMD_MAPTI:
        return cmd_mapti(g, c, false);
    case CMD_MAPI:
        return cmd_mapti(g, c, true);
    case CMD_INT:
    case CMD_CLEAR:
    case CMD_DISCARD:
    case CMD_INV:
        return cmd_event(g, c, cmd);
    case CMD_MOVI:
        return cmd_movi(g, c);
    case CMD_INVALL:
        return cmd_invall(g, c);
    case CMD_MOVALL:
        return cmd_movall(g, c);
    case CMD_SYNC:
        /* Everything is done when a command completes: only the RDbase is checked. */
        return rdbase_pe(g, c[2]) < 0 ? ERR_DEVICE_OOR : 0;
    default:
        return ERR_UNKNOWN_COMMAND;       /* GICv4 (VMAPP, VSYNC...) or reserved: ignored */
    }
}

/* Run the commands from GITS_CREADR to GITS_CWRITER (while the ITS is enabled, the queue
 * valid and not stalled). */
static void process_queue(struct gic *g)
{
    struct gic_its *s = &g->its;
    if (!(s->ctlr & GITS_CTLR_ENABLED) || !(s->cbaser & BASER_VALID) || (s->creadr & CREADR_STALLED))
        return;
    uint64_t qsize = ((s->cbaser & 0xff) + 1) * 0x1000, base = s->cbaser & 0x000ffffffffff000ull;
    uint64_t wr = s->cwriter & QUEUE_OFFSET_MASK;
    if (wr >= qsize) {
        s->creadr |= CREADR_STALLED;      /* CWRITER beyond the queue (UNPREDICTABLE): stall */
        return;
    }
    bool any = false;
    while ((s->creadr & QUEUE_OFFSET_MASK) != wr) {
        uint64_t rd = s->creadr & QUEUE_OFFSET_MASK;
        uint64_t c[4];
        int r = phys_read(&g->mem, base + rd, c, sizeof c) != 0 ? ERR_STALL : run_command(g, c);
        unsigned cmd = (unsigned)(c[0] & 0xff);
        g->stats.its_commands++;
        if (r) {
            g->stats.its_errors++;
            gic_event(g, GIC_EV_ITS_CMD, 0, r == ERR_STALL ? 0 : cmd,
                      (int)ERROR_CODE(r == ERR_STALL ? 0 : cmd, r & 0xff), false);
        } else {
            gic_event(g, GIC_EV_ITS_CMD, 0, cmd, 0, false);
        }
        any = true;
        if (r == ERR_STALL) {
            s->creadr = rd | CREADR_STALLED;
            break;
        }
        s->creadr = (rd + 32) % qsize;
    }
    if (any)
        gic_update(g);
}

/* ---- GITS_TRANSLATER --------------------------------------------------------------------- */

/* An MSI: EventID written to GITS_TRANSLATER by the device DeviceID. Errors are ignored
 * (the write completes, nothing becomes pending). */
void gic_its_translate(struct gic *g, uint32_t devid, uint32_t eventid)
{
    if (!g->lpi || !(g->its.ctlr & GITS_CTLR_ENABLED))
        return;
    struct translation t;
    if (translate(g, devid, eventid, &t) == 0) {
        gic_lpi_set_pending(g, (unsigned)t.target, t.pintid, true);
        gic_update(g);
    }
}

/* ---- the registers ----------------------------------------------------------------------- */

static uint64_t baser_reset(unsigned n)
{
    uint64_t type = n == 0 ? BASER_TYPE_DEVICE : n == 1 ? BASER_TYPE_COLLECTION : 0;
    if (!type)
        return 0;
    return type << BASER_TYPE_SHIFT | (uint64_t)(ITS_ENTRY_SIZE - 1) << 48 | 2ull << BASER_PAGE_SHIFT;
}

void gic_its_reset(struct gic *g)
{
    memset(&g->its, 0, sizeof g->its);
    for (unsigned n = 0; n < 8; n++)
        g->its.baser[n] = baser_reset(n);
}

static uint64_t its_read64(struct gic *g, uint64_t off)
{
    struct gic_its *s = &g->its;
    switch (off) {
    case GITS_TYPER:
        return GITS_TYPER_VALUE;
    case GITS_CBASER:
        return s->cbaser;
    case GITS_CWRITER:
        return s->cwriter;
    case GITS_CREADR:
        return s->creadr;
    default:
        if (off >= GITS_BASER && off < GITS_BASER + 64)
            return s->baser[(off - GITS_BASER) / 8];
        return 0;
    }
}

static uint32_t its_read32(struct gic *g, uint64_t off)
{
    if (off >= GITS_IDREGS && off < 0x10000)
        return gic_id_reg(off, GITS_PIDR0);
    switch (off) {
    case GITS_CTLR:
        return (g->its.ctlr & GITS_CTLR_ENABLED) | GITS_CTLR_QUIESCENT;
    case GITS_IIDR:
        return GITS_IIDR_VALUE;
    default:
        return (uint32_t)(its_read64(g, off & ~7ull) >> ((off & 4) ? 32 : 0));
    }
}

/* A write of (part of) a 64-bit register: mask says which bits the access covers. */
static void its_write64(struct gic *g, uint64_t off, uint64_t val, uint64_t mask)
{
    struct gic_its *s = &g->its;
    bool enabled = s->ctlr & GITS_CTLR_ENABLED;
    if (off >= GITS_BASER && off < GITS_BASER + 64) {
        unsigned n = (unsigned)(off - GITS_BASER) / 8;
        /* Unimplemented tables are RAZ/WI; a write while the ITS is enabled is UNPREDICTABLE:
         * ignored (as QEMU). Page_Size 0b11 (reserved) is taken as 64 KiB. */
        if (!(s->baser[n] & BASER_RO) || enabled)
            return;
        uint64_t v = (s->baser[n] & ~mask) | (val & mask);
        if (((v >> BASER_PAGE_SHIFT) & 3) == 3)
            v &= ~(1ull << BASER_PAGE_SHIFT);
        s->baser[n] = (v & ~BASER_RO) | (s->baser[n] & BASER_RO);
        return;
    }
    switch (off) {
    case GITS_CBASER:
        /* Writing it while the ITS is enabled is UNPREDICTABLE: ignored. GITS_CREADR resets. */
        if (enabled)
            return;
        s->cbaser = ((s->cbaser & ~mask) | (val & mask)) & CBASER_MASK;
        s->creadr = 0;
        return;
    case GITS_CWRITER:
        s->cwriter = ((s->cwriter & ~mask) | (val & mask)) & (QUEUE_OFFSET_MASK | CWRITER_RETRY);
        if (!(mask & 1))
            return;                       /* the upper half alone: nothing to process */
        if ((s->cwriter & CWRITER_RETRY) && (s->creadr & CREADR_STALLED))
            s->creadr &= ~CREADR_STALLED;
        s->cwriter &= ~CWRITER_RETRY;
        process_queue(g);
        return;
    default:
        return;                           /* GITS_TYPER, GITS_CREADR (read-only), reserved: WI */
    }
}

static void its_write32(struct gic *g, uint64_t off, uint32_t val)
{
    if (off == GITS_CTLR) {
        bool was = g->its.ctlr & GITS_CTLR_ENABLED;
        g->its.ctlr = val & GITS_CTLR_ENABLED;
        if (!was && (val & GITS_CTLR_ENABLED))
            process_queue(g);
        return;
    }
    its_write64(g, off & ~7ull, (uint64_t)val << ((off & 4) ? 32 : 0), (off & 4) ? ~0ull << 32 : 0xffffffffull);
}

uint64_t gic_its_read(struct gic *g, uint64_t off, unsigned size)
{
    if (!g->lpi)
        return 0;
    if (size == 8 && !(off & 7) && off < 0x10000)
        return its_read64(g, off);
    if (size == 4 && !(off & 3) && off < 0x10000)
        return its_read32(g, off);
    return 0;                             /* the translation frame, other sizes: RAZ */
}

void gic_its_write(struct gic *g, uint64_t off, uint64_t val, unsigned size, uint32_t devid)
{
    if (!g->lpi)
        return;
    if (off == GITS_TRANSLATER && (size == 4 || size == 2)) {
        gic_its_translate(g, devid, (uint32_t)val & (size == 2 ? 0xffffu : 0xffffffffu));
        return;
    }
    if (off >= 0x10000)
        return;
    if (size == 8 && !(off & 7) && off != GITS_CTLR)
        its_write64(g, off, val, ~0ull);
    else if (size == 8 && off == GITS_CTLR)
        its_write32(g, off, (uint32_t)val);
    else if (size == 4 && !(off & 3))
        its_write32(g, off, (uint32_t)val);
}
