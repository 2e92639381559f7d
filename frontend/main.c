/* avsim command line. */
#include "frontend/gdbstub.h"
#include "frontend/hostterm.h"
#include "sim/machine.h"
#include "frontend/view_model.h"
#include "frontend/view_render.h"
#include "frontend/view_totals.h"
#ifdef AVSIM_HAVE_SDL
#include "frontend/view_window.h"
#endif
#include "traces/tools.h"
#include "traces/trace.h"
#include <capstone/capstone.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unicorn/unicorn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AVSIM_VERSION
#define AVSIM_VERSION "unknown"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: avsim run [options] IMAGE       (or avsim run [options] --kernel=IMAGE)\n"
            "       avsim dumpdtb [options] FILE    write the device tree of the machine the options build\n"
            "       avsim trace dump|stats [options] TRACE\n"
            "       avsim tlbsim [options] TRACE\n"
            "       avsim --help | --version\n"
            "\n"
            "Runs IMAGE (an AArch64 ELF, an arm64 Linux Image, plain or gzipped, or a raw\n"
            "binary with --load-addr) on a simulated ARMv8-A machine shaped like QEMU's\n"
            "-M virt,virtualization=on -cpu cortex-a57, starting at EL2h with the MMU off.\n"
            "The guest's UART and semihosting output go to stdout; avsim exits with the\n"
            "guest's semihosting exit status.\n"
            "\n"
            "options (the boot options also take their value as the next argument):\n"
            "  --kernel=IMAGE         the image (same as the IMAGE argument)\n"
            "  --initrd=FILE          an initrd for a Linux Image, placed as QEMU does\n"
            "  --append=ARGS          the kernel command line (/chosen/bootargs)\n"
            "  --dtb=FILE             use this device tree instead of the generated one\n"
            "  --el=1|2               start at EL2h (default) or at EL1h with no EL2\n"
            "                         (QEMU's -M virt without virtualization=on; PSCI via HVC)\n"
            "  --ram=SIZE             guest RAM at 0x40000000 (default 1G; K, M, G suffixes)\n"
            "  --load-addr=ADDR       load a raw binary at ADDR and start there\n"
            "  --stats=FILE           write statistics as JSON to FILE at the end\n"
            "  --trace-exceptions[=FILE]\n"
            "                         one line per exception and ERET (default: stderr)\n"
            "  --max-insns=N          stop after N guest instructions (all PEs together)\n"
            "  --cpu=NAME             the CPU: cortex-a57 (default, Armv8.0), cortex-a76 (Armv8.2:\n"
            "                         VHE, PAN, LSE) or max (everything avsim models)\n"
            "  --smp=N                N processing elements (1-8, default 1); PE 0 starts, the\n"
            "                         others wait for PSCI CPU_ON\n"
            "  --quantum=CYCLES       SMP: each PE runs this many cycles per turn (default 20000)\n"
"  --gic-lrs=N            list registers of the virtual CPU interface (1-16, default 4)\n"
            "  --trace=FILE           record a binary trace (see avsim trace, avsim tlbsim)\n"
            "  --trace-events=LIST    what to record: blocks,data,exceptions,erets,tlbi,context,\n"
            "                         walks,irq,smmu_xlate,smmu_walks,smmu_events,smmu_cmds, smmu\n"
            "                         (the four SMMU classes) or all (default all; data slows\n"
            "                         the run most)\n"
            "  --counter-hz=HZ        the system counter / CNTFRQ_EL0 (default 62500000)\n"
            "  --gic=v3|v2            the interrupt controller (default v3)\n"
            "  --smmu=on|off          an SMMUv3 at 0x09050000 in front of the DMA devices (default on,\n"
            "                         as QEMU's -M virt,iommu=smmuv3); off: they DMA to memory directly\n"
            "  --drive=FILE[,ro]      a virtio-blk disk backed by FILE (repeatable; ro: read-only)\n"
            "  --virtio-rng[=SEED]    a virtio-rng device, a deterministic source (default seed 0)\n"
            "  --virtio-console[=stdin]\n"
            "                         a virtio-console (the guest's hvc0) writing to stdout; =stdin: it\n"
            "                         reads the host's input too (the PL011 then receives nothing)\n"
            "                         (virtio devices take transports 31, 30, ... in command-line order)\n"
            "  --dma-test-device      avsim's DMA test device at 0x0c000000 (SPI 112; for guest tests)\n"
            "  --gdb=PORT             wait for gdb (target remote :PORT) on 127.0.0.1:PORT (a thread per PE)\n"
            "  --tlb=SPEC             the TLB model: l1i=N[:WAYS],l1d=N[:WAYS],l2=N[:WAYS],walk=N,\n"
            "                         repl=lru|fifo|random (default: Cortex-A57-like 48/32/1024:4/64)\n"
            "  --view                 show the exception timeline in a window (needs SDL2)\n"
            "  --view-close-at-end    close the window when the run ends\n"
            "  --view-png=FILE        draw the exception timeline as a PNG at the end of the run\n"
            "  --view-size=WxH        the picture's size (default 1024x480)\n"
            "  --view-keep=N          exceptions and ERETs the viewer keeps (default 4096)\n"
            "\n"
            "exit status: the guest's semihosting exit status (0 after PSCI SYSTEM_OFF);\n"
            "2 for bad usage or input, or an output avsim could not write; 3 when avsim\n"
            "stops the guest (stuck, waiting forever, or using something avsim does not\n"
            "model yet: the message says what).\n");
}

