/* Example 09: an emulated block device (legacy I/O emulation, programmed I/O).
 *
 * What it shows (course topic: I/O virtualization, full device emulation):
 *  - the guest has a disk, "vDISK", that exists only as a program in the
 *    hypervisor: a small register interface in the style of an IDE/ATA disk's
 *    PIO interface (choose a sector and a count, issue a command, poll the
 *    status, then move every word of the data through one DATA register);
 *  - the hypervisor leaves the vDISK's window (IPA 0x0b000000) unmapped in
 *    stage 2, so EVERY access the guest's driver makes there is a stage-2 data
 *    abort: an exit to EL2 (ESR_EL2.EC = 0x24);
 *  - the hypervisor decodes each exit (which register: HPFAR_EL2 + FAR_EL2;
 *    which access: the ISS's ISV, SAS, SRT, WnR), emulates it on the disk image
 *    it keeps in its own memory (PA 0x40400000, 1 MiB, not mapped in the
 *    guest's stage 2), and returns (ELR_EL2 += 4);
 *  - the guest runs the issue-17 block workload (tests/guest/blk_workload.h:
 *    1 MiB written in 4 KiB requests, read back, checksums compared) through
 *    its driver, and the hypervisor counts the exits: 517 per 4 KiB request,
 *    512 of them for the data (one per 8-byte word). That is why emulating a
 *    legacy device is slow, and why paravirtual devices (example 10) exist.
 *
 * Completion is polled (the guest reads STATUS), not signalled by an injected
 * interrupt: the hypervisor finishes each command within the exit that issues
 * it, so the first poll already sees the result, and every exit counted is an
 * access of the driver's (no interrupt exits, no EOIs to count besides).
 *
 * Where the vDISK is: IPA 0x0b000000 lies in the hole between the last
 * virtio-mmio transport (0x0a000000 + 32 * 0x200 = 0x0a004000) and the
 * platform-bus window at 0x0c000000 (where avsim puts its DMA test device with
 * --dma-test-device, and QEMU its dynamic sysbus devices). Neither avsim's
 * board (sim/memmap.h) nor QEMU 7.2's virt board has anything there whatever
 * their options: if a hypervisor bug ever mapped the window 1:1 in stage 2,
 * the guest would reach no real device (it would take an external abort). */
#include "pagetable.h"      /* stage-2 helpers: pt_init_s2, pt_map, s2_setup; HPFAR_IPA, ISS_ISV */
#include "blk_workload.h"   /* the workload: BLK_WL_*, blk_wl_fill, blk_wl_fnv */

/* ---- The guest-physical memory map (what the guest sees) ---- */
#define VDISK_IPA   0x0b000000UL   /* the vDISK's registers: NOT mapped in stage 2 */
#define DISK_PA     RAM_FREE0      /* the disk image: hypervisor memory, PA 0x40400000 */

/* ---- The vDISK's registers (offsets from VDISK_IPA) ---- */
#define VD_ID       0x00   /* read,  64 bit: "vDISK-01" in ASCII, first byte low        */
#define VD_CAPACITY 0x08   /* read,  64 bit: the disk's size in 512-byte sectors        */
#define VD_SECTOR   0x10   /* r/w,   64 bit: the first sector of the next command       */
#define VD_COUNT    0x18   /* r/w,   32 bit: sectors in the next command (1-256)        */
#define VD_COMMAND  0x20   /* write, 32 bit: CMD_READ or CMD_WRITE starts a transfer    */
#define VD_STATUS   0x28   /* read,  32 bit: ST_* below                                 */
#define VD_DATA     0x30   /* r/w, 64 or 32 bit: the next word of the transfer (PIO)    */
#define VD_SIZE     0x38
#define VD_NREGS    (VD_SIZE / 8)
#define VD_ID_VALUE 0x31302d4b53494476UL

#define CMD_READ  1u
#define CMD_WRITE 2u
#define ST_READY  (1u << 0)   /* the device accepts commands (ATA's DRDY)                 */
#define ST_DRQ    (1u << 1)   /* data requested: the transfer waits for DATA accesses     */
#define ST_ERR    (1u << 2)   /* the last command failed (bad sector range, count, ...)   */
#define ST_BUSY   (1u << 7)   /* working, poll again (never set: see vdisk_command())     */

