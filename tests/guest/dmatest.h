/* avsim's DMA test device (sim/dmatest.h has its register map and behaviour;
 * tests/guest/README.md), as guest programs see it: enabled by
 * `avsim run --dma-test-device`, at 0x0c000000, SPI 112 (INTID 144). */
#ifndef AVSIM_GUEST_DMATEST_H
#define AVSIM_GUEST_DMATEST_H
#include "gic.h"   /* mmio_r32/w32/r64/w64 */

#define DMATEST_BASE 0x0c000000UL
#define DT_ID 0x000
#define DT_SID 0x008
#define DT_SSID 0x00c
#define DT_SRC 0x010
#define DT_DST 0x018
#define DT_LEN 0x020
#define DT_CMD 0x024
#define DT_STATUS 0x028
#define DT_PATTERN 0x030
#define DT_CHECKSUM 0x038
#define DT_DATA 0x040
#define DT_IRQ_ENABLE 0x048
#define DT_IRQ_STATUS 0x04c
#define DT_IRQ_ACK 0x050
#define DT_COPY 1
#define DT_FILL 2
#define DT_READ 3
#define DT_SSV (1u << 31)
#define DT_ST_DONE (1u << 1)
#define DT_ST_FAULT (1u << 2)
#define DT_ST_SRC_FAULT (1u << 3)
#define DT_ST_DST_FAULT (1u << 4)
#define DT_ST_BADCMD (1u << 5)
#define NO_SSID (-1)

static inline uint32_t dmatest_r32(uint64_t off) { return mmio_r32(DMATEST_BASE + off); }
static inline void dmatest_w32(uint64_t off, uint32_t v) { mmio_w32(DMATEST_BASE + off, v); }
static inline uint64_t dmatest_r64(uint64_t off) { return mmio_r64(DMATEST_BASE + off); }
static inline void dmatest_w64(uint64_t off, uint64_t v) { mmio_w64(DMATEST_BASE + off, v); }

#endif
