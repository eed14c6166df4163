#!/usr/bin/env python3
"""Writes a linker script that places the code a command executes first, contiguously.

The kernel maps up to 64 KiB around every page fault in a file (fault-around), so a start-up
that touches a few hundred functions spread over 3.8 MB of text makes most of the text
resident. Grouping the executed input sections makes the resident text about as large as the
code that runs. The script only orders sections: a stale list (renamed functions) costs memory,
never correctness, since unmatched patterns match nothing and every section still lands in .text.

    gen.py --map LINK_MAP TRACE... [--map LINK_MAP2 TRACE2...] > hot-text.ld

Each LINK_MAP is the GNU ld map (-Wl,-Map) of a binary, followed by traces of that binary: lines
"SB <hex address>" of the code it ran, the first one being its entry point (_start), from which
the load address is found. tools/text-order/trace.sh makes them with valgrind (every instruction)
and perf (the page faults of a native run: code valgrind's environment does not reach, such as
the vDSO set-up). Sections are listed in the order their code first ran.

glibc picks its string functions at start-up by CPU (IFUNC): valgrind's CPU gets the AVX2
versions where the machine may get the EVEX ones. For every such function that ran, every
variant is listed after the rest, grouped by instruction set, so whichever set the CPU selects
is contiguous.
"""
import bisect
import os
import re
import sys


def parse_map(path):
    """(address, size, section, file) of every input section inside the .text output section."""
    sections = []
    in_text = False
    pending = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if re.match(r"^\.text\s", line):
                in_text = True
                continue
            if in_text and re.match(r"^\.\S", line):
                break  # the next output section
            if not in_text:
                continue
            m = re.match(r"^ (\.text\S*)\s*$", line)  # name alone, values on the next line
            if m:
                pending = m.group(1)
                continue
            m = re.match(r"^ (\.text\S*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if m and (m.group(1) or pending):
                name = m.group(1) or pending
                sections.append((int(m.group(2), 16), int(m.group(3), 16), name, m.group(4)))
            pending = None
    sections.sort()
    return sections


def pattern(section, origin):
    """A linker-script input section description matching `section` of `origin`."""
    m = re.match(r"^(.*)\((.*)\)$", origin)  # archive(member)
    if m:
        return "*%s:%s(%s)" % (os.path.basename(m.group(1)), m.group(2), section)
    return "*%s(%s)" % (os.path.basename(origin), section)


# glibc's multiarch members: "memmove-evex-unaligned-erms.o", "strlen-avx2.o", "strchr-sse2.o".
IFUNC_MEMBER = re.compile(r"^libc\.a:([a-z_0-9]+)-(evex|avx512|avx2|avx|sse4|ssse3|sse2)[-a-z0-9_]*\.o$")
IFUNC_TIERS = ["evex", "avx512", "avx2", "avx", "sse4", "ssse3", "sse2"]


def entry_of(map_path):
    with open(map_path, errors="replace") as f:
        for line in f:
            m = re.match(r"^\s+0x([0-9a-f]+)\s+_start\s*$", line)
            if m:
                return int(m.group(1), 16)
    sys.exit("no _start in " + map_path)


def main():
    groups = []  # (map, [traces])
    args = sys.argv[1:]
    while args:
        if args[0] != "--map" or len(args) < 2:
            sys.exit(__doc__)
        groups.append((args[1], []))
        args = args[2:]
        while args and args[0] != "--map":
            groups[-1][1].append(args.pop(0))
    if not groups:
        sys.exit(__doc__)
    seen, order, ran = set(), [], 0
    multiarch = set()  # functions glibc has several versions of
    for map_path, traces in groups:
        sections = parse_map(map_path)
        for _, _, name, origin in sections:
            m = IFUNC_MEMBER.match(pattern(name, origin)[1:].split("(")[0])
            if m:
                multiarch.add(m.group(1))
        starts = [s[0] for s in sections]
        entry = entry_of(map_path)
        for trace in traces:
            base = None
            with open(trace, errors="replace") as f:
                for line in f:
                    if not line.startswith("SB "):
                        continue
                    addr = int(line.split()[1], 16)
                    if base is None:
                        base = addr - entry  # the first block executed is _start
                    i = bisect.bisect_right(starts, addr - base) - 1
                    if i < 0:
                        continue
                    start, size, name, origin = sections[i]
                    p = pattern(name, origin)
                    if addr - base >= start + size or p in seen:
                        continue
                    seen.add(p)
                    ran += size
                    order.append(p)
    print("/* Generated by tools/text-order/trace.sh: %d input sections, %d bytes of code that ran."
          % (len(order), ran))
    print("   Placed before .text, in the order they first ran; see docs/performance.md. */")
    families = []  # a version ran, or the default one in the member with the IFUNC resolver
    for p in order:
        member = p[1:p.index("(")]
        m = IFUNC_MEMBER.match(member)
        family = m.group(1) if m else re.sub(r"^libc\.a:(.*)\.o$", r"\1", member)
        if family in multiarch and family not in families:
            families.append(family)
    print("SECTIONS\n{\n  .text.hot :\n  {")
    for p in order:
        if not IFUNC_MEMBER.match(p[1:p.index("(")]):
            print("    " + p)
    for tier in IFUNC_TIERS:  # a section takes the first pattern that matches it
        for family in families:
            print("    *libc.a:%s-%s*.o(.text .text.*)" % (family, tier))
    print("  }\n}\nINSERT BEFORE .text;")


if __name__ == "__main__":
    main()