/* A number (decimal, 0x hex or 0 octal) with an optional K, M or G suffix
 * and B; -1 for anything else, a sign, or a value past 2^64 - 1 (with its
 * suffix applied). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;                    /* strtoull would take "-1" as 2^64 - 1, and skip spaces */
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (shift && v > (~0ULL >> shift))
        return -1;
    v <<= shift;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

static const char *opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

/* A boot option's value, from "--name=VALUE" or "--name VALUE" (then *i
 * moves on). NULL when argv[*i] is not the option; *missing when it is but
 * the value is not there. */
static const char *opt_value_or_next(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *v = opt_value(argv[*i], name);
    if (v || strcmp(argv[*i], name) != 0)
        return v;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

enum { OPT_NOT_MINE = 0, OPT_TAKEN = 1, OPT_BAD = -1 };

/* One more virtio device of the command line; false (message printed) past 32. */
static bool add_virtio(struct machine_config *cfg, struct machine_virtio v, const char *opt)
{
    if (cfg->n_virtio == VIRT_MMIO_COUNT) {
        fprintf(stderr, "avsim: %s: the machine has %d virtio-mmio transports, all taken\n", opt, VIRT_MMIO_COUNT);
        return false;
    }
    cfg->virtio[cfg->n_virtio++] = v;
    return true;
}

/* --drive=FILE[,ro]: the file (",," stands for a comma in it, as in QEMU's
 * option syntax), then flags. */
static bool parse_drive(const char *v, struct machine_virtio *d)
{
    size_t n = strlen(v);
    char *path = malloc(n + 1);       /* the configuration's until free_config */
    if (!path)
        return false;
    size_t j = 0;
    const char *p = v;
    for (; *p; p++) {
        if (*p == ',' && p[1] == ',') {
            path[j++] = ',';
            p++;
        } else if (*p == ',') {
            break;
        } else {
            path[j++] = *p;
        }
    }
    path[j] = 0;
    *d = (struct machine_virtio){ .kind = MACHINE_VIRTIO_BLK, .path = path };
    if (!j) {
        fprintf(stderr, "avsim: --drive=%s: no file given (--drive=FILE[,ro])\n", v);
        free(path);
        d->path = NULL;
        return false;
    }
    while (*p == ',') {
        const char *flag = ++p;
        size_t len = strcspn(flag, ",");
        if (len == 2 && !strncmp(flag, "ro", 2))
            d->read_only = true;
        else {
            fprintf(stderr, "avsim: --drive=%s: unknown flag '%.*s' (--drive=FILE[,ro])\n", v, (int)len, flag);
            free(path);
            d->path = NULL;
            return false;
        }
        p = flag + len;
    }
    return true;
}

/* What the options allocated for cfg: the unescaped paths of --drive. */
static void free_config(struct machine_config *cfg)
{
    for (unsigned n = 0; n < cfg->n_virtio; n++)
        if (cfg->virtio[n].kind == MACHINE_VIRTIO_BLK)
            free((char *)cfg->virtio[n].path);
    cfg->n_virtio = 0;
}

/* The options that shape the machine and its boot, shared by `run` and
 * `dumpdtb`. Returns OPT_TAKEN, OPT_NOT_MINE, or OPT_BAD (message printed). */
static int machine_option(int argc, char **argv, int *i, struct machine_config *cfg, const char **kernel)
{
    const char *a = argv[*i], *v;
    bool missing = false;
    if ((v = opt_value(a, "--ram"))) {
        if (parse_size(v, &cfg->ram_size) != 0 || cfg->ram_size < (1 << 20) ||
            cfg->ram_size > VIRT_RAM_MAX || cfg->ram_size % 4096) {
            fprintf(stderr, "avsim: --ram=%s: give a size from 1M to 255G, a multiple of 4K\n", v);
            return OPT_BAD;
        }
    } else if ((v = opt_value(a, "--gic"))) {
        if (!strcmp(v, "v3") || !strcmp(v, "3"))
            cfg->gic = GIC_V3;
        else if (!strcmp(v, "v2") || !strcmp(v, "2"))
            cfg->gic = GIC_V2;
        else {
            fprintf(stderr, "avsim: --gic=%s: give v3 or v2\n", v);
            return OPT_BAD;
        }
    } else if ((v = opt_value_or_next(argc, argv, i, "--kernel", &missing))) {
        if (*kernel) {
            fprintf(stderr, "avsim: more than one image given ('%s' and '%s')\n", *kernel, v);
            return OPT_BAD;
        }
        *kernel = v;
    } else if ((v = opt_value_or_next(argc, argv, i, "--initrd", &missing))) {
        cfg->initrd = v;
    } else if ((v = opt_value_or_next(argc, argv, i, "--append", &missing))) {
        cfg->append = v;
    } else if ((v = opt_value_or_next(argc, argv, i, "--dtb", &missing))) {
        cfg->dtb = v;
    } else if ((v = opt_value_or_next(argc, argv, i, "--el", &missing))) {
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0) {
            fprintf(stderr, "avsim: --el=%s: give 1 (start at EL1h, no EL2) or 2 (start at EL2h, the default)\n",
                    v);
            return OPT_BAD;
        }
        cfg->start_el = (unsigned)(v[0] - '0');
    } else if ((v = opt_value(a, "--cpu"))) {
        const struct cpu_model *c = cpu_model_find(v);
        if (!c) {
            fprintf(stderr, "avsim: --cpu=%s: unknown CPU (avsim models:", v);
            for (int k = 0; cpu_models[k]; k++)
                if (!cpu_models[k]->not_modelled)
                    fprintf(stderr, " %s", cpu_models[k]->name);
            fprintf(stderr, ")\n");
            return OPT_BAD;
        }
        if (c->not_modelled) {
            fprintf(stderr, "avsim: --cpu=%s: not modelled yet: %s\n", v, c->not_modelled);
            return OPT_BAD;
        }
        cfg->cpu = c;
    } else if ((v = opt_value_or_next(argc, argv, i, "--smp", &missing))) {
        uint64_t n;
        if (parse_size(v, &n) != 0 || n < 1 || n > 8) {
            fprintf(stderr, "avsim: --smp=%s: give 1 to 8 PEs\n", v);
            return OPT_BAD;
        }
        cfg->smp = (unsigned)n;
    } else if ((v = opt_value(a, "--smmu"))) {
        if (!strcmp(v, "on"))
            cfg->no_smmu = false;
        else if (!strcmp(v, "off"))
            cfg->no_smmu = true;
        else {
            fprintf(stderr, "avsim: --smmu=%s: give on or off\n", v);
            return OPT_BAD;
        }
    } else if ((v = opt_value_or_next(argc, argv, i, "--drive", &missing))) {
        struct machine_virtio d;
        if (!parse_drive(v, &d))
            return OPT_BAD;
        if (!add_virtio(cfg, d, "--drive")) {
            free((char *)d.path);
            return OPT_BAD;
        }
    } else if (!strcmp(a, "--virtio-rng") || (v = opt_value(a, "--virtio-rng"))) {
        uint64_t seed = 0;
        char *end = (char *)v;
        if (v) {
            errno = 0;
            seed = *v >= '0' && *v <= '9' ? strtoull(v, &end, 0) : 0;
            if (*v < '0' || *v > '9' || errno || *end) {
                fprintf(stderr, "avsim: --virtio-rng=%s: give the seed as a number\n", v);
                return OPT_BAD;
            }
        }
        if (!add_virtio(cfg, (struct machine_virtio){ .kind = MACHINE_VIRTIO_RNG, .seed = seed }, "--virtio-rng"))
            return OPT_BAD;
    } else if (!strcmp(a, "--virtio-console") || (v = opt_value(a, "--virtio-console"))) {
        bool input = false;
        if (v) {
            if (strcmp(v, "stdin")) {
                fprintf(stderr, "avsim: --virtio-console=%s: give stdin (hvc0 takes the host's input) or nothing\n", v);
                return OPT_BAD;
            }
            for (unsigned n = 0; n < cfg->n_virtio; n++)
                if (cfg->virtio[n].kind == MACHINE_VIRTIO_CONSOLE && cfg->virtio[n].input) {
                    fprintf(stderr, "avsim: --virtio-console=stdin: only one console can read the host's input\n");
                    return OPT_BAD;
                }
            input = true;
        }
        if (!add_virtio(cfg, (struct machine_virtio){ .kind = MACHINE_VIRTIO_CONSOLE, .input = input },
                        "--virtio-console"))
            return OPT_BAD;
    } else if (!strcmp(a, "--dma-test-device")) {
        cfg->dma_test = true;
    } else if (!missing) {
        return OPT_NOT_MINE;
    }
    if (missing) {
        fprintf(stderr, "avsim: %s needs a value (%s=VALUE or %s VALUE)\n", a, a, a);
        return OPT_BAD;
    }
    return OPT_TAKEN;
}

