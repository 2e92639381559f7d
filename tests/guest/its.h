/* GICv3 ITS and LPI helpers for the guest tests (its_*.c): the ITS of QEMU's virt board
 * (0x08080000, its control frame then its translation frame), register offsets and command
 * encodings from the GIC architecture specification (IHI 0069), and the tables the tests
 * use, at fixed addresses in free RAM:
 *   LPI Configuration table  ITS_PROP        (shared by all redistributors, 16 INTID bits)
 *   LPI Pending tables       ITS_PEND(pe)    (64 KiB apart)
 *   command queue            ITS_CMDQ        (one 4 KiB page: 128 commands)
 *   device table             ITS_DEVT        (GITS_BASER0, flat, one 64 KiB page)
 *   collection table         ITS_COLT        (GITS_BASER1, flat, one 64 KiB page)
 *   interrupt translation    ITS_ITT(dev)    (4 KiB per device)
 * The DTE/CTE/ITE formats are IMPLEMENTATION DEFINED: the tests never read the tables the ITS
 * writes. A CPU's write to GITS_TRANSLATER carries DeviceID 0 on QEMU 7.2 and on avsim.
 * Everything runs at EL2 with the MMU off and the LPIs taken by polling ICC_IAR1_EL1. */
#ifndef AVSIM_GUEST_ITS_H
#define AVSIM_GUEST_ITS_H
#include "gic.h"

#define ITS_BASE 0x08080000UL

#define ITS_PROP 0x40400000UL
#define ITS_PEND(pe) (0x40410000UL + 0x10000UL * (pe))
#define ITS_CMDQ 0x40500000UL
#define ITS_DEVT 0x40510000UL
#define ITS_COLT 0x40520000UL
#define ITS_ITT(dev) (0x40530000UL + 0x1000UL * (dev))
#define ITS_IDBITS 16

#define LPI_PRIO_ENABLED(prio) ((uint8_t)((prio) | 2 | 1))   /* bit 1 RES1, bit 0 Enable */
#define LPI_PRIO_DISABLED(prio) ((uint8_t)((prio) | 2))

static inline uint64_t its_rd_base(unsigned pe) { return GICR_RD_BASE + 0x20000UL * pe; }

static inline void its_zero(uint64_t pa, uint64_t len)
{
    for (uint64_t i = 0; i < len; i += 8)
        *(volatile uint64_t *)(pa + i) = 0;
}

static inline void lpi_set_config(unsigned intid, uint8_t cfg)
{
    *(volatile uint8_t *)(ITS_PROP + intid - 8192) = cfg;
    __asm__ volatile("dsb sy" ::: "memory");
}

