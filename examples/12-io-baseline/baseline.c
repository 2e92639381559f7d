// GUEST-DISK: 1048576
/* Example 12: the baseline of the I/O virtualization examples (09-11): the
 * same block workload on the bare device, with no hypervisor in the way.
 *
 * What it shows (course topic: what I/O costs before anyone virtualizes it):
 *  - the program starts at EL2, as every example does, and drops to EL1 with
 *    HCR_EL2 = RW only: no stage 2 (HCR_EL2.VM = 0), no traps. The driver
 *    then runs where the guests of examples 09-11 run theirs (EL1, MMU off),
 *    so the code and the cycles it costs compare; only the hypervisor is gone.
 *    Nothing below traps to EL2, so `--stats` shows no exit at all;
 *  - the driver is tests/guest/virtio_blk_front.h, the front end examples 10
 *    and 11 use too: it finds the virtio-blk device on virtio-mmio transport
 *    31 (0x0a003e00), negotiates VIRTIO_F_VERSION_1, puts one split
 *    virtqueue in its own memory and makes each request a three-descriptor
 *    chain (header, 4 KiB of data, status byte) announced by one write to
 *    QueueNotify; it polls the used ring for the completion;
 *  - the device reads and writes the program's memory itself (DMA) with the
 *    physical addresses the driver gives it. On QEMU nothing stands between
 *    them. On avsim the path goes through the SMMUv3, which is disabled
 *    after reset (SMMU_CR0.SMMUEN = 0): transactions then follow SMMU_GBPA,
 *    whose ABORT bit avsim resets to 0 (the spec leaves the reset value to
 *    the implementation, IHI 0070 6.3.14), so they pass untranslated
 *    ("bypassed" in --stats) and no walk or SMMU TLB lookup happens. The
 *    program does not touch the SMMU (QEMU's board has none there);
 *  - the workload (tests/guest/blk_workload.h): 1 MiB written in 256
 *    requests of 4 KiB, read back in 256 more, FNV-1a of both sides compared.
 * The cost that remains is the device's own: the register accesses of the
 * driver, the ring updates, the DMA. bench/run_io.sh sets it beside the
 * emulated, paravirtual and passthrough hypervisors. */
#include "rt/rt.h"
#include "blk_workload.h"
#include "virtio_blk_front.h"

static struct vblk disk;
static uint64_t buf[BLK_WL_REQ / 8] __attribute__((aligned(4096)));

static void guest(uint64_t arg)
{
    (void)arg;
    rt_printf("driver: at EL%lu, addresses are physical (MMU off, no stage 2)\n", READ_SYSREG(CurrentEL) >> 2);
    int err = vblk_init(&disk, VBLK_DISK_BASE, 0);   /* DMA addresses = the program's own */
    if (err) {
        rt_printf("driver: no usable virtio-blk device at transport 31 (error %d)\n", err);
        rt_exit(1);
    }
    rt_printf("driver: virtio-blk ready, %lu sectors of %u bytes, queue of %u\n",
              disk.capacity, VBLK_SECTOR, VBLK_QSIZE);
    if (disk.capacity * VBLK_SECTOR < BLK_WL_BYTES) {
        rt_printf("driver: the disk is smaller than the workload\n");
        rt_exit(1);
    }

    uint64_t written = BLK_WL_FNV_INIT, read = BLK_WL_FNV_INIT;
    unsigned failed = 0;
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        blk_wl_fill(buf, i);
        written = blk_wl_fnv(written, buf, BLK_WL_REQ);
        if (vblk_rw(&disk, true, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), buf, BLK_WL_REQ) != VB_STATUS_OK)
            failed++;
    }
    for (unsigned i = 0; i < BLK_WL_REQUESTS; i++) {
        for (unsigned w = 0; w < BLK_WL_REQ / 8; w++)
            buf[w] = 0;                              /* nothing of the last write can pass for a read */
        if (vblk_rw(&disk, false, (uint64_t)i * (BLK_WL_REQ / VBLK_SECTOR), buf, BLK_WL_REQ) != VB_STATUS_OK)
            failed++;
        read = blk_wl_fnv(read, buf, BLK_WL_REQ);
    }
    rt_printf("driver: %u requests (%u writes, %u reads of %u bytes), %u notifications, %u failed\n",
              disk.requests, BLK_WL_REQUESTS, BLK_WL_REQUESTS, BLK_WL_REQ, disk.notifies, failed);
    bool ok = !failed && read == written;
    rt_printf("driver: checksum 0x%016lx written, 0x%016lx read: %s\n", written, read, ok ? "OK" : "MISMATCH");
    rt_exit(ok ? 0 : 1);
}

int main(void)
{
    rt_printf("baseline: at EL%lu, no hypervisor: the driver runs at EL1 without stage 2\n",
              READ_SYSREG(CurrentEL) >> 2);
    rt_enter_el1(guest, 0, 0);
}
