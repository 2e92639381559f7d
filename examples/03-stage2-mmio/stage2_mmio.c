/* Example 03: stage-2 translation and MMIO trap-and-emulate.
 *
 * What it shows (course topic: memory virtualization and emulated devices):
 *  - the hypervisor builds a stage-2 translation table for its guest (VTTBR_EL2,
 *    VTCR_EL2) and turns it on with HCR_EL2.VM: every guest address (an IPA,
 *    "intermediate physical address") now goes through a second translation;
 *  - the image is identity-mapped (IPA == PA), but the guest's extra RAM at IPA
 *    0x80000000 really lives at PA 0x40400000: IPA != PA, and the guest uses it
 *    with ordinary loads and stores, without a single exit;
 *  - at IPA 0x0a000000 the guest believes there is a small UART ("vUART"). The
 *    hypervisor leaves that window UNMAPPED, so each access the guest's driver
 *    makes there is a stage-2 translation fault: a data abort taken to EL2
 *    (ESR_EL2.EC = 0x24);
 *  - the hypervisor finds the address in HPFAR_EL2 (the faulting IPA page) plus
 *    FAR_EL2[11:0] (the offset in the page), and the access itself in the ISS
 *    of ESR_EL2: ISV (syndrome valid), SAS (size), SRT (register), WnR
 *    (write?). It performs the access on its model of the device - for a read,
 *    it writes the result into the guest's saved register; for a write, it takes
 *    the value from it - skips the instruction (ELR_EL2 += 4) and returns.
 * The guest cannot tell that its UART is a program: this is trap-and-emulate. */
#include "pagetable.h"   /* stage-2 table helpers: pt_init_s2, pt_map, s2_setup, S2_RAM */

/* ---- The guest-physical memory map (what the guest sees) ---- */
#define GUEST_RAM_IPA 0x80000000UL   /* extra guest RAM: IPA ...       */
#define GUEST_RAM_PA  RAM_FREE0      /* ... backed by PA 0x40400000    */
#define VUART_IPA     0x0a000000UL   /* the virtual UART: not mapped   */

/* The vUART's registers (offsets from VUART_IPA). */
#define UART_DATA   0x00   /* write, 8 bit:  a character to transmit          */
#define UART_STATUS 0x04   /* read, 32 bit:  bit 0 = TXREADY (when enabled)   */
#define UART_CTRL   0x08   /* write, 32 bit: bit 0 = ENABLE                   */
#define UART_ID     0x10   /* read, 64 bit:  "vUART-01" in ASCII, first byte low */
#define VUART_SIZE  0x18
#define VUART_ID_VALUE 0x31302d5452415576UL

/* ---- The hypervisor (EL2): the device model ---- */
static uint32_t uart_ctrl;
static char line[128];                 /* the vUART prints whole lines */
static unsigned line_len;
static unsigned exits_read, exits_write, exits_by_reg[VUART_SIZE];

static const char *reg_name(uint64_t off)
{
    return off == UART_DATA ? "DATA" : off == UART_STATUS ? "STATUS" : off == UART_CTRL ? "CTRL"
         : off == UART_ID ? "ID" : "(no register)";
}

static uint64_t vuart_read(uint64_t off)
{
    if (off == UART_STATUS) return uart_ctrl & 1;      /* always ready to send once enabled */
    if (off == UART_ID) return VUART_ID_VALUE;
    return 0;                                          /* other offsets read as zero */
}

static void vuart_write(uint64_t off, uint64_t val)
{
    if (off == UART_CTRL)
        uart_ctrl = (uint32_t)val;
    if (off != UART_DATA || !(uart_ctrl & 1))
        return;
    if (val != '\n' && line_len < sizeof line - 1) {
        line[line_len++] = (char)val;
        return;
    }
    line[line_len] = 0;                                /* a whole line: "transmit" it */
    rt_printf("[vUART] %s\n", line);
    line_len = 0;
}

