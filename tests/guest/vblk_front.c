// GUEST-DISK: 1048576
/* tests/guest/virtio_blk_front.h against the real device (avsim --drive, QEMU
 * -device virtio-blk-device on transport 31), at EL2 with no hypervisor:
 * initialization (capacity from the configuration space), a write and a read
 * of 4 KiB polled to completion, the read back compared, a request in two
 * steps (vblk_submit, then vblk_take_used after the interrupt status shows the
 * used buffer), and a request past the end of the disk, which the device
 * answers with VIRTIO_BLK_S_IOERR. */
#include "rt/rt.h"
#include "virtio_blk_front.h"

static struct vblk blk;
static uint64_t wbuf[512] __attribute__((aligned(4096)));
static uint64_t rbuf[512] __attribute__((aligned(4096)));
static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        rt_printf("FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    int r = vblk_init(&blk, VBLK_DISK_BASE, 0);
    rt_printf("vblk_init: %d, capacity %lu sectors\n", (long)r, blk.capacity);
    check(r == 0 && blk.capacity == 2048, "init and capacity");
    if (r != 0)
        return 1;                      /* no device to talk to: the requests would wait forever */
    for (unsigned i = 0; i < 512; i++)
        wbuf[i] = 0x0123456789abcdefUL * (i + 1);
    r = vblk_rw(&blk, true, 8, wbuf, sizeof wbuf);
    rt_printf("write 4 KiB at sector 8: status %d\n", (long)r);
    check(r == VB_STATUS_OK, "write status");
    r = vblk_rw(&blk, false, 8, rbuf, sizeof rbuf);
    int same = 1;
    for (unsigned i = 0; i < 512; i++)
        same &= rbuf[i] == wbuf[i];
    rt_printf("read 4 KiB at sector 8: status %d, %s\n", (long)r, same ? "same data" : "DIFFERENT data");
    check(r == VB_STATUS_OK && same, "read back");
    /* Two steps: submit, wait for InterruptStatus bit 0 (a used buffer), take it. */
    vblk_submit(&blk, false, 0, rbuf, sizeof rbuf);
    while (!(vb_rd(&blk, VB_INT_STATUS) & 1)) {
    }
    r = vblk_take_used(&blk);
    uint32_t isr = vblk_ack(&blk);
    rt_printf("submit + take_used: status %d, InterruptStatus was %u, now %u\n", (long)r, isr,
              vb_rd(&blk, VB_INT_STATUS));
    check(r == VB_STATUS_OK && isr == 1 && vb_rd(&blk, VB_INT_STATUS) == 0, "two steps");
    check(vblk_take_used(&blk) == -1, "no second used entry");
    r = vblk_rw(&blk, false, 2048 - 4, rbuf, sizeof rbuf);
    rt_printf("read past the end: status %d (IOERR = 1)\n", (long)r);
    check(r == VB_STATUS_IOERR, "past the end");
    rt_printf("requests %u, notifications %u, used entries taken %u\n", blk.requests, blk.notifies,
              (unsigned)blk.last_used);
    rt_printf("%s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
