// GUEST-DISK: 1048576
// AVSIM-ONLY: QEMU 7.2's SMMUv3 translates only PCI devices and has no stage 2: the virtio-mmio device's DMA cannot be confined there
/* Example 11: device passthrough, and the SMMU that makes it safe.
 *
 * What it shows (course topic: I/O virtualization, the third way after
 * emulation (example 09) and paravirtualization (example 10)):
 *  - the hypervisor ASSIGNS a real device to its guest: avsim's virtio-blk
 *    (virtio-mmio transport 31 at 0x0a003e00, StreamID 31, SPI 47 = INTID 79).
 *    Its register page is mapped into the guest's stage 2 as Device memory, so
 *    the guest's own driver (tests/guest/virtio_blk_front.h) programs the
 *    device directly: no exit for a register access;
 *  - the guest's driver hands the device guest addresses (IPAs): it does not
 *    know where its memory really is. The SMMUv3 translates the device's DMA
 *    with the guest's OWN stage 2 tables: the STE of StreamID 31 is
 *    stage-2-only (Config = S2) with S2TTB = VTTBR_EL2's table, S2VMID =
 *    VTTBR_EL2's VMID, and the S2T0SZ/S2SL0/S2TG/S2PS fields copied from
 *    VTCR_EL2. CPU and device see the same guest-physical address space, and
 *    no DMA needs the hypervisor;
 *  - the device's interrupt is taken at EL2 (HCR_EL2.IMO) and forwarded
 *    through a list register with HW = 1 (example 02), so the guest's EOI
 *    deactivates the physical interrupt: the one exit left per request;
 *  - isolation (why the SMMU exists): the guest asks the device to read a
 *    disk block into an IPA outside its stage 2, which untranslated would be
 *    the memory of another VM. The SMMU refuses it (a stage 2 F_TRANSLATION
 *    in its event queue), the memory is untouched, the device stops in
 *    DEVICE_NEEDS_RESET. With the STE switched to bypass, the same request
 *    overwrites the other VM's memory.
 *
 * Memory (physical addresses; the image and the MMIO are identity-mapped):
 *   0x40000000  the image (hypervisor and guest code, the guest's virtqueue)
 *   0x40400000  the SMMU's stream table and queues (smmu.h's allocator)
 *   0x40600000  the guest's I/O buffers, at IPA 0x80000000 (IPA != PA)
 *   0x40800000  "VM 2's RAM": not in this guest's stage 2
 * Every run prints the same; the program's exit status is 0 only if the
 * workload's checksum matched and isolation held. */
#define SMMU_OWN_EL2_HANDLER     /* this hypervisor's el2_handler is below */
#include "smmu.h"                /* SMMUv3 helpers; brings gic.h and pagetable.h */
#include "virtio_blk_front.h"    /* the guest's virtio-blk driver */
#include "blk_workload.h"        /* 1 MiB in 4 KiB requests, FNV-1a */

/* ---- The machine and the guest's address space ---- */
#define DEV_SID        31u                       /* the transport's StreamID at the SMMU */
#define DEV_INTID      VBLK_DISK_INTID           /* SPI 47 = INTID 79 */
#define DEV_PAGE       (VBLK_DISK_BASE & ~(PAGE_SIZE - 1))
#define GUEST_RAM_IPA  0x80000000UL              /* the guest's I/O buffers: IPA ... */
#define GUEST_RAM_PA   RAM_FREE1                 /* ... backed by PA 0x40600000 */
#define OTHER_VM_PA    RAM_FREE2                 /* another VM's RAM (PA 0x40800000) */
#define BAD_IPA        OTHER_VM_PA               /* what the guest asks the device to write */
#define POLLED_REQUESTS 16u

/* virtio-mmio InterruptStatus bits (virtio 1.1, 4.2.2) and the available
 * ring's flag that asks the device not to interrupt (2.6.7). */
#define VB_INT_VRING  1u
#define VB_INT_CONFIG 2u
#define VB_AVAIL_F_NO_INTERRUPT 1u

static struct pt s2;          /* the guest's stage 2: the CPU's and the device's */

