/*
 * A QEMU TCG plugin that lists the AArch64 system instructions (MRS, MSR, SYS: DC, IC, TLBI, AT;
 * MSR immediate; and HVC, SMC, ERET, WFI, WFE) a guest executes, with how often and where first.
 * Used to list what Linux touches while it boots (tests/external/LINUX.md). Plugin API version
 * 1 (QEMU 7.x; Debian ships no qemu-plugin.h, so the declarations needed are written out here).
 *
 *   cc -shared -fPIC -O2 -o qemu_sysregs.so qemu_sysregs.c
 *   qemu-system-aarch64 -accel tcg,thread=single -plugin ./qemu_sysregs.so,out=FILE ...
 *
 * FILE gets one line per distinct instruction with its Rt field cleared:
 *   ENCODING COUNT FIRST_VADDR
 * (disassemble the encodings with aarch64-linux-gnu-objdump; the address tells the context:
 * 0xffff8... the kernel at EL1, 0x4....... physical (MMU off: early boot, hyp stub, KVM idmap),
 * 0x8000....... and above below 0xffff...: the nVHE hypervisor's EL2 VA, small: user space).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *),
                                    void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define SLOTS 8192
static struct slot { uint32_t enc; int used; uint64_t count, first; } slots[SLOTS];
static char *out_path;

static int interesting(uint32_t w)
{
    if ((w & 0xffc00000u) == 0xd5000000u)          /* system: MRS, MSR (reg/imm), SYS, SYSL, hints, barriers */
        return (w & 0xfffff01fu) != 0xd503201fu &&  /* not a hint (NOP, YIELD...) except WFE/WFI below */
               (w & 0xfffff0ffu) != 0xd503309fu &&  /* not DSB */
               (w & 0xfffff0ffu) != 0xd50330bfu &&  /* not DMB */
               (w & 0xfffff0ffu) != 0xd50330dfu;    /* not ISB */
    if ((w & 0xffe0001fu) == 0xd4000002u || (w & 0xffe0001fu) == 0xd4000003u)   /* HVC, SMC */
        return 1;
    return w == 0xd69f03e0u;                       /* ERET */
}

static struct slot *lookup(uint32_t enc, uint64_t vaddr)
{
    uint32_t h = (enc * 2654435761u) % SLOTS;
    for (unsigned i = 0; i < SLOTS; i++, h = (h + 1) % SLOTS) {
        if (!slots[h].used) {
            slots[h].used = 1;
            slots[h].enc = enc;
            slots[h].first = vaddr;
            return &slots[h];
        }
        if (slots[h].enc == enc)
            return &slots[h];
    }
    return NULL;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint32_t w;
        if (qemu_plugin_insn_size(insn) != 4)
            continue;
        memcpy(&w, qemu_plugin_insn_data(insn), 4);
        /* WFI/WFE are hints: keep them. */
        int keep = interesting(w) || w == 0xd503207fu || w == 0xd503205fu;
        if (!keep)
            continue;
        uint32_t key = ((w & 0xffc00000u) == 0xd5000000u && (w & 0xfff00000u) != 0xd5000000u) ? (w & ~0x1fu) : w;
        struct slot *s = lookup(key, qemu_plugin_insn_vaddr(insn));
        if (s)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &s->count, 1);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id;
    (void)p;
    FILE *f = out_path ? fopen(out_path, "w") : NULL;
    for (unsigned i = 0; i < SLOTS; i++)
        if (slots[i].used && slots[i].count)
            fprintf(f ? f : stderr, "%08x %" PRIu64 " 0x%" PRIx64 "\n", slots[i].enc, slots[i].count,
                    slots[i].first);
    if (f)
        fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const struct qemu_info_t *info,
                                                               int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "out=", 4) == 0)
            out_path = strdup(argv[i] + 4);
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
