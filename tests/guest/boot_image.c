// AVSIM-ARGS: --append="console=ttyAMA0 avsim.boot=image" --initrd=@IMAGE_DIR@/boot_initrd.bin
// QEMU-ARGS: -m 1G -append "console=ttyAMA0 avsim.boot=image" -initrd @IMAGE_DIR@/boot_initrd.bin
/* Booting as an arm64 Linux Image (Linux's Documentation/arch/arm64/booting.rst)
 * with a command line and an initrd, as QEMU's -kernel does: the Image (built
 * from this program by avsim_guest_linux_image, header in rt/image_header.S)
 * runs at RAM + text_offset at EL2h, MMU off, with x0 = the physical address
 * of a device tree and x1-x3 = 0. The program walks the flattened device tree
 * (the DTSpec's structure block: FDT_BEGIN_NODE, FDT_PROP, FDT_END_NODE,
 * big-endian) to find /chosen's bootargs and linux,initrd-start/-end, /psci's
 * method and the memory node, and checks the initrd's bytes in RAM. Addresses
 * are printed relative to the start of RAM; they must match QEMU's placement
 * (initrd at RAM + 128 MiB, the tree at the next 2 MiB boundary after it). */
#include "rt/rt.h"

#define RAM_BASE 0x40000000UL
#define FDT_MAGIC 0xd00dfeedu
enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

/* The initrd file's contents, as tests/guest/CMakeLists.txt writes it. */
static const char initrd_text[] = "avsim initrd: 0123456789abcdef\n";

extern uint64_t rt_boot_regs[4];
extern char _image_head[];

static int failures;
static void check(int ok, const char *what)
{
    if (!ok) {
        failures++;
        rt_printf("  CHECK FAILED: %s\n", what);
    }
}

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A property value as a number: one or two cells. */
static uint64_t cells(const uint8_t *v, uint32_t len)
{
    return len == 8 ? (uint64_t)be32(v) << 32 | be32(v + 4) : len == 4 ? be32(v) : ~0UL;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static unsigned slen(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

struct found {
    const char *bootargs, *psci_method;
    uint64_t initrd_start, initrd_end, mem_base, mem_size;
    int have_initrd_start, have_initrd_end, cpus;
};

/* Walks the structure block, noting the properties this test looks for in the
 * nodes at depth 1 (children of the root) and counting /cpus/cpu@N nodes. */
static int fdt_walk(const uint8_t *fdt, struct found *f)
{
    const uint8_t *structs = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    uint32_t size_struct = be32(fdt + 36);
    const char *path[8];
    int depth = 0;
    for (uint32_t off = 0; off + 4 <= size_struct;) {
        uint32_t tok = be32(structs + off);
        off += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)structs + off;
            off += (slen(name) + 1 + 3) & ~3u;
            if (depth < 8)
                path[depth] = name;
            depth++;
            if (depth == 3 && streq(path[1], "cpus") && starts_with(name, "cpu@"))
                f->cpus++;
        } else if (tok == FDT_END_NODE) {
            depth--;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(structs + off), nameoff = be32(structs + off + 4);
            const uint8_t *v = structs + off + 8;
            const char *pname = strings + nameoff;
            off += 8 + ((len + 3) & ~3u);
            if (depth != 2)
                continue;
            if (streq(path[1], "chosen")) {
                if (streq(pname, "bootargs"))
                    f->bootargs = (const char *)v;
                if (streq(pname, "linux,initrd-start"))
                    f->initrd_start = cells(v, len), f->have_initrd_start = 1;
                if (streq(pname, "linux,initrd-end"))
                    f->initrd_end = cells(v, len), f->have_initrd_end = 1;
            } else if (streq(path[1], "psci") && streq(pname, "method")) {
                f->psci_method = (const char *)v;
            } else if (starts_with(path[1], "memory@") && streq(pname, "reg") && len == 16) {
                f->mem_base = cells(v, 8);
                f->mem_size = cells(v + 8, 8);
            }
        } else if (tok == FDT_NOP) {
        } else if (tok == FDT_END) {
            return depth == 0 ? 0 : -1;
        } else {
            return -1;
        }
    }
    return -1;
}

int main(void)
{
    uint64_t x0 = rt_boot_regs[0];
    rt_puts("boot_image\n");
    rt_printf("Image header at RAM+0x%lx, CurrentEL=%lu\n", (uint64_t)_image_head - RAM_BASE,
              READ_SYSREG(CurrentEL) >> 2);
    check((uint64_t)_image_head == RAM_BASE + 0x80000, "loaded at RAM + text_offset");
    check(READ_SYSREG(CurrentEL) >> 2 == 2, "started at EL2");
    check((READ_SYSREG(sctlr_el2) & 1) == 0, "MMU off");
    rt_printf("x0 = RAM+0x%lx, x1=%lu x2=%lu x3=%lu\n", x0 - RAM_BASE, rt_boot_regs[1], rt_boot_regs[2],
              rt_boot_regs[3]);
    check(rt_boot_regs[1] == 0 && rt_boot_regs[2] == 0 && rt_boot_regs[3] == 0, "x1-x3 are zero");
    check(x0 >= RAM_BASE && x0 < RAM_BASE + (1UL << 30) && (x0 & 7) == 0, "x0 is an 8-byte aligned RAM address");
    if (failures)
        return 1;

    const uint8_t *fdt = (const uint8_t *)x0;
    /* totalsize: 1 MiB as QEMU's virt builds it (printed, not checked: a --dtb tree differs). */
    rt_printf("FDT magic 0x%x, version %u, totalsize 0x%x\n", be32(fdt), be32(fdt + 20), be32(fdt + 4));
    check(be32(fdt) == FDT_MAGIC, "FDT magic 0xd00dfeed");
    check(be32(fdt + 20) == 17, "FDT version 17");
    if (failures)
        return 1;

    struct found f = { 0 };
    check(fdt_walk(fdt, &f) == 0, "the structure block is well formed");
    rt_printf("/chosen/bootargs = \"%s\"\n", f.bootargs ? f.bootargs : "(none)");
    check(f.bootargs && streq(f.bootargs, "console=ttyAMA0 avsim.boot=image"), "bootargs");
    rt_printf("/psci method = \"%s\"\n", f.psci_method ? f.psci_method : "(none)");
    check(f.psci_method && streq(f.psci_method, "smc"), "PSCI through SMC at EL2");
    rt_printf("memory: base 0x%lx size 0x%lx, cpus: %d\n", f.mem_base, f.mem_size, f.cpus);
    check(f.mem_base == RAM_BASE && f.mem_size == 1UL << 30, "memory node: 1 GiB at 0x40000000");
    check(f.cpus == 1, "one cpu node");
    check(f.have_initrd_start && f.have_initrd_end, "linux,initrd-start and -end");
    rt_printf("initrd = RAM+0x%lx .. RAM+0x%lx (%lu bytes)\n", f.initrd_start - RAM_BASE,
              f.initrd_end - RAM_BASE, f.initrd_end - f.initrd_start);
    check(f.initrd_end - f.initrd_start == sizeof initrd_text - 1, "initrd size");
    if (failures)
        return 1;
    const char *initrd = (const char *)f.initrd_start;
    int same = 1;
    for (unsigned i = 0; i < sizeof initrd_text - 1; i++)
        same &= initrd[i] == initrd_text[i];
    rt_printf("initrd bytes: %s", same ? initrd_text : "(different)\n");
    check(same, "the initrd's bytes are in RAM");
    check(x0 >= f.initrd_end, "the tree lies after the initrd");
    rt_printf("%s (%d failed checks)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
