/* The SMMUv3's queues (IHI 0070, "Queues"; "Commands"; "Event records"): the
 * command queue, consumed up to CMDQ_PROD when software writes CMDQ_PROD with
 * CR0.CMDQEN set, and the event queue, filled at EVTQ_PROD. A queue of 2^n
 * entries has n index bits and a wrap bit above them: empty when both are
 * equal in PROD and CONS, full when only the wrap bits differ. */
#include "smmu/smmu_internal.h"
#include <string.h>

unsigned smmu_queue_log2(const struct smmu_queue *q)
{
    /* LOG2SIZE above the IDR1 maximum behaves as the maximum (it reads back as written). */
    unsigned l = Q_LOG2SIZE(q->base);
    return l > q->max_log2 ? q->max_log2 : l;
}

static uint32_t wrap_index_mask(const struct smmu_queue *q)
{
    return (2u << smmu_queue_log2(q)) - 1;
}

bool smmu_queue_empty(const struct smmu_queue *q)
{
    return ((q->prod ^ q->cons) & wrap_index_mask(q)) == 0;
}

static bool queue_full(const struct smmu_queue *q)
{
    return ((q->prod ^ q->cons) & wrap_index_mask(q)) == (1u << smmu_queue_log2(q));
}

/* The next index (with the wrap bit), keeping the bits above (CONS.ERR, PROD.OVFLG). */
static uint32_t queue_next(const struct smmu_queue *q, uint32_t v)
{
    uint32_t m = wrap_index_mask(q);
    return (v & ~m) | ((v + 1) & m);
}

static uint64_t queue_slot(const struct smmu_queue *q, uint32_t v)
{
    /* The base is used as written (ADDR[51:5]); a base not aligned to the queue's size
     * is CONSTRAINED UNPREDICTABLE and is not realigned. */
    uint32_t idx = v & ((1u << smmu_queue_log2(q)) - 1);
    return (q->base & Q_ADDR_MASK) + (uint64_t)idx * q->entry_bytes;
}

/* ---- commands ------------------------------------------------------------------------- */

static void invalidate(struct smmu *s, enum tlbi_op op, uint16_t vmid, uint16_t asid, uint64_t va, uint64_t ipa,
                       bool host)
{
    struct tlbi_request r = { .op = op, .vmid = vmid, .asid = asid, .va = va, .ipa = ipa, .host = host };
    tlbi(&s->tlb, &r);
}

/* Executes one command (IHI 0070 "Commands"); returns CERROR_NONE or the
 * CMDQ_CONS.ERR code. Field positions: opcode [7:0]; SSID [31:12]; StreamID
 * [63:32] (CFGI, PREFETCH); VMID [47:32], ASID [63:48] (TLBI); Leaf, Range
 * [4:0] and Address [63:12] / IPA [51:12] in the second doubleword. */