/* Redistributor pe: the shared configuration table, its own pending table (zero: PTZ), LPIs on. */
static inline void lpi_enable_rd(unsigned pe)
{
    uint64_t rd = its_rd_base(pe);
    mmio_w64(rd + GICR_PROPBASER, ITS_PROP | (ITS_IDBITS - 1));
    mmio_w64(rd + GICR_PENDBASER, ITS_PEND(pe) | (1UL << 62));
    mmio_w32(rd + GICR_CTLR, mmio_r32(rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
}

/* The tables, zeroed; GITS_BASER0/1 (64 KiB pages, one page each), the command queue, the ITS
 * enabled. */
static inline void its_setup(void)
{
    its_zero(ITS_PROP, 0x10000);
    its_zero(ITS_PEND(0), 0x10000 * 4);
    its_zero(ITS_CMDQ, 0x1000);
    its_zero(ITS_DEVT, 0x10000);
    its_zero(ITS_COLT, 0x10000);
    its_zero(ITS_ITT(0), 0x8000);
    uint64_t b0 = mmio_r64(ITS_BASE + GITS_BASER(0)), b1 = mmio_r64(ITS_BASE + GITS_BASER(1));
    /* keep Type, Entry_Size; Page_Size 64 KiB (0b10), Size 0 (one page), Valid */
    mmio_w64(ITS_BASE + GITS_BASER(0), (b0 & (0x1fUL << 48 | 7UL << 56)) | (1UL << 63) | (2UL << 8) | ITS_DEVT);
    mmio_w64(ITS_BASE + GITS_BASER(1), (b1 & (0x1fUL << 48 | 7UL << 56)) | (1UL << 63) | (2UL << 8) | ITS_COLT);
    mmio_w64(ITS_BASE + GITS_CBASER, (1UL << 63) | ITS_CMDQ);   /* Size 0: one 4 KiB page */
    mmio_w64(ITS_BASE + GITS_CWRITER, 0);
    mmio_w32(ITS_BASE + GITS_CTLR, 1);
}

/* Queue one command at GITS_CWRITER and wait until the ITS has read past it. */
static inline void its_cmd(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
    uint64_t off = mmio_r64(ITS_BASE + GITS_CWRITER) & 0xfffe0;
    volatile uint64_t *c = (volatile uint64_t *)(ITS_CMDQ + off);
    c[0] = d0;
    c[1] = d1;
    c[2] = d2;
    c[3] = d3;
    __asm__ volatile("dsb sy" ::: "memory");
    uint64_t next = (off + 32) % 0x1000;
    mmio_w64(ITS_BASE + GITS_CWRITER, next);
    for (unsigned i = 0; i < 1000000 && (mmio_r64(ITS_BASE + GITS_CREADR) & 0xfffe0) != next; i++) {
    }
}

#define ITS_RDBASE(pe) ((uint64_t)(pe) << 16)   /* GITS_TYPER.PTA = 0: processor numbers */
static inline void its_mapd(uint32_t dev, unsigned bits, int valid)
{
    its_cmd(0x08 | (uint64_t)dev << 32, bits - 1, ITS_ITT(dev) | ((uint64_t)(valid != 0) << 63), 0);
}
static inline void its_mapc(uint32_t icid, unsigned pe)
{
    its_cmd(0x09, 0, icid | ITS_RDBASE(pe) | (1UL << 63), 0);
}
static inline void its_mapti(uint32_t dev, uint32_t ev, uint32_t lpi, uint32_t icid)
{
    its_cmd(0x0a | (uint64_t)dev << 32, ev | (uint64_t)lpi << 32, icid, 0);
}
static inline void its_mapi(uint32_t dev, uint32_t ev, uint32_t icid)
{
    its_cmd(0x0b | (uint64_t)dev << 32, ev, icid, 0);
}
static inline void its_int(uint32_t dev, uint32_t ev) { its_cmd(0x03 | (uint64_t)dev << 32, ev, 0, 0); }
static inline void its_clear(uint32_t dev, uint32_t ev) { its_cmd(0x04 | (uint64_t)dev << 32, ev, 0, 0); }
static inline void its_inv(uint32_t dev, uint32_t ev) { its_cmd(0x0c | (uint64_t)dev << 32, ev, 0, 0); }
static inline void its_discard(uint32_t dev, uint32_t ev) { its_cmd(0x0f | (uint64_t)dev << 32, ev, 0, 0); }
static inline void its_movi(uint32_t dev, uint32_t ev, uint32_t icid)
{
    its_cmd(0x01 | (uint64_t)dev << 32, ev, icid, 0);
}
static inline void its_invall(uint32_t icid) { its_cmd(0x0d, 0, icid, 0); }
static inline void its_sync(unsigned pe) { its_cmd(0x05, 0, ITS_RDBASE(pe), 0); }
static inline void its_movall(unsigned from, unsigned to) { its_cmd(0x0e, 0, ITS_RDBASE(from), ITS_RDBASE(to)); }

/* Acknowledge the highest priority pending Group 1 interrupt (1023: none) and end it. */
static inline unsigned lpi_ack(void)
{
    unsigned n = (unsigned)GIC_RD(ICC_IAR1_EL1);
    if (n != INTID_SPURIOUS)
        GIC_WR(ICC_EOIR1_EL1, n);
    ISB();
    return n;
}

#endif
