#!/usr/bin/env python3
"""Checks the SMMU's per-StreamID figures in avsim's --stats JSON (tests/external/linux-virtio.sh).

    linux-virtio-stats.py STATS.json dma|identity|none SID...

dma: every SID issued transactions that the SMMU translated: TLB lookups, TLB hits and walks.
identity (iommu.passthrough=1): every SID's transactions went through in bypass, with no walk.
none (--smmu=off): there is no "smmu" section.
Prints one line per SID; exits 1 with the reason when a figure is missing or wrong."""
import json
import sys

FIELDS = ("transactions", "bytes", "bypassed", "tlb_lookups", "tlb_hits", "walks", "walk_accesses", "faults")


def find_smmu(node):
    """The "smmu" object of the statistics, wherever sim/stats.c puts it."""
    if isinstance(node, dict):
        if isinstance(node.get("smmu"), dict):
            return node["smmu"]
        for v in node.values():
            found = find_smmu(v)
            if found is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            found = find_smmu(v)
            if found is not None:
                return found
    return None


def per_sid(smmu):
    """{sid: figures} from the first list of objects with a "sid" (or "stream_id") member."""
    for v in smmu.values():
        if isinstance(v, list) and v and isinstance(v[0], dict) and ("sid" in v[0] or "stream_id" in v[0]):
            return {int(e.get("sid", e.get("stream_id"))): e for e in v}
    return None


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("dma", "identity", "none"):
        print(__doc__, file=sys.stderr)
        return 2
    path, mode, sids = sys.argv[1], sys.argv[2], [int(s, 0) for s in sys.argv[3:]]
    try:
        with open(path) as f:
            stats = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read {path}: {e}")
        return 1
    smmu = find_smmu(stats)
    if mode == "none":
        if smmu is not None:
            print(f"{path} has an \"smmu\" section without an SMMU")
            return 1
        print("no SMMU: no \"smmu\" section")
        return 0
    if smmu is None:
        print(f"{path} has no \"smmu\" section")
        return 1
    table = per_sid(smmu)
    if table is None:
        print(f"the \"smmu\" section of {path} has no per-StreamID list (members: {', '.join(smmu)})")
        return 1
    bad = []
    for sid in sids:
        e = table.get(sid)
        if e is None:
            bad.append(f"StreamID {sid}: no figures (the SMMU saw no transaction of it)")
            continue
        print(f"StreamID {sid}: " + ", ".join(f"{k} {e[k]}" for k in FIELDS if k in e))
        missing = [k for k in ("transactions", "bypassed", "tlb_lookups", "tlb_hits", "walks") if k not in e]
        if missing:
            bad.append(f"StreamID {sid}: no {', '.join(missing)}")
            continue
        if e["transactions"] <= 0:
            bad.append(f"StreamID {sid}: no transactions")
        if mode == "dma":
            if e["tlb_lookups"] <= 0 or e["tlb_hits"] <= 0 or e["walks"] <= 0:
                bad.append(f"StreamID {sid}: translated DMA wants TLB lookups, TLB hits and walks")
            if e["bypassed"]:
                bad.append(f"StreamID {sid}: {e['bypassed']} bypassed transactions with a DMA domain")
        else:
            if e["bypassed"] <= 0 or e["bypassed"] != e["transactions"]:
                bad.append(f"StreamID {sid}: {e['bypassed']} of {e['transactions']} transactions bypassed with iommu.passthrough=1")
            if e["walks"]:
                bad.append(f"StreamID {sid}: {e['walks']} walks with iommu.passthrough=1")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
