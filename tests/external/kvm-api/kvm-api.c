/* kvm-api: a virtual machine built with the KVM API and nothing else, step by step.
 *
 * A static AArch64 Linux program (aarch64-linux-gnu-gcc -static) that runs inside arm64 Linux
 * with KVM (on avsim, on QEMU with virtualization=on, or on an arm64 board) and drives
 * /dev/kvm directly, the way QEMU and kvmtool do underneath. Its guest is guest.c and
 * guest-start.S, built for the address where this program loads it and embedded here
 * (guest-image.S, .incbin). Usage:
 *
 *   kvm-api [--vcpus 1|2] [--timeout SECONDS]
 *
 * It prints what each step did and what the guest said, then a last line KVM-API-OK (exit 0)
 * or KVM-API-FAIL (exit 1). Lines starting "kvm-api: " are the same on every run and every
 * machine (tests compare them); lines starting "kvm-api-info: " carry figures that may vary.
 *
 * The steps, in the order main() takes them. The reference is Linux's
 * Documentation/virt/kvm/api.rst, which has a section per ioctl, under the ioctl's name, and
 * one on "the kvm_run structure"; for the arm64 specifics Documentation/virt/kvm/devices/
 * arm-vgic-v3.rst (the vGIC's attributes) and Documentation/virt/kvm/arm/hypercalls.rst:
 *
 *  1. The KVM subsystem: open("/dev/kvm") gives the "system" file descriptor.
 *     KVM_GET_API_VERSION must return 12 (api.rst: a program should refuse any other value).
 *     KVM_CHECK_EXTENSION asks, capability by capability, whether what this program needs
 *     exists: user memory regions, ONE_REG, the device API (for the vGIC), an in-kernel
 *     interrupt controller, PSCI 0.2 in the kernel, immediate_exit.
 *  2. The VM: KVM_CREATE_VM (type 0: the default 40-bit guest physical address space) gives
 *     the VM file descriptor; everything VM-wide is asked of it.
 *  3. Guest memory: KVM does not allocate any. The program mmap()s ordinary anonymous memory,
 *     copies the guest image into it and KVM_SET_USER_MEMORY_REGION makes it the guest's
 *     RAM at GUEST_RAM_BASE (memslot 0). KVM fills its stage-2 tables lazily, on the guest's
 *     first touch of each page; an address in no memslot (the UART) is an MMIO exit.
 *  4. The vCPUs: KVM_CREATE_VCPU(id) gives a vCPU file descriptor per vCPU, and mmap() of it
 *     (KVM_GET_VCPU_MMAP_SIZE bytes) the struct kvm_run through which KVM_RUN reports exits.
 *     On arm64 a vCPU must then be initialized: KVM_ARM_PREFERRED_TARGET says which CPU type
 *     KVM emulates on this host, KVM_ARM_VCPU_INIT resets the vCPU as that type with the
 *     features asked for: KVM_ARM_VCPU_PSCI_0_2 (KVM answers the guest's PSCI calls itself)
 *     and, for vCPU 1, KVM_ARM_VCPU_POWER_OFF (it waits for the guest's PSCI CPU_ON). Then
 *     KVM_SET_ONE_REG sets vCPU 0's PC (the image's entry) and x0 (the number of vCPUs, as a
 *     boot argument); KVM_GET_ONE_REG reads back MPIDR_EL1, which KVM derives from the vCPU
 *     id (api.rst lists the register ids under KVM_SET_ONE_REG).
 *  5. The interrupt controller: KVM_CREATE_DEVICE(KVM_DEV_TYPE_ARM_VGIC_V3) creates an
 *     in-kernel GICv3 (the vGIC) and gives its device file descriptor; KVM_SET_DEVICE_ATTR
 *     on it places the distributor (KVM_VGIC_V3_ADDR_TYPE_DIST) and one redistributor frame
 *     pair per vCPU (KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION) in the guest's address space, sets
 *     the number of interrupts (KVM_DEV_ARM_VGIC_GRP_NR_IRQS) and, once every vCPU exists,
 *     initializes it (KVM_DEV_ARM_VGIC_CTRL_INIT). From then on the guest's GIC accesses,
 *     SGIs, and the virtual timer's interrupt are all handled in the kernel.
 *     KVM_CREATE_DEVICE(KVM_DEV_TYPE_ARM_VGIC_ITS) adds an Interrupt Translation Service
 *     (Documentation/virt/kvm/devices/arm-vgic-its.rst), placed at GUEST_ITS_BASE with
 *     KVM_VGIC_ITS_ADDR_TYPE and initialized with KVM_DEV_ARM_VGIC_CTRL_INIT: the guest's
 *     LPIs and message-signalled interrupts. With an ITS, KVM_CHECK_EXTENSION(KVM_CAP_MSI_DEVID)
 *     on the VM says 1: every MSI the program sends must name its source's DeviceID.
 *  6. Running: one host thread per vCPU calls KVM_RUN in a loop. KVM_RUN returns when the
 *     guest needs the program; run->exit_reason says why:
 *       KVM_EXIT_MMIO           the guest touched the UART: emulate the access (a write: print
 *                               the character; a read: put the value in run->mmio.data, which
 *                               KVM hands to the guest on the next KVM_RUN); or it wrote the
 *                               MSI request register (layout.h): send that MSI with
 *                               KVM_SIGNAL_MSI (address GITS_TRANSLATER, data the EventID,
 *                               devid the DeviceID, flag KVM_MSI_VALID_DEVID), as a device
 *                               model would for its device; KVM's ITS translates it into an
 *                               LPI for the guest, or returns 0 when the guest mapped none;
 *       KVM_EXIT_SYSTEM_EVENT   PSCI SYSTEM_OFF (run->system_event.type SHUTDOWN) or
 *                               SYSTEM_RESET (RESET): the guest is done.
 *     A powered-off vCPU (vCPU 1 before CPU_ON, and after its CPU_OFF) sleeps inside KVM_RUN.
 *     To stop the other threads, the thread that saw SYSTEM_OFF sends each a signal; the
 *     signal handler sets run->immediate_exit, so KVM_RUN returns -EINTR at once whether the
 *     thread was in it or just about to enter it (api.rst: immediate_exit).
 *     KVM_EXIT_DEBUG          (vCPU 0 only) a debug exception the program asked for, see
 *                               below; run->debug.arch.hsr is the guest's ESR_EL2.
 *     Guest debugging: before vCPU 0 first runs, KVM_SET_GUEST_DEBUG (KVM_GUESTDBG_ENABLE |
 *     KVM_GUESTDBG_USE_HW) gives it hardware breakpoint 0 at debug_target (layout.h). KVM
 *     loads the program's DBGBVR0/DBGBCR0 values into the debug registers while the guest
 *     runs and sets MDCR_EL2.TDE, so the Breakpoint exception (EC 0x30) goes to EL2 and KVM_RUN
 *     returns KVM_EXIT_DEBUG. The program then asks for KVM_GUESTDBG_SINGLESTEP instead: KVM
 *     sets MDSCR_EL1.SS and PSTATE.SS on each entry, the guest runs one instruction and takes
 *     a Software Step exception (EC 0x32) to EL2, another KVM_EXIT_DEBUG. When the PC is back
 *     at the caller (x30), KVM_SET_GUEST_DEBUG with no flags ends debugging (api.rst:
 *     KVM_SET_GUEST_DEBUG; Documentation/virt/kvm/arm: the guest's own debug state is kept).
 *  7. Clean-up: close the file descriptors (the VM goes away with the last one), munmap.
 *
 * Every failing call prints the ioctl's name and errno's message, then KVM-API-FAIL; the
 * program exits with status 1. The guest's own checks end in SYSTEM_OFF when all passed and
 * in SYSTEM_RESET when one failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"

/* The guest image (guest-image.S): guest.c and guest-start.S linked at GUEST_RAM_BASE. */
extern const unsigned char guest_image[], guest_image_end[];