/* Checks the boot files and disk images before the machine is built, for clear messages. */
static int check_boot_files(const struct machine_config *cfg)
{
    char err[300];
    for (unsigned k = 0; k < cfg->n_virtio; k++) {
        const struct machine_virtio *d = &cfg->virtio[k];
        if (d->kind != MACHINE_VIRTIO_BLK)
            continue;
        struct stat st;
        if (stat(d->path, &st) != 0) {
            fprintf(stderr, "avsim: --drive=%s: %s\n", d->path, strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "avsim: --drive=%s: a directory, not a disk image\n", d->path);
            return -1;
        }
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
            fprintf(stderr, "avsim: --drive=%s: not a regular file or a block device\n", d->path);
            return -1;
        }
        if (access(d->path, d->read_only ? R_OK : R_OK | W_OK) != 0) {
            fprintf(stderr, "avsim: --drive=%s: %s%s\n", d->path, strerror(errno),
                    d->read_only ? "" : " (add ,ro for a read-only disk)");
            return -1;
        }
    }
    if (cfg->initrd) {
        FILE *f = fopen(cfg->initrd, "rb");
        if (!f) {
            fprintf(stderr, "avsim: --initrd=%s: %s\n", cfg->initrd, strerror(errno));
            return -1;
        }
        fclose(f);
    }
    if (cfg->dtb) {
        uint8_t *data;
        size_t size;
        if (boot_read_file(cfg->dtb, BOOT_DTB_MAX_BYTES, &data, &size, err, sizeof err) != 0) {
            fprintf(stderr, "avsim: --dtb=%s\n", err);
            return -1;
        }
        int rc = fdt_validate(data, size, err, sizeof err);
        free(data);
        if (rc != 0) {
            fprintf(stderr, "avsim: --dtb=%s: %s\n", cfg->dtb, err);
            return -1;
        }
    }
    return 0;
}

