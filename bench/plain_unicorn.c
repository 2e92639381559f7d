/* plain_unicorn: the baseline for the avsim benchmarks.
 *
 * Runs an AArch64 guest image on bare Unicorn with no avsim models at all:
 *   - 1 GiB of RAM at 0x40000000 and a PL011 data register page at 0x09000000
 *     (bytes written there go to stdout);
 *   - the ELF's PT_LOAD segments are copied into RAM, execution starts at the
 *     ELF entry point at EL1h (Unicorn's reset state), MMU off;
 *   - semihosting HLT #0xF000 (which Unicorn 2.0.1 reports as exception 1,
 *     EXCP_UDEF, with PC at the HLT) is handled for SYS_WRITEC, SYS_WRITE0 and
 *     SYS_EXIT only;
 *   - one UC_HOOK_BLOCK counts guest instructions as block size / 4, the same
 *     kind of hook avsim uses for its accounting, so the hook cost is comparable.
 *
 * Usage: plain_unicorn IMAGE.elf
 * Guest output goes to stdout. At the end one line goes to stderr:
 *   plain_unicorn: instructions=N wall_s=S mips=M exit=C
 * and the process exits with the guest's SYS_EXIT code (or 1 on errors).
 *
 * The count is approximate in one way: a block in which a semihosting call
 * interrupts execution is counted whole, and its remainder again when it
 * resumes (a few instructions per semihosting call). */
#define _POSIX_C_SOURCE 200809L
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x40000000ULL /* 1 GiB */
#define UART_BASE 0x09000000ULL

#define HLT_F000 0xd45e0000u   /* hlt #0xf000: AArch64 semihosting trap */
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

struct run {
    uint64_t insns;
    int exit_code;
    int exited;
    int error;
    int stop;      /* set by the interrupt hook; acted on by the block hook */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, uc_err err)
{
    fprintf(stderr, "plain_unicorn: %s: %s\n", what, uc_strerror(err));
    exit(1);
}

/* ---- PL011: only the data register matters; every read returns 0 (so the
 * flag register says "transmit FIFO not full"). */
static uint64_t uart_read(uc_engine *uc, uint64_t off, unsigned size, void *ud)
{
    (void)uc; (void)off; (void)size; (void)ud;
    return 0;
}

static void uart_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *ud)
{
    (void)uc; (void)size; (void)ud;
    if (off == 0)
        putchar((int)(value & 0xff));
}

/* ---- instruction counting */
static void block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
    struct run *run = ud;
    (void)addr;
    run->insns += size / 4;
    /* uc_emu_stop() called from the UC_HOOK_INTR callback does not end the run
     * in Unicorn 2.0.1 (the guest went on into rt_exit's final loop); called
     * from a block hook it does. */
    if (run->stop)
        uc_emu_stop(uc);
}

/* ---- semihosting */
static uint64_t reg(uc_engine *uc, int r)
{
    uint64_t v = 0;
    uc_reg_read(uc, r, &v);
    return v;
}

static void semihost(uc_engine *uc, struct run *run)
{
    uint64_t op = reg(uc, UC_ARM64_REG_X0), param = reg(uc, UC_ARM64_REG_X1);
    switch (op) {
    case SYS_WRITEC: {
        uint8_t c;
        if (uc_mem_read(uc, param, &c, 1) == UC_ERR_OK)
            putchar(c);
        break;
    }
    case SYS_WRITE0: {
        char chunk[256];
        for (uint64_t a = param;; a += sizeof chunk) {
            /* Read byte by byte near the end of RAM, in chunks elsewhere. */
            size_t n = sizeof chunk;
            if (a + n > RAM_BASE + RAM_SIZE)
                n = a < RAM_BASE + RAM_SIZE ? (size_t)(RAM_BASE + RAM_SIZE - a) : 0;
            if (n == 0 || uc_mem_read(uc, a, chunk, n) != UC_ERR_OK)
                break;
            size_t len = strnlen(chunk, n);
            fwrite(chunk, 1, len, stdout);
            if (len < n)
                break;
        }
        break;
    }
    case SYS_EXIT: {
        /* AArch64: x1 points to { reason, subcode }. */
        uint64_t block[2] = { 0, 0 };
        uc_mem_read(uc, param, block, sizeof block);
        run->exit_code = block[0] == ADP_STOPPED_APPLICATION_EXIT ? (int)block[1] : 1;
        run->exited = 1;
        run->stop = 1;
        return;
    }
    default:
        fprintf(stderr, "plain_unicorn: unsupported semihosting call 0x%" PRIx64 "\n", op);
        run->error = 1;
        run->stop = 1;
        return;
    }
    uint64_t x0 = 0;
    uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
}

