#include "sim/loader.h"
#include "sim/file.h"
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int parse_elf(struct loaded_image *img, const char *path, uint64_t ram_base, uint64_t ram_size,
                     char *err, size_t errlen)
{
    if (img->size < sizeof(Elf64_Ehdr)) {
        snprintf(err, errlen, "%s: truncated ELF header", path);
        return -1;
    }
    /* The headers are copied out: nothing aligns e_phoff, and a misaligned
     * Elf64_Phdr pointer would be undefined behaviour. */
    Elf64_Ehdr ehdr;
    memcpy(&ehdr, img->data, sizeof ehdr);
    const Elf64_Ehdr *eh = &ehdr;
    if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
        snprintf(err, errlen, "%s: not a 64-bit ELF file (avsim runs AArch64 images)", path);
        return -1;
    }
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        snprintf(err, errlen, "%s: big-endian ELF files are not supported", path);
        return -1;
    }
    if (eh->e_machine != EM_AARCH64) {
        snprintf(err, errlen, "%s: ELF machine %u is not AArch64 (EM_AARCH64 = %u)", path,
                 eh->e_machine, EM_AARCH64);
        return -1;
    }
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
        snprintf(err, errlen, "%s: not an executable ELF file (type %u)", path, eh->e_type);
        return -1;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > img->size ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > img->size - eh->e_phoff) {
        snprintf(err, errlen, "%s: broken ELF program header table", path);
        return -1;
    }
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr phdr;
        memcpy(&phdr, img->data + eh->e_phoff + (size_t)i * sizeof phdr, sizeof phdr);
        const Elf64_Phdr *p = &phdr;
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        if (p->p_filesz > p->p_memsz || p->p_offset > img->size || p->p_filesz > img->size - p->p_offset) {
            snprintf(err, errlen, "%s: segment %d lies outside the file (truncated or broken ELF)", path, i);
            return -1;
        }
        if (p->p_paddr < ram_base || p->p_memsz > ram_size || p->p_paddr - ram_base > ram_size - p->p_memsz) {
            snprintf(err, errlen, "%s: segment %d (0x%llx-0x%llx) is outside RAM (0x%llx-0x%llx)", path, i,
                     (unsigned long long)p->p_paddr, (unsigned long long)(p->p_paddr + p->p_memsz),
                     (unsigned long long)ram_base, (unsigned long long)(ram_base + ram_size));
            return -1;
        }
        for (int j = 0; j < img->n_seg; j++) {
            const struct image_segment *q = &img->seg[j];
            if (p->p_paddr < q->paddr + q->memsz && q->paddr < p->p_paddr + p->p_memsz) {
                snprintf(err, errlen, "%s: segments overlap at 0x%llx", path,
                         (unsigned long long)(p->p_paddr > q->paddr ? p->p_paddr : q->paddr));
                return -1;
            }
        }
        if (img->n_seg == (int)(sizeof img->seg / sizeof img->seg[0])) {
            snprintf(err, errlen, "%s: too many loadable segments", path);
            return -1;
        }
        img->seg[img->n_seg++] = (struct image_segment){ .paddr = p->p_paddr, .filesz = p->p_filesz,
                                                         .memsz = p->p_memsz, .file_offset = p->p_offset };
    }
    if (img->n_seg == 0) {
        snprintf(err, errlen, "%s: no loadable segment", path);
        return -1;
    }
    img->entry = eh->e_entry;
    img->is_elf = 1;
    for (int i = 0; i < img->n_seg; i++)
        if (img->seg[i].paddr + img->seg[i].memsz > img->end)
            img->end = img->seg[i].paddr + img->seg[i].memsz;
    return 0;
}

/* The arm64 Image header (Linux's Documentation/arch/arm64/booting.rst), little-endian. */
enum {
    ARM64_IMAGE_HEADER_SIZE = 64,
    ARM64_IMAGE_TEXT_OFFSET = 8,     /* u64: offset from a 2 MiB aligned base */
    ARM64_IMAGE_SIZE = 16,           /* u64: bytes the kernel needs from its start (0: old kernel) */
    ARM64_IMAGE_FLAGS = 24,          /* u64: bit 0 big-endian kernel */
    ARM64_IMAGE_MAGIC = 0x38,        /* "ARM\x64" */
};
/* QEMU's hw/arm/boot.c: the load offset of an Image whose header gives none,
 * and the room its boot stub takes at the start of RAM. */