/* avsim dumpdtb [options] FILE: the generated device tree of the machine the
 * same options build. Without --kernel, the initrd goes where QEMU would put it
 * for a Linux Image small enough to end below it. */
static int cmd_dumpdtb_with(struct machine_config *cfg, int argc, char **argv)
{
    const char *kernel = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        int r = machine_option(argc, argv, &i, cfg, &kernel);
        if (r == OPT_BAD)
            return 2;
        if (r == OPT_TAKEN)
            continue;
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "avsim: dumpdtb: unknown option '%s' (see avsim --help)\n", a);
            return 2;
        } else if (!out) {
            out = a;
        } else {
            fprintf(stderr, "avsim: dumpdtb: more than one output file given ('%s' and '%s')\n", out, a);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "avsim: dumpdtb: no output file given (usage: avsim dumpdtb [options] FILE)\n");
        return 2;
    }
    if (check_boot_files(cfg) != 0)
        return 2;
    char err[512];
    struct loaded_image img = { .is_linux = 1 };
    if (kernel) {
        struct loaded_image k;
        if (image_open(&k, kernel, VIRT_RAM_BASE, cfg->ram_size, false, 0, err, sizeof err) != 0) {
            fprintf(stderr, "avsim: %s\n", err);
            return 2;
        }
        if (k.is_elf)
            img = (struct loaded_image){ .is_elf = 1 };    /* the tree as an ELF gets it (no initrd) */
        else
            img.end = k.end;
        image_close(&k);
    }
    struct boot_config bc;
    struct boot_blobs blobs;
    machine_boot_config(cfg, &bc);
    if (boot_prepare(&blobs, &bc, &img, err, sizeof err) != 0) {
        fprintf(stderr, "avsim: %s\n", err);
        return 2;
    }
    FILE *f = fopen(out, "wb");
    int status = 0;
    if (!f || fwrite(blobs.dtb, 1, blobs.dtb_size, f) != blobs.dtb_size) {
        fprintf(stderr, "avsim: dumpdtb: cannot write %s: %s\n", out, strerror(errno));
        status = 2;
    }
    if (f && fclose(f) != 0 && status == 0) {
        fprintf(stderr, "avsim: dumpdtb: cannot write %s: %s\n", out, strerror(errno));
        status = 2;
    }
    boot_release(&blobs);
    return status;
}

