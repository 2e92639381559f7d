/* avsim traces: a versioned header describing the machine, then a zlib-
 * compressed stream of fixed-layout little-endian records, one per event
 * (instruction blocks, data accesses, exceptions, ERETs, TLB maintenance,
 * context switches, walk descriptor reads, interrupts). The writer streams
 * to disk; the reader validates everything it reads. The format is described
 * for other tools in traces/FORMAT.md. */
#ifndef AVSIM_TRACES_TRACE_H
#define AVSIM_TRACES_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAGIC "AVSIMTRC"          /* 8 bytes */
#define TRACE_VERSION 1

/* Record types; also the bits of an event-class mask (1 << type). */
enum trace_type {
    TR_BLOCK = 1,      /* an instruction block executed (fetched) */
    TR_DATA = 2,       /* a data access */
    TR_EXCEPTION = 3,
    TR_ERET = 4,
    TR_TLBI = 5,
    TR_CONTEXT = 6,    /* the translation context (regime, VMID, ASID) changed */
    TR_WALK = 7,       /* one descriptor read of a table walk */
    TR_IRQ = 8,        /* interrupt controller activity */
    TR_TYPE_MAX = 8,
};
#define TRACE_ALL_CLASSES 0x1feu

/* One record, decoded. Which fields are meaningful depends on type. */
struct trace_record {
    uint8_t type;
    uint8_t el;           /* the EL it happened at (BLOCK, DATA, WALK, CONTEXT) */
    uint8_t regime;       /* 0 EL1&0, 1 EL2 */
    uint8_t flags;        /* DATA: bit 0 write; WALK: bit 0 stage 2; IRQ: bit 0 virtual */
    uint16_t vmid, asid;  /* vmid 0xffff: no stage 2 */
    uint32_t size;        /* BLOCK: bytes; DATA: access size */
    uint64_t time;        /* simulated time, CPU cycles */
    uint64_t va, ipa, pa; /* BLOCK/DATA; WALK: pa = descriptor address; EXCEPTION/ERET: va = PC */
    /* EXCEPTION: ec, iss, from_el, to_el; ERET: from_el, to_el; TLBI: op (enum tlbi_op), arg;
     * WALK: level in `level`; IRQ: kind (GIC event kind), intid, pe. */
    uint32_t ec, iss;
    uint8_t from_el, to_el;
    int8_t level;
    uint8_t op;
    uint64_t arg;
    uint32_t intid, pe;
};

/* What the header says about the machine (free text, JSON by convention). */
#define TRACE_DESC_MAX 4096

struct trace_writer;
struct trace_writer *trace_writer_open(const char *path, const char *machine_desc, uint32_t class_mask,
                                       char *err, size_t errlen);
/* Appends a record if its class is in the mask. Returns 0, or -1 after an I/O error. */
int trace_write(struct trace_writer *w, const struct trace_record *r);
/* Flushes and closes; returns -1 if anything failed. */
int trace_writer_close(struct trace_writer *w);
uint64_t trace_writer_count(const struct trace_writer *w);

struct trace_reader;
/* Opens and checks the header; NULL with a message for a missing, foreign,
 * newer-version or corrupt file. */
struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen);
const char *trace_reader_machine(const struct trace_reader *r);
uint32_t trace_reader_class_mask(const struct trace_reader *r);
/* 1: a record was read; 0: clean end; -1: truncated or corrupt (message in err). */
int trace_read(struct trace_reader *r, struct trace_record *rec, char *err, size_t errlen);
void trace_reader_close(struct trace_reader *r);

/* Names of the classes for --trace-events and the tools ("blocks", "data", "exceptions",
 * "erets", "tlbi", "context", "walks", "irq"). */
const char *trace_type_name(unsigned type);
/* Parses a comma list of class names ("all" allowed). Returns 0 or -1 (message in err). */
int trace_parse_classes(const char *list, uint32_t *mask, char *err, size_t errlen);

#endif