#define IMAGE_DEFAULT_TEXT_OFFSET 0x80000ULL
#define QEMU_BOOTLOADER_MAX_SIZE 0x1000ULL
#define GUNZIP_MAX_BYTES (256ULL << 20)     /* QEMU's LOAD_IMAGE_MAX_GUNZIP_BYTES */
/* The image file itself (ELF, Image, gzip or raw), read whole: an ELF may carry
 * debug sections beyond what it loads, so the limit is not the RAM size. */
#define IMAGE_FILE_MAX_BYTES (1ULL << 30)

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static bool is_arm64_image(const uint8_t *data, size_t size)
{
    return size >= ARM64_IMAGE_HEADER_SIZE && memcmp(data + ARM64_IMAGE_MAGIC, "ARM\x64", 4) == 0;
}

static bool is_gzip(const uint8_t *data, size_t size)
{
    return size >= 18 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8;   /* RFC 1952, deflate */
}

/* Replaces img->data with its gzip-decompressed contents. */
static int gunzip_image(struct loaded_image *img, const char *path, char *err, size_t errlen)
{
    z_stream zs = { 0 };
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        snprintf(err, errlen, "%s: cannot start decompression", path);
        return -1;
    }
    /* The output grows by doubling up to one byte past the limit: reaching that
     * byte is how a too-big Image is told from one of exactly the limit. */
    const size_t want = GUNZIP_MAX_BYTES + 1;
    size_t cap = img->size < want / 4 ? img->size * 4 + 4096 : want, len = 0;
    if (cap > want)
        cap = want;
    uint8_t *out = malloc(cap);
    zs.next_in = img->data;
    zs.avail_in = (uInt)img->size;
    int rc = Z_OK;
    while (out && rc == Z_OK) {
        if (len == cap) {
            if (cap == want)
                break;                  /* past the limit with more to come */
            cap = cap > want / 2 ? want : cap * 2;
            uint8_t *bigger = realloc(out, cap);
            if (!bigger) {
                free(out);
                out = NULL;
                break;
            }
            out = bigger;
        }
        zs.next_out = out + len;
        zs.avail_out = (uInt)(cap - len);
        rc = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
    }
    if (out && rc == Z_STREAM_END && len > GUNZIP_MAX_BYTES)
        rc = Z_OK;                      /* ended one byte past the limit: still too big */
    inflateEnd(&zs);
    if (!out || rc != Z_STREAM_END) {
        snprintf(err, errlen, "%s: %s", path,
                 !out ? "out of memory decompressing it"
                 : rc == Z_OK ? "decompresses to more than 256 MiB"
                              : "broken gzip data (truncated or corrupt)");
        free(out);
        return -1;
    }
    free(img->data);
    img->data = out;
    img->size = len;
    return 0;
}

static int place_arm64_image(struct loaded_image *img, const char *path, uint64_t ram_base, uint64_t ram_size,
                             char *err, size_t errlen)
{
    uint64_t text_offset = le64(img->data + ARM64_IMAGE_TEXT_OFFSET);
    uint64_t image_size = le64(img->data + ARM64_IMAGE_SIZE);
    uint64_t flags = le64(img->data + ARM64_IMAGE_FLAGS);
    if (flags & 1) {
        snprintf(err, errlen, "%s: a big-endian arm64 Image (avsim runs little-endian guests)", path);
        return -1;
    }
    uint64_t offset = IMAGE_DEFAULT_TEXT_OFFSET;      /* text_offset is valid only with image_size */
    if (image_size) {
        offset = text_offset;
        if (offset < QEMU_BOOTLOADER_MAX_SIZE)
            offset += 2ULL << 20;
    }
    uint64_t claim = image_size > img->size ? image_size : img->size;
    if (offset > ram_size || claim > ram_size - offset) {
        snprintf(err, errlen, "%s: the Image (%llu bytes at offset 0x%llx) does not fit in RAM (%llu bytes)", path,
                 (unsigned long long)claim, (unsigned long long)offset, (unsigned long long)ram_size);
        return -1;
    }
    img->seg[0] = (struct image_segment){ .paddr = ram_base + offset, .filesz = img->size, .memsz = img->size,
                                          .file_offset = 0 };
    img->n_seg = 1;
    img->entry = ram_base + offset;
    img->end = ram_base + offset + claim;
    img->is_linux = 1;
    return 0;
}