/* Every exit from the guest arrives here (vector "lower EL, AArch64, synchronous"). */
void el2_handler(struct rt_frame *f, int vector)
{
    uint64_t esr = READ_SYSREG(esr_el2);
    uint32_t iss = (uint32_t)ESR_ISS(esr);
    /* Where: HPFAR_EL2 holds the IPA's page number (bits 47:12 in its bits 39:4),
     * FAR_EL2 the guest's virtual address, whose low 12 bits are the offset. */
    uint64_t ipa = HPFAR_IPA(READ_SYSREG(hpfar_el2)) | (READ_SYSREG(far_el2) & 0xfff);
    uint64_t off = ipa - VUART_IPA;

    if (vector != RT_VEC_LOWER64 + RT_SYNC || ESR_EC(esr) != 0x24 || !(iss & ISS_ISV) ||
        off >= VUART_SIZE) {
        rt_printf("hypervisor: cannot emulate this exit (vector %d, EC 0x%x, ISS 0x%x)\n", vector,
                  (unsigned)ESR_EC(esr), iss);
        rt_exit(1);
    }
    /* What: with ISV = 1 the ISS describes the instruction that faulted. */
    unsigned sas = (iss >> 22) & 3;            /* access size: 1 << SAS bytes */
    unsigned srt = (iss >> 16) & 31;           /* the register transferred (31 = xzr) */
    unsigned wnr = (iss >> 6) & 1;             /* 1 = write, 0 = read */
    unsigned sf = (iss >> 15) & 1;             /* 1 = x register, 0 = w register */
    unsigned dfsc = iss & 0x3f;                /* 0b0001LL: translation fault at level LL */
    unsigned size = 1u << sas;
    uint64_t mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
    uint64_t val;
    /* (A full emulator would also honour SSE, sign-extending loads such as LDRSB.) */
    if (wnr) {                                 /* emulate a store: take the value from Rt */
        val = (srt == 31 ? 0 : f->x[srt]) & mask;
        vuart_write(off, val);
        exits_write++;
    } else {                                   /* emulate a load: the result goes into Rt */
        val = vuart_read(off) & mask;
        if (srt != 31)
            f->x[srt] = val;                   /* restored into the register by the ERET path */
        exits_read++;
    }
    exits_by_reg[off]++;
    f->elr += 4;                               /* ELR_EL2 points AT the access: skip it */

    unsigned n = exits_read + exits_write;
    if (n <= 4) {                              /* decode the first few exits for the reader */
        char r = sf ? 'x' : 'w';
        rt_printf("hypervisor: exit %u: EC=0x24 data abort from EL1, DFSC=0x%02x = translation "
                  "fault, level %u\n", n, dfsc, dfsc & 3);
        rt_printf("  where: HPFAR_EL2 page 0x%08lx + FAR_EL2[11:0] 0x%03lx = IPA 0x%08lx = vUART %s\n",
                  ipa & ~0xfffUL, ipa & 0xfff, ipa, reg_name(off));
        rt_printf("  what:  ISV=1 SAS=%u SRT=%u WnR=%u = %u-byte %s %c%u", sas, srt, wnr, size,
                  wnr ? "write from" : "read into", r, srt);
        if (wnr)
            rt_printf(" -> emulated: %s = 0x%lx\n", reg_name(off), val);
        else
            rt_printf(" -> emulated: guest %c%u = 0x%lx\n", r, srt, val);
    }
}

/* ---- The guest (EL1, its own stage 1 off: its addresses are IPAs) ---- */

/* MMIO accessors, like Linux's readq()/readl()/writel()/writeb(): a single load or
 * store each. The data register is pinned (x3..x6) so that the SRT printed above
 * is the same with every compiler. */
