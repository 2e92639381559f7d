#include "sim/loader.h"
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        snprintf(err, errlen, "%s: cannot seek (not a regular file?)", path);
        fclose(f);
        return -1;
    }
    long len = ftell(f);
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "%s: cannot determine the size", path);
        fclose(f);
        return -1;
    }
    if (len == 0) {
        snprintf(err, errlen, "%s: the file is empty", path);
        fclose(f);
        return -1;
    }
    *data = malloc((size_t)len);
    if (!*data || fread(*data, 1, (size_t)len, f) != (size_t)len) {
        snprintf(err, errlen, "%s: cannot read", path);
        free(*data);
        *data = NULL;
        fclose(f);
        return -1;
    }
    fclose(f);
    *size = (size_t)len;
    return 0;
}

static int parse_elf(struct loaded_image *img, const char *path, uint64_t ram_base, uint64_t ram_size,
                     char *err, size_t errlen)
{
    if (img->size < sizeof(Elf64_Ehdr)) {
        snprintf(err, errlen, "%s: truncated ELF header", path);
        return -1;
    }
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->data;
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
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->data + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        const Elf64_Phdr *p = &ph[i];
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
    return 0;
}

int image_open(struct loaded_image *img, const char *path, uint64_t ram_base, uint64_t ram_size,
               int have_load_addr, uint64_t raw_load_addr, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    if (read_file(path, &img->data, &img->size, err, errlen) != 0)
        return -1;
    int rc;
    if (img->size >= 4 && memcmp(img->data, ELFMAG, SELFMAG) == 0) {
        rc = parse_elf(img, path, ram_base, ram_size, err, errlen);
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
            rc = 0;
        }
    } else {
        snprintf(err, errlen, "%s: not an ELF file (to run a raw binary, give --load-addr=ADDR)", path);
        rc = -1;
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
