/* avsim's DMA test device: a small bus master of our own (no real hardware
 * and no QEMU counterpart) that the bare-metal guest tests (tests/guest/smmu_*)
 * drive to provoke DMA transactions through the SMMU: reads only, writes only,
 * or both, as any StreamID and SubstreamID the guest chooses. Enabled by
 * `avsim run --dma-test-device` at 0x0c000000 (0x1000 bytes), its interrupt
 * on SPI 112 (INTID 144), level-sensitive.
 *
 * Register map (offsets in the 4 KiB frame). Every register is made of 32-bit
 * words; a 64-bit register is two words (the low half at its offset, the high
 * half at offset + 4). A 4-byte access reaches one word, an 8-byte access at an
 * 8-byte aligned offset two (the low word first, as two 4-byte accesses). Other
 * sizes, misaligned accesses and unassigned offsets read as zero and ignore
 * writes; writes to read-only registers are ignored; write-only registers read
 * as zero unless said otherwise.
 *
 *   0x000 ID         RO  32  0x444d4131 ("DMA1")
 *   0x008 SID        RW  32  StreamID of the transactions (reset: the StreamID
 *                            the machine gave the device, the dma_port's sid)
 *   0x00c SSID       RW  32  [19:0] SubstreamID, [31] SSV: 1 = the transactions
 *                            carry the SubstreamID, 0 = they carry none; the
 *                            other bits are RES0 (written as zero)
 *   0x010 SRC        RW  64  source address (an IOVA, or a PA without SMMU)
 *   0x018 DST        RW  64  destination address
 *   0x020 LEN        RW  32  bytes to move, at most DMATEST_MAX_LEN
 *   0x024 CMD        WO  32  writing starts a command; it completes before the
 *                            write returns (reads: the last command written)
 *                              1 COPY  read LEN bytes at SRC, write them at DST
 *                              2 FILL  write LEN bytes at DST: byte i is byte
 *                                      (i mod 8) of PATTERN (little-endian)
 *                              3 READ  read LEN bytes at SRC into CHECKSUM
 *                                      and DATA (no write)
 *                            any other value, or LEN > DMATEST_MAX_LEN: the
 *                            command is refused (STATUS.BADCMD), nothing moves
 *   0x028 STATUS     RO  32  of the last command, cleared when the next starts:
 *                              [0] BUSY       always 0 (commands are synchronous)
 *                              [1] DONE       completed, every byte moved
 *                              [2] FAULT      a transaction was terminated
 *                                             (the command stopped there)
 *                              [3] SRC_FAULT  ... a read of SRC
 *                              [4] DST_FAULT  ... a write to DST
 *                              [5] BADCMD     refused
 *   0x030 PATTERN    RW  64  the FILL pattern
 *   0x038 CHECKSUM   RO  64  READ: FNV-1a (64-bit) of the bytes read; COPY
 *                            leaves it unchanged
 *   0x040 DATA       RO  64  READ and COPY: the first 8 bytes read from SRC
 *                            (little-endian; fewer when LEN < 8, the rest zero)
 *   0x048 IRQ_ENABLE RW  32  [0] DONE, [1] ERROR: which IRQ_STATUS bits drive
 *                            the interrupt line
 *   0x04c IRQ_STATUS RO  32  [0] DONE: a command completed; [1] ERROR: a command
 *                            faulted or was refused. Set whatever IRQ_ENABLE
 *                            says; the line is high while
 *                            IRQ_STATUS & IRQ_ENABLE is nonzero
 *   0x050 IRQ_ACK    WO  32  write 1s to clear IRQ_STATUS bits
 *
 * Data move in chunks of at most DMATEST_CHUNK bytes (COPY: a chunk is read,
 * then written, then the next). A terminated transaction stops the command:
 * the chunks before it have moved; of the faulting chunk, what the dma_port
 * says (sim/dma.h). */
#ifndef AVSIM_SIM_DMATEST_H
#define AVSIM_SIM_DMATEST_H
#include <stdint.h>
#include "sim/dma.h"
#include "sim/irq_line.h"

#define DMATEST_MMIO_SIZE 0x1000ULL
#define DMATEST_ID_VALUE 0x444d4131u      /* "DMA1" */
#define DMATEST_MAX_LEN 0x100000u         /* 1 MiB */
#define DMATEST_CHUNK 4096u

enum {
    DMATEST_ID = 0x000, DMATEST_SID = 0x008, DMATEST_SSID = 0x00c, DMATEST_SRC = 0x010,
    DMATEST_DST = 0x018, DMATEST_LEN = 0x020, DMATEST_CMD = 0x024, DMATEST_STATUS = 0x028,
    DMATEST_PATTERN = 0x030, DMATEST_CHECKSUM = 0x038, DMATEST_DATA = 0x040,
    DMATEST_IRQ_ENABLE = 0x048, DMATEST_IRQ_STATUS = 0x04c, DMATEST_IRQ_ACK = 0x050,
};
enum { DMATEST_CMD_COPY = 1, DMATEST_CMD_FILL = 2, DMATEST_CMD_READ = 3 };
#define DMATEST_SSID_SSV (1u << 31)
#define DMATEST_SSID_MASK 0xfffffu
enum {
    DMATEST_ST_BUSY = 1u << 0, DMATEST_ST_DONE = 1u << 1, DMATEST_ST_FAULT = 1u << 2,
    DMATEST_ST_SRC_FAULT = 1u << 3, DMATEST_ST_DST_FAULT = 1u << 4, DMATEST_ST_BADCMD = 1u << 5,
};
enum { DMATEST_IRQ_DONE = 1u << 0, DMATEST_IRQ_ERROR = 1u << 1 };

struct dmatest;

struct dmatest *dmatest_create(struct dma_port dma, struct irq_line irq);
uint64_t dmatest_read(struct dmatest *d, uint64_t off, unsigned size);
void dmatest_write(struct dmatest *d, uint64_t off, uint64_t value, unsigned size);
/* The registers' reset values (a system reset); the line goes low. */
void dmatest_reset(struct dmatest *d);
void dmatest_destroy(struct dmatest *d);

#endif