static uint64_t mmio_read64(uint64_t a)
{
    register uint64_t v __asm__("x3");
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}
static uint32_t mmio_read32(uint64_t a)
{
    register uint64_t v __asm__("x4");
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return (uint32_t)v;
}
static void mmio_write32(uint64_t a, uint32_t val)
{
    register uint64_t v __asm__("x5") = val;
    __asm__ volatile("str %w0, [%1]" :: "r"(v), "r"(a) : "memory");
}
static void mmio_write8(uint64_t a, uint8_t val)
{
    register uint64_t v __asm__("x6") = val;
    __asm__ volatile("strb %w0, [%1]" :: "r"(v), "r"(a) : "memory");
}

/* An ordinary polling UART driver: wait for TXREADY, then write the byte. */
static void uart_putc(char c)
{
    while (!(mmio_read32(VUART_IPA + UART_STATUS) & 1))
        ;
    mmio_write8(VUART_IPA + UART_DATA, (uint8_t)c);
}

static void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static uint64_t guest(uint64_t arg)
{
    (void)arg;
    /* 1. RAM through stage 2: IPA 0x80000000 is PA 0x40400000. No exit. */
    volatile uint64_t *ram = (volatile uint64_t *)GUEST_RAM_IPA;
    ram[1] = ram[0] + 1;

    /* 2. Probe the device (64-bit read), enable it (32-bit write), print. */
    uint64_t id = mmio_read64(VUART_IPA + UART_ID);
    if (id != VUART_ID_VALUE)
        return 1;
    mmio_write32(VUART_IPA + UART_CTRL, 1);
    uart_puts("guest: found ");
    for (int i = 0; i < 8; i++)                /* the ID's bytes are its name */
        uart_putc((char)(id >> (8 * i)));
    uart_puts(" at IPA 0x0a000000\n");
    uart_puts("guest: each character costs two exits\n");
    return 0;
}

/* ---- The hypervisor's main program (EL2, MMU off: its addresses are PAs) ---- */
int main(void)
{
    struct pt s2;
    pt_init_s2(&s2, 40, 1);                    /* 40-bit IPA space, walk starts at level 1 */
    s2_map_image(&s2, 2);                      /* IPA 0x40000000 -> PA 0x40000000 (2 MiB block) */
    pt_map(&s2, GUEST_RAM_IPA, GUEST_RAM_PA, 2, S2_RAM);   /* IPA 0x80000000 -> PA 0x40400000 */
    /* Nothing maps VUART_IPA: the level-1 entry for its GiB stays invalid. */
    s2_setup(&s2);                             /* VTCR_EL2, VTTBR_EL2 (VMID 1), TLB flush */

    volatile uint64_t *ram_pa = (volatile uint64_t *)GUEST_RAM_PA;
    ram_pa[0] = 41;                            /* a value for the guest to find */
    ram_pa[1] = 0;
    rt_printf("hypervisor: stage 2 on; guest RAM IPA 0x%lx -> PA 0x%lx; vUART IPA 0x%08lx unmapped\n",
              GUEST_RAM_IPA, GUEST_RAM_PA, VUART_IPA);

    /* Run guest() at EL1 with HCR_EL2.VM = 1 (stage 2 on); returns when guest() returns. */
    uint64_t ret = rt_run_el1(guest, HCR_VM, 0);

    rt_printf("hypervisor: guest returned %lu after %u exits: MMIO reads %u, MMIO writes %u\n", ret,
              exits_read + exits_write, exits_read, exits_write);
    rt_printf("hypervisor: exits by register: DATA %u, STATUS %u, CTRL %u, ID %u\n",
              exits_by_reg[UART_DATA], exits_by_reg[UART_STATUS], exits_by_reg[UART_CTRL],
              exits_by_reg[UART_ID]);
    rt_printf("hypervisor: guest read %lu at IPA 0x%lx, wrote %lu found at PA 0x%lx: no exit\n",
              ram_pa[0], GUEST_RAM_IPA, ram_pa[1], GUEST_RAM_PA + 8);
    return ret == 0 && ram_pa[1] == 42 ? 0 : 1;
}
