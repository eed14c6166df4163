#!/usr/bin/env python3
"""Generates docs/c-api.md from capi/include/mydocker.h: the header's opening comment becomes
the conventions section, each banner comment a section, and each declaration (function,
struct, enum, macro) is shown with the comment written above it. The header is the single
source: edit it, then run `capi/gen_doc.py > docs/c-api.md` (the capi_doc_current test fails
while the two disagree).

usage: gen_doc.py [HEADER]   (default: capi/include/mydocker.h beside this script)
"""
import os
import re
import sys

BANNER = re.compile(r"^/\* -{10,} \*/$")


def comment_text(lines):
    """The text of a /* ... */ block, without the markers and leading stars."""
    out = []
    for line in lines:
        line = line.strip()
        line = re.sub(r"^/\*+ ?", "", line)
        line = re.sub(r" ?\*+/$", "", line)
        line = re.sub(r"^\* ?", "", line)
        out.append(line)
    return "\n".join(out).strip()


def parse(lines):
    """Yields ("intro", text), ("section", title) and ("decl", comment, code, names)."""
    i = 0
    n = len(lines)
    # The opening comment, up to its closing line.
    start = i
    while not lines[i].rstrip().endswith("*/"):
        i += 1
    yield ("intro", comment_text(lines[start:i + 1]))
    i += 1
    pending = None  # a comment waiting for the declaration right below it
    while i < n:
        line = lines[i].rstrip()
        if BANNER.match(line) and i + 2 < n and BANNER.match(lines[i + 2].rstrip()):
            yield ("section", comment_text([lines[i + 1]]).strip())
            pending = None
            i += 3
            continue
        if line.startswith("/*"):
            start = i
            while not lines[i].rstrip().endswith("*/"):
                i += 1
            pending = comment_text(lines[start:i + 1])
            i += 1
            continue
        if not line or line.startswith(("#if", "#endif", "#include", "#else", "}", "extern")):
            pending = None if not line else pending
            i += 1
            continue
        if line.startswith("#define"):
            code = [line]
            while code[-1].endswith("\\"):
                i += 1
                code.append(lines[i].rstrip())
            i += 1
            name = re.match(r"#define (\w+)", line).group(1)
            if name.startswith("MYDOCKER_") and not name.endswith(("_H_", "EXPORT")):
                yield ("decl", pending, "\n".join(code), [name])
            pending = None
            continue
        # A declaration: up to the ';' that closes it (at brace depth 0), or the '}' that closes
        # an inline function's body.
        code = []
        depth = 0
        while True:
            text = lines[i].rstrip()
            code.append(text)
            depth += text.count("{") - text.count("}")
            i += 1
            if depth == 0 and (text.endswith(";") or text == "}"):
                break
        code_text = "\n".join(code).replace("MYDOCKER_EXPORT ", "")
        names = re.findall(r"typedef [\w ]+\(\*(\w+)\)", code_text) or re.findall(
            r"\b(mydocker_\w+)\s*\(", code_text)
        if not names:
            names = re.findall(r"\}\s*(\w+);\s*$", code_text) or re.findall(
                r"typedef struct \w+ (\w+);", code_text)
        # Declarations in one run under one comment form one entry.
        yield ("decl", pending, code_text, names)
        pending = None


def render(items):
    out = ["# The C API (`mydocker.h`, `libmydocker.so.1`)", "",
           "Generated from `capi/include/mydocker.h` by `capi/gen_doc.py`; do not edit by hand.",
           "Build and install: [getting-started.md](getting-started.md).", ""]
    entries = []
    for item in items:
        if item[0] == "intro":
            text = item[1].split("\n", 1)[1].strip()  # drop the one-line title
            out += [text, ""]
        elif item[0] == "section":
            entries.append(["section", item[1]])
        else:
            _, comment, code, names = item
            last = entries[-1] if entries else None
            if comment is None and last and last[0] == "decl":
                last[2] += "\n" + code  # a continuation of the previous entry
                last[3] += names
            else:
                entries.append(["decl", comment, code, names])
    for entry in entries:
        if entry[0] == "section":
            out += ["## " + entry[1], ""]
            continue
        _, comment, code, names = entry
        out += ["### " + ", ".join("`%s`" % n for n in names), "", "```c", code, "```", ""]
        if comment:
            out += [comment, ""]
    return "\n".join(out).rstrip() + "\n"


def main():
    header = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "include", "mydocker.h")
    with open(header) as f:
        lines = f.read().split("\n")
    sys.stdout.write(render(parse(lines)))


if __name__ == "__main__":
    main()