/* A core register for KVM_GET/SET_ONE_REG: its offset in struct kvm_regs, in 32-bit words
 * (api.rst, "ARM64 registers are mapped using the lower 32 bits"). */
#define CORE_REG(field) \
    (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, field) / 4))
#define REG_MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)

struct vm;

/* vCPU 0's guest debugging (step 6): waiting for the breakpoint, stepping, done. */
enum { DEBUG_OFF, DEBUG_BREAKPOINT, DEBUG_STEPPING, DEBUG_DONE };

struct vcpu {
    struct vm *vm;
    int id;
    int fd;                     /* from KVM_CREATE_VCPU */
    struct kvm_run *run;        /* mmap()ed from fd: KVM_RUN's exit information */
    pthread_t thread;
    char line[240];             /* what the guest wrote to UARTDR since its last '\n' */
    size_t len;
    unsigned long runs, mmio_exits, eintr, debug_exits, msis;
    int debug_state;            /* vCPU 0: DEBUG_* below */
    int ok;                     /* the thread ended as expected */
};

struct vm {
    int nr_vcpus;
    int kvm_fd, vm_fd, gic_fd;  /* /dev/kvm, KVM_CREATE_VM, KVM_CREATE_DEVICE */
    int its_fd;                 /* KVM_CREATE_DEVICE (the ITS) */
    void *ram;
    size_t run_size;            /* KVM_GET_VCPU_MMAP_SIZE */
    struct vcpu vcpus[GUEST_MAX_VCPUS];
    pthread_mutex_t lock;       /* the output, and the fields below */
    pthread_cond_t changed;
    int running;                /* vCPU threads still running */
    int stopping;               /* the guest is done: the threads leave KVM_RUN */
    int failed;                 /* something went wrong (the reason was printed) */
    int system_event;           /* run->system_event.type seen, or -1 */
    int seen_mmio_read, seen_mmio_write;
};

