#!/usr/bin/env bash
# Builds the Debian package (docs/packaging.md) in a tree of its own configured for /usr, with no
# tests, benchmarks or fuzz targets: DIR (default build-deb)/mydocker_<version>_<arch>.deb, whose
# path is printed last. Needs cmake, cpack and dpkg-shlibdeps (dpkg-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-deb}
# Debian's interpreter looks for packages in /usr/lib/python3/dist-packages.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DMYDOCKER_BUILD_TESTS=OFF -DMYDOCKER_PYTHON_INSTALL_DIR=lib/python3/dist-packages >/dev/null
cmake --build "$dir" -j"$(nproc)"
rm -f "$dir"/mydocker_*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
ls "$dir"/mydocker_*.deb