/* FNV-1a of one page (blk_workload.h's hash): "is this memory unchanged?" */
static uint64_t page_fnv(uint64_t pa)
{
    return blk_wl_fnv(BLK_WL_FNV_INIT, (const void *)pa, PAGE_SIZE);
}

/* ======================================================================
 * The guest (EL1, its stage 1 off: its addresses are IPAs)
 * ====================================================================== */

static struct vblk blk;       /* driver state and virtqueue (in the image: IPA == PA) */
static volatile unsigned g_completions, g_config_changes, g_irqs;
static volatile int g_last_status;

/* The guest's interrupt handler, as on bare metal: acknowledge the interrupt
 * (ICC_IAR1_EL1, which HCR_EL2.IMO turns into ICV_IAR1_EL1), find out why the
 * device interrupted (InterruptStatus, acknowledged so the device lowers its
 * line), take the used ring's new entry, then EOI. With the list register's
 * HW bit the EOI (ICV_EOIR1_EL1) also deactivates physical INTID 79, so the
 * next interrupt from the device can be signalled. */
void el1_handler(struct rt_frame *f, int vector)
{
    (void)f;
    if (vector != RT_VEC_CUR_SPX + RT_IRQ) {
        rt_printf("guest: unexpected exception (vector %d)\n", vector);
        rt_exit(1);
    }
    unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
    if (intid >= 1020)
        return;                                   /* spurious: nothing to EOI */
    if (intid == DEV_INTID) {
        uint32_t why = vblk_ack(&blk);
        if (why & VB_INT_VRING) {
            int st = vblk_take_used(&blk);
            if (st >= 0) {
                g_last_status = st;
                g_completions++;
            }
        }
        if (why & VB_INT_CONFIG)                  /* a configuration change: here, DEVICE_NEEDS_RESET */
            g_config_changes++;
        g_irqs++;
    }
    GIC_WR(ICC_EOIR1_EL1, intid);
    ISB();
}

/* One request, completed by interrupt: submit it (the notification is a
 * store to the real device's QueueNotify, no exit), then sleep in WFI until
 * the handler has seen the used ring move. Returns the request's status, or
 * -1 if the device gave up instead (a configuration change interrupt). */
static int request(bool write, uint64_t sector, void *buf)
{
    unsigned want = g_completions + 1;
    vblk_submit(&blk, write, sector, buf, BLK_WL_REQ);
    WFI_UNTIL(g_completions == want || g_config_changes);
    return g_completions == want ? g_last_status : -1;
}

/* Phase 1: the shared workload (tests/guest/blk_workload.h). */
static uint64_t guest_workload(uint64_t arg)
{
    (void)arg;
    int r = vblk_init(&blk, VBLK_DISK_BASE, 0);   /* dma_offset 0: the device gets IPAs */
    if (r) {
        rt_printf("guest: virtio-blk initialisation failed (%d)\n", r);
        return 1;
    }
    rt_printf("guest: my virtio-blk at IPA 0x%08lx: %lu sectors; buffers at IPA 0x%lx\n",
              (uint64_t)VBLK_DISK_BASE, blk.capacity, GUEST_RAM_IPA);
    uint64_t *buf = (uint64_t *)GUEST_RAM_IPA;
    uint64_t h_written = BLK_WL_FNV_INIT, h_read = BLK_WL_FNV_INIT;
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        blk_wl_fill(buf, i);
        h_written = blk_wl_fnv(h_written, buf, BLK_WL_REQ);
        if (request(true, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), buf) != VB_STATUS_OK)
            return 1;
    }
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        for (unsigned w = 0; w < BLK_WL_REQ / 8; w++)
            buf[w] = 0;
        if (request(false, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), buf) != VB_STATUS_OK)
            return 1;
        h_read = blk_wl_fnv(h_read, buf, BLK_WL_REQ);
    }
    rt_printf("guest: %u requests of %u KiB (1 MiB written, read back): checksum written 0x%016lx, "
              "read 0x%016lx: %s\n", 2 * BLK_WL_REQUESTS, BLK_WL_REQ / 1024, h_written, h_read,
              h_written == h_read ? "OK" : "MISMATCH");
    rt_printf("guest: %u interrupts handled, %u notifications sent\n", g_irqs, blk.notifies);
    return h_written == h_read ? 0 : 1;
}