/* ---- output and errors --------------------------------------------------------------------- */

static void out(struct vm *vm, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void out(struct vm *vm, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vm)
        pthread_mutex_lock(&vm->lock);
    fputs(prefix, stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    if (vm)
        pthread_mutex_unlock(&vm->lock);
    va_end(ap);
}
#define SAY(vm, ...) out(vm, "kvm-api: ", __VA_ARGS__)
#define INFO(vm, ...) out(vm, "kvm-api-info: ", __VA_ARGS__)

static int nr_vcpus_for_marker = 0;

/* A call failed: name it, say why, and stop the program. */
static void __attribute__((noreturn)) die(const char *what)
{
    int e = errno;
    printf("kvm-api: %s failed: %s (errno %d)\n", what, strerror(e), e);
    printf("KVM-API-FAIL vcpus=%d: %s\n", nr_vcpus_for_marker, what);
    fflush(stdout);
    exit(1);
}

/* Something the guest or KVM did that this program did not expect: note it, carry on. */
static void fail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct vm *vm, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&vm->lock);
    vm->failed = 1;
    pthread_mutex_unlock(&vm->lock);
    SAY(vm, "FAIL: %s", msg);
}

static int kvm_ioctl(int fd, unsigned long req, unsigned long arg, const char *name)
{
    int r = ioctl(fd, req, arg);
    if (r < 0)
        die(name);
    return r;
}
#define IOCTL(fd, req, arg) kvm_ioctl(fd, req, (unsigned long)(arg), #req)

/* ---- steps 1-2: /dev/kvm and the VM -------------------------------------------------------- */