static void intr_hook(uc_engine *uc, uint32_t intno, void *ud)
{
    struct run *run = ud;
    uint64_t pc = reg(uc, UC_ARM64_REG_PC);
    uint32_t insn = 0;
    if (intno == 1 /* EXCP_UDEF */ && uc_mem_read(uc, pc, &insn, 4) == UC_ERR_OK &&
        insn == HLT_F000) {
        semihost(uc, run);
        pc += 4;
        uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
        return;
    }
    fprintf(stderr, "plain_unicorn: guest exception %u at pc 0x%" PRIx64 " (insn %08x)\n",
            intno, pc, insn);
    run->error = 1;
    run->stop = 1;
}

/* ---- ELF loading: copy every PT_LOAD segment, zero its bss part. */
static uint64_t load_elf(uc_engine *uc, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "plain_unicorn: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *img = malloc(len > 0 ? (size_t)len : 1);
    if (!img || len < (long)sizeof(Elf64_Ehdr) || fread(img, 1, len, f) != (size_t)len) {
        fprintf(stderr, "plain_unicorn: %s: cannot read\n", path);
        exit(1);
    }
    fclose(f);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_AARCH64 ||
        eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)len) {
        fprintf(stderr, "plain_unicorn: %s: not an AArch64 ELF64 image\n", path);
        exit(1);
    }
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff + i * sizeof(Elf64_Phdr));
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        if (ph->p_paddr < RAM_BASE || ph->p_paddr + ph->p_memsz > RAM_BASE + RAM_SIZE ||
            ph->p_filesz > ph->p_memsz || ph->p_offset + ph->p_filesz > (uint64_t)len) {
            fprintf(stderr, "plain_unicorn: segment %d outside RAM or file\n", i);
            exit(1);
        }
        uc_err err = uc_mem_write(uc, ph->p_paddr, img + ph->p_offset, ph->p_filesz);
        if (err)
            die("loading segment", err);
        /* RAM is zero-filled by uc_mem_map, so the bss part needs nothing. */
    }
    uint64_t entry = eh->e_entry;
    free(img);
    return entry;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s IMAGE.elf\n", argv[0]);
        return 1;
    }
    uc_engine *uc;
    uc_err err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc);
    if (err)
        die("uc_open", err);
    if ((err = uc_mem_map(uc, RAM_BASE, RAM_SIZE, UC_PROT_ALL)))
        die("mapping RAM", err);
    if ((err = uc_mmio_map(uc, UART_BASE, 0x1000, uart_read, NULL, uart_write, NULL)))
        die("mapping the UART", err);

    uint64_t entry = load_elf(uc, argv[1]);
    struct run run = { 0, 0, 0, 0, 0 };
    uc_hook hb, hi;
    if ((err = uc_hook_add(uc, &hb, UC_HOOK_BLOCK, (void *)block_hook, &run, 1, 0)))
        die("block hook", err);
    if ((err = uc_hook_add(uc, &hi, UC_HOOK_INTR, (void *)intr_hook, &run, 1, 0)))
        die("interrupt hook", err);

    double t0 = now_s();
    err = uc_emu_start(uc, entry, 0, 0, 0);
    double wall = now_s() - t0;
    fflush(stdout);
    if (err) {
        fprintf(stderr, "plain_unicorn: uc_emu_start: %s (pc 0x%" PRIx64 ")\n", uc_strerror(err),
                reg(uc, UC_ARM64_REG_PC));
        run.error = 1;
    } else if (!run.exited && !run.error) {
        fprintf(stderr, "plain_unicorn: guest stopped without SYS_EXIT (pc 0x%" PRIx64 ")\n",
                reg(uc, UC_ARM64_REG_PC));
        run.error = 1;
    }
    int code = run.error ? 1 : run.exit_code;
    fprintf(stderr, "plain_unicorn: instructions=%" PRIu64 " wall_s=%.6f mips=%.1f exit=%d\n",
            run.insns, wall, wall > 0 ? run.insns / wall / 1e6 : 0.0, code);
    uc_close(uc);
    return code;
}