/* Phase 2: the same reads, polled, with the device asked not to interrupt
 * (VIRTQ_AVAIL_F_NO_INTERRUPT): no exit at all, the CPU spins instead. */
static uint64_t guest_polled(uint64_t arg)
{
    (void)arg;
    uint64_t *buf = (uint64_t *)GUEST_RAM_IPA;
    unsigned irqs = g_irqs;
    blk.avail.flags = VB_AVAIL_F_NO_INTERRUPT;
    for (unsigned i = 0; i < POLLED_REQUESTS; i++)
        if (vblk_rw(&blk, false, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), buf, BLK_WL_REQ) != VB_STATUS_OK)
            return 1;
    blk.avail.flags = 0;
    rt_printf("guest: %u reads polled to completion, %u interrupts\n", POLLED_REQUESTS, g_irqs - irqs);
    return g_irqs == irqs ? 0 : 1;
}

/* Phase 3 (and 4): a read of sector 0 into an IPA this guest does not own.
 * The guest itself cannot touch that IPA (its own load or store would be a
 * stage 2 fault taken to the hypervisor); it tries to make the device do it.
 * Returns the device's Status register afterwards (bit 31 set if the request
 * completed, with its status in bits 8-15). */
static uint64_t guest_dma_attack(uint64_t again)
{
    if (again) {
        /* The device stopped in DEVICE_NEEDS_RESET: the driver resets it
         * (Status = 0, inside vblk_init) and initialises it again (virtio
         * 1.1, 2.1.1: the driver's way out of DEVICE_NEEDS_RESET). */
        int r = vblk_init(&blk, VBLK_DISK_BASE, 0);
        rt_printf("guest: device reset and initialised again: %s\n", r ? "failed" : "ok");
        if (r)
            return 0;
    }
    g_config_changes = 0;
    rt_printf("guest: read request: sector 0 (4 KiB) into IPA 0x%lx (not mine)\n", BAD_IPA);
    int st = request(false, 0, (void *)BAD_IPA);
    uint32_t status = vb_rd(&blk, VB_STATUS);
    if (st < 0)
        rt_printf("guest: no completion; interrupt: configuration change; device Status = 0x%02x%s\n", status,
                  status & VB_S_NEEDS_RESET ? " (DEVICE_NEEDS_RESET)" : "");
    else
        rt_printf("guest: request completed, status %d (%s); device Status = 0x%02x\n", st,
                  st == VB_STATUS_OK ? "OK" : "error", status);
    return status | (st >= 0 ? 1UL << 31 | (uint64_t)(st & 0xff) << 8 : 0);
}

/* ======================================================================
 * The hypervisor (EL2, MMU off: its addresses are PAs)
 * ====================================================================== */

static unsigned exits, forwarded, evtq_irqs;
#define EVLOG 4
static struct evt evlog[EVLOG];
static unsigned n_events;

/* The device's interrupt: inject it into the guest through ICH_LR0_EL2 with
 * HW = 1 and pINTID = 79. The physical interrupt stays active until the
 * guest's EOI, so it cannot fire again before the guest has handled this
 * one, and LR0 is always free here. */
static void forward_device_irq(void)
{
    if (!(GIC_RD(ICH_ELRSR_EL2) & 1)) {
        rt_printf("hypervisor: list register 0 still in use\n");
        failures++;
        return;
    }
    ich_lr_write(0, LR_STATE_PENDING | LR_HW | LR_GROUP1 | LR_PRIO(0xa0) | LR_PINTID(DEV_INTID) |
                        LR_VINTID(DEV_INTID));
    forwarded++;
}

/* The SMMU's event queue interrupt (SPI 74, INTID 106): drain the queue. */
static void drain_event_queue(void)
{
    struct evt e;
    unsigned n = 0;
    while (evtq_pop(&e)) {
        if (n_events < EVLOG)
            evlog[n_events] = e;
        n_events++;
        n++;
    }
    evtq_irqs++;
    rt_printf("hypervisor: SMMU event queue interrupt (INTID %u): %u record%s\n", INTID_EVENTQ, n,
              n == 1 ? "" : "s");
}

