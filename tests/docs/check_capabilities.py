"""docs/capabilities.md lists every CLI command, and names only functions that exist.

usage: check_capabilities.py MYDOCKER_BIN REPO_ROOT PYTHONPATH_DIR
"""

import re
import subprocess
import sys
from pathlib import Path


def cli_commands(binary):
    """The top-level commands `mydocker --help` lists (first name of each row)."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
    section = out.split("Subcommands:", 1)[1]
    return {line.split()[0].rstrip(",") for line in section.splitlines() if line.startswith("  ")}


def table(doc):
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[re.match(r"`([a-z-]+)`", cells[0]).group(1)] = cells[1:]
    return rows


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


def main():
    binary, repo, pythonpath = sys.argv[1:]
    repo = Path(repo)
    rows = table((repo / "docs/capabilities.md").read_text())
    errors = [f"CLI command '{c}' has no row in docs/capabilities.md"
              for c in sorted(cli_commands(binary) - set(rows))]
    header = (repo / "capi/include/mydocker.h").read_text()
    cpp = (repo / "capi/include/mydocker.hpp").read_text()
    sys.path.insert(0, pythonpath)
    import pymydocker
    for command, (c, cxx, py) in rows.items():
        for fn in names(c):
            if not re.search(rf"\b{fn}\(", header):
                errors.append(f"{command}: no C function {fn}")
        for method in names(cxx):
            cls, name = method.split("::")
            if not re.search(rf"class {cls}\b", cpp) or not re.search(rf"\b{name}\(", cpp):
                errors.append(f"{command}: no C++ method {method}")
        for method in names(py):
            cls, name = method.split(".")
            if not hasattr(getattr(pymydocker, cls, None), name):
                errors.append(f"{command}: no Python method {method}")
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(rows)} rows checked; {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
