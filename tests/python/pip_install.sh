#!/usr/bin/env bash
# pymydocker as a Python package: `pip install --no-build-isolation` into a fresh virtual
# environment (with the system's site packages: no package index is reachable), then a
# container run from it with the helper the package carries; and `python3 -m build
# --no-isolation --wheel`, whose wheel must hold the extension, the helper and the metadata.
# Usage: pip_install.sh PYTHON SOURCE_DIR BUILD_DIR   (reuses BUILD_DIR's CMake build)
# Needs root and MYDOCKER_BUSYBOX_TAR. Leaves nothing behind (the build's own files stay in
# BUILD_DIR/setuptools).
set -euo pipefail
python=$1 source=$2 build=$3
work=$(mktemp -d /tmp/pymydocker-pip-XXXXXX)
trap 'rm -rf "$work"' EXIT
export MYDOCKER_CMAKE_BUILD_DIR=$build
unset MYDOCKER_HELPER PYTHONPATH
version=$(sed -n 's/^project(mydocker VERSION \([0-9.]*\).*/\1/p' "$source/CMakeLists.txt")

"$python" -m venv --system-site-packages "$work/venv"
(cd "$source" && "$work/venv/bin/pip" install -q --no-build-isolation --no-index .)
"$work/venv/bin/python" -s - "$work" "$MYDOCKER_BUSYBOX_TAR" "$version" <<'PY'
import importlib.metadata, os, sys
import pymydocker
work, tar, version = sys.argv[1:]
assert importlib.metadata.version("pymydocker") == version == pymydocker.__version__
assert pymydocker.__file__.startswith(work + "/venv/"), pymydocker.__file__
rt = pymydocker.Runtime(os.path.join(work, "root"))
assert rt.helper == os.path.join(os.path.dirname(pymydocker.__file__), "mydocker-helper"), rt.helper
rt.images.import_tar(tar, "busybox")
c = rt.run("busybox", ["sh", "-c", "echo from the venv; exit 4"], remove=True)
assert (c.exit_code, c.output) == (4, b"from the venv\n"), (c.exit_code, c.output)
assert rt.containers.list(all=True) == []
PY

(cd "$source" && "$python" -m build --no-isolation --wheel --outdir "$work/dist" . >/dev/null)
"$python" - "$work/dist" "$version" <<'PY'
import glob, sys, zipfile
dist, version = sys.argv[1:]
(wheel,) = glob.glob(f"{dist}/pymydocker-{version}-*.whl")
names = zipfile.ZipFile(wheel).namelist()
helper = zipfile.ZipFile(wheel).getinfo("pymydocker/mydocker-helper")
assert helper.external_attr >> 16 & 0o111, "the helper is not executable in the wheel"
for want in ("pymydocker/__init__.py", "pymydocker/_core.pyi", "pymydocker/py.typed",
             f"pymydocker-{version}.dist-info/METADATA"):
    assert want in names, (want, names)
assert any(n.startswith("pymydocker/_core.") and n.endswith(".so") for n in names), names
PY
if grep -q "$work" /proc/self/mountinfo; then
  echo "left mounts behind" >&2
  exit 1
fi
echo "pip install and wheel: ok"
