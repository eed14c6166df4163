"""An ordinary user (nobody) runs the CLI: every command that needs root says so in one line,
naming the missing capability, exits 125 and creates nothing; --help and --version still work.
The library says the same to the Python bindings (PermissionDenied)."""

import os
import shutil
import subprocess
import tempfile

import pytest

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
MESSAGE = "mydocker: mydocker needs root: this process lacks CAP_SYS_ADMIN"


@pytest.fixture
def nobody_dir(mydocker_bin):
    """A directory nobody may enter and write to (so a state root *could* be made there), with
    a copy of the CLI and its helper nobody can run."""
    d = tempfile.mkdtemp(prefix="mydocker-it-nobody-")
    try:
        os.chmod(d, 0o1777)
        for name in ("mydocker", "mydocker-helper"):
            src = os.path.join(os.path.dirname(mydocker_bin), name)
            if os.path.exists(src):
                shutil.copy2(src, os.path.join(d, name))
                os.chmod(os.path.join(d, name), 0o755)
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def as_nobody(d, *args):
    return subprocess.run(NOBODY + [os.path.join(d, "mydocker"), "--root", os.path.join(d, "state"),
                                    *args], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("args", [
    ["run", "--rm", "busybox", "true"],
    ["run", "-d", "--name", "x", "-v", "/tmp:/data", "busybox", "sleep", "1"],
    ["create", "busybox"],
    ["ps", "-a"],
    ["image", "ls"],
    ["pull", "busybox"],
    ["rm", "-f", "x"],
    ["exec", "x", "true"],
    ["volume", "create", "v"],
    ["network", "create", "n"],
])
def test_a_command_that_needs_root_says_so_and_creates_nothing(nobody_dir, args):
    r = as_nobody(nobody_dir, *args)
    assert r.returncode == 125, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(MESSAGE), r.stderr
    assert "rootless mode is not supported" in lines[0]
    assert r.stdout == ""
    assert sorted(os.listdir(nobody_dir)) == sorted(
        n for n in ("mydocker", "mydocker-helper") if os.path.exists(os.path.join(nobody_dir, n)))


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["run", "--help"], ["help", "ps"]])
def test_help_and_version_work_unprivileged(nobody_dir, args):
    r = as_nobody(nobody_dir, *args)
    assert r.returncode == 0, r
    assert r.stdout
    assert not os.path.exists(os.path.join(nobody_dir, "state"))


def test_the_python_bindings_raise_permission_denied(nobody_dir):
    build_python = os.path.join(os.path.dirname(os.environ.get("MYDOCKER_BIN", "")), "..", "python")
    if not os.path.isdir(os.path.join(build_python, "pymydocker")):
        pytest.skip("pymydocker is not built")
    script = (
        "import sys, pymydocker\n"
        "try:\n"
        f"    pymydocker.Runtime(root={os.path.join(nobody_dir, 'state')!r},"
        f" helper={os.path.join(nobody_dir, 'mydocker')!r})\n"
        "except pymydocker.PermissionDenied as e:\n"
        "    print(e)\n"
        "    sys.exit(0)\n"
        "sys.exit(1)\n")
    r = subprocess.run(NOBODY + ["/usr/bin/python3", "-c", script], capture_output=True, text=True,
                       timeout=30, env={**os.environ, "PYTHONPATH": os.path.abspath(build_python)})
    assert r.returncode == 0, r
    assert "mydocker needs root: this process lacks CAP_SYS_ADMIN" in r.stdout
    assert not os.path.exists(os.path.join(nobody_dir, "state"))