/* Every exit from the guest arrives here. Only interrupts are expected: the
 * guest's register accesses and its device's DMA need no hypervisor. */
void el2_handler(struct rt_frame *f, int vector)
{
    (void)f;
    exits++;
    if (vector != RT_VEC_LOWER64 + RT_IRQ) {
        uint64_t esr = READ_SYSREG(esr_el2);
        rt_printf("hypervisor: unexpected exit (vector %d, EC 0x%x)\n", vector, (unsigned)ESR_EC(esr));
        rt_exit(1);
    }
    /* EOImode = 1: EOIR only drops the priority; deactivation is the guest's
     * EOI (HW = 1) for INTID 79, and ICC_DIR_EL1 for the hypervisor's own. */
    for (;;) {
        unsigned intid = (unsigned)GIC_RD(ICC_IAR1_EL1) & 0xffffff;
        if (intid >= 1020)
            break;
        GIC_WR(ICC_EOIR1_EL1, intid);
        if (intid == DEV_INTID) {
            forward_device_irq();
            continue;
        }
        if (intid == INTID_EVENTQ)
            drain_event_queue();
        else {
            rt_printf("hypervisor: unexpected interrupt %u (SMMU GERROR 0x%x)\n", intid, smmu_r32(SMMU_GERROR));
            failures++;
        }
        GIC_WR(ICC_DIR_EL1, intid);
    }
    ISB();
}

/* The STE that assigns the device to the guest (IHI 0070, 5.2): stage 2
 * only, built from the guest's own VTTBR_EL2 and VTCR_EL2. The STE's stage 2
 * fields were laid out after VTCR_EL2: dword 2 bits [50:32] (S2T0SZ, S2SL0,
 * S2IR0, S2OR0, S2SH0, S2TG, S2PS) are VTCR_EL2 bits [18:0] (T0SZ, SL0,
 * IRGN0, ORGN0, SH0, TG0, PS). */
static struct ste ste_for_guest(void)
{
    uint64_t vttbr = READ_SYSREG(vttbr_el2), vtcr = READ_SYSREG(vtcr_el2);
    struct ste s = { { 0 } };
    s.w[0] = STE_V | STE_CONFIG(CFG_S2);
    s.w[1] = STE1_SHCFG_INCOMING;
    s.w[2] = STE2_S2VMID(vttbr >> 48 & 0xff)          /* VTTBR_EL2.VMID (8 bits: VTCR_EL2.VS = 0) */
           | (vtcr & 0x7ffffUL) << 32                 /* T0SZ .. PS */
           | STE2_S2AA64                              /* AArch64 tables */
           | STE2_S2R;                                /* record faults in the event queue */
    s.w[3] = STE3_S2TTB(vttbr & 0x0000fffffffffffeUL); /* VTTBR_EL2.BADDR */
    return s;
}

/* Install STE 31 and tell the SMMU (CMD_CFGI_STE, then CMD_SYNC to wait
 * for it: the SMMU may have cached the old STE). The STE is written in place
 * (dwords 1-7, then dword 0): safe here because the device is idle whenever
 * the hypervisor runs (its DMA happens inside the guest's QueueNotify
 * store). With DMA in flight, IHI 0070's configuration update procedure
 * asks for V = 0 first (CMD_CFGI_STE, CMD_SYNC), then the new contents. */
static void set_ste(const struct ste *s)
{
    ste_write(ste_addr(DEV_SID), s);
    cmd_cfgi_ste(DEV_SID);
}

static void gic_setup(void)
{
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);
    GIC_WR(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);         /* EOI = priority drop only */
    /* The SMMU's event queue interrupt has the higher priority: when a DMA
     * fault and the device's own interrupt arrive together, the hypervisor
     * reads the event before it forwards the device's interrupt. */
    gic_irq_setup(DEV_INTID, 0xa0, 0, 1);            /* virtio: level-sensitive */
    gic_irq_setup(INTID_EVENTQ, 0x80, 1, 1);         /* SMMU event queue: edge (a pulse) */
    gic_irq_setup(INTID_GERROR, 0x80, 1, 1);         /* SMMU global errors: edge */
    GIC_WR(ICH_VMCR_EL2, ICH_VMCR_VPMR(0xff) | ICH_VMCR_VENG1);
    GIC_WR(ICH_HCR_EL2, ICH_HCR_EN);
    ISB();
}