static const struct {
    int cap;
    const char *name;
} needed_caps[] = {
    { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
    { KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
    { KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL" },
    { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
    { KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
    { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
    { KVM_CAP_SET_GUEST_DEBUG, "KVM_CAP_SET_GUEST_DEBUG" },
    { KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
};

static void open_kvm(struct vm *vm)
{
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0)
        die("open(/dev/kvm)");
    int version = IOCTL(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    SAY(vm, "KVM_GET_API_VERSION: %d", version);
    if (version != KVM_API_VERSION) {
        errno = EINVAL;
        die("KVM_GET_API_VERSION (this program speaks version 12)");
    }
    for (size_t i = 0; i < sizeof needed_caps / sizeof needed_caps[0]; i++) {
        int r = IOCTL(vm->kvm_fd, KVM_CHECK_EXTENSION, needed_caps[i].cap);
        SAY(vm, "KVM_CHECK_EXTENSION(%s): %s", needed_caps[i].name, r > 0 ? "yes" : "no");
        if (r <= 0) {
            errno = ENOSYS;
            die("KVM_CHECK_EXTENSION (a capability this program needs is missing)");
        }
    }
    /* The debug registers KVM lets a program use for its guest: the host CPU's (a Cortex-A57
     * has 6 breakpoints and 4 watchpoints, ID_AA64DFR0_EL1.BRPs and WRPs plus one). */
    int bps = IOCTL(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_BPS);
    int wps = IOCTL(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS);
    SAY(vm, "KVM_CHECK_EXTENSION(KVM_CAP_GUEST_DEBUG_HW_BPS): %d, (KVM_CAP_GUEST_DEBUG_HW_WPS): %d", bps, wps);
    if (bps < 1) {
        errno = ENOSYS;
        die("KVM_CHECK_EXTENSION (no hardware breakpoint for guest debugging)");
    }
    /* Figures that depend on the host (its CPU count, its physical address size). */
    int nr = IOCTL(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    int max = IOCTL(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    int ipa = IOCTL(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
    INFO(vm, "KVM_CAP_NR_VCPUS %d (recommended), KVM_CAP_MAX_VCPUS %d, KVM_CAP_ARM_VM_IPA_SIZE %d bits",
         nr, max, ipa);
    if (vm->nr_vcpus > max) {
        errno = EINVAL;
        die("KVM_CAP_MAX_VCPUS (too few vCPUs allowed)");
    }
    vm->run_size = (size_t)IOCTL(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

    vm->vm_fd = IOCTL(vm->kvm_fd, KVM_CREATE_VM, 0);
    SAY(vm, "KVM_CREATE_VM: a VM (type 0: 40-bit guest physical addresses)");
}

/* ---- step 3: memory ------------------------------------------------------------------------- */

static void add_memory(struct vm *vm)
{
    size_t image = (size_t)(guest_image_end - guest_image);
    vm->ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vm->ram == MAP_FAILED)
        die("mmap (guest RAM)");
    if (image > GUEST_RAM_SIZE - GUEST_MAX_VCPUS * GUEST_STACK_SIZE) {
        errno = EFBIG;
        die("copying the guest image (larger than its RAM)");
    }
    memcpy(vm->ram, guest_image, image);
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .flags = 0,
        .guest_phys_addr = GUEST_RAM_BASE,
        .memory_size = GUEST_RAM_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)vm->ram,
    };
    IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
    SAY(vm, "KVM_SET_USER_MEMORY_REGION: slot 0, guest 0x%x-0x%x (%u KiB of anonymous host memory)",
        GUEST_RAM_BASE, GUEST_RAM_BASE + GUEST_RAM_SIZE - 1, GUEST_RAM_SIZE / 1024);
    INFO(vm, "guest image: %zu bytes at 0x%x", image, GUEST_RAM_BASE);
}

/* ---- step 4: vCPUs ---------------------------------------------------------------------------- */

static const char *target_name(uint32_t target)
{
    switch (target) {
    case KVM_ARM_TARGET_AEM_V8: return "AEM v8";
    case KVM_ARM_TARGET_FOUNDATION_V8: return "Foundation v8";
    case KVM_ARM_TARGET_CORTEX_A57: return "Cortex-A57";
    case KVM_ARM_TARGET_XGENE_POTENZA: return "X-Gene Potenza";
    case KVM_ARM_TARGET_CORTEX_A53: return "Cortex-A53";
    case KVM_ARM_TARGET_GENERIC_V8: return "generic v8";
    default: return "?";
    }
}

static void set_reg(struct vcpu *v, uint64_t id, uint64_t value, const char *what)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&value };
    if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0)
        die(what);
}

static uint64_t get_reg(struct vcpu *v, uint64_t id, const char *what)
{
    uint64_t value = 0;
    struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&value };
    if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
        die(what);
    return value;
}

static void add_vcpus(struct vm *vm)
{
    struct kvm_vcpu_init preferred;
    memset(&preferred, 0, sizeof preferred);
    IOCTL(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &preferred);
    SAY(vm, "KVM_ARM_PREFERRED_TARGET: target %u (%s)", preferred.target, target_name(preferred.target));

    for (int i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        v->vm = vm;
        v->id = i;
        v->fd = IOCTL(vm->vm_fd, KVM_CREATE_VCPU, i);
        v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
        if (v->run == MAP_FAILED)
            die("mmap (struct kvm_run of a vCPU)");

        struct kvm_vcpu_init init = preferred;
        memset(init.features, 0, sizeof init.features);
        init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
        if (i > 0)
            init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
        IOCTL(v->fd, KVM_ARM_VCPU_INIT, &init);
        if (i == 0) {
            set_reg(v, CORE_REG(regs.pc), GUEST_RAM_BASE, "KVM_SET_ONE_REG (PC)");
            set_reg(v, CORE_REG(regs.regs[0]), (uint64_t)vm->nr_vcpus, "KVM_SET_ONE_REG (x0)");
        }
        uint64_t mpidr = get_reg(v, REG_MPIDR_EL1, "KVM_GET_ONE_REG (MPIDR_EL1)");
        if (i == 0)
            SAY(vm, "vcpu0: KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT (PSCI_0_2), MPIDR_EL1 = 0x%llx; "
                    "KVM_SET_ONE_REG: PC = 0x%llx, x0 = %d",
                (unsigned long long)mpidr, (unsigned long long)get_reg(v, CORE_REG(regs.pc), "KVM_GET_ONE_REG (PC)"),
                vm->nr_vcpus);
        else
            SAY(vm, "vcpu%d: KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT (PSCI_0_2, POWER_OFF), MPIDR_EL1 = 0x%llx",
                i, (unsigned long long)mpidr);
    }
    /* The PSCI version KVM will report, a firmware pseudo-register (hypercalls.rst). */
    uint64_t psci = get_reg(&vm->vcpus[0], KVM_REG_ARM_PSCI_VERSION, "KVM_GET_ONE_REG (KVM_REG_ARM_PSCI_VERSION)");
    SAY(vm, "KVM_GET_ONE_REG(KVM_REG_ARM_PSCI_VERSION): 0x%llx (PSCI %llu.%llu)", (unsigned long long)psci,
        (unsigned long long)(psci >> 16), (unsigned long long)(psci & 0xffff));
}

/* ---- step 5: the vGIC ------------------------------------------------------------------------ */

static void set_attr(int device_fd, uint32_t group, uint64_t attr, const void *value, const char *what)
{
    struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)value };
    if (ioctl(device_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
        die(what);
}

static void add_gic(struct vm *vm)
{
    struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
    IOCTL(vm->vm_fd, KVM_CREATE_DEVICE, &dev);
    vm->gic_fd = (int)dev.fd;

    uint64_t dist = GUEST_GICD_BASE;
    set_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
             "KVM_SET_DEVICE_ATTR (KVM_VGIC_V3_ADDR_TYPE_DIST)");
    /* A redistributor region: count [63:52], base [51:16] (64 KiB aligned), flags [15:12],
     * index [11:0] (arm-vgic-v3.rst). One RD_base + SGI_base pair per vCPU, consecutive. */
    uint64_t redist = (uint64_t)vm->nr_vcpus << 52 | GUEST_GICR_BASE | 0;
    set_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &redist,
             "KVM_SET_DEVICE_ATTR (KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION)");
    uint32_t nr_irqs = 96;     /* 32 private (16 SGIs, 16 PPIs) + 64 SPIs */
    set_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, "KVM_SET_DEVICE_ATTR (KVM_DEV_ARM_VGIC_GRP_NR_IRQS)");
    set_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
             "KVM_SET_DEVICE_ATTR (KVM_DEV_ARM_VGIC_CTRL_INIT)");
    SAY(vm, "KVM_CREATE_DEVICE: vGICv3, distributor at 0x%x, %d redistributor(s) from 0x%x, %u interrupts; "
            "KVM_DEV_ARM_VGIC_CTRL_INIT",
        GUEST_GICD_BASE, vm->nr_vcpus, GUEST_GICR_BASE, nr_irqs);
}