#define SECTOR_SIZE 512u
#define DISK_BYTES  BLK_WL_BYTES                  /* 1 MiB: exactly the workload */
#define DISK_SECTORS (DISK_BYTES / SECTOR_SIZE)   /* 2048 */
#define MAX_COUNT   256u                          /* ATA's limit per command: 128 KiB */

/* ---- The hypervisor (EL2): the device model ---- */

/* The vDISK's state: its registers and the transfer in progress. One instance,
 * as there is one guest; a hypervisor with several would keep one per VM. */
struct vdisk {
    volatile uint32_t *image;   /* the disk's contents, DISK_BYTES at DISK_PA */
    uint64_t sector;            /* SECTOR */
    uint32_t count;             /* COUNT */
    uint32_t status;            /* STATUS */
    uint32_t command;           /* the command in progress (CMD_*), 0 when none */
    uint32_t last_command;      /* the last one accepted (for the hypervisor's books) */
    uint64_t pos, left;         /* the transfer: next byte of the image, bytes to go */
};

/* The hypervisor's books: what the exits cost. A request runs from the
 * driver's SECTOR write to the first STATUS read after its COMMAND that shows
 * the command over (no DRQ); its exits are kept per command. */
struct exit_stats {
    unsigned total, reads, writes;
    unsigned by_reg[VD_NREGS], other;    /* per register; other = between the registers */
    int in_request, commanded;           /* SECTOR seen; COMMAND seen */
    unsigned req_exits;                  /* exits of the request being made ... */
    unsigned req_by_reg[VD_NREGS];       /* ... by register */
    unsigned last_by_reg[VD_NREGS];      /* those of the last completed request */
    uint64_t data_bytes;                 /* bytes moved through DATA */
    unsigned requests[3];                /* completed requests, by command (CMD_READ/WRITE) */
    unsigned req_min[3], req_max[3];     /* their exits */
    unsigned failed, failed_exits;       /* requests that ended with ERR */
    unsigned decoded;                    /* bit (register * 2 + WnR): first exit printed */
};

/* The hypervisor runs one VM: its device and its books. (The runtime's
 * el2_handler has no argument to hand it an instance; a hypervisor with
 * several VMs would find the running VM's from a per-PE pointer.) */
static struct vdisk disk;
static struct exit_stats st;

static const char *const reg_names[VD_NREGS] = {
    "ID", "CAPACITY", "SECTOR", "COUNT", "COMMAND", "STATUS", "DATA",
};

static const char *reg_name(uint64_t off)
{
    return (off & 7) == 0 && off < VD_SIZE ? reg_names[off / 8] : "(no register)";
}

/* The disk image is hypervisor memory, accessed with EL2's MMU off (Device
 * memory: accesses must be aligned). Transfers advance by 4 or 8 bytes from a
 * sector boundary, so every 32-bit word is aligned; an 8-byte DATA access is
 * two of them (it may follow an odd number of 4-byte ones). */
static uint64_t image_read(const struct vdisk *d, uint64_t pos, unsigned size)
{
    uint64_t v = d->image[pos / 4];
    if (size == 8)
        v |= (uint64_t)d->image[pos / 4 + 1] << 32;
    return v;
}

static void image_write(struct vdisk *d, uint64_t pos, unsigned size, uint64_t v)
{
    d->image[pos / 4] = (uint32_t)v;
    if (size == 8)
        d->image[pos / 4 + 1] = (uint32_t)(v >> 32);
}

static void vdisk_reset(struct vdisk *d)
{
    d->image = (volatile uint32_t *)DISK_PA;
    for (unsigned i = 0; i < DISK_BYTES / 4; i++)   /* a fresh, zeroed disk */
        d->image[i] = 0;
    d->sector = 0;
    d->count = 0;
    d->status = ST_READY;
    d->command = d->last_command = 0;
    d->pos = d->left = 0;
}

/* A write to COMMAND. The range is checked here, once, against the image's
 * size: SECTOR and COUNT are the guest's, and an emulator that trusted them
 * would read or write its own memory past the image (unchecked guest-controlled
 * indexes are how guests escape: "VENOM", CVE-2015-3456, was a FIFO index in
 * QEMU's floppy controller that guest commands could push past its buffer).
 * A valid command is carried out at once: the image is in memory, so there is
 * nothing to wait for, and BUSY is never set. */