/* Run one phase of the guest; report the exits it cost. */
static uint64_t run_phase(uint64_t (*fn)(uint64_t), uint64_t arg, unsigned *n_exits)
{
    unsigned before = exits;
    uint64_t r = rt_run_el1(fn, HCR_VM | HCR_IMO, arg);
    *n_exits = exits - before;
    return r;
}

static void per_request(const char *what, unsigned n_exits, unsigned requests)
{
    unsigned hundredths = n_exits * 100 / requests;
    rt_printf("hypervisor: %s: %u exits to EL2 for %u requests = %u.%02u per request\n", what, n_exits,
              requests, hundredths / 100, hundredths % 100);
}

int main(void)
{
    rt_printf("hypervisor: assigning virtio-blk (transport 31, StreamID %u, INTID %u) to a guest\n", DEV_SID,
              DEV_INTID);

    /* 1. The guest's stage 2: the image (identity), its buffers (IPA !=
     *    PA), and the device's register page as Device memory, no execute. */
    pt_init_s2(&s2, 40, 1);
    s2_map_image(&s2, 2);
    pt_map(&s2, GUEST_RAM_IPA, GUEST_RAM_PA, 2, S2_RAM);
    pt_map(&s2, DEV_PAGE, DEV_PAGE, 3, S2_MEMATTR(S2_DEVICE_nGnRE) | S2AP_RW | PTE_AF | S2_XN);
    s2_setup(&s2);                                   /* VTCR_EL2, VTTBR_EL2 (VMID 1) */
    rt_printf("hypervisor: stage 2: image IPA == PA, buffers IPA 0x%lx -> PA 0x%lx,\n"
              "  device registers IPA 0x%08lx -> PA 0x%08lx (Device-nGnRE, one 4 KiB page)\n", GUEST_RAM_IPA,
              GUEST_RAM_PA, DEV_PAGE, DEV_PAGE);

    /* 2. Another VM's memory, which this guest must never reach. */
    for (uint64_t o = 0; o < PAGE_SIZE; o += 8)
        *(volatile uint64_t *)(OTHER_VM_PA + o) = 0x5a5a5a5a00000000UL | o;
    uint64_t other_vm_fnv = page_fnv(OTHER_VM_PA);
    rt_printf("hypervisor: VM 2's page at PA 0x%lx: checksum 0x%016lx\n", OTHER_VM_PA, other_vm_fnv);

    /* 3. The SMMU: a linear stream table of 32 STEs, all invalid (every
     *    stream's DMA aborts), command and event queues, the event queue's
     *    interrupt, SMMUEN. Then the assignment: STE 31 = the guest's stage 2. */
    strtab_linear(5);
    smmu_enable(4, 4, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR, CR2_RECINVSID, 1);
    struct ste ste = ste_for_guest();
    set_ste(&ste);
    uint64_t vttbr = READ_SYSREG(vttbr_el2), vtcr = READ_SYSREG(vtcr_el2);
    rt_printf("hypervisor: SMMU on; STE %u: Config=S2 S2VMID=%lu S2T0SZ=%lu S2SL0=%lu S2TG=%lu (4 KiB) S2PS=%lu (40 bits),\n"
              "  S2TTB %s VTTBR_EL2.BADDR: the guest's own stage 2\n", DEV_SID, ste.w[2] & 0xffff, ste.w[2] >> 32 & 0x3f,
              ste.w[2] >> 38 & 3, ste.w[2] >> 46 & 3, ste.w[2] >> 48 & 7,
              ste.w[3] == (vttbr & 0x0000fffffffffffeUL) ? "==" : "!=");
    check((ste.w[2] & 0xffff) == (vttbr >> 48) && (ste.w[2] >> 32 & 0x7ffff) == (vtcr & 0x7ffff),
          "the STE's stage 2 is the CPU's");

    gic_setup();

    /* 4. The workload, interrupt-driven. */
    unsigned n;
    uint64_t r = run_phase(guest_workload, 0, &n);
    check(r == 0, "the workload's checksum");
    check(n == forwarded && n == 2 * BLK_WL_REQUESTS, "one exit per request, the interrupt");
    per_request("workload", n, 2 * BLK_WL_REQUESTS);
    rt_printf("hypervisor: all %u were interrupt %u, forwarded with HW = 1; register accesses and DMA: 0\n",
              forwarded, DEV_INTID);
    /* The device wrote the last block read where the guest's IPA lives: PA 0x40600000. */
    static uint64_t expect[BLK_WL_REQ / 8];
    blk_wl_fill(expect, BLK_WL_REQUESTS - 1);
    int landed = page_fnv(GUEST_RAM_PA) == blk_wl_fnv(BLK_WL_FNV_INIT, expect, BLK_WL_REQ);
    rt_printf("hypervisor: PA 0x%lx holds the last block read (the device wrote IPA 0x%lx): %s\n",
              GUEST_RAM_PA, GUEST_RAM_IPA, landed ? "yes" : "NO");
    check(landed, "DMA to an IPA lands at its PA");

    /* 5. Polling instead of interrupts: no exit at all. */
    r = run_phase(guest_polled, 0, &n);
    check(r == 0 && n == 0, "polled requests cost no exit");
    per_request("polled reads", n, POLLED_REQUESTS);

    /* 6. Isolation: DMA to an IPA outside the guest's stage 2. */
    rt_printf("\nhypervisor: isolation, SMMU translating\n");
    unsigned forwarded_before = forwarded;
    uint64_t st = run_phase(guest_dma_attack, 0, &n);
    rt_printf("hypervisor: %u exit%s: device interrupt forwarded %u, SMMU event queue interrupt %u\n", n,
              n == 1 ? "" : "s", forwarded - forwarded_before, evtq_irqs);
    check(n_events == 1, "one event record");
    if (n_events) {
        expect_event("record", &evlog[0],
                     &(struct evt_expect){ .id = EV_F_TRANSLATION, .sid = DEV_SID, .ssid = NO_SSID, .rnw = 0,
                                           .s2 = 1, .class = CLASS_IN, .input = BAD_IPA, .ipa = BAD_IPA });
        rt_printf("hypervisor: = StreamID %u wrote (RnW=0) to IPA 0x%lx, not in its stage 2: refused\n",
                  EVT_SID(&evlog[0]), EVT_IPA(&evlog[0]));
    }
    check(!(st >> 31) && (st & VB_S_NEEDS_RESET), "the request failed, the device needs a reset");
    uint64_t h = page_fnv(OTHER_VM_PA);
    rt_printf("hypervisor: VM 2's page: checksum 0x%016lx: %s\n", h, h == other_vm_fnv ? "untouched" : "CHANGED");
    check(h == other_vm_fnv, "isolation: VM 2's memory untouched");

    /* 7. The same with the SMMU out of the way: STE 31 in bypass. */
    rt_printf("\nhypervisor: STE %u switched to bypass (Config=bypass, CMD_CFGI_STE, CMD_SYNC)\n", DEV_SID);
    struct ste bypass = ste_bypass();
    set_ste(&bypass);
    unsigned events_before = n_events;
    forwarded_before = forwarded;
    st = run_phase(guest_dma_attack, 1, &n);
    rt_printf("hypervisor: %u exit%s: device interrupt forwarded %u, SMMU events %u\n", n, n == 1 ? "" : "s",
              forwarded - forwarded_before, n_events - events_before);
    check((st >> 31) && (st >> 8 & 0xff) == VB_STATUS_OK && n_events == events_before,
          "untranslated, the request completes");
    h = page_fnv(OTHER_VM_PA);
    blk_wl_fill(expect, 0);
    int overwritten = h == blk_wl_fnv(BLK_WL_FNV_INIT, expect, BLK_WL_REQ);
    rt_printf("hypervisor: VM 2's page: checksum 0x%016lx: %s\n", h,
              overwritten ? "CHANGED: it now holds the guest's disk sector 0" : "unchanged");
    check(overwritten, "without translation the DMA reaches VM 2");

    rt_printf("\nhypervisor: %s\n", failures ? "FAILED" : "isolation held with the SMMU, and only with it");
    return failures ? 1 : 0;
}