/* The ITS: a second device of the vGIC, at GUEST_ITS_BASE (arm-vgic-its.rst). */
static void add_its(struct vm *vm)
{
    struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_ITS };
    IOCTL(vm->vm_fd, KVM_CREATE_DEVICE, &dev);
    vm->its_fd = (int)dev.fd;
    uint64_t base = GUEST_ITS_BASE;
    set_attr(vm->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &base,
             "KVM_SET_DEVICE_ATTR (KVM_VGIC_ITS_ADDR_TYPE)");
    set_attr(vm->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
             "KVM_SET_DEVICE_ATTR (ITS KVM_DEV_ARM_VGIC_CTRL_INIT)");
    /* Asked of the VM: whether MSIs need a DeviceID depends on its interrupt controller. */
    int devid = IOCTL(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID);
    SAY(vm, "KVM_CREATE_DEVICE: ITS at 0x%x; KVM_DEV_ARM_VGIC_CTRL_INIT; KVM_CHECK_EXTENSION(KVM_CAP_MSI_DEVID) "
            "on the VM: %d (MSIs carry a DeviceID)",
        GUEST_ITS_BASE, devid);
    if (devid <= 0) {
        errno = ENOSYS;
        die("KVM_CHECK_EXTENSION (KVM_CAP_MSI_DEVID: an ITS without DeviceIDs)");
    }
}

/* ---- step 6: running -------------------------------------------------------------------------- */

/* The UART, as far as the guest uses it: UARTDR (write: a character), UARTFR (read: always
 * ready). Characters collect in the vCPU's line buffer, printed line by line. */
static void guest_line(struct vcpu *v)
{
    v->line[v->len] = 0;
    if (strncmp(v->line, "info: ", 6) == 0)
        INFO(v->vm, "vcpu%d| %s", v->id, v->line + 6);
    else
        SAY(v->vm, "vcpu%d| %s", v->id, v->line);
    v->len = 0;
}

/* The MSI request register: the guest asks for the MSI a device of the program would send.
 * KVM_SIGNAL_MSI returns 1 when KVM's ITS translated it into an LPI, 0 when the guest has
 * mapped nothing for that DeviceID and EventID (api.rst: "the guest blocked the MSI"). */
static void send_msi(struct vcpu *v, uint64_t request)
{
    struct vm *vm = v->vm;
    struct kvm_msi msi;
    memset(&msi, 0, sizeof msi);
    msi.address_lo = (uint32_t)GUEST_ITS_TRANSLATER;
    msi.address_hi = (uint32_t)((uint64_t)GUEST_ITS_TRANSLATER >> 32);
    msi.data = (uint32_t)request;
    msi.flags = KVM_MSI_VALID_DEVID;
    msi.devid = (uint32_t)(request >> MSIREQ_DEVID_SHIFT);
    int r = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);
    v->msis++;
    if (r < 0) {
        fail(vm, "vcpu%d: KVM_SIGNAL_MSI: %s (errno %d)", v->id, strerror(errno), errno);
        return;
    }
    SAY(vm, "vcpu%d: MSI request: KVM_SIGNAL_MSI(address 0x%x (GITS_TRANSLATER), data %u (EventID), devid %u, "
            "KVM_MSI_VALID_DEVID): %d (%s)",
        v->id, GUEST_ITS_TRANSLATER, msi.data, msi.devid, r, r > 0 ? "delivered" : "blocked: no mapping");
}

