/* The GICv3 ITS and LPIs on one PE, from EL2 with the MMU off, the LPIs taken by polling
 * ICC_IAR1_EL1 (IHI 0069: "LPIs", "The ITS"):
 *  1. Identification: GICD_TYPER.LPIS = 1 and IDbits = 15 (16 bits of INTID, QEMU 7.2's
 *     choice), GICR_TYPER.PLPIS = 1, GITS_TYPER.Physical = 1 and 16 bits of DeviceID and
 *     EventID (ITT_entry_size is IMPLEMENTATION DEFINED: not printed), GITS_BASER0/1 Type =
 *     Device / Collection with 8-byte entries, GITS_CTLR.Quiescent = 1.
 *  2. MAPD (device 2, 8 EventID bits), MAPC (collection 3 -> PE 0), MAPTI (event 20 ->
 *     LPI 8195), then INT: the LPI is pending (HPPIR) and IAR returns 8195; an LPI has no
 *     active state, so after the acknowledge it is not pending again.
 *  3. A write to GITS_TRANSLATER: a CPU's write carries DeviceID 0 on QEMU and on avsim, so
 *     device 0 (MAPI, whose LPI is the EventID: event 8200 -> LPI 8200) is the one
 *     translated; an unmapped event of it gives nothing.
 *  4. Priorities, INV: two LPIs pending together come in priority order; their priorities
 *     swapped in the configuration table and made visible by INV each, they come in the
 *     other order. A disabled LPI (enable bit clear, then INVALL) is not delivered while it
 *     stays pending; enabled again (INV), it is.
 *  5. CLEAR removes a pending LPI; DISCARD removes it and the mapping, so a later INT
 *     delivers nothing.
 *  6. Command errors: INT of an unmapped device, MAPTI of an unmapped device, MAPTI with an
 *     EventID beyond the device's, MAPTI of a non-LPI INTID, INVALL of an unmapped collection
 *     are ignored (avsim and QEMU choose to ignore a command with wrong parameters and go on):
 *     the queue is not stalled (GITS_CREADR.Stalled = 0, CREADR reaches CWRITER) and no LPI
 *     appears; a command after them still works. */
#include "trap.h"
#include "its.h"

TRAP_HANDLERS

static void show(const char *what, unsigned v, unsigned expect)
{
    rt_printf("  %s = %u\n", what, v);
    check(v == expect, what);
}

