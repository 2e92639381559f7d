/* Unit tests for the bounded input reads (sim/file.c) and the ELF loader's
 * header reads (sim/loader.c parse_elf), issue 18: an ELF whose program
 * headers are not 8-byte aligned (a misaligned Elf64_Phdr pointer before: run
 * under -fsanitize=alignment this test failed), a directory, a stream past its
 * limit, a regular file past it, exactly the limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/file.h"
#include "sim/loader.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (64ULL << 20)

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/avsim_test_loader.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* An AArch64 ELF with two PT_LOAD segments and its program headers at
 * phoff (4 mod 8 when misaligned). */
static size_t make_elf(uint8_t *buf, size_t cap, uint64_t phoff)
{
    memset(buf, 0, cap);
    Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_AARCH64, .e_version = EV_CURRENT,
                      .e_entry = RAM_BASE + 0x1000, .e_phoff = phoff, .e_ehsize = sizeof(Elf64_Ehdr),
                      .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    memcpy(buf, &eh, sizeof eh);
    Elf64_Phdr ph[2] = {
        { .p_type = PT_LOAD, .p_offset = 0x200, .p_paddr = RAM_BASE + 0x1000, .p_filesz = 0x10, .p_memsz = 0x20 },
        { .p_type = PT_LOAD, .p_offset = 0x210, .p_paddr = RAM_BASE + 0x3000, .p_filesz = 0x8, .p_memsz = 0x8 },
    };
    memcpy(buf + phoff, ph, sizeof ph);
    for (int i = 0; i < 0x18; i++)
        buf[0x200 + i] = (uint8_t)(0xa0 + i);
    return 0x218;
}

static void test_elf_misaligned_phdrs(void **state)
{
    (void)state;
    char path[128], err[256];
    static uint8_t buf[0x400] __attribute__((aligned(8)));
    for (uint64_t phoff = 0x40; phoff <= 0x44; phoff += 4) {
        size_t len = make_elf(buf, sizeof buf, phoff);
        snprintf(path, sizeof path, "%s/phoff_%llx.elf", dir, (unsigned long long)phoff);
        write_file(path, buf, len);
        struct loaded_image img;
        assert_int_equal(image_open(&img, path, RAM_BASE, RAM_SIZE, 0, 0, err, sizeof err), 0);
        assert_true(img.is_elf);
        assert_int_equal(img.n_seg, 2);
        assert_int_equal(img.seg[0].paddr, RAM_BASE + 0x1000);
        assert_int_equal(img.seg[0].memsz, 0x20);
        assert_int_equal(img.seg[1].paddr, RAM_BASE + 0x3000);
        assert_int_equal(img.entry, RAM_BASE + 0x1000);
        image_close(&img);
    }
}

static void test_read_directory(void **state)
{
    (void)state;
    uint8_t *data;
    size_t size;
    char err[256];
    assert_int_equal(file_read_all(dir, 1 << 20, &data, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "a directory, not a file"));
    struct loaded_image img;
    assert_int_equal(image_open(&img, dir, RAM_BASE, RAM_SIZE, 0, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "a directory"));
}

static void test_read_stream_limit(void **state)
{
    (void)state;
    uint8_t *data;
    size_t size;
    char err[256];
    assert_int_equal(file_read_all("/dev/zero", 100000, &data, &size, err, sizeof err), -1);
    assert_string_equal(err, "/dev/zero: too big (more than the limit of 100000 bytes)");
    assert_int_equal(file_read_all("/dev/null", 100, &data, &size, err, sizeof err), 0);
    assert_int_equal(size, 0);
    free(data);
}

static void test_read_regular_limit(void **state)
{
    (void)state;
    char path[128], err[256];
    uint8_t *data;
    size_t size;
    static uint8_t buf[70000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7);
    snprintf(path, sizeof path, "%s/file", dir);
    write_file(path, buf, sizeof buf);
    assert_int_equal(file_read_all(path, sizeof buf, &data, &size, err, sizeof err), 0);
    assert_int_equal(size, sizeof buf);
    assert_memory_equal(data, buf, sizeof buf);
    free(data);
    assert_int_equal(file_read_all(path, sizeof buf - 1, &data, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "too big (70000 bytes; the limit is 69999 bytes)"));
    /* a stream of exactly the limit is read */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkfifo '%s/fifo' && (cat '%s' > '%s/fifo' &)", dir, path, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(file_read_all(path, sizeof buf, &data, &size, err, sizeof err), 0);
    assert_int_equal(size, sizeof buf);
    assert_memory_equal(data, buf, sizeof buf);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_misaligned_phdrs),
        cmocka_unit_test(test_read_directory),
        cmocka_unit_test(test_read_stream_limit),
        cmocka_unit_test(test_read_regular_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