static unsigned execute(struct smmu *s, const uint64_t cmd[2])
{
    unsigned op = cmd[0] & 0xff;
    bool s1p = s->idr[0] & IDR0_S1P, s2p = s->idr[0] & IDR0_S2P, hyp = s->idr[0] & IDR0_HYP;
    uint32_t sid = (uint32_t)(cmd[0] >> 32);
    uint32_t ssid = (uint32_t)(cmd[0] >> 12) & 0xfffff;
    /* The VMID field is used when stage 2 is implemented (it then tags stage-1 entries too). */
    uint16_t vmid = s2p ? (uint16_t)(cmd[0] >> 32) : 0;
    uint16_t asid = (uint16_t)(cmd[0] >> 48);
    bool leaf = cmd[1] & 1;
    /* No range invalidation (IDR3.RIL = 0): NUM, SCALE, TG and TTL are ignored. */
    uint64_t va = cmd[1] & ~0xfffULL;
    uint64_t ipa = cmd[1] & 0x000ffffffffff000ULL;

    switch (op) {
    case SMMU_CMD_PREFETCH_CONFIG:
        smmu_cfg_prefetch(s, sid);
        return CERROR_NONE;
    case SMMU_CMD_PREFETCH_ADDR:
        return CERROR_NONE;       /* a hint: nothing is prefetched into the TLB */
    case SMMU_CMD_CFGI_STE:
        /* Leaf = 0 also covers L1STDs, which are not cached: both act alike. */
        smmu_cfg_invalidate(s, false, sid, sid, true, 0);
        s->stats.cfgi++;
        return CERROR_NONE;
    case SMMU_CMD_CFGI_STE_RANGE: {   /* also CMD_CFGI_ALL (Range = 31) */
        unsigned range = cmd[1] & 0x1f;
        uint32_t lo = 0, hi = UINT32_MAX;
        if (range < 31) {
            uint32_t n = 2u << range;
            lo = sid & ~(n - 1);
            hi = lo + (n - 1);
        }
        smmu_cfg_invalidate(s, false, lo, hi, true, 0);
        s->stats.cfgi++;
        return CERROR_NONE;
    }
    case SMMU_CMD_CFGI_CD:
        smmu_cfg_invalidate(s, true, sid, sid, false, ssid);
        s->stats.cfgi++;
        return CERROR_NONE;
    case SMMU_CMD_CFGI_CD_ALL:
        smmu_cfg_invalidate(s, true, sid, sid, true, 0);
        s->stats.cfgi++;
        return CERROR_NONE;
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
        if (!s1p)
            return CERROR_ILL;
        /* The non-Hyp (NS-EL1) stage-1 entries of VMID. */
        if (op == SMMU_CMD_TLBI_NH_ALL)
            invalidate(s, TLBI_VMALLE1, vmid, 0, 0, 0, false);
        else if (op == SMMU_CMD_TLBI_NH_ASID)
            invalidate(s, TLBI_ASIDE1, vmid, asid, 0, 0, false);
        else if (op == SMMU_CMD_TLBI_NH_VA)
            invalidate(s, leaf ? TLBI_VALE1 : TLBI_VAE1, vmid, asid, va, 0, false);
        else
            invalidate(s, leaf ? TLBI_VAALE1 : TLBI_VAAE1, vmid, 0, va, 0, false);
        s->stats.tlbi++;
        return CERROR_NONE;
    case SMMU_CMD_TLBI_EL2_ALL:
    case SMMU_CMD_TLBI_EL2_ASID:
    case SMMU_CMD_TLBI_EL2_VA:
    case SMMU_CMD_TLBI_EL2_VAA:
        if (!hyp)
            return CERROR_ILL;
        /* The EL2 and EL2-E2H StreamWorlds' entries (TLB_REGIME_EL2, TLB_REGIME_EL20). */
        if (op == SMMU_CMD_TLBI_EL2_ALL) {
            invalidate(s, TLBI_ALLE2, 0, 0, 0, 0, false);
        } else if (op == SMMU_CMD_TLBI_EL2_ASID) {
            invalidate(s, TLBI_ASIDE1, 0, asid, 0, 0, true);       /* EL2&0 entries of ASID */
        } else if (op == SMMU_CMD_TLBI_EL2_VA) {
            invalidate(s, leaf ? TLBI_VALE2 : TLBI_VAE2, 0, asid, va, 0, false);
        } else {
            /* Any ASID: the EL2&0 entries at VA (as VAAE1 in the host regime), and the EL2 ones. */
            invalidate(s, leaf ? TLBI_VAALE1 : TLBI_VAAE1, 0, 0, va, 0, true);
            invalidate(s, leaf ? TLBI_VALE2 : TLBI_VAE2, 0, 0, va, 0, false);
        }
        s->stats.tlbi++;
        return CERROR_NONE;
    case SMMU_CMD_TLBI_S12_VMALL:
        if (!s2p)
            return CERROR_ILL;
        invalidate(s, TLBI_VMALLS12E1, vmid, 0, 0, 0, false);
        s->stats.tlbi++;
        return CERROR_NONE;
    case SMMU_CMD_TLBI_S2_IPA:
        if (!s2p)
            return CERROR_ILL;
        /* Stage-2-only entries for the IPA: combined stage 1+2 entries stay (software
         * follows with CMD_TLBI_S12_VMALL or CMD_TLBI_NH_*). */
        invalidate(s, leaf ? TLBI_IPAS2LE1 : TLBI_IPAS2E1, vmid, 0, 0, ipa, false);
        s->stats.tlbi++;
        return CERROR_NONE;
    case SMMU_CMD_TLBI_NSNH_ALL:
        invalidate(s, TLBI_ALLE1, 0, 0, 0, 0, false);
        s->stats.tlbi++;
        return CERROR_NONE;
    case SMMU_CMD_SYNC: {
        /* Every earlier command has completed when it is consumed (they complete
         * in order, at once). CS: 0b00 SIG_NONE, 0b01 SIG_IRQ (the wired cmdq-sync
         * interrupt: there are no MSIs, so MSIAddr/MSIData are ignored), 0b10
         * SIG_SEV: IDR0.SEV = 0, so there is no event to send; the command acts as
         * SIG_NONE and software sees completion in CMDQ_CONS (Linux uses SIG_SEV
         * without MSIs and polls). 0b11 is reserved: CERROR_ILL. */
        unsigned cs = (unsigned)(cmd[0] >> 12) & 3;
        if (cs == 3)
            return CERROR_ILL;
        s->stats.cmd_syncs++;
        if (cs == 1)
            irq_line_pulse(&s->bus.irq[SMMU_IRQ_CMDQ_SYNC]);
        return CERROR_NONE;
    }
    default:
        /* Unknown opcodes, and those of features not offered (ATC_INV, PRI_RESP,
         * RESUME, STALL_TERM, TLBI_EL3_*, Secure commands). */
        return CERROR_ILL;
    }
}

