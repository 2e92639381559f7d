// AVSIM-ARGS: --dma-test-device
// AVSIM-ONLY: the DMA test device is avsim's own, and QEMU 7.2's SMMUv3 translates only PCI devices
/* The SMMUv3's circular queues (IHI 0070 3.5 "Command and Event queues",
 * 6.3.26-6.3.30 CMDQ/EVENTQ BASE/PROD/CONS, 7.4 "Event queue overflow", 7.1
 * "Command queue errors", 4.7.3 CMD_SYNC). Both queues have 4 entries
 * (LOG2SIZE 2): PROD and CONS are an index in bits [1:0] and a wrap flag in
 * bit 2, the queue is empty when they are equal, full when only the wrap
 * flags differ.
 *   1. Command queue wrap: 6 rounds of {CMD_CFGI_STE(1), CMD_SYNC} (two
 *      entries each, so the queue wraps every second round) after StreamID
 *      1's STE flipped between bypass and abort: each round's read shows the
 *      new STE (the CFGI after the wrap was executed), PROD == CONS.
 *   2. Event queue wrap: 6 faulting reads (F_TRANSLATION, InputAddr
 *      IOVA + i * 0x1000), each record consumed before the next: the
 *      records come in order through the wrap.
 *   3. A full event queue: 6 faults without consuming: 4 records are
 *      written, the queue is full, the last 2 are lost and EVENTQ_PROD.OVFLG
 *      toggles once (7.4: "the SMMU toggles OVFLG if the overflow condition
 *      is not already present"); one eventq interrupt (the queue went from
 *      empty to non-empty once, 3.18.2); software consumes the 4 records and
 *      acknowledges with EVENTQ_CONS.OVACKFLG = OVFLG; the next fault is
 *      recorded and OVFLG stays.
 *   4. An illegal command (opcode 0x00, reserved) between two valid ones:
 *      the SMMU stops with CMDQ_CONS on it, CMDQ_CONS.ERR = CERROR_ILL (1),
 *      GERROR.CMDQ_ERR != GERRORN.CMDQ_ERR, the gerror interrupt (SPI 77,
 *      INTID 109); software replaces it by a CMD_SYNC (as Linux does) and
 *      acknowledges (GERRORN = GERROR): the queue drains.
 *   5. CMD_PREFETCH_CONFIG / CMD_PREFETCH_ADDR are consumed without error.
 *   6. CMD_SYNC with CS = SIG_IRQ: the cmdq-sync interrupt (SPI 76, INTID 108);
 *      with CS = SIG_NONE none (4.7.3). */
#include "smmu.h"

#define IOVA 0x10000000UL

static struct pt s1;