static void vdisk_command(struct vdisk *d, uint32_t cmd)
{
    if (d->command) {                 /* a command during a transfer: refused (our choice) */
        d->status |= ST_ERR;
        return;
    }
    d->status = ST_READY;
    if ((cmd != CMD_READ && cmd != CMD_WRITE) || d->count == 0 || d->count > MAX_COUNT ||
        d->sector >= DISK_SECTORS || d->count > DISK_SECTORS - d->sector) {
        d->status |= ST_ERR;          /* unknown command or bad range: nothing transferred */
        return;
    }
    d->command = d->last_command = cmd;
    d->pos = d->sector * SECTOR_SIZE;
    d->left = (uint64_t)d->count * SECTOR_SIZE;
    d->status |= ST_DRQ;              /* the guest may now move the data through DATA */
}

/* A DATA access of size bytes: the next word of the transfer. Outside a
 * transfer, or against its direction, or of a size other than 4 or 8, DATA
 * reads as zero and ignores writes, and sets ERR (our choice; ATA leaves it
 * undefined). */
static uint64_t vdisk_data(struct vdisk *d, int write, unsigned size, uint64_t val)
{
    uint32_t want = write ? CMD_WRITE : CMD_READ;
    if (d->command != want || (size != 4 && size != 8) || d->left < size) {
        d->status |= ST_ERR;
        return 0;
    }
    if (write)
        image_write(d, d->pos, size, val);
    else
        val = image_read(d, d->pos, size);
    d->pos += size;
    d->left -= size;
    if (d->left == 0) {               /* the last word: the command is complete */
        d->command = 0;
        d->status &= ~ST_DRQ;
    }
    return val;
}

static uint64_t vdisk_read(struct vdisk *d, uint64_t off, unsigned size)
{
    switch (off) {
    case VD_ID:       return VD_ID_VALUE;
    case VD_CAPACITY: return DISK_SECTORS;
    case VD_SECTOR:   return d->sector;
    case VD_COUNT:    return d->count;
    case VD_STATUS:   return d->status;
    case VD_DATA:     return vdisk_data(d, 0, size, 0);
    default:          return 0;      /* COMMAND and the gaps read as zero */
    }
}

static void vdisk_write(struct vdisk *d, uint64_t off, unsigned size, uint64_t val)
{
    switch (off) {
    case VD_SECTOR:  d->sector = val; break;
    case VD_COUNT:   d->count = (uint32_t)val; break;
    case VD_COMMAND: vdisk_command(d, (uint32_t)val); break;
    case VD_DATA:    vdisk_data(d, 1, size, val); break;
    default:         break;          /* read-only registers and the gaps ignore writes */
    }
}

static void count_exit(struct exit_stats *s, const struct vdisk *d, uint64_t off, unsigned wnr,
                       unsigned moved)
{
    s->data_bytes += moved;
    s->total++;
    if (wnr)
        s->writes++;
    else
        s->reads++;
    if ((off & 7) == 0 && off < VD_SIZE)
        s->by_reg[off / 8]++;
    else
        s->other++;

    if (off == VD_SECTOR && wnr) {       /* a request begins */
        s->in_request = 1;
        s->commanded = 0;
        s->req_exits = 0;
        for (unsigned r = 0; r < VD_NREGS; r++)
            s->req_by_reg[r] = 0;
    }
    if (!s->in_request)
        return;
    s->req_exits++;
    if ((off & 7) == 0 && off < VD_SIZE)
        s->req_by_reg[off / 8]++;
    if (off == VD_COMMAND && wnr)
        s->commanded = 1;
    if (off != VD_STATUS || wnr || !s->commanded || (d->status & ST_DRQ))
        return;
    s->in_request = 0;                   /* ... and ends: the driver has seen its outcome */
    if (d->status & ST_ERR) {
        s->failed++;
        s->failed_exits = s->req_exits;
        return;
    }
    unsigned c = d->last_command;
    if (!s->requests[c] || s->req_exits < s->req_min[c])
        s->req_min[c] = s->req_exits;
    if (s->req_exits > s->req_max[c])
        s->req_max[c] = s->req_exits;
    s->requests[c]++;
    for (unsigned r = 0; r < VD_NREGS; r++)
        s->last_by_reg[r] = s->req_by_reg[r];
}