static void publish_cmd(struct smmu *s, const uint64_t cmd[2])
{
    if (!event_wanted(s->bus.events, EV_SMMU_CMD))
        return;
    struct event ev = { .type = EV_SMMU_CMD };
    smmu_when(s, &ev);
    ev.u.smmu.opcode = cmd[0] & 0xff;
    ev.u.smmu.cmd[0] = cmd[0];
    ev.u.smmu.cmd[1] = cmd[1];
    ev.u.smmu.sid = (uint32_t)(cmd[0] >> 32);
    ev.u.smmu.ssid = DMA_NO_SSID;
    event_publish(s->bus.events, &ev);
}

/* Consumes commands from CMDQ_CONS up to CMDQ_PROD (IHI 0070 "Command queue
 * errors"): a command that cannot be read (external abort: CERROR_ABT) or is
 * illegal (CERROR_ILL) stops consumption with CMDQ_CONS pointing at it, its
 * code in CMDQ_CONS.ERR and GERROR.CMDQ_ERR activated; consumption resumes
 * when software acknowledges through GERRORN. */
void smmu_cmdq_process(struct smmu *s)
{
    struct smmu_queue *q = &s->cmdq;
    if (s->in_cmdq || !(s->cr0 & CR0_CMDQEN) || ((s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR))
        return;
    s->in_cmdq = true;
    while (!smmu_queue_empty(q)) {
        uint8_t raw[16];
        unsigned err;
        uint64_t cmd[2] = { 0, 0 };
        if (phys_read(&s->bus.mem, queue_slot(q, q->cons), raw, sizeof raw) != 0) {
            err = CERROR_ABT;
        } else {
            cmd[0] = smmu_le64(raw);
            cmd[1] = smmu_le64(raw + 8);
            err = execute(s, cmd);
        }
        if (err != CERROR_NONE) {
            q->cons = (q->cons & wrap_index_mask(q)) | (err << CMDQ_CONS_ERR_SHIFT);
            smmu_gerror_raise(s, GERROR_CMDQ_ERR);
            break;
        }
        s->stats.commands++;
        publish_cmd(s, cmd);
        q->cons = queue_next(q, q->cons);
    }
    s->in_cmdq = false;
}

/* ---- event records -------------------------------------------------------------------- */

static bool is_translation_event(unsigned id)
{
    return id == SMMU_EVT_F_WALK_EABT || (id >= SMMU_EVT_F_TRANSLATION && id <= SMMU_EVT_F_PERMISSION);
}

/* The 32-byte record (IHI 0070 "Event records"): doubleword 0: type [7:0], SSV
 * [11], SubstreamID [31:12], StreamID [63:32]; 1: PnU [33], InD [34], RnW
 * [35], S2 [39], CLASS [41:40] (Stall and STAG are 0: no stalls); 2:
 * InputAddr; 3: IPA [51:12] (translation-related faults) or FetchAddr [51:3]. */
static void encode(const struct smmu_evt *e, uint8_t out[32])
{
    bool ssv = e->ssid != DMA_NO_SSID;
    uint64_t d[4] = { 0, 0, 0, 0 };
    d[0] = (e->id & 0xff) | ((uint64_t)ssv << 11) | ((uint64_t)(ssv ? e->ssid & 0xfffff : 0) << 12) |
           ((uint64_t)e->sid << 32);
    if (is_translation_event(e->id)) {
        d[1] = ((uint64_t)e->pnu << 33) | ((uint64_t)e->ind << 34) | ((uint64_t)e->rnw << 35) |
               ((uint64_t)e->s2 << 39) | ((uint64_t)(e->cls & 3) << 40);
        d[2] = e->input_addr;
    }
    if (e->has_fetch)
        d[3] = e->fetch_addr & 0x000ffffffffffff8ULL;
    else if (is_translation_event(e->id) && e->s2)
        d[3] = e->ipa & 0x000ffffffffff000ULL;
    for (int i = 0; i < 4; i++)
        smmu_put_le64(out + 8 * i, d[i]);
}

static bool write_record(struct smmu *s, const struct smmu_evt *e)
{
    struct smmu_queue *q = &s->evtq;
    if (!(s->cr0 & CR0_EVTQEN))
        return false;
    if (queue_full(q)) {
        /* Event queue overflow: the record is lost; OVFLG toggles unless an overflow
         * is already unacknowledged (EVTQ_PROD.OVFLG != EVTQ_CONS.OVACKFLG). */
        if (!((q->prod ^ q->cons) & Q_OVF)) {
            q->prod ^= Q_OVF;
            if (s->irq_ctrl & IRQ_CTRL_EVTQ_IRQEN)
                irq_line_pulse(&s->bus.irq[SMMU_IRQ_EVENTQ]);
        }
        return false;
    }
    uint8_t rec[32];
    encode(e, rec);
    if (phys_write(&s->bus.mem, queue_slot(q, q->prod), rec, sizeof rec) != 0) {
        /* The queue's memory aborts: GERROR.EVTQ_ABT_ERR; the record is lost and the
         * queue stays enabled. */
        smmu_gerror_raise(s, GERROR_EVTQ_ABT_ERR);
        return false;
    }
    q->prod = queue_next(q, q->prod);
    if (s->irq_ctrl & IRQ_CTRL_EVTQ_IRQEN)
        irq_line_pulse(&s->bus.irq[SMMU_IRQ_EVENTQ]);
    return true;
}

void smmu_event(struct smmu *s, const struct smmu_evt *e, bool record)
{
    bool written = false;
    if (record) {
        written = write_record(s, e);
        if (written) {
            s->stats.events_written++;
            struct smmu_sid_stats *st = smmu_sid_stats_for(s, e->sid);
            if (st)
                st->events++;
        } else {
            s->stats.events_lost++;
        }
    }
    if (!event_wanted(s->bus.events, EV_SMMU_EVENT))
        return;
    struct event ev = { .type = EV_SMMU_EVENT };
    smmu_when(s, &ev);
    ev.u.smmu.sid = e->sid;
    ev.u.smmu.ssid = e->ssid;
    ev.u.smmu.iova = e->input_addr;
    ev.u.smmu.ipa = e->s2 ? e->ipa : 0;
    ev.u.smmu.config = e->config;
    ev.u.smmu.vmid = e->vmid;
    ev.u.smmu.asid = e->asid;
    ev.u.smmu.is_write = !e->rnw;
    ev.u.smmu.stage = e->s2 ? 2 : 1;
    ev.u.smmu.addr = e->has_fetch ? e->fetch_addr : 0;
    ev.u.smmu.event_id = e->id;
    ev.u.smmu.recorded = written;
    event_publish(s->bus.events, &ev);
}
