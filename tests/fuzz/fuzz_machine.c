#include "fuzz_machine.h"
#include "fuzz_common.h"
#include "sim/memmap.h"

struct machine *fuzz_machine(void)
{
    static struct machine *m;
    static struct fuzz_file image;
    if (m)
        return m;
    static const uint8_t b_self[4] = { 0x00, 0x00, 0x00, 0x14 };   /* b . */
    struct machine_config cfg = { 0 };
    cfg.image = fuzz_file_set(&image, b_self, sizeof b_self);
    cfg.ram_size = 64ULL << 20;
    cfg.have_load_addr = true;
    cfg.load_addr = VIRT_RAM_BASE;
    cfg.gic = GIC_V3;
    cfg.smp = 2;
    cfg.tlb = *machine_cpu(&cfg)->tlb;
    m = calloc(1, sizeof *m);
    char err[512];
    if (!m || machine_init(m, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_machine: %s\n", err);
        abort();
    }
    return m;
}