/* Every exit from the guest arrives here (vector "lower EL, AArch64, synchronous"). */
void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    uint32_t iss = (uint32_t)ESR_ISS(esr);
    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != EC_DABT_LOW) {
        rt_printf("hypervisor: unexpected exit (vector %d, EC 0x%x, ISS 0x%x)\n", vector,
                  (unsigned)ESR_EC(esr), iss);
        rt_exit(1);
    }
    /* Where: HPFAR_EL2.FIPA holds the faulting IPA's page number, FAR_EL2 the
     * guest's virtual address, whose low 12 bits are the offset in the page. */
    uint64_t ipa = HPFAR_IPA(READ_SYSREG(hpfar_el2)) | (READ_SYSREG(far_el2) & 0xfff);
    uint64_t off = ipa - VDISK_IPA;
    /* What: with ISV = 1 the ISS describes the load or store. Without it (a
     * load/store pair, a write-back addressing mode, ...) the hypervisor would
     * have to decode the instruction from guest memory; this one, like KVM by
     * default, refuses, and so it does for an access outside the vDISK's page. */
    if (!(iss & ISS_ISV) || off >= PAGE_SIZE) {
        rt_printf("hypervisor: cannot emulate the access at IPA 0x%lx (ISS 0x%07x): guest stopped\n",
                  ipa, iss);
        rt_exit(1);
    }
    unsigned sas = (iss >> 22) & 3;            /* access size: 1 << SAS bytes */
    unsigned srt = (iss >> 16) & 31;           /* the register transferred (31 = xzr) */
    unsigned sf = (iss >> 15) & 1;             /* 1 = x register, 0 = w register */
    unsigned wnr = (iss >> 6) & 1;             /* 1 = write, 0 = read */
    unsigned size = 1u << sas;
    uint64_t mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
    unsigned sse = (iss >> 21) & 1;            /* 1 = sign-extend the loaded value (LDRSW, ...) */
    uint64_t val;
    uint64_t left = disk.left;                 /* to tell the bytes a DATA access moved */
    if (wnr) {                                 /* emulate a store: the value is in Rt */
        val = (srt == 31 ? 0 : f->x[srt]) & mask;
        vdisk_write(&disk, off, size, val);
    } else {                                   /* emulate a load: the result goes into Rt */
        val = vdisk_read(&disk, off, size) & mask;
        if (sse && size < 8 && (val >> (8 * size - 1)) & 1)
            val |= ~mask;                      /* sign-extend ... */
        if (!sf)
            val &= 0xffffffffUL;               /* ... to the register's width */
        if (srt != 31)
            f->x[srt] = val;                   /* restored into the register by the ERET path */
    }
    f->elr += 4;                               /* ELR_EL2 points AT the access: skip it */
    count_exit(&st, &disk, off, wnr, off == VD_DATA ? (unsigned)(left - disk.left) : 0);

    /* Decode the first exit of each kind (register, direction) for the reader. */
    unsigned reg = (off & 7) == 0 && off < VD_SIZE ? (unsigned)(off / 8) : VD_NREGS;
    unsigned kind = 1u << (reg * 2 + wnr);
    if (!(st.decoded & kind)) {
        st.decoded |= kind;
        char r = sf ? 'x' : 'w';
        rt_printf("hypervisor: exit %u, the first %s of %s: IPA 0x%08lx, ISS 0x%07x: ISV=1 SAS=%u "
                  "SRT=%u WnR=%u\n", st.total, wnr ? "write" : "read", reg_name(off), ipa, iss,
                  sas, srt, wnr);
        if (wnr)
            rt_printf("  = %u-byte write from %c%u -> emulated: %s = 0x%lx\n", size, r, srt,
                      reg_name(off), val);
        else
            rt_printf("  = %u-byte read into %c%u -> emulated: guest %c%u = 0x%lx\n", size, r, srt,
                      r, srt, val);
    }
}

/* ---- The guest (EL1, its own stage 1 off: its addresses are IPAs) ---- */

/* MMIO accessors, like Linux's readq()/readl()/writeq()/writel(): one load or
 * store each, with no write-back, so that the abort's syndrome is valid
 * (ISV = 1). The data register is pinned (x3..x6) so that the SRT printed is
 * the same with every compiler. */