static void handle_mmio(struct vcpu *v)
{
    struct vm *vm = v->vm;
    uint64_t addr = v->run->mmio.phys_addr;
    uint32_t len = v->run->mmio.len;
    uint8_t *data = v->run->mmio.data;
    int write = v->run->mmio.is_write;
    v->mmio_exits++;

    if (addr == GUEST_MSIREQ_BASE && len == 8 && write) {
        uint64_t request;
        memcpy(&request, data, 8);
        send_msi(v, request);
        return;
    }
    if (addr < GUEST_UART_BASE || addr + len > GUEST_UART_BASE + GUEST_UART_SIZE) {
        fail(vm, "vcpu%d: %s of %u bytes at 0x%llx: no device there", v->id, write ? "write" : "read",
             len, (unsigned long long)addr);
        if (!write)
            memset(data, 0, len);
        return;
    }
    uint64_t off = addr - GUEST_UART_BASE;
    if (write && off == UART_DR) {
        if (!vm->seen_mmio_write) {
            vm->seen_mmio_write = 1;
            SAY(vm, "vcpu%d: first KVM_EXIT_MMIO: write, phys_addr 0x%llx (UARTDR), len %u, data 0x%02x: "
                    "a character",
                v->id, (unsigned long long)addr, len, data[0]);
        }
        char c = (char)data[0];
        if (c == '\n' || v->len == sizeof v->line - 1)
            guest_line(v);
        if (c != '\n' && c != '\r')
            v->line[v->len++] = c;
    } else if (!write && off == UART_FR && len == 4) {
        uint32_t fr = UART_FR_TXFE | UART_FR_RXFE;
        memcpy(data, &fr, 4);     /* KVM copies it to the guest's register on the next KVM_RUN */
        if (!vm->seen_mmio_read) {
            vm->seen_mmio_read = 1;
            SAY(vm, "vcpu%d: first KVM_EXIT_MMIO read: phys_addr 0x%llx (UARTFR), len %u: answered 0x%x",
                v->id, (unsigned long long)addr, len, fr);
        }
    } else {
        fail(vm, "vcpu%d: UART %s of %u bytes at offset 0x%llx: not emulated", v->id,
             write ? "write" : "read", len, (unsigned long long)off);
        if (!write)
            memset(data, 0, len);
    }
}

/* Guest debugging (api.rst: KVM_SET_GUEST_DEBUG). On arm64, arch.dbg_bvr/dbg_bcr are the
 * values of the DBGBVR<n>_EL1/DBGBCR<n>_EL1 registers while the guest runs (Arm ARM D13.3.2,
 * DBGBCR<n>_EL1): E (bit 0) enables, PMC (bits 2:1) = 0b11 matches at EL1 and EL0, BAS (bits 8:5)
 * = 0b1111 as A64 requires, BT = 0: an unlinked instruction address match. */
#define DBGBCR_E 1u
#define DBGBCR_PMC_EL1_EL0 (3u << 1)
#define DBGBCR_BAS_A64 (0xfu << 5)

static void set_guest_debug(struct vcpu *v, uint32_t control)
{
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof dbg);
    dbg.control = control;
    if (control & KVM_GUESTDBG_USE_HW) {
        dbg.arch.dbg_bvr[0] = GUEST_DEBUG_TARGET;
        dbg.arch.dbg_bcr[0] = DBGBCR_E | DBGBCR_PMC_EL1_EL0 | DBGBCR_BAS_A64;
    }
    IOCTL(v->fd, KVM_SET_GUEST_DEBUG, &dbg);
}

/* Where the PC is, for the output: inside debug_target or at the return address. */
static void describe_pc(uint64_t pc, uint64_t lr, char *buf, size_t len)
{
    if (pc >= GUEST_DEBUG_TARGET && pc < GUEST_DEBUG_TARGET + GUEST_DEBUG_TARGET_SIZE)
        snprintf(buf, len, "debug_target+0x%llx", (unsigned long long)(pc - GUEST_DEBUG_TARGET));
    else if (pc == lr)
        snprintf(buf, len, "the return address (x30)");
    else
        snprintf(buf, len, "0x%llx (neither debug_target nor x30)", (unsigned long long)pc);
}

/* KVM_EXIT_DEBUG: run->debug.arch.hsr is ESR_EL2 of the debug exception KVM took (its EC says
 * which: 0x30 a breakpoint, 0x32 a software step, both from a lower EL). */