int main(void)
{
    rt_puts("smmu_queues\n");
    smmu_gic_setup();
    page_fill(DATA_PAGE(0), 0x11);
    pt_init_s1(&s1, 39);           /* nothing mapped: every IOVA faults */
    strtab_linear(4);
    uint64_t cd = sm_alloc(64, 64);
    struct cd c = cd_s1(1, &s1, (uint64_t)s1.root, IPS_40);
    cd_write(cd, &c);
    struct ste s = ste_s1(cd, 0, 0, 0), byp = ste_bypass(), abort = ste_abort();
    ste_write(ste_addr(2), &s);
    smmu_enable(2, 2, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);
    uint64_t v;

    rt_puts("1. command queue wrap (4 entries, 2 per round):\n");
    for (unsigned r = 0; r < 6; r++) {
        ste_write(ste_addr(1), r % 2 ? &abort : &byp);
        cmdq_put(CMD_CFGI_STE | CMD_SID(1), CMD_LEAF);
        cmdq_put(CMD_SYNC, 0);
        uint32_t cons = cmdq_kick();
        uint32_t prod = smmu_r32(SMMU_CMDQ_PROD);
        uint32_t st = dma_read64(1, NO_SSID, DATA_PAGE(0), &v);
        rt_printf("  round %u: STE %s, PROD=0x%x CONS=0x%x, read %s\n", r, r % 2 ? "abort" : "bypass", prod, cons,
                  dt_status_str(st));
        /* 4 entries were used by smmu_enable (CFGI_ALL, SYNC, TLBI_NSNH_ALL, SYNC) */
        check(prod == cons && prod == ((4 + 2 * (r + 1)) & 7), "PROD == CONS, wrapped");
        check(st == (r % 2 ? DT_ST_FAULT | DT_ST_SRC_FAULT : DT_ST_DONE), "the new STE in use");
    }
    EXPECT_NO_IRQ("after CS=SIG_NONE syncs");

    rt_puts("2. event queue wrap (4 entries, each record consumed):\n");
    for (unsigned i = 0; i < 6; i++) {
        dma_read64(2, NO_SSID, IOVA + i * 0x1000, &v);
        uint32_t prod = smmu_r32(SMMU_EVENTQ_PROD);
        rt_printf("  fault %u: EVENTQ_PROD=0x%x\n", i, prod);
        check(prod == ((i + 1) & 7), "EVENTQ_PROD");
        EXPECT_IRQ("eventq", INTID_EVENTQ);
        expect_next_event("record", &(struct evt_expect){ .id = EV_F_TRANSLATION, .sid = 2, .ssid = NO_SSID, .rnw = 1,
                                                           .class = CLASS_IN, .input = IOVA + i * 0x1000 });
        rt_printf("  EVENTQ_CONS=0x%x\n", smmu_r32(SMMU_EVENTQ_CONS));
    }

    rt_puts("3. a full event queue (6 faults, nothing consumed):\n");
    for (unsigned i = 0; i < 6; i++)
        dma_read64(2, NO_SSID, IOVA + 0x10000 + i * 0x1000, &v);
    uint32_t prod = smmu_r32(SMMU_EVENTQ_PROD), cons = smmu_r32(SMMU_EVENTQ_CONS);
    rt_printf("  EVENTQ_PROD=0x%x (OVFLG=%u) EVENTQ_CONS=0x%x (OVACKFLG=%u)\n", prod & 7, prod >> 31, cons & 7, cons >> 31);
    check((prod & 7) == ((cons & 7) ^ 4), "queue full");
    check((prod >> 31) != (cons >> 31), "overflow condition (OVFLG != OVACKFLG)");
    EXPECT_IRQ("eventq", INTID_EVENTQ);
    for (unsigned i = 0; i < 4; i++)
        expect_next_event("record", &(struct evt_expect){ .id = EV_F_TRANSLATION, .sid = 2, .ssid = NO_SSID, .rnw = 1,
                                                           .class = CLASS_IN, .input = IOVA + 0x10000 + i * 0x1000 });
    expect_no_event("then (2 lost)");
    smmu_w32(SMMU_EVENTQ_CONS, (prod & EVTQ_PROD_OVFLG) | evtq.cons);
    cons = smmu_r32(SMMU_EVENTQ_CONS);
    rt_printf("  acknowledged: EVENTQ_CONS=0x%x (OVACKFLG=%u)\n", cons & 7, cons >> 31);
    dma_read64(2, NO_SSID, IOVA + 0x20000, &v);
    prod = smmu_r32(SMMU_EVENTQ_PROD);
    rt_printf("  one more fault: EVENTQ_PROD=0x%x (OVFLG=%u)\n", prod & 7, prod >> 31);
    check((prod >> 31) == (cons >> 31), "no new overflow");
    EXPECT_IRQ("eventq", INTID_EVENTQ);
    expect_next_event("record", &(struct evt_expect){ .id = EV_F_TRANSLATION, .sid = 2, .ssid = NO_SSID, .rnw = 1,
                                                       .class = CLASS_IN, .input = IOVA + 0x20000 });

    rt_puts("4. an illegal command:\n");
    uint32_t bad = Q_INC(&cmdq, cmdq.prod);
    cmdq_put(CMD_CFGI_STE | CMD_SID(1), CMD_LEAF);
    cmdq_put(0x00, 0);                         /* opcode 0x00: reserved */
    cmdq_put(CMD_SYNC, 0);
    cons = cmdq_kick();
    uint32_t gerror = smmu_r32(SMMU_GERROR), gerrorn = smmu_r32(SMMU_GERRORN);
    rt_printf("  CMDQ_CONS: RD=%u wrap=%u ERR=%u; GERROR^GERRORN=0x%x\n", cons & 3, (cons >> 2) & 1, CONS_ERR(cons),
              gerror ^ gerrorn);
    check((cons & 7) == (bad & 7), "CONS on the illegal command");
    check(CONS_ERR(cons) == CERROR_ILL, "CMDQ_CONS.ERR == CERROR_ILL");
    check((gerror ^ gerrorn) == GERROR_CMDQ_ERR, "GERROR.CMDQ_ERR active");
    EXPECT_IRQ("gerror", INTID_GERROR);
    volatile uint64_t *slot = (volatile uint64_t *)(cmdq.base + 16UL * Q_IDX(&cmdq, bad));
    slot[0] = CMD_SYNC;
    slot[1] = 0;
    dsb();
    smmu_w32(SMMU_GERRORN, gerror);
    SPIN_UNTIL((smmu_r32(SMMU_CMDQ_CONS) & 7) == cmdq.prod, 1000000);
    cons = smmu_r32(SMMU_CMDQ_CONS);
    gerror = smmu_r32(SMMU_GERROR);
    gerrorn = smmu_r32(SMMU_GERRORN);
    rt_printf("  replaced by CMD_SYNC and acknowledged: CONS==PROD %u, GERROR^GERRORN=0x%x\n",
              (cons & 7) == cmdq.prod, gerror ^ gerrorn);
    check((cons & 7) == cmdq.prod && gerror == gerrorn, "the queue drained after the acknowledgement");
    cmdq.cons = cons & 7;
    EXPECT_NO_IRQ("then");

    rt_puts("5. CMD_PREFETCH_CONFIG and CMD_PREFETCH_ADDR (hints) are consumed without error:\n");
    cmdq_put(CMD_PREFETCH_CONFIG | CMD_SID(2), 0);
    cmdq_put(CMD_PREFETCH_ADDR | CMD_SID(2), IOVA);
    cmdq_put(CMD_SYNC, 0);
    cons = cmdq_kick();
    rt_printf("  CONS==PROD %u GERROR^GERRORN=0x%x\n", (cons & 7) == cmdq.prod,
              smmu_r32(SMMU_GERROR) ^ smmu_r32(SMMU_GERRORN));
    check((cons & 7) == cmdq.prod && smmu_r32(SMMU_GERROR) == smmu_r32(SMMU_GERRORN), "prefetches");

    rt_puts("6. CMD_SYNC completion signal:\n");
    cmdq_put(CMD_SYNC | CMD_SYNC_CS_IRQ, 0);
    cmdq_kick();
    EXPECT_IRQ("CS=SIG_IRQ", INTID_CMD_SYNC);
    cmdq_put(CMD_SYNC | CMD_SYNC_CS_NONE, 0);
    cmdq_kick();
    EXPECT_NO_IRQ("CS=SIG_NONE");
    smmu_test_end();
}