static inline uint64_t vd_read64(unsigned off)
{
    register uint64_t v __asm__("x3");
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(VDISK_IPA + off) : "memory");
    return v;
}
static inline uint32_t vd_read32(unsigned off)
{
    register uint64_t v __asm__("x4");
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(VDISK_IPA + off) : "memory");
    return (uint32_t)v;
}
static inline void vd_write64(unsigned off, uint64_t val)
{
    register uint64_t v __asm__("x5") = val;
    __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(VDISK_IPA + off) : "memory");
}
static inline void vd_write32(unsigned off, uint32_t val)
{
    register uint64_t v __asm__("x6") = val;
    __asm__ volatile("str %w0, [%1]" :: "r"(v), "r"(VDISK_IPA + off) : "memory");
}

/* The guest's vDISK driver, as for an ATA disk in PIO mode. */
static uint32_t vd_wait(void)                  /* poll STATUS until the device is not BUSY */
{
    uint32_t s;
    do
        s = vd_read32(VD_STATUS);
    while (s & ST_BUSY);
    return s;
}

static uint32_t vd_start(uint64_t sector, uint32_t count, uint32_t cmd)
{
    vd_write64(VD_SECTOR, sector);
    vd_write32(VD_COUNT, count);
    vd_write32(VD_COMMAND, cmd);
    return vd_wait();                          /* DRQ: go ahead with the data; ERR: refused */
}

static int vd_write_sectors(uint64_t sector, const uint64_t *buf, uint32_t count)
{
    if ((vd_start(sector, count, CMD_WRITE) & (ST_DRQ | ST_ERR)) != ST_DRQ)
        return -1;
    for (unsigned w = 0; w < count * (SECTOR_SIZE / 8); w++)
        vd_write64(VD_DATA, buf[w]);          /* every word of the data: one exit each */
    return vd_wait() & (ST_DRQ | ST_ERR) ? -1 : 0;
}

static int vd_read_sectors(uint64_t sector, uint64_t *buf, uint32_t count)
{
    if ((vd_start(sector, count, CMD_READ) & (ST_DRQ | ST_ERR)) != ST_DRQ)
        return -1;
    for (unsigned w = 0; w < count * (SECTOR_SIZE / 8); w++)
        buf[w] = vd_read64(VD_DATA);
    return vd_wait() & (ST_DRQ | ST_ERR) ? -1 : 0;
}

static uint64_t buf[BLK_WL_REQ / 8];           /* the guest's request buffer */

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    /* 1. Probe: the ID and the size. */
    uint64_t id = vd_read64(VD_ID);
    uint64_t sectors = vd_read64(VD_CAPACITY);
    if (id != VD_ID_VALUE) {
        rt_printf("guest: no vDISK at IPA 0x%08lx\n", VDISK_IPA);
        return 1;
    }
    char name[9];
    for (int i = 0; i < 8; i++)                /* the ID's bytes are its name */
        name[i] = (char)(id >> (8 * i));
    name[8] = 0;
    rt_printf("guest: found %s at IPA 0x%08lx: %lu sectors of %u bytes\n", name, VDISK_IPA,
              sectors, SECTOR_SIZE);
    if (sectors * SECTOR_SIZE < BLK_WL_BYTES)
        return 1;

    /* 2. A request past the end: the device refuses it. */
    uint32_t s = vd_start(sectors, 1, CMD_READ);
    rt_printf("guest: reading sector %lu (past the end): STATUS 0x%x =%s%s%s\n", sectors, s,
              s & ST_READY ? " READY" : "", s & ST_DRQ ? " DRQ" : "", s & ST_ERR ? " ERR" : "");

    /* 3. The workload: 1 MiB written in 4 KiB requests, read back, checksums. */
    const uint32_t per_req = BLK_WL_REQ / SECTOR_SIZE;
    uint64_t written = BLK_WL_FNV_INIT, read = BLK_WL_FNV_INIT;
    unsigned failed = 0;
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        blk_wl_fill(buf, i);
        written = blk_wl_fnv(written, buf, BLK_WL_REQ);
        failed += vd_write_sectors((uint64_t)i * per_req, buf, per_req) != 0;
    }
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        failed += vd_read_sectors((uint64_t)i * per_req, buf, per_req) != 0;
        read = blk_wl_fnv(read, buf, BLK_WL_REQ);
    }
    int ok = written == read && failed == 0;
    rt_printf("guest: %u writes and %u reads of %u bytes, %u failed\n", BLK_WL_REQUESTS,
              BLK_WL_REQUESTS, BLK_WL_REQ, failed);
    rt_printf("guest: checksum 0x%016lx written, 0x%016lx read: %s\n", written, read,
              ok ? "OK" : "MISMATCH");
    return ok ? 0 : 1;
}