/* (Every return of cmd_dumpdtb_with, early ones included, leaves cfg to be freed here.) */
static int cmd_dumpdtb(int argc, char **argv)
{
    struct machine_config cfg = { .ram_size = VIRT_RAM_DEFAULT, .gic = GIC_V3 };
    int status = cmd_dumpdtb_with(&cfg, argc, argv);
    free_config(&cfg);
    return status;
}

/* WIDTHxHEIGHT */
static int parse_view_size(const char *s, struct view_viewport *vp)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    long w = strtol(s, &end, 10);
    if (errno || end == s || (*end != 'x' && *end != 'X'))
        return -1;
    const char *hs = end + 1;
    if (*hs < '0' || *hs > '9')
        return -1;
    long h = strtol(hs, &end, 10);
    if (errno || end == hs || *end || w < 480 || h < 200 || w > 8192 || h > 8192)
        return -1;
    vp->width = (int)w;
    vp->height = (int)h;
    return 0;
}

/* The machine-wide totals the viewer's panel shows (the model itself sees only events). */
static int cmd_run_with(struct machine_config *cfg, int argc, char **argv)
{
    const char *tlb_specs[16];                /* --tlb, applied in order to the CPU's default */
    unsigned n_tlb_specs = 0;
    const char *v;
    FILE *trace = NULL;
    bool have_classes = false;
    unsigned gdb_port = 0;
    bool view_window = false;
    bool view_close_at_end = false;
    const char *view_png = NULL;
    struct view_viewport viewport = { .width = 1024, .height = 480, .selected = -1 };
    uint64_t view_keep = 4096;
    const char *kernel = NULL;
    for (int i = 0; i < argc; i++) {
        int r = machine_option(argc, argv, &i, cfg, &kernel);
        if (r == OPT_BAD)
            return 2;
        if (r == OPT_TAKEN)
            continue;
        const char *a = argv[i];
        if ((v = opt_value(a, "--load-addr"))) {
            if (parse_size(v, &cfg->load_addr) != 0) {
                fprintf(stderr, "avsim: --load-addr=%s: not an address\n", v);
                return 2;
            }
            cfg->have_load_addr = true;
        } else if ((v = opt_value(a, "--stats"))) {
            cfg->stats_file = v;
        } else if (strcmp(a, "--trace-exceptions") == 0) {
            trace = stderr;
        } else if ((v = opt_value(a, "--trace-exceptions"))) {
            trace = fopen(v, "w");
            if (!trace) {
                fprintf(stderr, "avsim: cannot open %s: %s\n", v, strerror(errno));
                return 2;
            }
        } else if ((v = opt_value(a, "--gic-lrs"))) {
            uint64_t n;
            if (parse_size(v, &n) != 0 || n < 1 || n > 16) {
                fprintf(stderr, "avsim: --gic-lrs=%s: give 1 to 16 list registers\n", v);
                return 2;
            }
            cfg->gic_lrs = (unsigned)n;
        } else if ((v = opt_value(a, "--counter-hz"))) {
            if (parse_size(v, &cfg->counter_hz) != 0 || cfg->counter_hz < 1000 || cfg->counter_hz > 0xffffffffULL) {
                fprintf(stderr, "avsim: --counter-hz=%s: give a frequency from 1000 to 4294967295\n", v);
                return 2;
            }
        } else if ((v = opt_value(a, "--trace"))) {
            cfg->trace_file = v;
        } else if ((v = opt_value(a, "--trace-events"))) {
            char err[300];
            if (trace_parse_classes(v, &cfg->trace_classes, err, sizeof err) != 0) {
                fprintf(stderr, "avsim: --trace-events=%s: %s\n", v, err);
                return 2;
            }
            have_classes = true;
        } else if ((v = opt_value(a, "--tlb"))) {
            if (n_tlb_specs == sizeof tlb_specs / sizeof tlb_specs[0]) {
                fprintf(stderr, "avsim: --tlb: too many given (at most 16)\n");
                return 2;
            }
            tlb_specs[n_tlb_specs++] = v;
        } else if ((v = opt_value(a, "--gdb"))) {
            uint64_t port;
            if (parse_size(v, &port) != 0 || port < 1 || port > 65535) {
                fprintf(stderr, "avsim: --gdb=%s: give a TCP port from 1 to 65535\n", v);
                return 2;
            }
            gdb_port = (unsigned)port;
        } else if (strcmp(a, "--view") == 0) {
            view_window = true;
        } else if (strcmp(a, "--view-close-at-end") == 0) {
            view_close_at_end = true;
        } else if ((v = opt_value(a, "--view-png"))) {
            view_png = v;
        } else if ((v = opt_value(a, "--view-size"))) {
            if (parse_view_size(v, &viewport) != 0) {
                fprintf(stderr, "avsim: --view-size=%s: give WIDTHxHEIGHT, from 480x200 to 8192x8192\n", v);
                return 2;
            }
        } else if ((v = opt_value(a, "--view-keep"))) {
            if (parse_size(v, &view_keep) != 0 || view_keep < 1 || view_keep > (1u << 24)) {
                fprintf(stderr, "avsim: --view-keep=%s: give 1 to 16777216 entries\n", v);
                return 2;
            }
        } else if ((v = opt_value(a, "--quantum"))) {
            char *end = (char *)v;
            errno = 0;
            unsigned long long n = *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
            if (!n || errno || *end || n < 100 || n > 100000000ULL) {
                fprintf(stderr, "avsim: --quantum=%s: give 100 to 100000000 cycles\n", v);
                return 2;
            }
            cfg->quantum = n;
        } else if ((v = opt_value(a, "--max-insns"))) {
            if (parse_size(v, &cfg->max_insns) != 0) {
                fprintf(stderr, "avsim: --max-insns=%s: give a number from 0 to 2^64 - 1 (K, M, G suffixes)\n", v);
                return 2;
            }
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "avsim: unknown option '%s' (see avsim --help)\n", a);
            return 2;
        } else if (!cfg->image) {
            cfg->image = a;
        } else {
            fprintf(stderr, "avsim: more than one image given ('%s' and '%s')\n", cfg->image, a);
            return 2;
        }
    }
    if (kernel && cfg->image) {
        fprintf(stderr, "avsim: more than one image given ('%s' and --kernel=%s)\n", cfg->image, kernel);
        return 2;
    }
    if (kernel)
        cfg->image = kernel;
    cfg->tlb = *machine_cpu(cfg)->tlb;
    for (unsigned k = 0; k < n_tlb_specs; k++) {
        char err[200];
        if (tlb_config_parse(&cfg->tlb, tlb_specs[k], err, sizeof err) != 0) {
            fprintf(stderr, "avsim: --tlb=%s: %s\n", tlb_specs[k], err);
            return 2;
        }
    }
    if (!cfg->image) {
        fprintf(stderr, "avsim: no image given (usage: avsim run [options] IMAGE)\n");
        return 2;
    }
    if (check_boot_files(cfg) != 0)
        return 2;
    if (have_classes && !cfg->trace_file) {
        fprintf(stderr, "avsim: --trace-events needs --trace=FILE\n");
        return 2;
    }
    if (gdb_port && view_window) {
        fprintf(stderr, "avsim: --gdb and --view cannot be combined (--view-png can)\n");
        return 2;
    }