int main(void)
{
    rt_puts("its_lpi\n");
    gic_redist_wake();
    gic_dist_enable();
    gic_cpuif_enable(0xff);

    rt_puts("identification\n");
    uint32_t dt = gicd_r32(GICD_TYPER);
    show("GICD_TYPER.LPIS", (dt >> 17) & 1, 1);
    show("GICD_TYPER.IDbits", (dt >> 19) & 0x1f, 15);
    show("GICR_TYPER.PLPIS", (unsigned)(mmio_r64(GICR_RD_BASE + GICR_TYPER) & 1), 1);
    uint64_t t = mmio_r64(ITS_BASE + GITS_TYPER);
    show("GITS_TYPER.Physical", (unsigned)(t & 1), 1);
    show("GITS_TYPER.IDbits", (unsigned)(t >> 8) & 0x1f, 15);
    show("GITS_TYPER.Devbits", (unsigned)(t >> 13) & 0x1f, 15);
    uint64_t b0 = mmio_r64(ITS_BASE + GITS_BASER(0)), b1 = mmio_r64(ITS_BASE + GITS_BASER(1));
    show("GITS_BASER0.Type", (unsigned)(b0 >> 56) & 7, 1);
    show("GITS_BASER0.Entry_Size", (unsigned)(b0 >> 48) & 0x1f, 7);
    show("GITS_BASER1.Type", (unsigned)(b1 >> 56) & 7, 4);
    show("GITS_BASER1.Entry_Size", (unsigned)(b1 >> 48) & 0x1f, 7);
    show("GITS_CTLR.Quiescent", mmio_r32(ITS_BASE + GITS_CTLR) >> 31, 1);

    its_setup();
    for (unsigned n = 8192; n < 8192 + 64; n++)
        lpi_set_config(n, LPI_PRIO_ENABLED(0xa0));
    lpi_set_config(8200, LPI_PRIO_ENABLED(0x80));
    lpi_enable_rd(0);
    show("GITS_CTLR.Enabled", mmio_r32(ITS_BASE + GITS_CTLR) & 1, 1);
    show("GICR_CTLR.EnableLPIs", gicr_r32(GICR_CTLR) & 1, 1);

    rt_puts("MAPD, MAPC, MAPTI, INT\n");
    its_mapd(2, 8, 1);
    its_mapc(3, 0);
    its_invall(3);
    its_mapti(2, 20, 8195, 3);
    show("before INT: HPPIR", (unsigned)GIC_RD(ICC_HPPIR1_EL1), INTID_SPURIOUS);
    its_int(2, 20);
    show("after INT: HPPIR", (unsigned)GIC_RD(ICC_HPPIR1_EL1), 8195);
    show("IAR", lpi_ack(), 8195);
    show("then IAR", lpi_ack(), INTID_SPURIOUS);

    rt_puts("GITS_TRANSLATER (a CPU write: DeviceID 0)\n");
    its_mapd(0, 16, 1);
    its_mapi(0, 8200, 3);
    mmio_w32(ITS_BASE + GITS_TRANSLATER, 8200);
    show("IAR", lpi_ack(), 8200);
    mmio_w32(ITS_BASE + GITS_TRANSLATER, 8199);      /* event 8199 is not mapped */
    show("unmapped event: IAR", lpi_ack(), INTID_SPURIOUS);

    rt_puts("priorities and INV\n");
    its_mapti(2, 1, 8210, 3);
    its_mapti(2, 2, 8211, 3);
    lpi_set_config(8210, LPI_PRIO_ENABLED(0x40));
    lpi_set_config(8211, LPI_PRIO_ENABLED(0x60));
    its_inv(2, 1);
    its_inv(2, 2);
    its_int(2, 2);
    its_int(2, 1);
    show("first", lpi_ack(), 8210);
    show("second", lpi_ack(), 8211);
    lpi_set_config(8210, LPI_PRIO_ENABLED(0x60));
    lpi_set_config(8211, LPI_PRIO_ENABLED(0x40));
    its_inv(2, 1);
    its_inv(2, 2);
    its_int(2, 1);
    its_int(2, 2);
    show("after the swap and INV: first", lpi_ack(), 8211);
    show("second", lpi_ack(), 8210);
    lpi_set_config(8210, LPI_PRIO_DISABLED(0x60));
    its_invall(3);
    its_int(2, 1);
    show("disabled: IAR", lpi_ack(), INTID_SPURIOUS);
    lpi_set_config(8210, LPI_PRIO_ENABLED(0x60));
    its_inv(2, 1);
    show("enabled again: IAR", lpi_ack(), 8210);

    rt_puts("CLEAR, DISCARD\n");
    its_int(2, 20);
    its_clear(2, 20);
    show("after CLEAR: IAR", lpi_ack(), INTID_SPURIOUS);
    its_int(2, 20);
    its_discard(2, 20);
    show("after DISCARD: IAR", lpi_ack(), INTID_SPURIOUS);
    its_int(2, 20);
    show("INT of the discarded event: IAR", lpi_ack(), INTID_SPURIOUS);

    rt_puts("command errors\n");
    its_int(9, 0);                                   /* device 9 not mapped */
    its_mapti(9, 0, 8220, 3);                        /* device 9 not mapped */
    its_mapti(2, 256, 8221, 3);                      /* EventID beyond 8 bits */
    its_mapti(2, 3, 100, 3);                         /* INTID 100 is not an LPI */
    its_invall(7);                                   /* collection 7 not mapped */
    uint64_t cr = mmio_r64(ITS_BASE + GITS_CREADR), cw = mmio_r64(ITS_BASE + GITS_CWRITER);
    show("GITS_CREADR.Stalled", (unsigned)(cr & 1), 0);
    show("GITS_CREADR == GITS_CWRITER", (cr & 0xfffe0) == (cw & 0xfffe0), 1);
    show("nothing pending: IAR", lpi_ack(), INTID_SPURIOUS);
    its_int(2, 1);
    show("a command after them: IAR", lpi_ack(), 8210);
    its_sync(0);
    return test_result();
}