static void handle_debug(struct vcpu *v)
{
    struct vm *vm = v->vm;
    uint32_t esr = v->run->debug.arch.hsr;
    uint32_t ec = esr >> 26;
    uint64_t pc = get_reg(v, CORE_REG(regs.pc), "KVM_GET_ONE_REG (PC)");
    uint64_t lr = get_reg(v, CORE_REG(regs.regs[30]), "KVM_GET_ONE_REG (x30)");
    uint64_t x0 = get_reg(v, CORE_REG(regs.regs[0]), "KVM_GET_ONE_REG (x0)");
    char where[80];
    describe_pc(pc, lr, where, sizeof where);
    v->debug_exits++;
    if (v->debug_state == DEBUG_BREAKPOINT && ec == 0x30 && pc == GUEST_DEBUG_TARGET) {
        SAY(vm, "vcpu%d: KVM_EXIT_DEBUG: ESR_EL2 0x%08x (EC 0x30, a hardware breakpoint), pc %s, x0 = %llu",
            v->id, esr, where, (unsigned long long)x0);
        v->debug_state = DEBUG_STEPPING;
        set_guest_debug(v, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
        SAY(vm, "vcpu%d: KVM_SET_GUEST_DEBUG: ENABLE | SINGLESTEP (the breakpoint goes)", v->id);
    } else if (v->debug_state == DEBUG_STEPPING && ec == 0x32 && v->debug_exits <= 8) {
        SAY(vm, "vcpu%d: KVM_EXIT_DEBUG: ESR_EL2 0x%08x (EC 0x32, a software step), pc %s, x0 = %llu",
            v->id, esr, where, (unsigned long long)x0);
        if (pc == lr) {
            v->debug_state = DEBUG_DONE;
            set_guest_debug(v, 0);
            SAY(vm, "vcpu%d: KVM_SET_GUEST_DEBUG: off; the guest runs on", v->id);
        }
    } else {
        fail(vm, "vcpu%d: unexpected KVM_EXIT_DEBUG: ESR_EL2 0x%08x (EC 0x%x), pc %s, debug state %d, exit %lu",
             v->id, esr, ec, where, v->debug_state, v->debug_exits);
        set_guest_debug(v, 0);
    }
}

/* The stop request: SIGUSR1 to a vCPU thread. Its handler makes KVM_RUN return -EINTR, now if
 * the thread is inside KVM_RUN (a pending signal interrupts it) or at its next call (KVM looks
 * at immediate_exit first): no window in which the request could be lost. */
static __thread struct kvm_run *this_thread_run;
static void on_kick(int sig)
{
    (void)sig;
    if (this_thread_run)
        this_thread_run->immediate_exit = 1;
}

static void stop_others(struct vcpu *self)
{
    struct vm *vm = self->vm;
    pthread_mutex_lock(&vm->lock);
    vm->stopping = 1;
    pthread_mutex_unlock(&vm->lock);
    for (int i = 0; i < vm->nr_vcpus; i++)
        if (i != self->id)
            pthread_kill(vm->vcpus[i].thread, SIGUSR1);
}

static const char *system_event_name(uint32_t type)
{
    switch (type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN: return "SHUTDOWN";
    case KVM_SYSTEM_EVENT_RESET: return "RESET";
    case KVM_SYSTEM_EVENT_CRASH: return "CRASH";
    default: return "?";
    }
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    struct vm *vm = v->vm;
    this_thread_run = v->run;
    for (;;) {
        v->runs++;
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno != EINTR) {
                fail(vm, "vcpu%d: KVM_RUN: %s (errno %d)", v->id, strerror(errno), errno);
                break;
            }
            v->eintr++;
            v->run->immediate_exit = 0;
            pthread_mutex_lock(&vm->lock);
            int stopping = vm->stopping;
            pthread_mutex_unlock(&vm->lock);
            if (stopping) {
                SAY(vm, "vcpu%d: KVM_RUN returned EINTR (the stop request): thread ends", v->id);
                v->ok = 1;
                break;
            }
            continue;   /* some other signal: run on */
        }
        struct kvm_run *run = v->run;
        if (run->exit_reason == KVM_EXIT_MMIO) {
            handle_mmio(v);
        } else if (run->exit_reason == KVM_EXIT_DEBUG) {
            handle_debug(v);
        } else if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
            SAY(vm, "vcpu%d: KVM_EXIT_SYSTEM_EVENT, type %u (%s)", v->id, run->system_event.type,
                system_event_name(run->system_event.type));
            pthread_mutex_lock(&vm->lock);
            vm->system_event = (int)run->system_event.type;
            pthread_mutex_unlock(&vm->lock);
            v->ok = 1;
            stop_others(v);
            break;
        } else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
            fail(vm, "vcpu%d: KVM_EXIT_FAIL_ENTRY, hardware_entry_failure_reason 0x%llx", v->id,
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            break;
        } else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
            fail(vm, "vcpu%d: KVM_EXIT_INTERNAL_ERROR, suberror %u", v->id, run->internal.suberror);
            break;
        } else {
            fail(vm, "vcpu%d: KVM_RUN exit reason %u, not handled here", v->id, run->exit_reason);
            break;
        }
    }
    if (v->len)
        guest_line(v);    /* an unfinished line */
    pthread_mutex_lock(&vm->lock);
    vm->running--;
    if (!v->ok)
        vm->failed = 1;
    pthread_cond_signal(&vm->changed);
    pthread_mutex_unlock(&vm->lock);
    if (!v->ok)
        stop_others(v);
    return NULL;
}

/* Start a thread per vCPU, wait until all have ended or the time is up. Returns 0 when the
 * threads ended, -1 on the timeout (the process then exits with the threads still in KVM_RUN). */