#ifndef AVSIM_HAVE_SDL
    (void)view_close_at_end;
    if (view_window) {
        fprintf(stderr, "avsim: --view: avsim was built without SDL2 (install libsdl2-dev and rebuild)\n");
        return 2;
    }
#endif
    if (!have_classes)
        cfg->trace_classes = TRACE_ALL_CLASSES;
    cfg->trace_exceptions = trace;
    struct machine *m = calloc(1, sizeof *m);
    char err[512];
    if (!m) {
        fprintf(stderr, "avsim: out of memory\n");
        return 1;
    }
    if (machine_init(m, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "avsim: %s\n", err);
        machine_destroy(m);
        free(m);
        return 2;
    }
    struct gdbstub *gdb = NULL;
    if (gdb_port && (!(gdb = gdbstub_create(gdb_port, err, sizeof err)) ||
                     gdbstub_attach(gdb, m, err, sizeof err) != 0)) {
        fprintf(stderr, "avsim: %s\n", err);
        gdbstub_destroy(gdb);
        machine_destroy(m);
        free(m);
        return 2;
    }
    struct view_model view;
    bool viewing = view_window || view_png;
    if (viewing && (view_model_init(&view, (unsigned)view_keep, m->n_pes) != 0 ||
                    (!view_window && view_model_subscribe(&view, &m->events) != 0))) {
        fprintf(stderr, "avsim: cannot start the exception viewer (out of memory or too many event subscribers)\n");
        view_model_destroy(&view);
        gdbstub_destroy(gdb);
        machine_destroy(m);
        free(m);
        return 2;
    }
    int status;
    hostterm_raw_stdin();                   /* the guest's UART reads stdin */
