/*
 * A QEMU TCG plugin that counts the guest instructions executed by all vCPUs, for the Linux boot
 * benchmark (tests/external/linux-boot.sh --qemu --count). Debian's QEMU 7.2 loads plugins but
 * ships neither the examples (libinsn.so) nor qemu-plugin.h, so the few declarations needed are
 * written out here (plugin API version 1, QEMU 7.x).
 *
 *   cc -shared -fPIC -O2 -o qemu_insn_count.so qemu_insn_count.c
 *   qemu-system-aarch64 -accel tcg,thread=single -plugin ./qemu_insn_count.so,out=FILE ...
 *
 * Every translation block gets an inline "add its instruction count" to one 64-bit counter.
 * With single-threaded TCG (thread=single) the count is exact up to the instructions of a block
 * that an exception cuts short; with MTTCG the unlocked adds of several vCPUs may lose a few.
 * At exit FILE (default stderr) receives "instructions N".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *),
                                    void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t insns;
static char *out_path;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns,
                                             qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    (void)id;
    (void)p;
    FILE *f = out_path ? fopen(out_path, "w") : NULL;
    fprintf(f ? f : stderr, "instructions %" PRIu64 "\n", insns);
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