/* ---- The hypervisor's main program (EL2, MMU off: its addresses are PAs) ---- */

static void print_requests(const char *what, unsigned c)
{
    rt_printf("hypervisor: %u %s requests of %u bytes: ", st.requests[c], what, BLK_WL_REQ);
    if (st.req_min[c] == st.req_max[c])
        rt_printf("%u exits each\n", st.req_min[c]);
    else
        rt_printf("%u to %u exits each\n", st.req_min[c], st.req_max[c]);
}

static uint64_t expect[BLK_WL_REQ / 8];        /* the hypervisor's copy of a request */

int main(void)
{
    struct pt s2;
    pt_init_s2(&s2, 40, 1);                    /* 40-bit IPA space, walk starts at level 1 */
    s2_map_image(&s2, 2);                      /* the guest's RAM: its image, IPA == PA */
    /* Nothing maps VDISK_IPA (its level-1 entry stays invalid), nor DISK_PA:
     * the guest can neither reach the disk image nor the vDISK but by exits. */
    s2_setup(&s2);                             /* VTCR_EL2, VTTBR_EL2 (VMID 1), TLB flush */
    vdisk_reset(&disk);
    rt_printf("hypervisor: vDISK at IPA 0x%08lx, unmapped in stage 2; its %u KiB disk image at "
              "PA 0x%08lx, outside the guest's stage 2\n", VDISK_IPA, DISK_BYTES / 1024, DISK_PA);

    uint64_t ret = rt_run_el1(guest, HCR_VM, 0);

    rt_printf("hypervisor: guest returned %lu after %u exits: MMIO reads %u, MMIO writes %u\n", ret,
              st.total, st.reads, st.writes);
    rt_printf("hypervisor: exits by register:");
    for (unsigned r = 0; r < VD_NREGS; r++)
        rt_printf(" %s %u%s", reg_names[r], st.by_reg[r], r + 1 < VD_NREGS ? "," : "\n");
    if (st.other)
        rt_printf("hypervisor: exits between the registers: %u\n", st.other);
    print_requests("WRITE", CMD_WRITE);
    print_requests("READ", CMD_READ);
    rt_printf("hypervisor: %u failed request, %u exits\n", st.failed, st.failed_exits);

    /* The figures of the course: what one 4 KiB request costs, and why. */
    unsigned data = st.by_reg[VD_DATA / 8], ctrl = 0;
    rt_printf("hypervisor: the last request's exits:");
    for (unsigned r = 0; r < VD_NREGS; r++) {
        if (st.last_by_reg[r])
            rt_printf(" %s %u", reg_names[r], st.last_by_reg[r]);
        if (r != VD_DATA / 8)
            ctrl += st.last_by_reg[r];
    }
    rt_printf("\n");
    unsigned per_word = data ? (unsigned)(st.data_bytes / data) : 0;
    rt_printf("hypervisor: per request of %u bytes: %u exits move the data (%u bytes each), %u "
              "set up and complete the command\n", st.last_by_reg[VD_DATA / 8] * per_word,
              st.last_by_reg[VD_DATA / 8], per_word, ctrl);
    unsigned permille = (unsigned)((data * 1000ULL + st.total / 2) / st.total);
    rt_printf("hypervisor: %lu bytes moved in %u DATA exits: %u.%u%% of all the exits\n",
              st.data_bytes, data, permille / 10, permille % 10);

    /* The data really lives in the hypervisor's memory: the image's checksum
     * (the guest's "written" one), and a word-by-word check against the
     * workload's pattern. */
    uint64_t sum = blk_wl_fnv(BLK_WL_FNV_INIT, (const void *)DISK_PA, DISK_BYTES);
    unsigned bad = 0;
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        blk_wl_fill(expect, i);
        for (unsigned w = 0; w < BLK_WL_REQ / 8; w++)
            bad += image_read(&disk, (uint64_t)i * BLK_WL_REQ + 8 * w, 8) != expect[w];
    }
    rt_printf("hypervisor: disk image checksum 0x%016lx; %u of its %u words differ from the "
              "workload's\n", sum, bad, DISK_BYTES / 8);
    return ret == 0 && bad == 0 ? 0 : 1;
}
