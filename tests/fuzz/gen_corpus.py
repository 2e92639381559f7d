#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Every seed is built here from the formats' definitions, except the traces in
corpus/fuzz_trace/raw-*, which are small files recorded by `avsim run --trace`
(see the README's "Fuzzing"); the record-stream seeds are derived from them.
Run it from anywhere: python3 tests/fuzz/gen_corpus.py
"""
import gzip, os, struct, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- ELF64 AArch64 (System V gABI, ELF-64 Object File Format) ----
def elf(segments, entry=0x40080000, phoff=64):
    """segments: [(p_type, paddr, data, memsz)]"""
    ehdr_size, phent = 64, 56
    data_off = phoff + phent * len(segments)
    body, phdrs = b"", b""
    for ptype, paddr, data, memsz in segments:
        off = data_off + len(body)
        phdrs += struct.pack("<IIQQQQQQ", ptype, 5, off, paddr, paddr, len(data), memsz, 4)
        body += data
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, entry, phoff, 0, 0, ehdr_size, phent,
                             len(segments), 0, 0, 0)
    pad = bytes(phoff - len(eh))
    return eh + pad + phdrs + body


B_SELF = struct.pack("<I", 0x14000000)          # b .
put("fuzz_elf", "one_load", elf([(1, 0x40080000, B_SELF, 4)]))
put("fuzz_elf", "bss", elf([(1, 0x40080000, B_SELF, 0x1000)]))
put("fuzz_elf", "two_loads_note", elf([(1, 0x40080000, B_SELF, 4), (4, 0, b"NOTE", 4),
                                       (1, 0x40100000, b"\x00" * 8, 16)]))
put("fuzz_elf", "outside_ram", elf([(1, 0x10000, B_SELF, 4)]))


# ---- arm64 Image (Linux Documentation/arm64/booting.rst header) ----
def arm64_image(text_offset=0, image_size=0x1000, flags=0xa, body=B_SELF * 4):
    hdr = struct.pack("<IIQQQQQQI", 0x14000010, 0, text_offset, image_size, flags, 0, 0, 0, 0x644d5241)
    hdr += struct.pack("<I", 0)
    return hdr + body

# fuzz_image: first byte bit 0 = the harness gzips the rest.
put("fuzz_image", "image_raw", b"\x00" + arm64_image())
put("fuzz_image", "image_gz_by_harness", b"\x01" + arm64_image())
put("fuzz_image", "image_no_size", b"\x00" + arm64_image(image_size=0))
put("fuzz_image", "image_text_offset", b"\x01" + arm64_image(text_offset=0x80000, image_size=0x200000))
put("fuzz_image", "image_gzip_file", b"\x00" + gzip.compress(arm64_image(), compresslevel=9, mtime=0))
put("fuzz_image", "gzip_not_image", b"\x00" + gzip.compress(b"hello" * 10, mtime=0))
put("fuzz_image", "raw_kernel", b"\x00" + B_SELF * 8)


# ---- Flattened device tree (Devicetree Specification v0.4, chapter 5) ----
class FDT:
    def __init__(self):
        self.struct, self.strings, self.offs = b"", b"", {}

    def _u32(self, v):
        self.struct += struct.pack(">I", v)

    def begin(self, name):
        self._u32(1)
        n = name.encode() + b"\0"
        self.struct += n + bytes(-len(n) % 4)

    def end(self):
        self._u32(2)

    def prop(self, name, value):
        if name not in self.offs:
            self.offs[name] = len(self.strings)
            self.strings += name.encode() + b"\0"
        self._u32(3)
        self.struct += struct.pack(">II", len(value), self.offs[name])
        self.struct += value + bytes(-len(value) % 4)

    def blob(self, rsv=()):
        self._u32(9)
        hdr_len = 40
        rsvmap = b"".join(struct.pack(">QQ", a, s) for a, s in rsv) + bytes(16)
        off_rsv = hdr_len
        off_struct = off_rsv + len(rsvmap)
        off_strings = off_struct + len(self.struct)
        total = off_strings + len(self.strings)
        hdr = struct.pack(">10I", 0xd00dfeed, total, off_struct, off_strings, off_rsv, 17, 16, 0,
                          len(self.strings), len(self.struct))
        return hdr + rsvmap + self.struct + self.strings


def u32s(*v):
    return b"".join(struct.pack(">I", x) for x in v)


def small_tree(chosen=True):
    t = FDT()
    t.begin("")
    t.prop("#address-cells", u32s(2))
    t.prop("#size-cells", u32s(2))
    t.prop("compatible", b"linux,dummy-virt\0")
    if chosen:
        t.begin("chosen")
        t.prop("bootargs", b"console=ttyAMA0\0")
        t.end()
    t.begin("memory@40000000")
    t.prop("device_type", b"memory\0")
    t.prop("reg", u32s(0, 0x40000000, 0, 0x2000000))
    t.end()
    t.end()
    return t

# fuzz_dtb: first byte = bootargs (bit 0), an ELF image (bit 1) and its segment's place.
put("fuzz_dtb", "tree_with_chosen", b"\x01" + small_tree().blob())
put("fuzz_dtb", "tree_no_chosen", b"\x00" + small_tree(chosen=False).blob())
put("fuzz_dtb", "tree_rsvmap_elf", b"\x0b" + small_tree().blob(rsv=[(0x40000000, 0x1000)]))


# ---- traces: raw files recorded by avsim, and their record streams ----
tdir = os.path.join(CORPUS, "fuzz_trace")
for name in sorted(os.listdir(tdir)) if os.path.isdir(tdir) else []:
    if not name.startswith("raw-"):
        continue
    data = open(os.path.join(tdir, name), "rb").read()
    body = data[1:]                                  # the seed's first byte is the mode (0)
    version, hdr_len = struct.unpack_from("<II", body, 8)
    stream = zlib.decompress(body[hdr_len:])
    put("fuzz_trace", "records-" + name[4:], b"\x01" + bytes([version - 1]) + stream)


# ---- --tlb / tlbsim --config / --trace-events ----
for i, spec in enumerate(["l1i=48,l1d=32,l2=1024:4,walk=64,repl=lru", "l1i=16:4,l1d=8:2,l2=0,walk=0,repl=fifo",
                          "l2=512:8,repl=random,s2=128", "s2=0", "blocks,data,exceptions,smmu", "all"]):
    put("fuzz_tlb_spec", "spec%d" % i, spec.encode())


# ---- GDB remote serial protocol packets ----
def pkt(s):
    b = s.encode()
    return b"$" + b + b"#%02x" % (sum(b) & 0xff)

session = [pkt(p) for p in ["qSupported:multiprocess+;swbreak+", "QStartNoAckMode", "?", "qfThreadInfo",
                            "qsThreadInfo", "qC", "Hg2", "g", "p20", "p22", "P0=1122334455667788",
                            "m40000000,10", "M40000010,4:00000014", "Z0,40000000,4", "z0,40000000,4",
                            "qXfer:features:read:target.xml:0,200", "qThreadExtraInfo,1", "T2",
                            "vCont?", "qRcmd,70687973206f6e", "m40000000,8", "Qqemu.PhyMemMode:0",
                            "qqemu.PhyMemMode", "vCont;s:1;c", "D"]]
put("fuzz_gdb", "session", b"+".join(session))
put("fuzz_gdb", "escaped_bad_checksum", b"$M40000000,2:}]}\x03#00+$m0,1#ff" + b"\x03" + pkt("k"))
put("fuzz_gdb", "write_regs", pkt("G" + "00" * (8 * 33 + 4)))


# ---- semihosting: OP(1) ARG_OFFSET(2) LEN(1) BYTES ----
def sh(op, off, data=b""):
    return bytes([op]) + struct.pack("<H", off) + bytes([len(data)]) + data

RAMB = 0x40000000 + 0x10000
put("fuzz_semihosting", "open_write_close",
    sh(0x01, 0x100, b":tt\0") + sh(0x01, 0, struct.pack("<QQQ", RAMB + 0x100, 4, 3)) +
    sh(0x05, 0x200, b"hello\n") + sh(0x05, 0, struct.pack("<QQQ", 2, RAMB + 0x200, 6)) +
    sh(0x02, 0, struct.pack("<Q", 2)))
put("fuzz_semihosting", "write0_writec", sh(0x04, 0x40, b"text\0") + sh(0x03, 0x40, b"x"))
put("fuzz_semihosting", "misc", sh(0x10, 0) + sh(0x11, 0) + sh(0x13, 0) + sh(0x30, 0, bytes(8)) +
    sh(0x31, 0) + sh(0x16, 0, bytes(8)) + sh(0x15, 0, struct.pack("<QQ", RAMB + 0x80, 16)) +
    sh(0x09, 0, struct.pack("<Q", 1)) + sh(0x0c, 0, struct.pack("<Q", 2)) +
    sh(0x06, 0, struct.pack("<QQQ", 1, RAMB + 0x80, 4)) + sh(0x18, 0, struct.pack("<QQ", 0x20026, 0)) +
    sh(0x20, 0, struct.pack("<QQ", 0x20026, 3)))


# ---- SMMUv3 (IHI 0070): register writes, memory, DMA ----
def sw(off, v, size8=False):
    return b"\x00" + struct.pack("<I", off | (1 if size8 else 0))[:3] + struct.pack("<Q", v)

def smem(addr, data):
    out = b""
    for i in range(0, len(data), 255):
        chunk = data[i:i + 255]
        out += b"\x02" + struct.pack("<H", addr + i) + bytes([len(chunk)]) + chunk
    return out

def sdma(sid, addr, ln, write, ssid=0xff):
    return b"\x03" + struct.pack("<HBQHB", sid, ssid, addr, ln, write)

def ste(config, w=None):
    words = [1 | config << 1] + [0] * 7
    if w:
        for k, v in w.items():
            words[k] |= v
    return struct.pack("<8Q", *words)

STRTAB, CMDQ, EVTQ = 0x1000, 0x3000, 0x4000
setup = (sw(0x88, 4) + sw(0x80, STRTAB, True) + sw(0x90, CMDQ | 4, True) + sw(0xa0, EVTQ | 4, True) +
         sw(0x50, 7) + sw(0x20, 0xd))    # STRTAB linear 16 STEs; queues of 16; IRQs; SMMUEN|EVTQEN|CMDQEN
cmds = struct.pack("<QQ", 0x03 | 1 << 32, 0) + struct.pack("<QQ", 0x46 | 1 << 12, 0)   # CFGI_STE sid 1, SYNC (SIG_IRQ)
s2 = ste(6, {2: 0x1 << 32 | 16 | 1 << 38 | 2 << 6, 3: 0x8000})   # S2: VMID 1, T0SZ 16, SL0, S2TTB
s1 = ste(5, {0: 0x6000})             # S1: S1ContextPtr
put("fuzz_smmu", "bypass_dma", b"\x00" + setup + smem(STRTAB, ste(4)) + sdma(0, 0x8000, 64, 0) + sdma(3, 0x8000, 8, 1))
put("fuzz_smmu", "cmdq_s2", b"\x00" + smem(STRTAB + 64, s2) + smem(CMDQ, cmds) + setup + sw(0x98, 2) +
    sdma(1, 0x1000, 16, 0) + b"\x01" + struct.pack("<I", 0x100a8)[:3] + sw(0x100ac, 1))
put("fuzz_smmu", "s1_cd_ssid", b"\x03" + smem(STRTAB + 128, s1) + smem(0x6000, struct.pack("<Q", 1 << 31 | 16)) +
    setup + sdma(2, 0x2000, 4, 0, ssid=0) + sdma(2, 0x2000, 4, 1) + sw(0x60, 0) + sw(0x64, 1))


# ---- virtio-mmio (virtio 1.1, 4.2.2 and 2.6): a driver's setup, then a request ----
def vw(off, v):
    return b"\x00" + struct.pack("<HI", off, v)

def vmem(addr, data):
    return b"\x02" + struct.pack("<H", addr) + bytes([len(data)]) + data

DESC, AVAIL, USED, BUF = 0x1000, 0x2000, 0x3000, 0x4000
drv = (vw(0x70, 1) + vw(0x70, 3) + vw(0x14, 1) + b"\x01" + struct.pack("<H", 0x10) + vw(0x24, 1) +
       vw(0x20, 1 | 2) + vw(0x24, 0) + vw(0x20, 0) + vw(0x70, 11) + vw(0x30, 0) + vw(0x38, 8) +
       vw(0x80, DESC) + vw(0x90, AVAIL) + vw(0xa0, USED) + vw(0x44, 1) + vw(0x70, 15))
def chain(descs):
    return vmem(DESC, b"".join(struct.pack("<QIHH", a, l, f, n) for a, l, f, n in descs))
avail = vmem(AVAIL, struct.pack("<HHH", 0, 1, 0))
put("fuzz_virtio", "rng_request", b"\x00" + drv + chain([(BUF, 64, 2, 0)]) + avail + vw(0x50, 0) + b"\x01\x60\x00" +
    vw(0x64, 1))
blk_req = vmem(BUF, struct.pack("<IIQ", 0, 0, 0))   # VIRTIO_BLK_T_IN sector 0
put("fuzz_virtio", "blk_read", b"\x01" + drv + blk_req +
    chain([(BUF, 16, 1, 1), (BUF + 0x100, 512, 3, 2), (BUF + 0x400, 1, 2, 0)]) + avail + vw(0x50, 0) +
    b"\x01\x00\x01\x01\x08\x01")
put("fuzz_virtio", "console_indirect", b"\x02" + drv + vmem(0x5000, struct.pack("<QIHH", BUF, 5, 0, 0)) +
    vmem(BUF, b"hello") + chain([(0x5000, 16, 4, 0)]) + vw(0x30, 1) + vw(0x38, 8) + vw(0x80, DESC) +
    vw(0x90, AVAIL) + vw(0xa0, USED) + vw(0x44, 1) + avail + vw(0x50, 1) + b"\x03")