#ifdef AVSIM_HAVE_SDL
    if (view_window)
        status = view_window_run(m, &view, &(struct view_window_options){ viewport, view_close_at_end });
    else
#endif
        status = machine_run(m);
    gdbstub_destroy(gdb);
    if (view_png) {
        view_totals_from_machine(&view, m);
        if (view_render_png(&view, &viewport, view_png, err, sizeof err) != 0) {
            fprintf(stderr, "avsim: --view-png: %s\n", err);
            if (status == 0)
                status = 2;
        }
    }
    if (viewing)
        view_model_destroy(&view);
    machine_destroy(m);
    free(m);
    if (trace && trace != stderr) {
        int bad = fflush(trace) != 0 || ferror(trace);
        if (fclose(trace) != 0 || bad) {
            fprintf(stderr, "avsim: --trace-exceptions: writing the exception log failed\n");
            if (status == 0)
                status = 2;
        }
    }
    return status;
}

/* (Every return of cmd_run_with, early ones included, leaves cfg to be freed here.) */
static int cmd_run(int argc, char **argv)
{
    struct machine_config cfg = { .ram_size = VIRT_RAM_DEFAULT, .gic = GIC_V3 };
    int status = cmd_run_with(&cfg, argc, argv);
    free_config(&cfg);
    return status;
}

/* What every command wrote to stdout (the guest's UART, semihosting and
 * virtio-console output, trace dumps, tlbsim tables) reached it: the devices
 * write through stdio, whose error flag stays set after a failed write. A
 * failure turns status 0 into 2. */
static int check_stdout(int status)
{
    errno = 0;
    bool flush_failed = fflush(stdout) != 0;
    if (flush_failed || ferror(stdout)) {
        fprintf(stderr, "avsim: writing to stdout failed%s%s: output is missing\n", flush_failed ? ": " : "",
                flush_failed ? strerror(errno) : "");
        if (status == 0)
            status = 2;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return check_stdout(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        unsigned uv = uc_version(NULL, NULL);
        int cmaj, cmin;
        cs_version(&cmaj, &cmin);
        printf("avsim %s\nUnicorn %u.%u.%u\ncapstone %d.%d\n", AVSIM_VERSION, uv >> 24, (uv >> 16) & 0xff,
               (uv >> 8) & 0xff, cmaj, cmin);
        return check_stdout(0);
    }
    if (strcmp(argv[1], "run") == 0)
        return check_stdout(cmd_run(argc - 2, argv + 2));
    if (strcmp(argv[1], "dumpdtb") == 0)
        return check_stdout(cmd_dumpdtb(argc - 2, argv + 2));
    if (strcmp(argv[1], "trace") == 0)
        return check_stdout(trace_tool_main(argc - 2, argv + 2));
    if (strcmp(argv[1], "tlbsim") == 0)
        return check_stdout(tlbsim_main(argc - 2, argv + 2));
    fprintf(stderr, "avsim: unknown command '%s' (see avsim --help)\n", argv[1]);
    return 2;
}