int image_open(struct loaded_image *img, const char *path, uint64_t ram_base, uint64_t ram_size,
               int have_load_addr, uint64_t raw_load_addr, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    if (file_read_all(path, IMAGE_FILE_MAX_BYTES, &img->data, &img->size, err, errlen) != 0)
        return -1;
    if (img->size == 0) {
        snprintf(err, errlen, "%s: the file is empty", path);
        image_close(img);
        return -1;
    }
    int rc;
    bool gzipped = is_gzip(img->data, img->size);
    if (gzipped && gunzip_image(img, path, err, errlen) != 0) {
        image_close(img);
        return -1;
    }
    if (!gzipped && img->size >= 4 && memcmp(img->data, ELFMAG, SELFMAG) == 0) {
        rc = parse_elf(img, path, ram_base, ram_size, err, errlen);
    } else if (is_arm64_image(img->data, img->size)) {
        if (have_load_addr) {
            snprintf(err, errlen, "%s: an arm64 Image is placed by its header; --load-addr is for raw binaries",
                     path);
            rc = -1;
        } else {
            rc = place_arm64_image(img, path, ram_base, ram_size, err, errlen);
        }
    } else if (gzipped) {
        snprintf(err, errlen, "%s: a gzip file that does not hold an arm64 Image", path);
        rc = -1;
    } else if (have_load_addr) {
        if (raw_load_addr < ram_base || img->size > ram_size || raw_load_addr - ram_base > ram_size - img->size) {
            snprintf(err, errlen, "%s: %zu bytes at 0x%llx do not fit in RAM (0x%llx-0x%llx)", path, img->size,
                     (unsigned long long)raw_load_addr, (unsigned long long)ram_base,
                     (unsigned long long)(ram_base + ram_size));
            rc = -1;
        } else {
            img->seg[0] = (struct image_segment){ .paddr = raw_load_addr, .filesz = img->size,
                                                  .memsz = img->size, .file_offset = 0 };
            img->n_seg = 1;
            img->entry = raw_load_addr;
            img->end = raw_load_addr + img->size;
            rc = 0;
        }
    } else if (img->size > ram_size - IMAGE_DEFAULT_TEXT_OFFSET) {
        snprintf(err, errlen, "%s: not an ELF file or arm64 Image, and too big for RAM as a raw kernel", path);
        rc = -1;
    } else {
        /* Neither ELF nor Image: a raw kernel, as QEMU's -kernel takes it
         * (hw/arm/boot.c: at RAM + 0x80000, booted like Linux with x0 = the
         * device tree). kvm-unit-tests' .flat images are such files. */
        img->seg[0] = (struct image_segment){ .paddr = ram_base + IMAGE_DEFAULT_TEXT_OFFSET, .filesz = img->size,
                                              .memsz = img->size, .file_offset = 0 };
        img->n_seg = 1;
        img->entry = ram_base + IMAGE_DEFAULT_TEXT_OFFSET;
        img->end = img->entry + img->size;
        img->is_linux = 1;
        img->is_raw_kernel = 1;
        rc = 0;
    }
    if (rc != 0)
        image_close(img);
    return rc;
}

void image_load(const struct loaded_image *img, uint8_t *ram, uint64_t ram_base)
{
    for (int i = 0; i < img->n_seg; i++) {
        const struct image_segment *s = &img->seg[i];
        uint8_t *dst = ram + (s->paddr - ram_base);
        memcpy(dst, img->data + s->file_offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
}

void image_close(struct loaded_image *img)
{
    free(img->data);
    memset(img, 0, sizeof *img);
}
