"""Builds pymydocker's compiled parts with the project's CMake build (see pyproject.toml).

The extension (pymydocker._core) and the static helper binary (mydocker-helper, which runs
each container's monitor and exec's stub) are built by CMake and copied into the package, so
a wheel carries both and the package finds its helper beside itself.

MYDOCKER_CMAKE_BUILD_DIR names an already configured build tree to reuse (tools/build.sh's
build/ in CI); otherwise one is configured under setuptools' build_temp for the running
interpreter.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = Path(__file__).resolve().parent


def project_version():
    text = (SOURCE / "CMakeLists.txt").read_text()
    return re.search(r"project\(mydocker VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    """Builds the two targets with CMake and puts them into the package."""

    def build_extension(self, ext):
        build_dir = os.environ.get("MYDOCKER_CMAKE_BUILD_DIR")
        if not build_dir:
            build_dir = os.path.join(os.path.abspath(self.build_temp), "cmake")
            subprocess.run(["cmake", "-S", str(SOURCE), "-B", build_dir,
                            "-DCMAKE_BUILD_TYPE=Release", f"-DPython_EXECUTABLE={sys.executable}"],
                           check=True)
        jobs = str(os.cpu_count() or 1)
        subprocess.run(["cmake", "--build", build_dir, "-j", jobs, "--target", "pymydocker_core",
                        "mydocker-helper"], check=True)
        built = Path(build_dir)
        (core,) = (built / "python" / "pymydocker").glob("_core*.so")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(core, target)
        shutil.copy2(built / "bin" / "mydocker-helper", target.parent / "mydocker-helper")


setup(
    version=project_version(),
    ext_modules=[Extension("pymydocker._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
)