static int run_vcpus(struct vm *vm, int timeout_s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_kick;       /* no SA_RESTART: KVM_RUN must return EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0)
        die("sigaction (SIGUSR1)");

    SAY(vm, "KVM_RUN: one thread per vCPU");
    vm->running = vm->nr_vcpus;
    /* Under the lock: a thread that stops the others (stop_others) waits until all exist. */
    pthread_mutex_lock(&vm->lock);
    for (int i = 0; i < vm->nr_vcpus; i++) {
        errno = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]);
        if (errno)
            die("pthread_create");
    }
    pthread_mutex_unlock(&vm->lock);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_s;
    int timed_out = 0;
    pthread_mutex_lock(&vm->lock);
    while (vm->running > 0 && !timed_out)
        timed_out = pthread_cond_timedwait(&vm->changed, &vm->lock, &deadline) == ETIMEDOUT;
    pthread_mutex_unlock(&vm->lock);
    if (vm->running > 0) {
        for (int i = 0; i < vm->nr_vcpus; i++) {
            struct vcpu *v = &vm->vcpus[i];
            if (v->len)
                guest_line(v);
            INFO(vm, "vcpu%d: %lu KVM_RUN calls, %lu MMIO exits so far", i, v->runs, v->mmio_exits);
        }
        return -1;
    }
    for (int i = 0; i < vm->nr_vcpus; i++)
        pthread_join(vm->vcpus[i].thread, NULL);
    return 0;
}

/* ---- main --------------------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: kvm-api [--vcpus 1|2] [--timeout SECONDS]\n"
                    "Builds a VM with the KVM API (/dev/kvm) and runs a small guest in it.\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int nr_vcpus = 1, timeout_s = 30;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--vcpus") == 0 && i + 1 < argc) {
            nr_vcpus = (int)strtol(argv[++i], &end, 10);
            if (*end || nr_vcpus < 1 || nr_vcpus > GUEST_MAX_VCPUS)
                usage();
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout_s = (int)strtol(argv[++i], &end, 10);
            if (*end || timeout_s < 1)
                usage();
        } else {
            usage();
        }
    }
    nr_vcpus_for_marker = nr_vcpus;

    static struct vm vm;
    vm.nr_vcpus = nr_vcpus;
    vm.system_event = -1;
    pthread_mutex_init(&vm.lock, NULL);
    pthread_cond_init(&vm.changed, NULL);
    SAY(&vm, "=== a VM with %d vCPU%s ===", nr_vcpus, nr_vcpus > 1 ? "s" : "");

    open_kvm(&vm);     /* steps 1 and 2 */
    add_memory(&vm);   /* step 3 */
    add_vcpus(&vm);    /* step 4 */
    add_gic(&vm);      /* step 5 */
    add_its(&vm);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Step 6's guest debugging: a hardware breakpoint on debug_target for vCPU 0. */
    set_guest_debug(&vm.vcpus[0], KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW);
    vm.vcpus[0].debug_state = DEBUG_BREAKPOINT;
    SAY(&vm, "vcpu0: KVM_SET_GUEST_DEBUG: ENABLE | USE_HW, breakpoint 0 at 0x%x (debug_target)", GUEST_DEBUG_TARGET);
    int r = run_vcpus(&vm, timeout_s);   /* step 6 */
    clock_gettime(CLOCK_MONOTONIC, &t1);

    const char *why = NULL;
    if (r < 0)
        why = "the guest did not finish in time";
    else if (vm.failed)
        why = "see the FAIL lines above";
    else if (vm.system_event != KVM_SYSTEM_EVENT_SHUTDOWN)
        why = "the guest did not end with SYSTEM_OFF (a failed check asks for SYSTEM_RESET)";
    if (r < 0) {
        printf("kvm-api: FAIL: no SYSTEM_OFF within %d s\n", timeout_s);
        printf("KVM-API-FAIL vcpus=%d: %s\n", nr_vcpus, why);
        fflush(stdout);
        _exit(1);      /* the vCPU threads are still in KVM_RUN: no clean-up */
    }
    for (int i = 0; i < nr_vcpus; i++)
        INFO(&vm, "vcpu%d: %lu KVM_RUN calls, %lu MMIO exits (%lu MSI requests), %lu debug exits, %lu EINTR", i,
             vm.vcpus[i].runs, vm.vcpus[i].mmio_exits, vm.vcpus[i].msis, vm.vcpus[i].debug_exits, vm.vcpus[i].eintr);
    if (vm.vcpus[0].debug_state != DEBUG_DONE && !why)
        why = "vCPU 0 was not stopped at its breakpoint and stepped back to its caller";
    INFO(&vm, "the guest ran for %.3f s (host clock)",
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

    /* Step 7: the VM, its vCPUs and the vGIC go away with their file descriptors. */
    for (int i = 0; i < nr_vcpus; i++) {
        munmap(vm.vcpus[i].run, vm.run_size);
        close(vm.vcpus[i].fd);
    }
    close(vm.its_fd);
    close(vm.gic_fd);
    close(vm.vm_fd);
    close(vm.kvm_fd);
    munmap(vm.ram, GUEST_RAM_SIZE);

    if (why) {
        printf("KVM-API-FAIL vcpus=%d: %s\n", nr_vcpus, why);
        return 1;
    }
    printf("KVM-API-OK vcpus=%d\n", nr_vcpus);
    return 0;
}
